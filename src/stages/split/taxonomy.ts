/**
 * Department taxonomy lookups over taxonomy-data.ts (the one canonical list). Every department a
 * record gets goes through here: a source's department string (cateOf), a source's own
 * cate1/cate2 and a graph-inferred pair (canonicalPair), so (cate1, cate2) is always a pair of the
 * list or the unclassified default. A department that matches nothing yields undefined: the caller
 * uses the pipeline's default and the validate stage may infer one from the graph.
 */
import { CATE1_ALIASES, GENERIC_CATE2, TAXONOMY, UNCLASSIFIED } from './taxonomy-data.js';

export interface Cate {
  cate1: string;
  cate2: string;
}

/** Every name (canonical cate2 or alias) → its canonical pair. */
const BY_NAME = new Map<string, Cate>();
/** Canonical cate1 (and cate1 aliases) → the generic pair of that cate1. */
const GENERIC = new Map<string, Cate>();
const PAIRS = new Set<string>();
const key = (c: Cate) => `${c.cate1}\u0000${c.cate2}`;

for (const e of TAXONOMY) {
  const c = { cate1: e.cate1, cate2: e.cate2 };
  PAIRS.add(key(c));
  BY_NAME.set(e.cate2, c);
}
for (const e of TAXONOMY) for (const a of e.aliases ?? []) if (!BY_NAME.has(a)) BY_NAME.set(a, { cate1: e.cate1, cate2: e.cate2 });
for (const [cate1, cate2] of GENERIC_CATE2) GENERIC.set(cate1, BY_NAME.get(cate2)!);
for (const [alias, cate1] of CATE1_ALIASES) if (!GENERIC.has(alias)) GENERIC.set(alias, GENERIC.get(cate1)!);
// A bare cate1 name that is not itself a cate2 ('五官科' is both) finds its generic pair by name too.
for (const [name, c] of GENERIC) if (!BY_NAME.has(name)) BY_NAME.set(name, c);

/** Longest names first, so 心血管内科 wins over 内科 when searching inside a longer string. */
const NAMES_BY_LENGTH = [...BY_NAME.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

/** A source's department string ("心内科", "浙江省中山医院 中医科", "儿科-小儿内科") → canonical pair. */
export function cateOf(department: string | undefined): Cate | undefined {
  if (!department) return undefined;
  const d = department.trim();
  const exact = BY_NAME.get(d);
  if (exact) return { ...exact };
  for (const name of NAMES_BY_LENGTH) if (name.length >= 2 && d.includes(name)) return { ...BY_NAME.get(name)! };
  // 肿瘤及防治科, 妇产及计划生育科: a joined name is the department of its first part
  const joined = /^(.{2,6}?)及.{1,8}科$/.exec(d);
  return joined ? cateOf(`${joined[1]}科`) : undefined;
}

/**
 * A (cate1, cate2) pair from a source or the graph → the canonical pair: the cate2 decides when
 * the list knows it (graph ['内科', '心内科'] → 内科/心血管内科), else the cate1 (its generic pair),
 * else undefined.
 */
export function canonicalPair(cate1: string | undefined, cate2: string | undefined): Cate | undefined {
  const c2 = cate2?.trim();
  const c1 = cate1?.trim();
  if (c1 === UNCLASSIFIED.cate1 && c2 === UNCLASSIFIED.cate2) return { ...UNCLASSIFIED };
  const by2 = c2 ? BY_NAME.get(c2) : undefined;
  if (by2) return { ...by2 };
  const by1 = c1 ? GENERIC.get(c1) ?? BY_NAME.get(c1) : undefined;
  if (by1) return { ...by1 };
  return cateOf(c2) ?? cateOf(c1);
}

/** Graph-inferred departments go through the same list; an unknown pair keeps the record's current one. */
export function canonicalInferred(pair: [string, string], fallback: [string, string]): [string, string] {
  const c = canonicalPair(pair[0], pair[1]);
  return c ? [c.cate1, c.cate2] : fallback;
}

/** True when (cate1, cate2) is a pair of the taxonomy (or the unclassified default). */
export function inTaxonomy(cate1: string, cate2: string): boolean {
  return PAIRS.has(key({ cate1, cate2 })) || (cate1 === UNCLASSIFIED.cate1 && cate2 === UNCLASSIFIED.cate2);
}

export function knownCate2(): string[] {
  return [...BY_NAME.keys()];
}
