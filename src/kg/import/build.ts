/**
 * Builds the cleaned, deterministic graph from disease records and entity lists.
 * Everything is collected first and resolved at finish(), so the result does not depend on the
 * order of files or records: nodes sorted by (type, name), edges by (relation, source, target),
 * aliases sorted, and the version is the sha256 of the canonical JSON of that graph.
 * Nothing is dropped silently: every value that does not make it is counted per rule.
 *
 * Several sources merge into one graph: disease records (xywy, medical.json), entity lists,
 * generic triples (VRBot) and the curated facts (data/kg/curated.tsv). Every node and relation
 * keeps the sources that state it. At finish(), in order: curated rows (entities, aliases,
 * retype, drop), truncated values repaired, Drug names folded into their generic ingredient
 * (ingredient.ts: the products become aliases), relations resolved, aliases chosen.
 */
import iconv from 'iconv-lite';
import { RELATION_TARGET, isKgGraph, type CleanRule, type KgCounts, type KgEdge, type KgGraph, type KgImportReport, type KgNode, type KgRelation, type RepairRule } from '../../../schemas/kg.js';
import { canonicalJson, sha256Hex } from '../../core/ids.js';
import { foldTerm } from '../fold.js';
import { MAX_NAME_CHARS, cleanName, hasCjk, impliedAliases, normaliseName, type Entity } from './clean.js';
import type { CuratedRow } from './curated.js';
import { ingredientOf } from './ingredient.js';
import type { DiseaseFacts, DictFile, RelationMap, Triple } from './sources.js';

const TYPES: Entity[] = ['Check', 'Department', 'Disease', 'Drug', 'Food', 'Symptom'];
const MIN_TRUNCATED_PREFIX = 4;
/** Longest name or alias kept (characters); longer values are page text, not names (clean.ts too_long). */
const MAX_NAME = MAX_NAME_CHARS;

type Ref = { kind: 'name'; name: string } | { kind: 'truncated'; prefix: string; raw: string };

interface RawEdge {
  rel: KgRelation;
  source: Ref;
  target: Ref;
  ord: number;
  /** The dump that states it. */
  from: string;
}

interface AliasCandidate {
  type: Entity;
  /** The entity (a clean name, or a ref still to resolve). */
  target: Ref;
  alias: string;
  source: string;
}

class RuleCounter {
  private readonly byRule = new Map<string, Map<string, number>>();
  add(rule: string, raw: string): void {
    let m = this.byRule.get(rule);
    if (!m) this.byRule.set(rule, (m = new Map()));
    m.set(raw, (m.get(raw) ?? 0) + 1);
  }
  report<R extends string>(): Partial<Record<R, { values: number; distinct: number; examples: string[] }>> {
    const out: Partial<Record<R, { values: number; distinct: number; examples: string[] }>> = {};
    for (const rule of [...this.byRule.keys()].sort()) {
      const m = this.byRule.get(rule)!;
      let values = 0;
      for (const v of m.values()) values += v;
      out[rule as R] = { values, distinct: m.size, examples: [...m.keys()].sort().slice(0, 8) };
    }
    return out;
  }
}

const gbk = (b: Buffer) => iconv.decode(b, 'gbk');

export class GraphBuilder {
  private readonly names = new Map<Entity, Set<string>>(TYPES.map((t) => [t, new Set<string>()]));
  private readonly edges: RawEdge[] = [];
  private readonly aliasCandidates: AliasCandidate[] = [];
  private readonly producers: string[] = [];
  /** Truncated dictionary entries: they add nothing when repaired, but a drop is counted. */
  private readonly dictTruncated: Array<{ ref: Ref; type: Entity }> = [];
  private readonly dropped = new RuleCounter();
  private readonly repaired = new RuleCounter();
  private readonly dictUnused = new Map<string, number>();
  private diseaseRecords = 0;
  /** Sources per `type\0name` (clean names; truncated refs add theirs once resolved). */
  private readonly nodeSources = new Map<string, Set<string>>();
  private readonly truncatedSources: Array<{ ref: Ref; type: Entity; from: string }> = [];
  private readonly curatedRows: CuratedRow[] = [];
  private readonly tripleCounts = new Map<string, number>();
  private readonly tripleOrd = new Map<string, number>();

  private noteSource(type: Entity, name: string, from: string): void {
    const key = `${type}\u0000${name}`;
    let set = this.nodeSources.get(key);
    if (!set) this.nodeSources.set(key, (set = new Set()));
    set.add(from);
  }

  /** Cleans one raw value; a clean name is registered as a node of `type`. */
  private ref(raw: string, type: Entity, from: string): Ref | null {
    const r = cleanName(raw, type, gbk);
    if (r.ok === false) {
      this.dropped.add(r.rule, raw);
      return null;
    }
    for (const rep of r.repairs) this.repaired.add(rep, raw);
    if (r.ok === 'truncated') {
      const ref: Ref = { kind: 'truncated', prefix: r.prefix, raw };
      this.truncatedSources.push({ ref, type, from });
      return ref;
    }
    this.names.get(type)!.add(r.name);
    this.noteSource(type, r.name, from);
    return { kind: 'name', name: r.name };
  }

  addDisease(facts: DiseaseFacts, from: string = 'xywy'): void {
    this.diseaseRecords++;
    const source = this.ref(facts.name, 'Disease', from);
    if (!source) return;
    for (const rel of Object.keys(facts.lists).sort() as KgRelation[]) {
      const list = facts.lists[rel] ?? [];
      const type = RELATION_TARGET[rel];
      list.forEach((raw, ord) => {
        const target = this.ref(raw, type, from);
        if (target) this.edges.push({ rel, source, target, ord, from });
      });
    }
    for (const d of facts.drugDetail ?? []) {
      // 'PRODUCT(DRUG)': the product (maker + drug, or a brand) is another name for DRUG.
      const m = /^(.+)[(（]([^()（）]+)[)）]$/.exec(d.trim());
      if (!m) continue;
      const target = this.ref(m[2], 'Drug', from);
      const alias = normaliseName(m[1]);
      if (target) this.aliasCandidates.push({ type: 'Drug', target, alias, source: 'drug_detail' });
    }
  }

  addDict(dict: DictFile): void {
    if (dict.kind === 'producer') {
      for (const t of dict.terms) this.producers.push(normaliseName(t));
      return;
    }
    for (const t of dict.terms) {
      const ref = this.ref(t, dict.kind, 'dict');
      if (ref?.kind === 'truncated') this.dictTruncated.push({ ref, type: dict.kind });
    }
  }

  /**
   * One generic triple: a mapped relation makes the head a Disease and the tail the relation's
   * target type (types inferred from relations); inverse and unmapped relations are counted.
   */
  addTriple(t: Triple | { bad: number }, map: RelationMap, from: string): void {
    const bump = (k: string): void => void this.tripleCounts.set(k, (this.tripleCounts.get(k) ?? 0) + 1);
    if ('bad' in t) return bump('bad_row');
    const rel = map.map[t.relation];
    if (!rel) return bump(map.inverse.includes(t.relation) ? 'inverse' : 'unmapped');
    const source = this.ref(t.head, 'Disease', from);
    const target = this.ref(t.tail, RELATION_TARGET[rel], from);
    if (!source || !target) return bump('dropped_name');
    const okey = `${rel}\u0000${t.head}`;
    const ord = this.tripleOrd.get(okey) ?? 0;
    this.tripleOrd.set(okey, ord + 1);
    this.edges.push({ rel, source, target, ord, from });
    bump('mapped');
  }

  addCurated(rows: CuratedRow[]): void {
    this.curatedRows.push(...rows);
  }

  finish(): { graph: KgGraph; version: string; counts: KgCounts; report: KgImportReport } {
    const curated = new Map<string, number>();
    const bumpC = (k: string, n = 1) => curated.set(k, (curated.get(k) ?? 0) + n);
    const curatedAliases: Array<{ type: Entity; name: string; alias: string }> = [];
    // Curated rows: removals first (so an `entity` row may re-add a name under its right type).
    const removed = new Set<string>();
    for (const r of this.curatedRows) {
      if (r.action === 'entity' || r.action === 'narrower') continue;
      const set = this.names.get(r.type)!;
      if (!set.delete(r.name)) {
        bumpC(`${r.action}_absent`);
        continue;
      }
      removed.add(`${r.type}\u0000${r.name}`);
      bumpC(r.action === 'drop' ? 'dropped' : 'retyped');
      if (r.action === 'retype') {
        this.names.get(r.to)!.add(r.name);
        for (const s of this.nodeSources.get(`${r.type}\u0000${r.name}`) ?? []) this.noteSource(r.to, r.name, s);
        this.noteSource(r.to, r.name, 'curated');
      }
    }
    for (const r of this.curatedRows) {
      if (r.action !== 'entity') continue;
      const set = this.names.get(r.type)!;
      bumpC(set.has(r.name) ? 'entity_known' : 'entity_added');
      set.add(r.name);
      this.noteSource(r.type, r.name, 'curated');
      for (const alias of r.aliases) curatedAliases.push({ type: r.type, name: r.name, alias });
    }
    // Narrower terms: their surfaces also name the broader entity; both entities stay.
    const narrowerAliases: Array<{ type: Entity; name: string; alias: string }> = [];
    for (const r of this.curatedRows) {
      if (r.action !== 'narrower') continue;
      if (!this.names.get(r.type)!.has(r.name)) {
        bumpC('narrower_absent');
        continue;
      }
      for (const alias of r.narrower) narrowerAliases.push({ type: r.type, name: r.name, alias });
    }

    // Truncated values: repaired when exactly one full name of that type extends the prefix.
    const sortedAll = new Map<Entity, string[]>();
    for (const t of TYPES) sortedAll.set(t, [...this.names.get(t)!].sort(cmp));
    // A curated alias that a dump has as an entity of the same type is the same entity: merged into the curated name.
    const merged = new Map<string, string>();
    for (const c of curatedAliases) {
      if (c.alias !== c.name && this.names.get(c.type)!.has(c.alias) && !merged.has(`${c.type}\u0000${c.alias}`)) {
        merged.set(`${c.type}\u0000${c.alias}`, c.name);
        for (const s of this.nodeSources.get(`${c.type}\u0000${c.alias}`) ?? []) this.noteSource(c.type, c.name, s);
        bumpC('merged');
      }
    }
    const sorted = new Map<Entity, string[]>();
    for (const t of TYPES) sorted.set(t, [...this.names.get(t)!].sort(cmp));
    const resolved = new Map<string, string | null>();
    const counted = new Set<Ref>();
    const resolveRaw = (ref: Ref, type: Entity): string | null => {
      if (ref.kind === 'name') return ref.name;
      void sortedAll;
      const key = `${type}\u0000${ref.prefix}`;
      let hit = resolved.get(key);
      if (hit === undefined) {
        hit = ref.prefix.length >= MIN_TRUNCATED_PREFIX ? uniqueExtension(sorted.get(type)!, ref.prefix) : null;
        resolved.set(key, hit);
      }
      if (!counted.has(ref)) {
        counted.add(ref);
        if (hit === null) this.dropped.add('truncated', ref.raw);
        else this.repaired.add('truncated_repaired', ref.raw);
      }
      return hit;
    };
    for (const d of this.dictTruncated) resolveRaw(d.ref, d.type);
    for (const t of this.truncatedSources) {
      const name = resolveRaw(t.ref, t.type);
      if (name !== null) this.noteSource(t.type, name, t.from);
    }

    // Drugs: products fold into their generic ingredient.
    const drugNames = sorted.get('Drug')!;
    const ingredient = new Map<string, string>();
    // A stem that only names conditions ('感冒咳嗽' of 感冒咳嗽颗粒, '咽炎' of 咽炎片) is not an ingredient: the product keeps its name.
    const condition = (x: string) => this.names.get('Disease')!.has(x) || this.names.get('Symptom')!.has(x);
    const namesConditions = (x: string) => {
      if (condition(x)) return true;
      for (let i = 2; i <= x.length - 2; i++) if (condition(x.slice(0, i)) && condition(x.slice(i))) return true;
      return false;
    };
    // A dropped Drug name (a class or action phrase: 抗病毒, 清热解毒) is no ingredient either: its products keep their names.
    const droppedDrugs = new Set(this.curatedRows.filter((r) => r.action === 'drop' && r.type === 'Drug').map((r) => r.name));
    for (const d of drugNames) {
      // A Drug named exactly as conditions ('感冒', '感冒咳嗽': a product's stem cut from its form) is no drug.
      if (namesConditions(d) && !merged.has(`Drug\u0000${d}`)) {
        bumpC('drug_names_condition');
        continue;
      }
      const m = merged.get(`Drug\u0000${d}`);
      const ing = m ?? ingredientOf(d);
      ingredient.set(d, m || ing === d || (!namesConditions(ing) && !droppedDrugs.has(ing)) ? ing : d);
    }
    const ingredients = new Set(ingredient.values());
    for (const [product, ing] of ingredient) {
      if (product === ing) continue;
      for (const s of this.nodeSources.get(`Drug\u0000${product}`) ?? []) this.noteSource('Drug', ing, s);
    }
    const finalNames = new Map<Entity, string[]>();
    const canon = (type: Entity, name: string): string => (type === 'Drug' ? ingredient.get(name) ?? ingredientOf(name) : merged.get(`${type}\u0000${name}`) ?? name);
    for (const t of TYPES) finalNames.set(t, t === 'Drug' ? [...ingredients].sort(cmp) : [...new Set(sorted.get(t)!.map((n) => canon(t, n)))].sort(cmp));
    const finalSets = new Map<Entity, Set<string>>();
    for (const t of TYPES) finalSets.set(t, new Set(finalNames.get(t)!));
    /** A resolved name as the final graph spells it, or null when curation removed it. */
    const resolve = (ref: Ref, type: Entity): string | null => {
      const raw = resolveRaw(ref, type);
      if (raw === null) return null;
      const name = canon(type, raw);
      return finalSets.get(type)!.has(name) ? name : null;
    };

    const edgeMap = new Map<string, { rel: KgRelation; s: string; t: string; ord: number; from: Set<string> }>();
    for (const e of this.edges) {
      const s = resolve(e.source, 'Disease');
      const t = resolve(e.target, RELATION_TARGET[e.rel]);
      if (s === null || t === null) {
        const sRaw = e.source.kind === 'name' ? e.source.name : null;
        const tRaw = e.target.kind === 'name' ? e.target.name : null;
        if ((sRaw && removed.has(`Disease\u0000${sRaw}`)) || (tRaw && removed.has(`${RELATION_TARGET[e.rel]}\u0000${tRaw}`))) bumpC('relations_removed');
        continue;
      }
      const key = `${e.rel}\u0000${s}\u0000${t}`;
      const prev = edgeMap.get(key);
      if (!prev) edgeMap.set(key, { rel: e.rel, s, t, ord: e.ord, from: new Set([e.from]) });
      else {
        prev.from.add(e.from);
        if (e.ord < prev.ord) prev.ord = e.ord;
      }
    }
    const edges: KgEdge[] = [...edgeMap.values()]
      .map((e): KgEdge => [e.rel, e.s, e.t, e.ord, [...e.from].sort(cmp)])
      .sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]) || cmp(a[2], b[2]));

    // Aliases: implied by names, products of an ingredient, drug_detail, producer lines, curated rows.
    const candidates: Array<{ type: Entity; name: string; alias: string; source: string; narrower?: boolean }> = [];
    for (const type of TYPES) {
      for (const name of sorted.get(type)!) {
        const target = canon(type, name);
        if (!finalSets.get(type)!.has(target)) continue;
        if (target !== name) candidates.push({ type, name: target, alias: name, source: type === 'Drug' ? 'product' : 'curated' });
        for (const a of impliedAliases(name, type)) candidates.push({ type, name: target, alias: a.alias, source: a.source });
      }
    }
    for (const c of this.aliasCandidates) {
      const name = resolve(c.target, c.type);
      if (name !== null) candidates.push({ type: c.type, name, alias: c.alias, source: c.source });
    }
    const drugs = new Set(drugNames);
    for (const line of [...new Set(this.producers)].sort(cmp)) {
      if (!line || drugs.has(line) || ingredients.has(line)) continue;
      let target: string | null = null;
      // Longest known drug name that the line ends with, leaving a maker/brand prefix of ≥ 2 chars.
      for (let i = 2; i <= line.length - 2; i++) {
        if (drugs.has(line.slice(i))) {
          target = ingredient.get(line.slice(i))!;
          break;
        }
      }
      if (target) candidates.push({ type: 'Drug', name: target, alias: line, source: 'producer' });
      else this.dictUnused.set('producer', (this.dictUnused.get('producer') ?? 0) + 1);
    }
    for (const c of curatedAliases) {
      candidates.push({ ...c, source: 'curated' });
      bumpC('aliases');
    }
    for (const c of narrowerAliases) {
      candidates.push({ ...c, source: 'curated', narrower: true });
      bumpC('narrower_aliases');
    }

    const aliasKept = new Map<string, number>();
    const aliasDropped = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    // Group by (type, folded alias) to find aliases shared by several entities of one type.
    const nameKeys = new Map<Entity, Set<string>>();
    for (const t of TYPES) nameKeys.set(t, new Set(finalNames.get(t)!.map(foldTerm)));
    const byKey = new Map<string, Map<string, { alias: string; source: string; name: string }>>();
    for (const c of candidates) {
      if (c.alias === c.name) continue;
      // Curated aliases may be Latin abbreviations (MRI, COPD); dump aliases must carry Chinese.
      // One-character aliases only from the curated file (lay symptom forms: 咳, 痒; the matcher needs them to be a word).
      if ((c.alias.length < 2 && !(c.source === 'curated' && hasCjk(c.alias))) || (!hasCjk(c.alias) && c.source !== 'curated') || c.alias.length > MAX_NAME) {
        bump(aliasDropped, 'unusable');
        continue;
      }
      const fk = foldTerm(c.alias);
      if (nameKeys.get(c.type)!.has(fk) && !c.narrower) {
        bump(aliasDropped, 'shadowed');
        continue;
      }
      const key = `${c.type}\u0000${fk}`;
      let targets = byKey.get(key);
      if (!targets) byKey.set(key, (targets = new Map()));
      const prev = targets.get(c.name);
      // One alias per (type, surface, entity); keep the first source in a fixed order.
      if (!prev || cmp(c.source + c.alias, prev.source + prev.alias) < 0) targets.set(c.name, { alias: c.alias, source: c.source, name: c.name });
    }
    const aliasesOf = new Map<string, Set<string>>();
    for (const [key, targets] of [...byKey.entries()].sort((a, b) => cmp(a[0], b[0]))) {
      let only: { alias: string; source: string; name: string } | undefined;
      if (targets.size > 1) {
        // A curated alias names its entity even where a dump's alias is ambiguous.
        const cur = [...targets.values()].filter((t) => t.source === 'curated');
        if (cur.length !== 1) {
          bump(aliasDropped, 'ambiguous');
          continue;
        }
        only = cur[0];
      } else [only] = targets.values();
      const type = key.slice(0, key.indexOf('\u0000'));
      const nodeKey = `${type}\u0000${only!.name}`;
      let set = aliasesOf.get(nodeKey);
      if (!set) aliasesOf.set(nodeKey, (set = new Set()));
      set.add(only!.alias);
      bump(aliasKept, only!.source);
    }

    const nodes: KgNode[] = [];
    for (const type of TYPES) {
      for (const name of finalNames.get(type)!) {
        const key = `${type}\u0000${name}`;
        nodes.push({ type, name, aliases: [...(aliasesOf.get(key) ?? [])].sort(cmp), sources: [...(this.nodeSources.get(key) ?? ['dict'])].sort(cmp) });
      }
    }
    const graph: KgGraph = { nodes, edges };
    const report: KgImportReport = {
      diseaseRecords: this.diseaseRecords,
      dropped: this.dropped.report<CleanRule>(),
      repaired: this.repaired.report<RepairRule>(),
      aliases: sortedRecord(aliasKept),
      aliasesDropped: sortedRecord(aliasDropped),
      dictUnused: sortedRecord(this.dictUnused),
      curated: sortedRecord(curated),
      ingredients: { products: [...ingredient].filter(([p, i]) => p !== i).length, ingredients: ingredients.size },
      triples: sortedRecord(this.tripleCounts),
    };
    return { graph, version: graphVersion(graph), counts: countGraph(graph), report };
  }
}

/** Code-unit order: the same on every machine and locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort(cmp)) out[k] = m.get(k)!;
  return out;
}

/** The one name in a sorted list that starts with prefix and is longer, or null. */
function uniqueExtension(sortedNames: string[], prefix: string): string | null {
  let lo = 0;
  let hi = sortedNames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedNames[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  const hits: string[] = [];
  for (let i = lo; i < sortedNames.length && sortedNames[i].startsWith(prefix); i++) {
    if (sortedNames[i].length > prefix.length) hits.push(sortedNames[i]);
    if (hits.length > 1) return null;
  }
  return hits.length === 1 ? hits[0] : null;
}

/**
 * Names the definition of a graph's version (sha256 of its canonical JSON): bumped if that
 * definition ever changes, so that caches of verified snapshots (kg/snapshot.ts) do not carry
 * an old verdict over.
 */
export const GRAPH_HASH_VERSION = 'sha256(canonicalJson(graph))/1';

/** The graph's version: sha256 of its canonical JSON (nodes and edges already sorted). */
export function graphVersion(graph: KgGraph): string {
  return sha256Hex(isKgGraph(graph) ? canonicalGraphJson(graph) : canonicalJson(graph));
}

/**
 * canonicalJson of a graph that passed isKgGraph, written directly: its shape is known (keys
 * edges < nodes; a node's aliases < name < sources < type; edges are arrays of strings and an
 * integer), so the bytes are the same without the generic writer's key sorting (test: equal to
 * canonicalJson on the fixture and the shared-corpora graph).
 */
export function canonicalGraphJson(graph: KgGraph): string {
  const edges = graph.edges.map((e) => JSON.stringify(e)).join(',');
  const nodes = graph.nodes.map((n) => `{"aliases":${JSON.stringify(n.aliases)},"name":${JSON.stringify(n.name)},"sources":${JSON.stringify(n.sources)},"type":${JSON.stringify(n.type)}}`).join(',');
  return `{"edges":[${edges}],"nodes":[${nodes}]}`;
}

export function countGraph(graph: KgGraph): KgCounts {
  const nodes: Record<string, number> = {};
  const relations: Record<string, number> = {};
  let aliases = 0;
  for (const n of graph.nodes) {
    nodes[n.type] = (nodes[n.type] ?? 0) + 1;
    aliases += n.aliases.length;
  }
  const bySource: Record<string, { nodes: number; relations: number }> = {};
  const src = (s: string) => (bySource[s] ??= { nodes: 0, relations: 0 });
  for (const n of graph.nodes) for (const s of n.sources) src(s).nodes++;
  for (const e of graph.edges) {
    relations[e[0]] = (relations[e[0]] ?? 0) + 1;
    for (const s of e[4]) src(s).relations++;
  }
  const sortedBySource: KgCounts['bySource'] = {};
  for (const k of Object.keys(bySource).sort(cmp)) sortedBySource[k] = bySource[k];
  return { nodes: sortKeys(nodes), relations: sortKeys(relations), aliases, bySource: sortedBySource };
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort(cmp)) out[k] = r[k];
  return out;
}
