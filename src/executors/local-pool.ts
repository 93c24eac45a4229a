/**
 * A pool of worker threads for the local executor: runs processBatch on up to `size` batches at
 * once and hands the results back in seq order, so the finaliser (and so the output) is exactly
 * what the single-threaded executor produces.
 */
import { Worker } from 'node:worker_threads';
import type { ImportBatch, ProcessedBatch } from '../../schemas/batch.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { CmtError } from '../core/errors.js';
import type { StageTimings } from '../pipeline/stages.js';

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Settles when the thread has exited (for any reason). */
  exited: Promise<void>;
  gone: boolean;
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
        const slot: Slot = { worker, busy: false, gone: false, exited: Promise.resolve() };
        slot.exited = new Promise<void>((r) => worker.once('exit', () => {
          slot.gone = true;
          r();
        }));
        pool.slots.push(slot);
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
      if (slot.gone) throw new CmtError('CMT_RUN_FAILED', `batch ${batch.seq}: a worker thread of the pool has exited`, { seq: batch.seq });
      return await new Promise<ProcessedBatch>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        const onExit = (code: number) => reject(new CmtError('CMT_RUN_FAILED', `batch ${batch.seq}: its worker thread exited (code ${code}) before answering`, { seq: batch.seq }));
        slot.worker.once('error', onError);
        slot.worker.once('exit', onExit);
        slot.worker.once('message', (m: { result?: ProcessedBatch; timings?: StageTimings; error?: string }) => {
          slot.worker.off('error', onError);
          slot.worker.off('exit', onExit);
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

  /**
   * Asks every thread to close its graph and exit; one that does not within 10 s is terminated.
   * Returns how many had to be terminated (0 unless a thread is stuck).
   */
  async close(): Promise<number> {
    let terminated = 0;
    await Promise.all(this.slots.map(async (s) => {
      if (s.gone) return;
      s.worker.postMessage({ close: true });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => {
        timer = setTimeout(() => r('late'), 10_000);
      });
      if ((await Promise.race([s.exited, late])) === 'late') {
        terminated++;
        await s.worker.terminate();
      }
      clearTimeout(timer);
    }));
    return terminated;
  }
}
