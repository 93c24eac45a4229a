/**
 * A pool of worker threads for the local executor: runs processBatch on up to `size` batches at
 * once and hands the results back in seq order, so the finaliser (and so the output) is exactly
 * what the single-threaded executor produces.
 */
import { Worker } from 'node:worker_threads';
import type { ImportBatch, ProcessedBatch } from '../../schemas/batch.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { CmtError } from '../core/errors.js';
import type { StageTimings } from '../pipeline/process.js';

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class BatchPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<(s: Slot) => void> = [];

  private constructor() {}

  static async open(config: Pipeline, baseDir: string, size: number): Promise<BatchPool> {
    const pool = new BatchPool();
    const url = new URL('./local-worker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = new Worker(url, { workerData: { config, baseDir } });
        await new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', (m: { ready?: boolean }) => (m.ready ? resolve() : reject(new Error('worker did not start'))));
        });
        pool.slots.push({ worker, busy: false });
      }),
    );
    return pool;
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(s: Slot): void {
    const next = this.waiting.shift();
    if (next) next(s);
    else s.busy = false;
  }

  /** Runs one batch on a free thread; stage times are added to `timings`. */
  async run(batch: ImportBatch, timings: StageTimings): Promise<ProcessedBatch> {
    const slot = await this.acquire();
    try {
      return await new Promise<ProcessedBatch>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        slot.worker.once('error', onError);
        slot.worker.once('message', (m: { result?: ProcessedBatch; timings?: StageTimings; error?: string }) => {
          slot.worker.off('error', onError);
          if (m.error) return reject(new CmtError('CMT_RUN_FAILED', `batch ${batch.seq} failed in a worker thread: ${m.error}`, { seq: batch.seq }));
          if (m.timings) for (const k of Object.keys(timings) as Array<keyof StageTimings>) timings[k] += m.timings[k];
          resolve(m.result!);
        });
        slot.worker.postMessage({ batch });
      });
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(async (s) => {
      const exited = new Promise((r) => s.worker.once('exit', r));
      s.worker.postMessage({ close: true });
      await exited;
    }));
  }
}
