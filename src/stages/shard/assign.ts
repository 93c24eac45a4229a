/**
 * Which split a dialogue goes to, and which shard a record goes to. Pure and deterministic:
 * the split is a hash of the seed and the source dialogue (all visits and windows of one
 * consultation share it, so nothing leaks across splits); shards are filled least-loaded first.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Origin } from '../../../schemas/dialogue.js';
import type { SplitName } from '../../../schemas/manifest.js';

export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

/** The key that must not span splits: one source consultation (its visits and windows included). */
export function splitKey(origin: Origin): string {
  return `${origin.format}\u0000${path.basename(origin.file)}\u0000${origin.sourceId}`;
}

export function splitOf(key: string, seed: string, ratios: Record<SplitName, number>): SplitName {
  const total = ratios.train + ratios.validation + ratios.test;
  const h = createHash('sha256').update(seed).update('\u0000').update(key).digest();
  const u = h.readUInt32BE(0) / 0x1_0000_0000;
  let acc = 0;
  for (const s of SPLITS) {
    acc += ratios[s] / total;
    if (u < acc) return s;
  }
  return 'train';
}

/** Shards per split: a multiple of the rank count, each at most maxRecords records on average. */
export function shardCount(records: number, maxRecords: number, ranks: number): number {
  const perRankGroup = maxRecords * ranks;
  return ranks * Math.max(1, Math.ceil(records / perRankGroup));
}

/** Greedy least-loaded assignment in arrival order (ties → lowest index). */
export class LeastLoaded {
  readonly loads: number[];
  readonly counts: number[];
  constructor(n: number) {
    this.loads = new Array<number>(n).fill(0);
    this.counts = new Array<number>(n).fill(0);
  }
  assign(weight: number): number {
    let best = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i] < this.loads[best]) best = i;
    this.loads[best] += weight;
    this.counts[best]++;
    return best;
  }
  /** max/mean − 1 over the loads (0 = perfectly balanced). */
  imbalance(): number {
    const sum = this.loads.reduce((a, b) => a + b, 0);
    if (sum === 0) return 0;
    return Math.max(...this.loads) / (sum / this.loads.length) - 1;
  }
}
