/**
 * The graph port: what the validate stage may ask of a medical knowledge graph.
 * Two backends implement it (embedded snapshot, Neo4j); both pass test/kg/contract.
 * Calls take batches so the Neo4j backend makes one round trip per batch; `lookup` answers
 * everything one batch of records needs in one round trip.
 */
import type { EntityType } from '../../schemas/record.js';

export interface LexiconEntry {
  /** Surface form (name or alias), normalised as the matcher sees text (src/kg/fold.ts). */
  term: string;
  /** Canonical entity name. */
  name: string;
  type: EntityType;
}

export interface KgStats {
  version: string;
  /** Entity nodes by label (Disease, Symptom, Drug, Check, Department, Food). */
  nodes: Record<string, number>;
  /** Relations by type (has_symptom, need_check, …). */
  relations: Record<string, number>;
  /** Aliases (surface forms other than the canonical names). */
  aliases: number;
  /** Per source: entities it names and relations it states. */
  bySource: Record<string, { nodes: number; relations: number }>;
}

/** One drug to judge: its ingredient name, and the symptoms and diseases (all conditions) the dialogue names. */
export interface IndicationQuery {
  drug: string;
  symptoms: string[];
  diseases: string[];
}

/** A symptom links a drug's indication to the dialogue only when at most this many diseases list it (发热, 疼痛 link everything). */
export const MAX_LINKING_SYMPTOM_DEGREE = 40;

export interface IndicationAnswer {
  /** Diseases (or symptom-diseases) the graph lists the drug for (common_drug/recommand_drug), with the sources that say so; sorted by name. */
  indications: Array<{ disease: string; sources: string[] }>;
  /**
   * Indications sharing a symptom with the dialogue: one it names, or a specific one (listed by
   * ≤ MAX_LINKING_SYMPTOM_DEGREE diseases) of a disease it names; (indication, symptom), sorted.
   */
  viaSymptom: Array<{ disease: string; symptom: string }>;
  /** Indications in the same specific department (belongs_to with ord ≥ 1) as a disease the dialogue names; sorted. */
  viaDepartment: Array<{ disease: string; department: string }>;
}

export interface GraphLookup {
  /** [drug, disease] pairs: does the graph relate them (disease common_drug/recommand_drug drug)? */
  drugDisease: Array<[string, string]>;
  /** Diseases whose departments (belongs_to) are wanted. */
  departmentsOf: string[];
  /** Drugs and diseases whose number of common_drug/recommand_drug relations is wanted. */
  drugLinks: { drugs: string[]; diseases: string[] };
  /** Drugs whose indications are wanted (optional: older callers leave it out). */
  indications?: IndicationQuery[];
}

export interface GraphLookupResult {
  /** Parallel to GraphLookup.drugDisease. */
  treats: boolean[];
  /** Departments per disease in graph order (parent department first); unknown diseases absent. */
  departments: Map<string, string[]>;
  /** Relation counts; names the graph does not know as that type are absent. */
  drugLinks: { drugs: Map<string, number>; diseases: Map<string, number> };
  /** Parallel to GraphLookup.indications (empty when none were asked). */
  indications: IndicationAnswer[];
}

export interface GraphPort {
  /** Content hash of the imported graph; stamped into every manifest validated against it. */
  version(): Promise<string>;
  /** Every name and alias with its type, sorted by (term, type, name), for the matcher (cache by version). */
  lexicon(): Promise<LexiconEntry[]>;
  /** For each [drug, disease] pair: does the graph relate them (common_drug/recommand_drug)? */
  drugTreatsDisease(pairs: Array<[string, string]>): Promise<boolean[]>;
  /** Departments the graph assigns to each disease (belongs_to), in graph order. */
  departmentsOf(diseases: string[]): Promise<Map<string, string[]>>;
  /** All a batch of records needs, in one round trip. */
  lookup(q: GraphLookup): Promise<GraphLookupResult>;
  stats(): Promise<KgStats>;
  close(): Promise<void>;
}

/** Deterministic lexicon order shared by both backends. */
export function compareLexicon(a: LexiconEntry, b: LexiconEntry): number {
  return cmp(a.term, b.term) || cmp(a.type, b.type) || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
