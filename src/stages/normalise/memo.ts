/**
 * Bounded text-keyed memos for the per-record stages (normalise, split, quality): the answer of a
 * function that is pure on its text, kept for texts seen again. Real dumps repeat texts (template
 * answers, re-scraped pages, the same dialogue under several names), and a repeat then costs one
 * map lookup instead of the regex passes, the PII rules or the LM scan.
 *
 * A memo only changes speed: every memoised function is a pure function of the key (and of the
 * options that select the memo), the stages' tests compare memoised and direct answers on varied
 * inputs (test/stages/normalise/memo.test.ts), and setTextMemos(false) turns them all off.
 *
 * Bounded like the tokenizers' piece cache (src/tokens/bpe.ts): a memo is cleared when it holds
 * maxEntries texts or maxChars characters of keys (texts longer than maxKeyChars are not kept),
 * so its memory does not grow with the input. One set of memos per thread (worker threads each
 * have their own).
 */

const ALL: TextMemo<unknown>[] = [];
let enabled = true;
/** Characters of keys held by all memos of this thread together. */
let totalChars = 0;
/**
 * All memos of a thread together hold at most this many characters of keys (then every memo is
 * cleared): what the memos keep stays the same size whatever the input, so peak memory does not
 * grow with it (bench "End to end": peak RSS 1× → 10×). Env CMTMEDQA_MEMO_CHARS overrides it.
 */
export const TOTAL_MEMO_CHARS = Number(process.env.CMTMEDQA_MEMO_CHARS) > 0 ? Number(process.env.CMTMEDQA_MEMO_CHARS) : 6_000_000;

function clearAll(): void {
  for (const m of ALL) m.clear();
}

export interface TextMemoLimits {
  /** Entries at which the memo is cleared. */
  maxEntries: number;
  /** Characters of keys (summed) at which the memo is cleared. */
  maxChars: number;
  /** Longer keys are not memoised (computed every time). */
  maxKeyChars: number;
}

/** 2^16 texts or 4 M characters of keys (about 8 MB of keys, as much again of values at most) per memo. */
export const DEFAULT_MEMO_LIMITS: TextMemoLimits = { maxEntries: 1 << 16, maxChars: 1 << 22, maxKeyChars: 1 << 14 };

export class TextMemo<V> {
  private map = new Map<string, V>();
  private chars = 0;
  /** Lookups answered from the memo and lookups computed, since the process started (for benches and tests). */
  hits = 0;
  misses = 0;

  constructor(
    readonly name: string,
    private readonly limits: TextMemoLimits = DEFAULT_MEMO_LIMITS,
  ) {
    ALL.push(this as TextMemo<unknown>);
  }

  /** The memoised answer for `key`, computing (and keeping) it with `compute` when absent. */
  get(key: string, compute: (key: string) => V): V {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const v = compute(key);
    this.put(key, v);
    return v;
  }

  /** The kept answer for `key`, or undefined (then compute it and put it: no closure per call). */
  peek(key: string): V | undefined {
    if (!enabled || key.length > this.limits.maxKeyChars) return undefined;
    const hit = this.map.get(key);
    if (hit !== undefined) this.hits++;
    else this.misses++;
    return hit;
  }

  /** Keeps the answer for `key` (after a peek that found none), clearing the memo first when it is full. */
  put(key: string, v: V): void {
    if (!enabled || key.length > this.limits.maxKeyChars) return;
    if (totalChars + key.length > TOTAL_MEMO_CHARS) clearAll();
    else if (this.map.size >= this.limits.maxEntries || this.chars + key.length > this.limits.maxChars) this.clear();
    this.map.set(key, v);
    this.chars += key.length;
    totalChars += key.length;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    totalChars -= this.chars;
    this.map = new Map();
    this.chars = 0;
  }
}

/** Turns every text memo on or off (off: each call computes its answer; the tests compare both). Clears them. */
export function setTextMemos(on: boolean): void {
  enabled = on;
  clearTextMemos();
}

/** Empties every text memo (benchmarks measure a cold start with it). */
export function clearTextMemos(): void {
  for (const m of ALL) m.clear();
}

/** Hits and misses per memo, by name. */
export function textMemoStats(): Record<string, { hits: number; misses: number; size: number }> {
  const out: Record<string, { hits: number; misses: number; size: number }> = {};
  for (const m of ALL) {
    const s = (out[m.name] ??= { hits: 0, misses: 0, size: 0 });
    s.hits += m.hits;
    s.misses += m.misses;
    s.size += m.size;
  }
  return out;
}
