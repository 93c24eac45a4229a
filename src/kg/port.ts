/**
 * The graph port: what the validate stage may ask of a medical knowledge graph.
 * Two backends implement it (embedded snapshot, Neo4j); both pass test/kg/contract.
 * Calls take batches so the Neo4j backend makes one round trip per batch.
 */
import type { EntityType } from '../../schemas/record.js';

export interface LexiconEntry {
  /** Surface form (name or alias), normalised as the matcher sees text. */
  term: string;
  /** Canonical entity name. */
  name: string;
  type: EntityType;
}

export interface KgStats {
  version: string;
  nodes: Record<string, number>;
  relations: Record<string, number>;
}

export interface GraphPort {
  /** Content hash of the imported graph; stamped into every manifest validated against it. */
  version(): Promise<string>;
  /** Every name and alias with its type, for the multi-pattern matcher (cache by version). */
  lexicon(): Promise<LexiconEntry[]>;
  /** For each [drug, disease] pair: does the graph relate them (common_drug/recommand_drug)? */
  drugTreatsDisease(pairs: Array<[string, string]>): Promise<boolean[]>;
  /** Departments the graph assigns to each disease (belongs_to), in graph order. */
  departmentsOf(diseases: string[]): Promise<Map<string, string[]>>;
  stats(): Promise<KgStats>;
  close(): Promise<void>;
}
