/**
 * Compact growable storage for the finish step's per-record and per-dialogue state: typed-array
 * columns and an open-addressing table from 52-bit integer keys to int32 values. A few bytes per
 * entry instead of the 40–100 a Map of strings or HeapNumbers costs, and nothing for the garbage
 * collector to trace, so the live heap of a long run grows by tens of bytes per record.
 */

type Typed = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;
type Ctor<T extends Typed> = { new (n: number): T };

/** A growable typed array (amortised doubling). */
export class Column<T extends Typed> {
  private buf: T;
  length = 0;
  constructor(private readonly ctor: Ctor<T>, initial = 1024) {
    this.buf = new ctor(initial);
  }
  push(v: number): number {
    if (this.length === this.buf.length) this.reserve(this.length + 1);
    this.buf[this.length] = v;
    return this.length++;
  }
  get(i: number): number {
    return this.buf[i];
  }
  set(i: number, v: number): void {
    this.buf[i] = v;
  }
  private reserve(n: number): void {
    let cap = this.buf.length;
    while (cap < n) cap *= 2;
    const grown = new this.ctor(cap);
    grown.set(this.buf);
    this.buf = grown;
  }
  /** The filled part (a view: valid until the next push). */
  view(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

/** Open-addressing hash table (linear probing, load ≤ 0.75): non-negative integer keys below 2^53 → int32 values (−1: absent). */
export class IntIndex {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;

  constructor(initial = 1 << 12) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, initial)));
    this.keys = new Float64Array(cap).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private static hash(k: number): number {
    const lo = k >>> 0;
    const hi = (k / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  get(k: number): number {
    let s = IntIndex.hash(k) & this.mask;
    for (;;) {
      const have = this.keys[s];
      if (have === k) return this.vals[s];
      if (have === -1) return -1;
      s = (s + 1) & this.mask;
    }
  }

  set(k: number, v: number): void {
    if ((this.size + 1) * 4 > this.keys.length * 3) this.grow(); // load ≤ 0.75
    let s = IntIndex.hash(k) & this.mask;
    for (;;) {
      const have = this.keys[s];
      if (have === k) {
        this.vals[s] = v;
        return;
      }
      if (have === -1) {
        this.keys[s] = k;
        this.vals[s] = v;
        this.size++;
        return;
      }
      s = (s + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Float64Array(oldK.length * 2).fill(-1);
    this.vals = new Int32Array(oldK.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < oldK.length; i++) if (oldK[i] !== -1) this.set(oldK[i], oldV[i]);
  }
}
