/**
 * Builds the cleaned, deterministic graph from disease records and entity lists.
 * Everything is collected first and resolved at finish(), so the result does not depend on the
 * order of files or records: nodes sorted by (type, name), edges by (relation, source, target),
 * aliases sorted, and the version is the sha256 of the canonical JSON of that graph.
 * Nothing is dropped silently: every value that does not make it is counted per rule.
 */
import iconv from 'iconv-lite';
import { RELATION_TARGET, type CleanRule, type KgCounts, type KgEdge, type KgGraph, type KgImportReport, type KgNode, type KgRelation, type RepairRule } from '../../../schemas/kg.js';
import { canonicalJson, sha256Hex } from '../../core/ids.js';
import { foldTerm } from '../fold.js';
import { cleanName, hasCjk, impliedAliases, normaliseName, type Entity } from './clean.js';
import type { DiseaseFacts, DictFile } from './sources.js';

const TYPES: Entity[] = ['Check', 'Department', 'Disease', 'Drug', 'Food', 'Symptom'];
const MIN_TRUNCATED_PREFIX = 4;

type Ref = { kind: 'name'; name: string } | { kind: 'truncated'; prefix: string; raw: string };

interface RawEdge {
  rel: KgRelation;
  source: Ref;
  target: Ref;
  ord: number;
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

  /** Cleans one raw value; a clean name is registered as a node of `type`. */
  private ref(raw: string, type: Entity): Ref | null {
    const r = cleanName(raw, type, gbk);
    if (r.ok === false) {
      this.dropped.add(r.rule, raw);
      return null;
    }
    for (const rep of r.repairs) this.repaired.add(rep, raw);
    if (r.ok === 'truncated') return { kind: 'truncated', prefix: r.prefix, raw };
    this.names.get(type)!.add(r.name);
    return { kind: 'name', name: r.name };
  }

  addDisease(facts: DiseaseFacts): void {
    this.diseaseRecords++;
    const source = this.ref(facts.name, 'Disease');
    if (!source) return;
    for (const rel of Object.keys(facts.lists).sort() as KgRelation[]) {
      const list = facts.lists[rel] ?? [];
      const type = RELATION_TARGET[rel];
      list.forEach((raw, ord) => {
        const target = this.ref(raw, type);
        if (target) this.edges.push({ rel, source, target, ord });
      });
    }
    for (const d of facts.drugDetail ?? []) {
      // 'PRODUCT(DRUG)': the product (maker + drug, or a brand) is another name for DRUG.
      const m = /^(.+)[(（]([^()（）]+)[)）]$/.exec(d.trim());
      if (!m) continue;
      const target = this.ref(m[2], 'Drug');
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
      const ref = this.ref(t, dict.kind);
      if (ref?.kind === 'truncated') this.dictTruncated.push({ ref, type: dict.kind });
    }
  }

  finish(): { graph: KgGraph; version: string; counts: KgCounts; report: KgImportReport } {
    // Truncated values: repaired when exactly one full name of that type extends the prefix.
    const sorted = new Map<Entity, string[]>();
    for (const t of TYPES) sorted.set(t, [...this.names.get(t)!].sort(cmp));
    const resolved = new Map<string, string | null>();
    const resolve = (ref: Ref, type: Entity): string | null => {
      if (ref.kind === 'name') return ref.name;
      const key = `${type}\u0000${ref.prefix}`;
      let hit = resolved.get(key);
      if (hit === undefined) {
        hit = ref.prefix.length >= MIN_TRUNCATED_PREFIX ? uniqueExtension(sorted.get(type)!, ref.prefix) : null;
        resolved.set(key, hit);
      }
      if (hit === null) this.dropped.add('truncated', ref.raw);
      else this.repaired.add('truncated_repaired', ref.raw);
      return hit;
    };

    for (const d of this.dictTruncated) resolve(d.ref, d.type);

    const edgeMap = new Map<string, KgEdge>();
    for (const e of this.edges) {
      const s = resolve(e.source, 'Disease');
      const t = resolve(e.target, RELATION_TARGET[e.rel]);
      if (s === null || t === null) continue;
      const key = `${e.rel}\u0000${s}\u0000${t}`;
      const prev = edgeMap.get(key);
      if (!prev || e.ord < prev[3]) edgeMap.set(key, [e.rel, s, t, e.ord]);
    }
    const edges = [...edgeMap.values()].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]) || cmp(a[2], b[2]));

    // Aliases: implied by names, from drug_detail, from producer lines ending in a known drug.
    const candidates: Array<{ type: Entity; name: string; alias: string; source: string }> = [];
    for (const type of TYPES) {
      for (const name of sorted.get(type)!) {
        for (const a of impliedAliases(name, type)) candidates.push({ type, name, alias: a.alias, source: a.source });
      }
    }
    for (const c of this.aliasCandidates) {
      const name = resolve(c.target, c.type);
      if (name !== null) candidates.push({ type: c.type, name, alias: c.alias, source: c.source });
    }
    const drugs = this.names.get('Drug')!;
    for (const line of [...new Set(this.producers)].sort(cmp)) {
      if (!line || drugs.has(line)) continue;
      let target: string | null = null;
      // Longest known drug name that the line ends with, leaving a maker/brand prefix of ≥ 2 chars.
      for (let i = 2; i <= line.length - 2; i++) {
        if (drugs.has(line.slice(i))) {
          target = line.slice(i);
          break;
        }
      }
      if (target) candidates.push({ type: 'Drug', name: target, alias: line, source: 'producer' });
      else this.dictUnused.set('producer', (this.dictUnused.get('producer') ?? 0) + 1);
    }

    const aliasKept = new Map<string, number>();
    const aliasDropped = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    // Group by (type, folded alias) to find aliases shared by several entities of one type.
    const nameKeys = new Map<Entity, Set<string>>();
    for (const t of TYPES) nameKeys.set(t, new Set([...this.names.get(t)!].map(foldTerm)));
    const byKey = new Map<string, Map<string, { alias: string; source: string; name: string }>>();
    for (const c of candidates) {
      if (c.alias === c.name) continue;
      if (c.alias.length < 2 || !hasCjk(c.alias)) {
        bump(aliasDropped, 'unusable');
        continue;
      }
      const fk = foldTerm(c.alias);
      if (nameKeys.get(c.type)!.has(fk)) {
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
      if (targets.size > 1) {
        bump(aliasDropped, 'ambiguous');
        continue;
      }
      const [only] = targets.values();
      const type = key.slice(0, key.indexOf('\u0000'));
      const nodeKey = `${type}\u0000${only.name}`;
      let set = aliasesOf.get(nodeKey);
      if (!set) aliasesOf.set(nodeKey, (set = new Set()));
      set.add(only.alias);
      bump(aliasKept, only.source);
    }

    const nodes: KgNode[] = [];
    for (const type of TYPES) {
      for (const name of sorted.get(type)!) {
        nodes.push({ type, name, aliases: [...(aliasesOf.get(`${type}\u0000${name}`) ?? [])].sort(cmp) });
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

/** The graph's version: sha256 of its canonical JSON (nodes and edges already sorted). */
export function graphVersion(graph: KgGraph): string {
  return sha256Hex(canonicalJson(graph));
}

export function countGraph(graph: KgGraph): KgCounts {
  const nodes: Record<string, number> = {};
  const relations: Record<string, number> = {};
  let aliases = 0;
  for (const n of graph.nodes) {
    nodes[n.type] = (nodes[n.type] ?? 0) + 1;
    aliases += n.aliases.length;
  }
  for (const e of graph.edges) relations[e[0]] = (relations[e[0]] ?? 0) + 1;
  return { nodes: sortKeys(nodes), relations: sortKeys(relations), aliases };
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort(cmp)) out[k] = r[k];
  return out;
}
