/**
 * Word boundaries for the entity matcher, from jieba (a real Chinese word segmenter).
 *
 * Engine: @node-rs/jieba (jieba-rs compiled to a native Node addon; the prebuilt binary ships
 * inside the npm package @node-rs/jieba-linux-x64-gnu and its siblings, nothing is downloaded at
 * install or run time) with its bundled dictionary (dict.txt, 349k words). Where no prebuilt
 * binary exists for the platform, jieba-wasm (the same jieba-rs compiled to WebAssembly, inside
 * its npm package) is used instead: the same algorithm and dictionary, about 4× slower.
 *
 * Segmenting every record whole costs ~3.6 M chars/s natively, which alone would hold the
 * validate stage under 20,000 records/s. So the matcher asks only about its candidate hits, and
 * only when a boundary is in doubt: a boundary between two characters is *clear* when no
 * dictionary word of 2–4 characters crosses it (allocation-free hash lookups in `crossed`); only
 * otherwise is the clause around the hit (at most WINDOW characters each side, cut at punctuation)
 * segmented, and remembered while the same text is matched. HMM is off: unknown character runs stay single characters, so
 * jieba never invents a word that glues an entity to its neighbour.
 *
 * Pure and deterministic for a given dictionary; the only state is the lazily loaded engine and
 * the memo of the text being matched.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Cut = (text: string) => string[];

let engine: { cut: Cut; name: string } | null = null;
let words: { two: PairSet; three: PairSet; four: PairSet } | null = null;

/**
 * An open-addressing set of (a, b) pairs of int32 (two UTF-16 units packed in each): the crossing
 * test asks it hundreds of thousands of times per corpus, and JavaScript Sets of numbers above
 * 2^31 (or of 4-character strings) allocate on every lookup.
 */
class PairSet {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private used: Uint8Array;
  private mask: number;
  private size = 0;

  constructor(capacity = 1 << 16) {
    this.keysA = new Int32Array(capacity);
    this.keysB = new Int32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  private static slot(a: number, b: number, mask: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 15), 0x85ebca6b);
    h ^= h >>> 13;
    return h & mask;
  }

  add(a: number, b: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    let i = PairSet.slot(a, b, this.mask);
    while (this.used[i] === 1) {
      if (this.keysA[i] === a && this.keysB[i] === b) return;
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.keysA[i] = a;
    this.keysB[i] = b;
    this.size++;
  }

  has(a: number, b: number): boolean {
    let i = PairSet.slot(a, b, this.mask);
    while (this.used[i] === 1) {
      if (this.keysA[i] === a && this.keysB[i] === b) return true;
      i = (i + 1) & this.mask;
    }
    return false;
  }

  private grow(): void {
    const { keysA, keysB, used } = this;
    const cap = (this.mask + 1) * 2;
    this.keysA = new Int32Array(cap);
    this.keysB = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add(keysA[i], keysB[i]);
  }
}

const pack = (hi: number, lo: number) => (hi << 16) | lo;

function loadEngine(): { cut: Cut; name: string } {
  if (engine) return engine;
  try {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const j = Jieba.withDict(dictBytes());
    engine = { cut: (t) => j.cut(t, false), name: '@node-rs/jieba' };
  } catch {
    const w = require('jieba-wasm') as { cut: (t: string, hmm?: boolean) => string[] };
    engine = { cut: (t) => w.cut(t, false), name: 'jieba-wasm' };
  }
  return engine;
}

function dictBytes(): Buffer {
  return readFileSync(require.resolve('@node-rs/jieba/dict.txt'));
}

/** Dictionary words of 2–4 UTF-16 units (the ones a crossing test needs), as packed pairs. */
function loadWords(): NonNullable<typeof words> {
  if (words) return words;
  const w = { two: new PairSet(), three: new PairSet(), four: new PairSet() };
  const text = dictBytes().toString('utf8');
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const sp = text.indexOf(' ', start);
    const end = sp >= 0 && sp < nl ? sp : nl;
    const len = end - start;
    const c = (k: number) => text.charCodeAt(start + k);
    if (len === 2) w.two.add(pack(c(0), c(1)), 0);
    else if (len === 3) w.three.add(pack(c(0), c(1)), c(2));
    else if (len === 4) w.four.add(pack(c(0), c(1)), pack(c(2), c(3)));
    start = nl + 1;
  }
  words = w;
  return w;
}

export function segmenterName(): string {
  return loadEngine().name;
}

/** jieba's words for a text (HMM off). */
export function cut(text: string): string[] {
  return loadEngine().cut(text);
}

const WINDOW = 8;
/**
 * Segmentations are remembered for the text being matched only (the clauses of its hits overlap
 * and repeat), never across texts: a process-wide cache keeps every clause — and, through V8's
 * sliced strings, its whole utterance — alive, and promoting those to the old generation cost
 * more than cutting again (measured: 12 µs per cached clause vs 4 µs per cut).
 */
let memoText = '';
const MEMO_MAX = 32;
const memo: Array<{ lo: number; hi: number; marks: Uint8Array }> = [];

function isBreak(c: number): boolean {
  // ASCII punctuation/space, CJK punctuation, full-width forms' punctuation, newlines.
  return (c < 0x30 && c !== 0x2d) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60 && c !== 0x5f) || (c >= 0x7b && c <= 0x7f) ||
    (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) || c === 0x2026 || c === 0x2014 || c === 0xb7;
}

/** Is some dictionary word of 2–4 characters astride the boundary before text[pos] (within [lo, hi))? */
export function crossed(text: string, pos: number, lo: number, hi: number): boolean {
  const w = loadWords();
  if (pos - 1 < lo || pos + 1 > hi) return false;
  const ab = pack(text.charCodeAt(pos - 1), text.charCodeAt(pos));
  if (w.two.has(ab, 0)) return true;
  const hasNext = pos + 2 <= hi;
  const hasPrev = pos - 2 >= lo;
  const next = hasNext ? text.charCodeAt(pos + 1) : 0;
  const prev = hasPrev ? text.charCodeAt(pos - 2) : 0;
  if (hasNext && w.three.has(ab, next)) return true;
  if (hasPrev && w.three.has(pack(prev, text.charCodeAt(pos - 1)), text.charCodeAt(pos))) return true;
  if (pos + 3 <= hi && w.four.has(ab, pack(next, text.charCodeAt(pos + 2)))) return true;
  if (hasPrev && hasNext && w.four.has(pack(prev, text.charCodeAt(pos - 1)), pack(text.charCodeAt(pos), next))) return true;
  if (pos - 3 >= lo && w.four.has(pack(text.charCodeAt(pos - 3), prev), ab)) return true;
  return false;
}

/** The clause around [start, end): cut at punctuation, at most WINDOW characters each side. */
export function clause(text: string, start: number, end: number): [number, number] {
  let lo = start;
  while (lo > 0 && start - lo < WINDOW && !isBreak(text.charCodeAt(lo - 1))) lo--;
  let hi = end;
  while (hi < text.length && hi - end < WINDOW && !isBreak(text.charCodeAt(hi))) hi++;
  return [lo, hi];
}

/** Word-start marks for text[lo, hi): marks[i] = 1 when a word starts at lo + i (and marks[len] = 1). */
export function boundaries(text: string, lo: number, hi: number): Uint8Array {
  if (text !== memoText) {
    memoText = text;
    memo.length = 0;
  }
  for (const m of memo) if (m.lo === lo && m.hi === hi) return m.marks;
  const key = text.slice(lo, hi);
  const marks = new Uint8Array(key.length + 1);
  let at = 0;
  for (const w of cut(key)) {
    marks[at] = 1;
    at += w.length;
  }
  marks[key.length] = 1;
  if (memo.length >= MEMO_MAX) memo.shift();
  memo.push({ lo, hi, marks });
  return marks;
}

/**
 * Modifiers that jieba glues to the head they qualify (慢性胃炎, 偏头痛, 轻度贫血): a hit that
 * ends a word whose remaining prefix is one of these still names its entity.
 */
const MODIFIER_PREFIX = /^(?:慢性|急性|亚急性|轻度|中度|重度|轻微|严重|反复|持续|持续性|间歇性|阵发性|复发性|原发性|继发性|病毒性|细菌性|过敏性|感染性|萎缩性|糜烂性|浅表性|良性|恶性|老年|小儿|儿童|婴儿|新生儿|妊娠|产后|偏|轻|重|老|小|大|左|右|双|单)$/;

/** Particles that follow a word and never start one with it ('胎膜早破了', '感冒的', '头痛吗'). */
const PARTICLE_AFTER = new Set([...'了的吗呢啊吧着过呀嘛么'].map((c) => c.charCodeAt(0)));

/** Is [start, end) exactly one jieba word of its clause (the test for single-character terms: 咳 in 一咳就…)? */
export function isWord(text: string, start: number, end: number): boolean {
  // Fast path as in verdict: no dictionary word astride either end (and none inside: callers pass one character).
  const clearStart = start === 0 || isBreak(text.charCodeAt(start - 1)) || !crossed(text, start, 0, text.length);
  const clearEnd = end === text.length || isBreak(text.charCodeAt(end)) || !crossed(text, end, 0, text.length);
  if (clearStart && clearEnd && end - start === 1) return true;
  const [lo, hi] = clause(text, start, end);
  const marks = boundaries(text, lo, hi);
  if (marks[start - lo] !== 1 || marks[end - lo] !== 1) return false;
  for (let k = start - lo + 1; k < end - lo; k++) if (marks[k] === 1) return false;
  return true;
}

export type BoundaryVerdict = 'aligned' | 'head' | 'cut';

/**
 * Word endings that leave the entity a hit names intact: 痛风病, 高血压病, 抑郁症 (disease
 * suffixes), 糖尿病人/高血压患者 (the patient), 乙肝病毒 (the disease's virus), 恶心感/麻木感 (the
 * sensation). jieba glues them to the head; the hit still names its entity.
 */
const SUFFIX_AFTER = /^(?:病|症|病人|患者|人|病毒|感)$/;

/**
 * Single-character verbs that jieba glues to the object they govern (验血常规 → 验血/常规, 查血
 * 糖): a hit that starts inside such a word after the verb and ends a word still names its entity.
 */
const VERB_PREFIX = /^(?:验|查|测|做|拍|抽|服|吃|用|打|输|涂|抹|喷|滴)$/;

/**
 * Whether [start, end) sits on word boundaries of its clause: 'aligned' (starts and ends a word,
 * possibly spanning several; or its word's rest is a known term, a suffix or a governing verb —
 * see `isPart`, SUFFIX_AFTER, VERB_PREFIX), 'head' (ends a word whose prefix is a modifier), or 'cut'.
 * `isPart(s)`: s is a term of the caller's lexicon (蔬菜 in 蔬菜水果: the word is two entities).
 */
export function verdict(text: string, start: number, end: number, isPart?: (s: string) => boolean): BoundaryVerdict {
  // Fast path: no dictionary word astride either boundary (dictionary words hold no punctuation).
  const clearStart0 = start === 0 || isBreak(text.charCodeAt(start - 1)) || !crossed(text, start, 0, text.length);
  const clearEnd0 = end === text.length || isBreak(text.charCodeAt(end)) || PARTICLE_AFTER.has(text.charCodeAt(end)) || !crossed(text, end, 0, text.length);
  if (clearStart0 && clearEnd0) return 'aligned';
  const [lo, hi] = clause(text, start, end);
  const clearStart = clearStart0 || start === lo || !crossed(text, start, lo, hi);
  const clearEnd = clearEnd0 || end === hi || !crossed(text, end, lo, hi);
  if (clearStart && clearEnd) return 'aligned';
  const marks = boundaries(text, lo, hi);
  const s = start - lo;
  const e = end - lo;
  let startOk = clearStart || marks[s] === 1;
  let endOk = clearEnd || marks[e] === 1;
  if (startOk && endOk) return 'aligned';
  // The word holding the hit's start [ws, …) and the one holding its end (…, we).
  let ws = s;
  while (ws > 0 && marks[ws] !== 1) ws--;
  let we = e;
  while (we < marks.length - 1 && marks[we] !== 1) we++;
  if (endOk && !startOk) {
    let w1 = s + 1;
    while (w1 < marks.length && marks[w1] !== 1) w1++;
    const prefix = text.slice(lo + ws, start);
    if (w1 === e && MODIFIER_PREFIX.test(prefix)) return 'head';
  }
  if (!startOk) {
    const prefix = text.slice(lo + ws, start);
    startOk = VERB_PREFIX.test(prefix) || (prefix.length >= 2 && isPart !== undefined && isPart(prefix));
  }
  if (startOk && !endOk) {
    const rest = text.slice(end, lo + we);
    endOk = SUFFIX_AFTER.test(rest) || (rest.length >= 2 && isPart !== undefined && isPart(rest));
  }
  return startOk && endOk ? 'aligned' : 'cut';
}
