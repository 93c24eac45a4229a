/**
 * The medical knowledge graph as it crosses boundaries: the cleaned graph an import produces,
 * the snapshot file the embedded backend reads (gzipped JSON), and the import report.
 * Both backends are loaded from the same KgGraph, so they share its content-hash version.
 */
import { z } from 'zod';
import { EntityType } from './record.js';

export { EntityType };

/** Relation names kept lower-snake as in the source dumps (and as Neo4j relationship types). */
export const KgRelation = z.enum([
  'has_symptom',
  'need_check',
  'common_drug',
  'recommand_drug',
  'belongs_to',
  'has_complication',
  'good_food',
  'avoid_food',
]);
export type KgRelation = z.infer<typeof KgRelation>;

/** Every relation starts at a Disease; the end type is fixed per relation. */
export const RELATION_TARGET: Record<KgRelation, EntityType> = {
  has_symptom: 'Symptom',
  need_check: 'Check',
  common_drug: 'Drug',
  recommand_drug: 'Drug',
  belongs_to: 'Department',
  has_complication: 'Disease',
  good_food: 'Food',
  avoid_food: 'Food',
};

export const KgNode = z.strictObject({
  type: EntityType,
  /** Canonical name after cleaning (trimmed, full-width ASCII folded to half-width). */
  name: z.string().min(1),
  /** Other surface forms (sorted, unique, none equal to a name of the same type). */
  aliases: z.array(z.string().min(1)),
  /** Which sources name this entity (xywy, medicaljson, dict, curated, or a triples file's label), sorted. */
  sources: z.array(z.string().min(1)),
});
export type KgNode = z.infer<typeof KgNode>;

/**
 * [relation, disease name, target name, ord, sources]: ord is the target's position in the source
 * disease's list (first occurrence), which keeps "graph order" (e.g. parent department first);
 * sources are the dumps that state the relation (sorted: 'xywy', 'vrbot_meddialog' …).
 */
export const KgEdge = z.tuple([KgRelation, z.string().min(1), z.string().min(1), z.number().int().nonnegative(), z.array(z.string().min(1)).min(1)]);
export type KgEdge = z.infer<typeof KgEdge>;

export const KgGraph = z.strictObject({
  /** Sorted by type, then name. */
  nodes: z.array(KgNode),
  /** Sorted by relation, source, target. */
  edges: z.array(KgEdge),
});
export type KgGraph = z.infer<typeof KgGraph>;

const ENTITY_TYPES = new Set<string>(EntityType.options);
const RELATIONS = new Set<string>(KgRelation.options);
const NODE_KEYS = ['aliases', 'name', 'sources', 'type'];

const isNonEmptyStrings = (v: unknown, min: number): boolean => {
  if (!Array.isArray(v) || v.length < min) return false;
  for (const x of v) if (typeof x !== 'string' || x.length === 0) return false;
  return true;
};

/**
 * A fast sufficient test for KgGraph (a snapshot holds ~240,000 nodes and edges, which zod takes
 * most of a second to walk): true only for values the schema accepts — plain nodes with exactly
 * its four keys, edges of exactly five items. False says nothing: ask the schema for the issue.
 */
export function isKgGraph(v: unknown): v is KgGraph {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const g = v as Record<string, unknown>;
  const keys = Object.keys(g);
  if (keys.length !== 2 || !Array.isArray(g.nodes) || !Array.isArray(g.edges)) return false;
  for (const n of g.nodes as unknown[]) {
    if (typeof n !== 'object' || n === null || Object.getPrototypeOf(n) !== Object.prototype) return false;
    const r = n as Record<string, unknown>;
    const ks = Object.keys(r);
    if (ks.length !== 4) return false;
    for (const k of ks) if (!NODE_KEYS.includes(k)) return false;
    if (typeof r.type !== 'string' || !ENTITY_TYPES.has(r.type) || typeof r.name !== 'string' || r.name.length === 0) return false;
    if (!isNonEmptyStrings(r.aliases, 0) || !isNonEmptyStrings(r.sources, 0)) return false;
  }
  for (const e of g.edges as unknown[]) {
    if (!Array.isArray(e) || e.length !== 5) return false;
    const [rel, s, t, ord, sources] = e as unknown[];
    if (typeof rel !== 'string' || !RELATIONS.has(rel) || typeof s !== 'string' || s.length === 0 || typeof t !== 'string' || t.length === 0) return false;
    if (typeof ord !== 'number' || !Number.isInteger(ord) || ord < 0 || !isNonEmptyStrings(sources, 1)) return false;
  }
  return true;
}

export const KgSourceFile = z.strictObject({
  path: z.string(),
  kind: z.enum(['xywy', 'medicaljson', 'dict', 'triples', 'curated']),
  sha256: z.string(),
  /** Encoding the reader decoded the file with. */
  encoding: z.string(),
});
export type KgSourceFile = z.infer<typeof KgSourceFile>;

export const CleanRule = z.enum([
  'empty',
  'mojibake',
  'truncated',
  'no_cjk',
  'fragment',
  'site_chrome',
  'person_name',
  'advice',
  'too_long',
]);
export type CleanRule = z.infer<typeof CleanRule>;

export const RepairRule = z.enum(['width_normalised', 'mojibake_repaired', 'truncated_repaired']);
export type RepairRule = z.infer<typeof RepairRule>;

const RuleCount = z.strictObject({
  /** Occurrences (list entries) affected. */
  values: z.number().int().nonnegative(),
  /** Distinct raw strings affected. */
  distinct: z.number().int().nonnegative(),
  /** Up to 8 distinct raw examples, sorted. */
  examples: z.array(z.string()),
});

export const KgImportReport = z.strictObject({
  diseaseRecords: z.number().int().nonnegative(),
  dropped: z.partialRecord(CleanRule, RuleCount),
  repaired: z.partialRecord(RepairRule, RuleCount),
  /** Aliases kept, by where they came from. */
  aliases: z.record(z.string(), z.number().int().nonnegative()),
  /** Aliases not kept: 'ambiguous' (same surface, several entities of one type), 'shadowed' (equals a name of that type). */
  aliasesDropped: z.record(z.string(), z.number().int().nonnegative()),
  /** Dictionary lines that matched nothing usable (e.g. producer lines naming no known drug). */
  dictUnused: z.record(z.string(), z.number().int().nonnegative()),
  /** Curated rows applied (entities added, aliases, retyped, dropped) and relations they removed. */
  curated: z.record(z.string(), z.number().int().nonnegative()),
  /** Drug products folded into their generic ingredient (products → ingredients). */
  ingredients: z.strictObject({ products: z.number().int().nonnegative(), ingredients: z.number().int().nonnegative() }),
  /** Triples by fate: mapped, inverse (the reverse of a mapped relation), unmapped relation, bad row. */
  triples: z.record(z.string(), z.number().int().nonnegative()),
});
export type KgImportReport = z.infer<typeof KgImportReport>;

export const KgCounts = z.strictObject({
  nodes: z.record(z.string(), z.number().int().nonnegative()),
  relations: z.record(z.string(), z.number().int().nonnegative()),
  aliases: z.number().int().nonnegative(),
  /** Per source: entities it names and relations it states (a relation stated by two sources counts for each). */
  bySource: z.record(z.string(), z.strictObject({ nodes: z.number().int().nonnegative(), relations: z.number().int().nonnegative() })),
});
export type KgCounts = z.infer<typeof KgCounts>;

export const KG_SNAPSHOT_FORMAT = 'cmtmedqa-kg-snapshot' as const;

export const KgSnapshot = z.strictObject({
  format: z.literal(KG_SNAPSHOT_FORMAT),
  formatVersion: z.literal(2),
  /** sha256 of the canonical JSON of `graph` (see src/kg/import/build.ts graphVersion). */
  version: z.string().regex(/^[0-9a-f]{64}$/),
  sources: z.array(KgSourceFile),
  counts: KgCounts,
  report: KgImportReport,
  graph: KgGraph,
});
export type KgSnapshot = z.infer<typeof KgSnapshot>;
