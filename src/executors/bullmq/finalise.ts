/**
 * The finalise step of a BullMQ run, in the coordinator (which owns the output directory): the
 * stored ProcessedBatches go into the same Finaliser the local executor uses, strictly in seq
 * order, then manifest.json and the report are written the way runLocal writes them.
 *
 * The feeder reads ahead: while workers still process later batches it already hands the finaliser
 * every batch whose predecessors are all in (dedup and split spills are sequential in seq order
 * anyway), so the work left when the last batch lands is the shard writing. The results stay in
 * Redis until the run is finalised, so a coordinator that dies mid-way is replaced by one that
 * feeds again from seq 0. Must not reorder, drop or re-encode batches: the shards must be
 * byte-identical to the local executor's.
 */
import { ProcessedBatch } from '../../../schemas/batch.js';
import type { Logger } from '../../core/logger.js';
import type { Finaliser } from '../../output/finaliser.js';
import { buildReport, writeReport } from '../../output/report.js';
import { writeManifest, type RunOptions, type RunResult } from '../local.js';
import { validate } from './payloads.js';
import type { RunStore } from './store.js';

/** Batches per HMGET. */
const GROUP = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ResultFeeder {
  private next = 0;
  private total?: number;
  private stopped = false;
  private loop?: Promise<void>;
  /** Seconds spent in Finaliser.addBatch (the report's dedup share). */
  feedSeconds = 0;

  constructor(private readonly store: RunStore, private readonly fin: Finaliser, private readonly logger: Logger, private readonly pollMs = 20) {}

  /** Starts reading ahead; the returned promise settles when every batch is fed (or on error). */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** The batch total, once the import has cut every batch. */
  setTotal(n: number): void {
    this.total = n;
  }

  get fed(): number {
    return this.next;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.total !== undefined && this.next >= this.total) return;
      const want = this.total === undefined ? GROUP : Math.min(GROUP, this.total - this.next);
      const got = await this.store.resultsIfPresent(this.next, this.next + want);
      let k = 0;
      for (; k < got.length; k++) {
        const json = got[k];
        if (json === null) break;
        const t = performance.now();
        await this.fin.addBatch(validate(ProcessedBatch, JSON.parse(json), `stored result of batch ${this.next + k}`));
        this.feedSeconds += (performance.now() - t) / 1000;
      }
      this.next += k;
      if (k < got.length || got.length === 0) await sleep(this.pollMs);
    }
    this.logger.debug({ fed: this.next }, 'result feeder stopped');
    // Whoever waits for the feeder must not go on to write shards from part of the run.
    throw new Error(`result feeder stopped after ${this.next} of ${this.total ?? '?'} batches`);
  }
}

export interface FinaliseArgs {
  opts: RunOptions;
  fin: Finaliser;
  feeder: ResultFeeder;
  store: RunStore;
  /** performance.now() when the run started (report seconds). */
  started: number;
  /** Seconds the coordinator spent importing and enqueueing. */
  importSeconds: number;
}

/** Waits for the feeder to have fed every batch, then writes shards, manifest and report. */
export async function finaliseRun(a: FinaliseArgs): Promise<RunResult> {
  const { opts, fin } = a;
  const { outDir } = opts;
  await a.feeder.start();
  const t1 = performance.now();
  const manifest = await fin.finish();
  const shardSeconds = (performance.now() - t1) / 1000;
  await writeManifest(outDir, manifest);
  const counters = await a.store.counters();
  const seconds = (performance.now() - a.started) / 1000;
  const report = buildReport({
    stats: fin.stats,
    manifest,
    executor: 'bullmq',
    seconds,
    // Stage seconds are summed over every worker (CPU time of the stage), as in the local report.
    stageSeconds: {
      'import+dedup': a.importSeconds + a.feeder.feedSeconds,
      normalise: counters['t:normalise'] ?? 0,
      split: counters['t:split'] ?? 0,
      validate: counters['t:validate'] ?? 0,
      shard: shardSeconds,
    },
  });
  await writeReport(outDir, report, manifest);
  return { outDir, manifest, report };
}
