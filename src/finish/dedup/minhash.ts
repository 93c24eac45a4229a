/**
 * Near-duplicate detection: MinHash signatures over character n-grams of a record's normalised
 * text, LSH banding to find candidates, and a b-bit signature comparison to confirm them.
 * Pure and deterministic: the same records in the same order give the same decisions (the first
 * record in run order is kept). No I/O here; persistence is in near-store.ts.
 *
 * Defaults (config `dedup.near`) and why:
 * - `ngram: 5` characters. Chinese has no spaces and one character carries about as much as a
 *   short English word, so 5-character shingles are specific (a shared 5-gram is rarely chance)
 *   while a one-character edit changes only 5 of ~500 shingles of a typical record.
 * - `numPerm: 128` permutations: the Jaccard estimate has standard error √(J(1−J)/128) ≈ 0.035 at
 *   J = 0.8, enough to decide "≥ 0.8" without many near misses.
 * - `bands: 32` × 4 rows: a pair of Jaccard J becomes a candidate with probability
 *   1 − (1 − J⁴)³², an S-curve whose midpoint is (1/32)^(1/4) ≈ 0.42; at J = 0.8 it is
 *   1 − 5·10⁻⁸ (no true duplicate is missed), at J = 0.3 it is 0.23 (candidates are cheap to
 *   verify: one 128-byte comparison). Fewer bands (16 × 8, midpoint 0.71) halve the index memory
 *   at a recall of 95 % for J = 0.8.
 * - `threshold: 0.8` estimated Jaccard: re-asked questions and templated answers differ in a
 *   few characters (≥ 0.9); distinct consultations about one disease share phrases (≤ 0.5).
 *
 * Hashing (32-bit, allocation-free): each shingle is hashed with FNV-1a over its UTF-16 code
 * units and finalised with murmur3's fmix32; permutation i is the bijection
 * x ↦ a_i·x + b_i (mod 2³², a_i odd) computed with Math.imul, minimum taken as int32.
 * Confirmation stores only the low 8 bits of each minimum (b-bit minwise hashing, Li & König
 * 2010): P(equal) = J + (1 − J)/256, inverted exactly, so identical texts score 1.
 *
 * Memory per indexed record (measured by bench, see benchMinhash): 32 band entries in one
 * open-addressing table (uint32 key + int32 record index, load ≤ 0.75: ≈ 340–680 bytes), the
 * 8-bit signature (128 bytes), the id string (≈ 40–60 bytes), and, when the index is persisted,
 * this run's band keys (128 bytes) until it is saved, and for entries replayed from a store an
 * id → entry map (≈ 40 bytes) so a rerun's record is not matched with itself; with growth slack measured at ≈ 0.86 KB per
 * record for 20k records and ≈ 1.0 KB at 200k: about 1 GB per million records indexed.
 */
import type { CMtMedQARecord } from '../../../schemas/record.js';

export interface MinHashParams {
  ngram: number;
  numPerm: number;
  bands: number;
  threshold: number;
  /** Seed of the permutation family; part of the index identity. */
  seed?: number;
  /**
   * `oph` (default): one-permutation hashing with optimal densification — one hash per shingle
   * picks a bin and a value (Li, Owen & Zhang 2012; Shrivastava 2017), empty bins borrow from a
   * pseudo-random non-empty one; `minhash`: numPerm affine permutations per shingle (the classic
   * form, ~numPerm× the per-shingle work). Both estimate Jaccard without bias; bench compares them
   * against exact Jaccard on the real records.
   */
  scheme?: 'oph' | 'minhash';
}

/** Bound once: under a sandboxed global (jest's vm) each `Math.imul` lookup in a hot loop is slow. */
const imul = Math.imul;
export const MINHASH_SEED = 0x5eed_c0de;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** splitmix32: a small deterministic PRNG for the permutation coefficients. */
function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = imul(z ^ (z >>> 16), 0x85ebca6b);
    z = imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The text a record is compared on: every utterance (history, instruction, input, output) with
 * whitespace and punctuation removed and ASCII letters lower-cased, so that spacing,
 * full-/half-width punctuation and case do not hide a duplicate.
 */
export function dedupText(r: CMtMedQARecord): string {
  const parts: string[] = [];
  for (const [q, a] of r.history) parts.push(q, a);
  parts.push(r.instruction, r.input, r.output);
  let out = '';
  for (const p of parts) {
    let chunk = '';
    let from = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (isDropped(c)) {
        if (i > from) chunk += p.slice(from, i);
        from = i + 1;
      } else if (c >= 0x41 && c <= 0x5a) {
        if (i > from) chunk += p.slice(from, i);
        chunk += String.fromCharCode(c + 32);
        from = i + 1;
      }
    }
    if (from < p.length) chunk += p.slice(from);
    out += chunk;
  }
  return out;
}

function isDropped(c: number): boolean {
  if (c <= 0x20) return true; // controls and space
  if (c < 0x7f) return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
  if (c === 0xa0 || c === 0x3000) return true; // nbsp, ideographic space
  if (c >= 0x2000 && c <= 0x206f) return true; // general punctuation (quotes, dashes, …)
  if (c >= 0x3001 && c <= 0x303f) return true; // CJK punctuation (、。「」【】…)
  if (c >= 0xff01 && c <= 0xff0f) return true; // fullwidth ！＂＃…／
  if (c >= 0xff1a && c <= 0xff20) return true; // fullwidth ：；＜＝＞？＠
  if (c >= 0xff3b && c <= 0xff40) return true;
  if (c >= 0xff5b && c <= 0xff65) return true;
  return false;
}

export class MinHasher {
  readonly numPerm: number;
  readonly bands: number;
  readonly rows: number;
  readonly ngram: number;
  readonly seed: number;
  readonly scheme: 'oph' | 'minhash';
  private readonly a: Int32Array;
  private readonly filled: Uint8Array;
  /** Scratch: the UTF-16 code units of the text being hashed. */
  private units = new Uint16Array(4096);
  private readonly b: Int32Array;

  constructor(p: MinHashParams) {
    if (p.numPerm % p.bands !== 0) throw new Error(`dedup.near: numPerm (${p.numPerm}) must be a multiple of bands (${p.bands})`);
    this.numPerm = p.numPerm;
    this.bands = p.bands;
    this.rows = p.numPerm / p.bands;
    this.ngram = p.ngram;
    this.seed = p.seed ?? MINHASH_SEED;
    this.scheme = p.scheme ?? 'oph';
    this.filled = new Uint8Array(p.numPerm);
    const rnd = splitmix32(this.seed);
    this.a = new Int32Array(p.numPerm);
    this.b = new Int32Array(p.numPerm);
    for (let i = 0; i < p.numPerm; i++) {
      this.a[i] = rnd() | 1; // odd: x ↦ a·x + b is a bijection mod 2³²
      this.b[i] = rnd() | 0;
    }
  }

  /** What the persisted index records as its hash family (an index of another family is refused). */
  get hashId(): string {
    return this.scheme === 'oph' ? 'fnv1a32-fmix32/oph-densified/8bit' : 'fnv1a32-fmix32/affine-mod-2^32/8bit';
  }

  /** The MinHash signature of the text's character n-grams (a text shorter than n is one shingle). */
  signature(text: string, out: Int32Array = new Int32Array(this.numPerm)): Int32Array {
    return this.scheme === 'oph' ? this.signatureOph(text, out) : this.signatureClassic(text, out);
  }

  /**
   * One-permutation hashing: shingle hash x → bin x mod k, value fmix32(x ^ seed); each bin keeps
   * its minimum. Empty bins (short texts) are densified: bin i probes bins h(i, attempt) mod k
   * until a filled one and copies its value, so two texts with the same filled bins fill the same
   * empty bins alike (the collision probability stays J).
   */
  private signatureOph(text: string, out: Int32Array): Int32Array {
    out.fill(0x7fffffff);
    if (text.length === 0) return out;
    const n = this.ngram;
    const k = this.numPerm;
    const filled = this.filled;
    filled.fill(0);
    const seed = this.seed;
    const last = Math.max(0, text.length - n);
    // x mod k as a mask when k is a power of two (the default 128): the same bin, no division.
    const mask = (k & (k - 1)) === 0 ? k - 1 : -1;
    let nonEmpty = 0;
    // The code units once into a typed array: the shingle loop reads each n times, and text may be
    // a cons or sliced string (dedupText concatenates), whose charCodeAt is slower.
    const len = text.length;
    if (this.units.length < len) this.units = new Uint16Array(len * 2);
    const u = this.units;
    for (let i = 0; i < len; i++) u[i] = text.charCodeAt(i);
    for (let s = 0; s <= last; s++) {
      let h = FNV_OFFSET;
      const end = s + n < len ? s + n : len;
      for (let i = s; i < end; i++) h = imul(h ^ u[i], FNV_PRIME);
      const x = fmix32(h);
      const bin = mask >= 0 ? x & mask : (x >>> 0) % k;
      const v = fmix32(x ^ seed);
      if (filled[bin] === 0) {
        filled[bin] = 1;
        nonEmpty++;
        out[bin] = v;
      } else if (v < out[bin]) out[bin] = v;
    }
    if (nonEmpty < k) {
      for (let i = 0; i < k; i++) {
        if (filled[i] === 1) continue;
        for (let attempt = 1; ; attempt++) {
          const j = (fmix32(imul(i + 1, 0x9e3779b1) ^ imul(attempt, 0x85ebca6b) ^ seed) >>> 0) % k;
          if (filled[j] === 1) {
            out[i] = out[j];
            break;
          }
        }
      }
    }
    return out;
  }

  private signatureClassic(text: string, out: Int32Array): Int32Array {
    out.fill(0x7fffffff);
    const n = this.ngram;
    const k = this.numPerm;
    const { a, b } = this;
    const last = Math.max(0, text.length - n);
    if (text.length === 0) return out;
    for (let s = 0; s <= last; s++) {
      let h = FNV_OFFSET;
      const end = s + n < text.length ? s + n : text.length;
      for (let i = s; i < end; i++) h = imul(h ^ text.charCodeAt(i), FNV_PRIME);
      const x = fmix32(h);
      // Unrolled by 4 (numPerm is a multiple of bands; the tail loop covers any remainder).
      let i = 0;
      for (; i + 3 < k; i += 4) {
        const v0 = (imul(x, a[i]) + b[i]) | 0;
        const v1 = (imul(x, a[i + 1]) + b[i + 1]) | 0;
        const v2 = (imul(x, a[i + 2]) + b[i + 2]) | 0;
        const v3 = (imul(x, a[i + 3]) + b[i + 3]) | 0;
        if (v0 < out[i]) out[i] = v0;
        if (v1 < out[i + 1]) out[i + 1] = v1;
        if (v2 < out[i + 2]) out[i + 2] = v2;
        if (v3 < out[i + 3]) out[i + 3] = v3;
      }
      for (; i < k; i++) {
        const v = (imul(x, a[i]) + b[i]) | 0;
        if (v < out[i]) out[i] = v;
      }
    }
    return out;
  }

  /** One 32-bit key per band (never 0: 0 marks an empty slot), band index mixed in. */
  bandKeys(sig: Int32Array, out: Uint32Array = new Uint32Array(this.bands)): Uint32Array {
    const r = this.rows;
    for (let band = 0; band < this.bands; band++) {
      let h = imul(band + 1, 0x9e3779b1) ^ this.seed;
      for (let j = band * r; j < band * r + r; j++) h = imul(h ^ sig[j], FNV_PRIME) ^ (h >>> 15);
      const key = fmix32(h) >>> 0;
      out[band] = key === 0 ? 1 : key;
    }
    return out;
  }
}

/** Estimated Jaccard similarity from two full signatures. */
export function jaccardEstimate(x: Int32Array, y: Int32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) m++;
  return m / x.length;
}

/** b-bit (8) estimate: inverts P(low bytes equal) = J + (1 − J)/256. */
export function jaccardEstimate8(sig: Int32Array, stored: Uint8Array, offset: number): number {
  const k = sig.length;
  let m = 0;
  for (let i = 0; i < k; i++) if ((sig[i] & 0xff) === stored[offset + i]) m++;
  const p = m / k;
  const j = (p - 1 / 256) / (1 - 1 / 256);
  return j <= 0 ? 0 : j >= 1 ? 1 : j;
}

/** jaccardEstimate8 with the first signature already cut to its low bytes (a sketch). */
export function jaccardEstimate8Bytes(sig8: Uint8Array, stored: Uint8Array, offset: number): number {
  const k = sig8.length;
  let m = 0;
  for (let i = 0; i < k; i++) if (sig8[i] === stored[offset + i]) m++;
  const p = m / k;
  const j = (p - 1 / 256) / (1 - 1 / 256);
  return j <= 0 ? 0 : j >= 1 ? 1 : j;
}

/** Open-addressing table uint32 band key → int32 record index; the first record for a key wins. */
export class BandTable {
  private cap: number;
  private keys: Uint32Array;
  private vals: Int32Array;
  size = 0;

  constructor(initial = 1 << 16) {
    this.cap = initial;
    this.keys = new Uint32Array(initial);
    this.vals = new Int32Array(initial);
  }

  get(key: number): number {
    const mask = this.cap - 1;
    let i = imul(key, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const k = this.keys[i];
      if (k === 0) return -1;
      if (k === key) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  /** Inserts unless the key is present (HSETNX semantics). */
  setIfAbsent(key: number, val: number): void {
    if ((this.size + 1) * 4 > this.cap * 3) this.grow();
    const mask = this.cap - 1;
    let i = imul(key, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const k = this.keys[i];
      if (k === 0) break;
      if (k === key) return;
      i = (i + 1) & mask;
    }
    this.keys[i] = key;
    this.vals[i] = val;
    this.size++;
  }

  get bytes(): number {
    return this.cap * 8;
  }

  private grow(): void {
    const { keys, vals, cap } = this;
    this.cap = cap * 2;
    this.keys = new Uint32Array(this.cap);
    this.vals = new Int32Array(this.cap);
    this.size = 0;
    for (let i = 0; i < cap; i++) if (keys[i] !== 0) this.setIfAbsent(keys[i], vals[i]);
  }
}

export interface NearMatch {
  duplicateOf: string;
  similarity: number;
}

/** One indexed record as persisted: id, 8-bit signature, band keys. */
export interface NearEntry {
  id: string;
  sig8: Uint8Array;
  bandKeys: Uint32Array;
}

/**
 * The index: records kept so far (this run and, when loaded, earlier runs). `check` is the whole
 * decision: a record is a near-duplicate of the most similar earlier record sharing a band, if
 * that similarity reaches the threshold; otherwise it is added.
 */
export class NearDupIndex {
  readonly hasher: MinHasher;
  readonly threshold: number;
  private readonly table = new BandTable();
  private readonly ids: string[] = [];
  private sig8 = new Uint8Array(0);
  /** Record id → entry index of the entries replayed from a store (earlier runs' kept records). */
  private readonly persisted = new Map<string, number>();
  /** Entries added since the index was created or loaded (to persist). */
  private fresh: number[] = [];
  private freshKeys = new Uint32Array(0);
  private readonly sigBuf: Int32Array;
  private readonly keyBuf: Uint32Array;
  private readonly sig8Buf: Uint8Array;
  private readonly cands: number[] = [];

  /** @param keepFresh remember this run's band keys for a store to persist (off without a store: −128 bytes/record). */
  constructor(readonly params: MinHashParams, private readonly keepFresh = true) {
    this.hasher = new MinHasher(params);
    this.threshold = params.threshold;
    this.sigBuf = new Int32Array(params.numPerm);
    this.keyBuf = new Uint32Array(params.bands);
    this.sig8Buf = new Uint8Array(params.numPerm);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Records added since creation/load, in order, for a store to append. */
  freshEntries(): NearEntry[] {
    const k = this.hasher.numPerm;
    const bands = this.hasher.bands;
    return this.fresh.map((idx, j) => ({
      id: this.ids[idx],
      sig8: this.sig8.subarray(idx * k, idx * k + k),
      bandKeys: this.freshKeys.subarray(j * bands, j * bands + bands),
    }));
  }

  /** Marks everything as persisted. */
  markPersisted(): void {
    this.fresh = [];
    this.freshKeys = new Uint32Array(0);
  }

  /**
   * Returns the match, or undefined after adding the record (it is kept). A record an earlier
   * run kept (its id is among the replayed entries) is never a duplicate of that entry, and is
   * not added twice: rerunning the same input decides exactly as the first run did.
   */
  check(id: string, text: string): NearMatch | undefined {
    return this.checkSignature(id, this.hasher.signature(text, this.sigBuf));
  }

  /** check() with the record's signature already computed (by a worker, with this index's hasher). */
  checkSignature(id: string, sig: Int32Array): NearMatch | undefined {
    const keys = this.hasher.bandKeys(sig, this.keyBuf);
    const k = this.hasher.numPerm;
    const sig8 = this.sig8Buf;
    for (let i = 0; i < k; i++) sig8[i] = sig[i] & 0xff;
    return this.checkSketch(id, sig8, keys);
  }

  /**
   * What a worker computes for the decision step instead of sending the record: the 8-bit
   * signature and the band keys (numPerm + 4 × bands bytes). `checkSketch` of it decides exactly
   * as `check` of the text.
   */
  sketch(text: string): { sig8: Uint8Array; bandKeys: Uint32Array } {
    const sig = this.hasher.signature(text);
    const bandKeys = this.hasher.bandKeys(sig);
    const sig8 = new Uint8Array(sig.length);
    for (let i = 0; i < sig.length; i++) sig8[i] = sig[i] & 0xff;
    return { sig8, bandKeys };
  }

  /** `check` from a sketch (the arrays are copied when the record is added, so they may be reused). */
  checkSketch(id: string, sig8: Uint8Array, keys: Uint32Array): NearMatch | undefined {
    const cands = this.cands;
    cands.length = 0;
    const self = this.persisted.get(id) ?? -1;
    for (let band = 0; band < keys.length; band++) {
      const idx = this.table.get(keys[band]);
      if (idx >= 0 && idx !== self && !cands.includes(idx)) cands.push(idx);
    }
    let best = -1;
    let bestSim = -1;
    const k = this.hasher.numPerm;
    for (const idx of cands) {
      const sim = jaccardEstimate8Bytes(sig8, this.sig8, idx * k);
      if (sim > bestSim || (sim === bestSim && idx < best)) {
        bestSim = sim;
        best = idx;
      }
    }
    if (best >= 0 && bestSim >= this.threshold) return { duplicateOf: this.ids[best], similarity: Math.round(bestSim * 1000) / 1000 };
    if (self >= 0) return undefined;
    this.insert({ id, sig8, bandKeys: keys }, true);
    return undefined;
  }

  /** Adds an entry (replayed from a store, or new). */
  insert(e: NearEntry, isFresh = false): void {
    const idx = this.ids.length;
    const k = this.hasher.numPerm;
    if ((idx + 1) * k > this.sig8.length) {
      const grown = new Uint8Array(Math.max(1024 * k, this.sig8.length * 2));
      grown.set(this.sig8);
      this.sig8 = grown;
    }
    this.sig8.set(e.sig8, idx * k);
    this.ids.push(e.id);
    if (!isFresh && !this.persisted.has(e.id)) this.persisted.set(e.id, idx);
    for (let band = 0; band < e.bandKeys.length; band++) this.table.setIfAbsent(e.bandKeys[band], idx);
    if (isFresh && this.keepFresh) {
      const bands = this.hasher.bands;
      const j = this.fresh.length;
      if ((j + 1) * bands > this.freshKeys.length) {
        const grown = new Uint32Array(Math.max(1024 * bands, this.freshKeys.length * 2));
        grown.set(this.freshKeys);
        this.freshKeys = grown;
      }
      this.freshKeys.set(e.bandKeys, j * bands);
      this.fresh.push(idx);
    }
  }

  /** Bytes held by the typed arrays (ids and Map overheads not included). */
  get typedBytes(): number {
    return this.table.bytes + this.sig8.byteLength + this.freshKeys.byteLength;
  }
}
