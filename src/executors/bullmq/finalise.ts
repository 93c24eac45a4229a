/**
 * The finalise step of a BullMQ run, in the coordinator (which owns the output directory): the
 * stored ProcessedBatches go into the same Finaliser the local executor uses, strictly in seq
 * order; the run shell (src/pipeline/run.ts) then writes the output as for every executor.
 *
 * The feeder reads ahead: while workers still process later batches it already hands the finaliser
 * every batch whose predecessors are all in (dedup and split spills are sequential in seq order
 * anyway), so the work left when the last batch lands is the shard writing. The results stay in
 * the run store until the run is finalised, so a coordinator that dies mid-way is replaced by one that
 * feeds again from seq 0. Must not reorder, drop or re-encode batches: the shards must be
 * byte-identical to the local executor's.
 */
import { z } from 'zod';
import { ProcessedBatch } from '../../../schemas/batch.js';
import type { Logger } from '../../core/logger.js';
import type { Finaliser } from '../../output/finaliser.js';
import { attachKeys, attachRejectLines } from '../../finish/precomputed.js';
import { unitSeq } from './keys.js';
import { validate } from './payloads.js';
import type { RunStore } from './store.js';

/**
 * A stored result as the coordinator checks it: the batch's shape, its records and rejects as
 * arrays. The worker validated the whole ProcessedBatch before writing it (store.ts), and the file
 * is checked to be the one it wrote (its size), so the one sequential step does not re-walk every
 * record with zod.
 */
const StoredResult = ProcessedBatch.extend({ records: z.array(z.object({}).passthrough()), rejects: z.array(z.object({}).passthrough()) });

/** Batches per HMGET. */
const GROUP = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ResultFeeder {
  /** The unit being fed, and the next batch of it. */
  private unit = 0;
  private k = 0;
  private units?: number;
  private counts = new Map<number, number>();
  private fedCount = 0;
  private stopped = false;
  private loop?: Promise<void>;
  /** Seconds spent in Finaliser.addBatch (the report's dedup share). */
  feedSeconds = 0;

  /** The wait before the next look when nothing new was there: doubles from pollMs up to maxPollMs (the coordinator's idle CPU). */
  private wait: number;

  constructor(private readonly store: RunStore, private readonly fin: Finaliser, private readonly logger: Logger, private readonly pollMs = 20, private readonly maxPollMs = 400) {
    this.wait = pollMs;
  }

  private async idle(): Promise<void> {
    await sleep(this.wait);
    this.wait = Math.min(this.maxPollMs, this.wait * 2);
  }

  /** Starts reading ahead; the returned promise settles when every batch is fed (or on error). */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** The number of work units of the run (known once the coordinator enumerated them). */
  setUnits(n: number): void {
    this.units = n;
  }

  /** Batches fed so far. */
  get fed(): number {
    return this.fedCount;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.units !== undefined && this.unit >= this.units) return;
      let n = this.counts.get(this.unit);
      if (n === undefined) {
        this.counts = await this.store.unitBatches();
        n = this.counts.get(this.unit);
        if (n === undefined) {
          await this.idle();
          continue;
        }
      }
      if (this.k >= n) {
        this.unit++;
        this.k = 0;
        continue;
      }
      const from = unitSeq(this.unit, this.k);
      const want = Math.min(GROUP, n - this.k);
      const got = await this.store.resultsIfPresent(from, from + want);
      let j = 0;
      for (; j < got.length; j++) {
        if (got[j] === null) break;
        const json = await this.store.readResult(from + j, got[j]);
        const t = performance.now();
        const pb = validate(StoredResult, JSON.parse(json), `stored result of batch ${from + j}`) as ProcessedBatch;
        attachKeys(pb.records, pb.keys);
        attachRejectLines(pb.rejects, pb.rejectLines);
        // The finaliser sees the batches numbered in run order, as the local executor cuts them.
        pb.seq = this.fedCount++;
        await this.fin.addBatch(pb);
        this.feedSeconds += (performance.now() - t) / 1000;
      }
      this.k += j;
      if (j > 0) this.wait = this.pollMs;
      if (j < got.length) await this.idle();
    }
    this.logger.debug({ fed: this.fedCount }, 'result feeder stopped');
    // Whoever waits for the feeder must not go on to write shards from part of the run.
    throw new Error(`result feeder stopped after ${this.fedCount} batches (unit ${this.unit} of ${this.units ?? '?'})`);
  }
}
