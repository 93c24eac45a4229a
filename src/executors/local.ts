/**
 * The local executor (embedded default): streams batches from the sources through the per-batch
 * stages in-process and into the finaliser, in order. No Redis, no Neo4j unless the pipeline's
 * graph is one. Holds no stage logic: it only moves batches.
 * Output is staged (src/output/out-dir.ts): everything is written into a fresh directory beside
 * `outDir`, which replaces it only when the run succeeded; a failed run leaves the old output.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import type { Logger } from '../core/logger.js';
import type { GraphPort } from '../kg/port.js';
import type { TokenCounter } from '../tokens/registry.js';
import type { LoadedPipeline } from '../pipeline/config.js';
import { processBatch, type StageTimings } from '../pipeline/process.js';
import type { ProcessedBatch } from '../../schemas/batch.js';
import { BatchPool } from './local-pool.js';
import { batches, sourceItems } from '../pipeline/read-sources.js';
import { Finaliser, type RecordFilter } from '../output/finaliser.js';
import { buildReport, writeReport, type RunReport } from '../output/report.js';
import { openRunOutput } from '../pipeline/preflight.js';
import type { StageContext } from '../stages/types.js';
import type { RecordEnvelope } from '../../schemas/record.js';

export interface Progress {
  batches: number;
  dialogues: number;
  records: number;
  rejects: number;
}

export interface RunOptions {
  pipeline: LoadedPipeline;
  outDir: string;
  logger: Logger;
  graph?: GraphPort;
  tokenizers?: TokenCounter[];
  filters?: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
  onProgress?: (p: Progress) => void;
  /** Replace an output directory holding files cmtmedqa did not write (`--force`). */
  force?: boolean;
}

export interface RunResult {
  outDir: string;
  manifest: Manifest;
  report: RunReport;
}

export async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function runLocal(opts: RunOptions): Promise<RunResult> {
  const out = await openRunOutput(opts.pipeline, opts.outDir, opts.force);
  try {
    const res = await runInto(opts, out.work);
    await out.commit();
    opts.logger.info({ outDir: opts.outDir, dialogues: res.report.dialogues, records: res.report.records, seconds: res.report.throughput.seconds }, 'run finished');
    return { ...res, outDir: opts.outDir };
  } finally {
    await out.abort();
  }
}

/** The run itself, writing into the staged directory `outDir`. */
async function runInto(opts: RunOptions, outDir: string): Promise<RunResult> {
  const { pipeline, logger } = opts;
  const { config } = pipeline;
  const started = performance.now();
  const ctx: StageContext = { config, logger: logger.child({ executor: 'local' }), graph: opts.graph, tokenizers: opts.tokenizers };
  const graphVersion = opts.graph ? await opts.graph.version() : null;
  const fin = new Finaliser({ config, outDir, configHash: pipeline.configHash, graphVersion, filters: opts.filters, weight: opts.weight, tokenizer: opts.tokenizer });
  await fin.open();
  const timings: StageTimings = { normalise: 0, split: 0, validate: 0 };
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
  const items = batches(sourceItems(config, pipeline.baseDir, logger), config.executor.batchSize);
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
  const t3 = performance.now();
  const manifest = await fin.finish();
  const shardSeconds = (performance.now() - t3) / 1000;
  await writeManifest(outDir, manifest);
  const seconds = (performance.now() - started) / 1000;
  const report = buildReport({
    stats: fin.stats,
    manifest,
    executor: 'local',
    seconds,
    stageSeconds: {
      'import+dedup': importFinalise / 1000,
      normalise: timings.normalise / 1000,
      split: timings.split / 1000,
      validate: timings.validate / 1000,
      shard: shardSeconds,
    },
  });
  await writeReport(outDir, report, manifest);
  return { outDir, manifest, report };
}
