/**
 * The local executor (embedded default): streams batches from the sources through the per-batch
 * stages in-process (or on a pool of worker threads with executor.concurrency > 1) and into the
 * finaliser, in order. No Redis, no Neo4j unless the pipeline's graph is one. Holds no stage
 * logic and no run tail: it only moves batches; runPipeline (src/pipeline/run.ts) does the rest.
 */
import type { ProcessedBatch } from '../../schemas/batch.js';
import type { Finaliser } from '../output/finaliser.js';
import { processBatch } from '../pipeline/process.js';
import { sourceBatches } from '../pipeline/read-sources.js';
import { pipelineRun, runPipeline, type Executor, type Progress, type RunOptions, type RunResult } from '../pipeline/run.js';
import { emptyTimings, STAGE_NAMES } from '../pipeline/stages.js';
import type { StageContext } from '../stages/types.js';
import { BatchPool } from './local-pool.js';

export { writeManifest, type Progress, type RunOptions, type RunResult } from '../pipeline/run.js';

export async function runLocal(opts: RunOptions): Promise<RunResult> {
  return runPipeline(await pipelineRun(opts), localExecutor(opts));
}

/** The in-process / thread-pool executor: import, the stage fold per batch, results in seq order. */
export function localExecutor(opts: RunOptions): Executor {
  return {
    name: 'local',
    async feed(fin: Finaliser) {
      const { pipeline, logger } = opts;
      const { config } = pipeline;
      const ctx: StageContext = { config, logger: logger.child({ executor: 'local' }), graph: opts.graph, tokenizers: opts.tokenizers };
      const timings = emptyTimings();
      let importFinalise = 0;
      const progress: Progress = { batches: 0, dialogues: 0, records: 0, rejects: 0 };
      const finished = async (pb: ProcessedBatch) => {
        const t2 = performance.now();
        await fin.addBatch(pb);
        importFinalise += performance.now() - t2;
        progress.batches++;
        progress.dialogues += pb.inputs;
        progress.records += pb.records.length;
        progress.rejects += pb.rejects.length;
        opts.onProgress?.(progress);
      };
      const items = sourceBatches(config, pipeline.baseDir, logger, config.executor.batchSize);
      if (config.executor.concurrency > 1) {
        // Worker threads run the per-batch stages; results are finalised strictly in seq order.
        const pool = await BatchPool.open(config, pipeline.baseDir, config.executor.concurrency);
        const inFlight: Array<Promise<ProcessedBatch>> = [];
        try {
          let t = performance.now();
          for await (const batch of items) {
            importFinalise += performance.now() - t;
            const p = pool.run(batch, timings);
            p.catch(() => {}); // awaited in order below; avoid an unhandled rejection meanwhile
            inFlight.push(p);
            if (inFlight.length >= config.executor.concurrency * 2) await finished(await inFlight.shift()!);
            t = performance.now();
          }
          while (inFlight.length) await finished(await inFlight.shift()!);
        } finally {
          const stuck = await pool.close();
          if (stuck) logger.warn({ threads: stuck }, 'worker threads did not exit when asked and were terminated');
        }
      } else {
        let t = performance.now();
        for await (const batch of items) {
          importFinalise += performance.now() - t;
          await finished(await processBatch(batch, ctx, timings));
          t = performance.now();
        }
      }
      const stageSeconds: Record<string, number> = { 'import+dedup': importFinalise / 1000 };
      for (const n of STAGE_NAMES) stageSeconds[n] = timings[n] / 1000;
      return { stageSeconds };
    },
  };
}
