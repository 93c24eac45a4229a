/**
 * Finds graph entities in text: a trie over every name and alias (folded, src/kg/fold.ts),
 * scanned leftmost-longest and non-overlapping — at each position the longest known term wins
 * and the scan continues after it, so a short term is never reported inside a longer known one
 * ('感冒' inside '病毒性感冒'). Latin/digit terms must not cut a Latin word ('CT' in 'ACT').
 * Terms of one character are matched only when every entity they name is a Symptom (curated
 * lay forms: 咳, 痒, 痰) and jieba makes them a word of their own ('一咳就…', not '咳嗽'); other
 * one-character names are too ambiguous in running text ('干', '梨').
 * Every hit must sit on word boundaries (src/kg/segment.ts, jieba): '热咳' in '发热咳嗽', '性病' in
 * '炎性病变', '低血压' in '降低血压' are not mentions; a shorter term at the same start may be.
 * The trie is flattened into typed arrays (root: a direct 64K table; other nodes: sorted child
 * runs, binary-searched). Matchers are cached per graph version; nothing else is global.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EntityType } from '../../schemas/record.js';
import { derivedKey, readDerived, writeDerived } from '../core/derived-cache.js';
import { FOLD, foldTerm as FOLDED } from './fold.js';
import { isWord, verdict } from './segment.js';
import type { GraphPort, LexiconEntry } from './port.js';

export interface TermHit {
  /** UTF-16 offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** Every entity this surface names (one per type/name), in lexicon order. */
  entries: ReadonlyArray<{ name: string; type: EntityType }>;
}

/** When one surface names several types, the mention gets the first of these. */
export const TYPE_PRIORITY: readonly EntityType[] = ['Disease', 'Drug', 'Symptom', 'Check', 'Department', 'Food'];

const MIN_TERM = 2;
/** Terms ending along one trie walk (≤ the longest term's length, 100, plus adverb variants). */
const MAX_CAND = 256;

const isCondition = (entries: ReadonlyArray<{ type: EntityType }>) => entries.every((e) => e.type === 'Symptom' || e.type === 'Disease');
const isSymptomish = (entries: ReadonlyArray<{ type: EntityType }>) => entries.some((e) => e.type === 'Symptom') && entries.every((e) => e.type === 'Symptom' || e.type === 'Disease');

/** Named as a disease: …炎, …病, …癌, …瘤, …症, …综合征, …结核, …感染, and 高/低血压, 高血糖, 高血脂. */
const DISEASE_FORM = /(?:炎|病|癌|瘤|症|综合征|结核|感染)$|^[高低]血[压糖脂]$/;

/**
 * A name that is both a Symptom and a Disease is typed one way, by its form: named as a disease
 * (DISEASE_FORM: 肺炎, 糖尿病, 高血压, 细菌感染) it is a Disease; otherwise (咳嗽, 腹泻, 失眠,
 * 便秘) it is what a patient reports, a Symptom. The drug check still sees both (it reads every
 * entry of a hit).
 */
function rank(e: { name: string; type: EntityType }, all: ReadonlyArray<{ name: string; type: EntityType }>): number {
  if (e.type === 'Symptom' && !DISEASE_FORM.test(e.name) && all.some((x) => x.type === 'Disease' && x.name === e.name)) return -1;
  return TYPE_PRIORITY.indexOf(e.type);
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

export class Matcher {
  /** root[c] = child node of the root for folded char c (0 = none). */
  private readonly root: Int32Array;
  private readonly childStart: Int32Array;
  private readonly childCount: Int32Array;
  private readonly childChar: Uint16Array;
  private readonly childNode: Int32Array;
  /** Per node: index into `outputs` of the term ending here, or -1. */
  private readonly output: Int32Array;
  private readonly outputs: Array<{ entries: TermHit['entries']; single: boolean; asciiStart: boolean; asciiEnd: boolean; parts?: Array<{ start: number; end: number; out: number }> }>;
  readonly terms: number;
  /** Scratch for find(): the terms ending at each step of one trie walk (no allocation per call). */
  private readonly cand = new Int32Array(MAX_CAND);
  private readonly candEnd = new Int32Array(MAX_CAND);
  /** False only for callers that want raw substring hits (tests of the trie itself). */
  private readonly boundaries: boolean;
  /** Off for throughput benches: every find() scans. */
  private readonly memoOn: boolean;

  private constructor(parts: {
    root: Int32Array; childStart: Int32Array; childCount: Int32Array; childChar: Uint16Array; childNode: Int32Array;
    output: Int32Array; outputs: Matcher['outputs']; boundaries: boolean; memo?: boolean;
  }) {
    this.boundaries = parts.boundaries;
    this.memoOn = parts.memo ?? true;
    this.root = parts.root;
    this.childStart = parts.childStart;
    this.childCount = parts.childCount;
    this.childChar = parts.childChar;
    this.childNode = parts.childNode;
    this.output = parts.output;
    this.outputs = parts.outputs;
    this.terms = parts.outputs.length;
  }

  static build(lexicon: readonly LexiconEntry[], opts: { boundaries?: boolean; memo?: boolean } = {}): Matcher {
    // Group entries by term (the lexicon is sorted by term, but do not rely on it).
    const byTerm = new Map<string, Array<{ name: string; type: EntityType }>>();
    for (const e of lexicon) {
      if (e.term.length < MIN_TERM && e.type !== 'Symptom') continue;
      let list = byTerm.get(e.term);
      if (!list) byTerm.set(e.term, (list = []));
      if (!list.some((x) => x.name === e.name && x.type === e.type)) list.push({ name: e.name, type: e.type });
    }
    // One-character terms: Symptom-only (see above).
    for (const [term, list] of byTerm) if (term.length < MIN_TERM && !list.every((e) => e.type === 'Symptom')) byTerm.delete(term);
    // Per term: by type rank, then the entity the surface is the name of (窦性心动过速 before its broader 心律失常), then by name.
    for (const [term, list] of byTerm) {
      const own = (e: { name: string }) => (FOLDED(e.name) === term ? 0 : 1);
      list.sort((a, b) => rank(a, list) - rank(b, list) || own(a) - own(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    // Pointer trie first (Map children), then flatten breadth-first.
    type TNode = { kids: Map<number, TNode>; out: number; id: number };
    const trieRoot: TNode = { kids: new Map(), out: -1, id: 0 };
    const outputs: Matcher['outputs'] = [];
    let count = 1;
    for (const [term, entries] of byTerm) {
      let n = trieRoot;
      for (let i = 0; i < term.length; i++) {
        const c = FOLD[term.charCodeAt(i)];
        let k = n.kids.get(c);
        if (!k) {
          n.kids.set(c, (k = { kids: new Map(), out: -1, id: -1 }));
          count++;
        }
        n = k;
      }
      n.out = outputs.length;
      outputs.push({ entries, single: term.length < MIN_TERM, asciiStart: isAsciiWordChar(term.charCodeAt(0)), asciiEnd: isAsciiWordChar(term.charCodeAt(term.length - 1)) });
    }
    // Compound symptoms ('胸闷气短', '头晕乏力', '恶心呕吐'): a symptom term (every entity a Symptom
    // or Disease, one a Symptom) that is exactly a sequence of ≥ 2 other symptom terms is reported
    // as its parts (one mention per symptom: 胸闷 + 气短 → 呼吸困难).
    const index = new Map<string, number>();
    [...byTerm.keys()].forEach((t, k) => index.set(t, k));
    const symptomOnly = (k: number) => isSymptomish(outputs[k].entries);
    [...byTerm.keys()].forEach((term, k) => {
      if (term.length < 4 || !symptomOnly(k)) return;
      // Fewest-parts tiling by DP over split points.
      const best: Array<Array<{ start: number; end: number; out: number }> | null> = new Array(term.length + 1).fill(null);
      best[0] = [];
      for (let a = 0; a < term.length; a++) {
        if (!best[a]) continue;
        for (let b = a + MIN_TERM; b <= term.length; b++) {
          if (a === 0 && b === term.length) continue;
          const o = index.get(term.slice(a, b));
          if (o === undefined || !symptomOnly(o)) continue;
          const cand = [...best[a]!, { start: a, end: b, out: o }];
          if (!best[b] || best[b]!.length > cand.length) best[b] = cand;
        }
      }
      if (best[term.length]) outputs[k].parts = best[term.length]!;
    });
    const childStart = new Int32Array(count);
    const childCount = new Int32Array(count);
    const output = new Int32Array(count).fill(-1);
    const childChar = new Uint16Array(count);
    const childNode = new Int32Array(count);
    const root = new Int32Array(65536);
    const queue: TNode[] = [trieRoot];
    const chars: number[] = [];
    let next = 1;
    let slot = 0;
    for (let qi = 0; qi < queue.length; qi++) {
      const n = queue[qi];
      const id = n.id;
      output[id] = n.out;
      childStart[id] = slot;
      childCount[id] = n.kids.size;
      if (n.kids.size === 0) continue;
      chars.length = 0;
      for (const c of n.kids.keys()) chars.push(c);
      if (chars.length > 1) chars.sort((a, b) => a - b);
      for (const c of chars) {
        const k = n.kids.get(c)!;
        const kid = next++;
        k.id = kid;
        queue.push(k);
        childChar[slot] = c;
        childNode[slot] = kid;
        slot++;
        if (id === 0) root[c] = kid;
      }
    }
    return new Matcher({ root, childStart, childCount, childChar, childNode, output, outputs, boundaries: opts.boundaries ?? true, memo: opts.memo ?? true });
  }

  /**
   * The built trie as bytes (for the derived cache, see matcherFor): the typed arrays as they are,
   * then the outputs as JSON. decode(encode(m)) finds exactly what m finds.
   */
  encode(): Buffer {
    const json = Buffer.from(JSON.stringify(this.outputs), 'utf8');
    const n = this.childStart.length;
    const head = Buffer.alloc(12);
    head.writeUInt32LE(MATCHER_BYTES_VERSION, 0);
    head.writeUInt32LE(n, 4);
    head.writeUInt32LE(json.length, 8);
    const bytes = (a: Int32Array | Uint16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    return Buffer.concat([head, bytes(this.root), bytes(this.childStart), bytes(this.childCount), bytes(this.output), bytes(this.childNode), bytes(this.childChar), json]);
  }

  /** The matcher encode() wrote, or undefined when the bytes are not a whole one of this version. */
  static decode(buf: Buffer, opts: { boundaries?: boolean; memo?: boolean } = {}): Matcher | undefined {
    if (buf.length < 12 || buf.readUInt32LE(0) !== MATCHER_BYTES_VERSION) return undefined;
    const n = buf.readUInt32LE(4);
    const jsonLen = buf.readUInt32LE(8);
    if (buf.length !== 12 + 65536 * 4 + n * 4 * 4 + n * 2 + jsonLen) return undefined;
    let o = 12;
    const int32 = (len: number) => {
      const a = new Int32Array(len);
      Buffer.from(a.buffer).set(buf.subarray(o, o + len * 4));
      o += len * 4;
      return a;
    };
    const root = int32(65536);
    const childStart = int32(n);
    const childCount = int32(n);
    const output = int32(n);
    const childNode = int32(n);
    const childChar = new Uint16Array(n);
    Buffer.from(childChar.buffer).set(buf.subarray(o, o + n * 2));
    o += n * 2;
    let outputs: Matcher['outputs'];
    try {
      outputs = JSON.parse(buf.toString('utf8', o, o + jsonLen)) as Matcher['outputs'];
    } catch {
      return undefined;
    }
    if (!Array.isArray(outputs)) return undefined;
    return new Matcher({ root, childStart, childCount, childChar, childNode, output, outputs, boundaries: opts.boundaries ?? true, memo: opts.memo ?? true });
  }

  /** Is s (≥ 2 characters) exactly a term of this lexicon? (A word's other part in verdict: 蔬菜 of 蔬菜水果.) */
  private readonly isPart = (s: string): boolean => {
    if (s.length < MIN_TERM) return false;
    let node = this.root[FOLD[s.charCodeAt(0)]];
    for (let j = 1; node !== 0 && j < s.length; j++) node = this.child(node, FOLD[s.charCodeAt(j)]);
    return node !== 0 && this.output[node] >= 0;
  };

  /**
   * Compositional symptom phrases: a degree or frequency word inside a symptom or disease term (胸有点闷,
   * 心跳比较快, 头也老痛, 喉咙很痒): after the term's first part (node, ending before text[at]),
   * skip one or two ADVERBS (optionally after 的/得) and finish the term. Adds those candidates in end order.
   */
  private acrossAdverb(text: string, at: number, node: number, nc: number): number {
    const cand = this.cand;
    const candEnd = this.candEnd;
    let k = at;
    const c0 = text.charCodeAt(k);
    if (c0 === 0x7684 || c0 === 0x5f97) k++; // 的, 得
    // One adverb, or two in a row (会突然, 也老).
    const adv1 = firstAdverb(text, k);
    if (!adv1) return nc;
    const second = firstAdverb(text, k + adv1.length);
    const adv2 = second ? adv1 + second : '';
    for (let v = 0; v < (adv2 ? 2 : 1); v++) {
      const adv = v === 0 ? adv1 : adv2;
      let nd = node;
      for (let j = k + adv.length; j < text.length && j < k + adv.length + 4 && nc < MAX_CAND; j++) {
        nd = this.child(nd, FOLD[text.charCodeAt(j)]);
        if (nd === 0) break;
        const o = this.output[nd];
        if (o < 0 || this.outputs[o].parts || !isCondition(this.outputs[o].entries)) continue;
        // Insert in end order (candidates are tried longest first).
        let p = nc;
        while (p > 0 && candEnd[p - 1] > j + 1) {
          cand[p] = cand[p - 1];
          candEnd[p] = candEnd[p - 1];
          p--;
        }
        cand[p] = o;
        candEnd[p] = j + 1;
        nc++;
      }
    }
    return nc;
  }

  private child(node: number, c: number): number {
    let lo = this.childStart[node];
    let hi = lo + this.childCount[node] - 1;
    const chars = this.childChar;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = chars[mid];
      if (m === c) return this.childNode[mid];
      if (m < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** find()'s results by text (pure on the text for this matcher): bounded, see HitMemo. */
  private readonly memo = new HitMemo();

  /**
   * Leftmost-longest, non-overlapping hits in text order, each on word boundaries: at a position
   * the longest term whose span does not cut a word (segment.ts verdict) wins; when every term
   * there cuts a word, the scan moves one character on. The result is frozen and may be shared
   * with earlier calls on the same text (a dialogue's windows repeat its rounds; dumps repeat
   * questions and templated answers).
   */
  find(text: string): readonly TermHit[] {
    const known = this.memoOn ? this.memo.get(text) : undefined;
    if (known !== undefined) return known;
    const hits = this.scan(text);
    for (const h of hits) Object.freeze(h);
    Object.freeze(hits);
    if (this.memoOn) this.memo.set(text, hits);
    return hits;
  }

  private scan(text: string): TermHit[] {
    const hits: TermHit[] = [];
    const n = text.length;
    const cand = this.cand;
    const candEnd = this.candEnd;
    let i = 0;
    while (i < n) {
      let node = this.root[FOLD[text.charCodeAt(i)]];
      if (node === 0) {
        i++;
        continue;
      }
      let nc = 0;
      let j = i + 1;
      let adverbAt = -1;
      let adverbNode = 0;
      for (;;) {
        const o = this.output[node];
        if (o >= 0 && nc < MAX_CAND) {
          cand[nc] = o;
          candEnd[nc++] = j;
        }
        if (j >= n) break;
        if (adverbAt < 0 && ADVERB_FIRST[text.charCodeAt(j)] === 1) {
          adverbAt = j;
          adverbNode = node;
        }
        const nx = this.child(node, FOLD[text.charCodeAt(j)]);
        if (nx === 0) break;
        node = nx;
        j++;
      }
      if (adverbAt >= 0) nc = this.acrossAdverb(text, adverbAt, adverbNode, nc);
      let taken = false;
      for (let k = nc - 1; k >= 0; k--) {
        const out = this.outputs[cand[k]];
        const end = candEnd[k];
        const cutsWordStart = out.asciiStart && i > 0 && isAsciiWordChar(text.charCodeAt(i - 1));
        const cutsWordEnd = out.asciiEnd && end < n && isAsciiWordChar(text.charCodeAt(end));
        if (cutsWordStart || cutsWordEnd) continue;
        if (out.single ? !this.boundaries || !isWord(text, i, end) : this.boundaries && verdict(text, i, end, this.isPart) === 'cut') continue;
        if (this.boundaries && isAdvice(text, i, out.entries)) continue;
        if (out.parts) for (const p of out.parts) hits.push({ start: i + p.start, end: i + p.end, entries: this.outputs[p.out].entries });
        else hits.push({ start: i, end, entries: out.entries });
        i = end;
        taken = true;
        break;
      }
      if (!taken) i++;
    }
    return hits;
  }

}

/**
 * A bounded text → hits memo in two generations: when the current one holds MEMO_TEXTS texts or
 * MEMO_CHARS characters it becomes the old one (the previous old one is dropped), and a text
 * found in the old one moves back into the current one. So memory is capped (about 2 × MEMO_CHARS
 * UTF-16 units of keys plus their hits) on any input, texts seen again soon stay, and only speed
 * can change: find() is a pure function of the text for one matcher. Texts over MEMO_TEXT_MAX
 * characters are not kept (rarely repeated, and each would take a large share of the budget).
 */
const MEMO_TEXTS = 32_768;
const MEMO_CHARS = 2_000_000;
const MEMO_TEXT_MAX = 4_000;

class HitMemo {
  private cur = new Map<string, readonly TermHit[]>();
  private old = new Map<string, readonly TermHit[]>();
  private chars = 0;

  get(text: string): readonly TermHit[] | undefined {
    const v = this.cur.get(text);
    if (v !== undefined) return v;
    const o = this.old.get(text);
    if (o !== undefined) this.set(text, o);
    return o;
  }

  set(text: string, hits: readonly TermHit[]): void {
    if (text.length > MEMO_TEXT_MAX) return;
    if (this.cur.size >= MEMO_TEXTS || this.chars + text.length > MEMO_CHARS) {
      this.old = this.cur;
      this.cur = new Map();
      this.chars = 0;
    }
    this.cur.set(text, hits);
    this.chars += text.length;
  }
}

/** Degree and frequency words that patients put inside a symptom phrase (longest first where one extends another). */
const ADVERBS = ['有没有', '有无', '这么', '那么', '有点儿', '有点', '有些', '比较', '非常', '特别', '越来越', '一直', '突然', '稍微', '老是', '总是', '经常', '偶尔', '时不时', '有时候', '有时', '常常', '时常', '常', '轻微', '轻度', '明显', '很', '太', '挺', '好', '老', '总', '还', '也', '都', '会', '又', '就', '略'];
/** ADVERBS by first character, each list in ADVERBS order (so the first that matches is ADVERBS' first). */
const ADVERBS_BY_FIRST = (() => {
  const m = new Map<number, string[]>();
  for (const a of ADVERBS) {
    const c = a.charCodeAt(0);
    let list = m.get(c);
    if (!list) m.set(c, (list = []));
    list.push(a);
  }
  return m;
})();

/** The first of ADVERBS that text has at k, or ''. */
function firstAdverb(text: string, k: number): string {
  const list = ADVERBS_BY_FIRST.get(text.charCodeAt(k));
  if (list) for (const adv of list) if (text.startsWith(adv, k)) return adv;
  return '';
}

const ADVERB_FIRST = (() => {
  const t = new Uint8Array(65536);
  for (const a of ADVERBS) t[a.charCodeAt(0)] = 1;
  t[0x7684] = 1; // 的
  t[0x5f97] = 1; // 得
  return t;
})();

/** Imperatives before a symptom make it advice ('别紧张', '不要焦虑'), not a mention; '没有发热' stays a (negated) mention. */
const IMPERATIVE = ['不要', '不用', '无需', '不必', '避免', '切勿', '别', '勿'];

function isAdvice(text: string, start: number, entries: TermHit['entries']): boolean {
  if (entries[0].type !== 'Symptom') return false;
  const before = text.slice(Math.max(0, start - 2), start);
  return IMPERATIVE.some((w) => before.endsWith(w));
}

const cache = new Map<string, Promise<Matcher>>();
const CACHE_SIZE = 4;

/** Lexicons this large or larger have their trie kept in the derived cache. */
const CACHE_FROM_TERMS = 5_000;

/** Bumped whenever encode()'s layout changes. */
const MATCHER_BYTES_VERSION = 1;

/**
 * The files whose code decides what Matcher.build makes of a graph (the build, the folding, the
 * lexicon of each backend): part of the derived-cache key, so changed code never meets a trie
 * built by the old one.
 */
const BUILD_CODE = ['./matcher.js', './fold.js', './port.js', './memory.js', './neo4j.js'];
let buildCodeHash: string | undefined;
function buildCode(): string {
  if (buildCodeHash === undefined) {
    const parts: Buffer[] = [];
    for (const f of BUILD_CODE) {
      try {
        parts.push(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
      } catch {
        parts.push(Buffer.from(`missing ${f}`));
      }
    }
    buildCodeHash = derivedKey(...parts);
  }
  return buildCodeHash;
}

/**
 * Matcher.build for a graph version, through the derived cache (core/derived-cache.ts): the trie
 * of a graph version, built by this code, is kept on disk, so a run opens it (about 0.05 CPU-s)
 * instead of sorting the 46,733-entry lexicon and building it again (about 0.4 CPU-s).
 */
async function buildFor(graph: GraphPort, version: string): Promise<Matcher> {
  const key = derivedKey(`matcher/${MATCHER_BYTES_VERSION}`, version, graph.constructor.name, buildCode());
  const hit = readDerived('kg-matcher', key);
  const cached = hit && Matcher.decode(hit);
  if (cached) return cached;
  const lexicon = await graph.lexicon();
  const built = Matcher.build(lexicon);
  // Small graphs (tests, demos) build in milliseconds: only a real graph's trie is worth keeping.
  if (lexicon.length >= CACHE_FROM_TERMS) writeDerived('kg-matcher', key, built.encode());
  return built;
}

/** The matcher for the graph's current version, built once per version and process. */
export async function matcherFor(graph: GraphPort): Promise<Matcher> {
  const version = await graph.version();
  let m = cache.get(version);
  if (!m) {
    m = buildFor(graph, version);
    m.catch(() => cache.delete(version));
    cache.set(version, m);
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return m;
}
