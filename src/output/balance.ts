/**
 * Balancing a split's records over its shards by weight (tokens of the first tokenizer, else
 * characters), so each data-parallel rank reads about the same number of tokens.
 * Longest-processing-time first: records sorted by weight (heaviest first, ties in run order),
 * each to the currently lightest shard (ties: lowest index). LPT is within 4/3 of optimal and in
 * practice within one small record of perfect; arrival-order greedy (LeastLoaded) is left with
 * up to one heavy record of imbalance per shard. Records keep their run order inside a shard.
 * Deterministic; memory 16 bytes per record of the split (weights, order, assignment).
 */

/** Growable list of record weights in spill order. */
export class WeightList {
  private buf = new Float64Array(1024);
  length = 0;
  push(w: number): void {
    if (this.length === this.buf.length) {
      const grown = new Float64Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = w;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

export interface Balance {
  /** Shard index per record, in spill order. */
  assignment: Int32Array;
  loads: number[];
  counts: number[];
}

export function balanceLpt(weights: Float64Array, k: number): Balance {
  const n = weights.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => weights[b] - weights[a] || a - b);
  const loads = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  const assignment = new Int32Array(n);
  // Min-heap of shards by (load, index).
  const heap = Array.from({ length: k }, (_, i) => i);
  const less = (x: number, y: number) => loads[x] < loads[y] || (loads[x] === loads[y] && x < y);
  for (let j = 0; j < n; j++) {
    const i = order[j];
    const s = heap[0];
    assignment[i] = s;
    loads[s] += weights[i];
    counts[s]++;
    // sift down the root, whose load grew
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < k && less(heap[l], heap[m])) m = l;
      if (r < k && less(heap[r], heap[m])) m = r;
      if (m === p) break;
      [heap[p], heap[m]] = [heap[m], heap[p]];
      p = m;
    }
  }
  return { assignment, loads, counts };
}

/** max/mean − 1 over the loads (0 = perfectly balanced). */
export function imbalanceOf(loads: number[]): number {
  const sum = loads.reduce((a, b) => a + b, 0);
  if (sum === 0) return 0;
  return Math.max(...loads) / (sum / loads.length) - 1;
}
