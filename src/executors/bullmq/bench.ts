/**
 * Throughput of the BullMQ executor for the benchmark: one run of a pipeline with N worker
 * processes (started and ready before the clock starts, as a deployment's workers would be), the
 * coordinator in this process. Also runnable on its own:
 *   node dist/src/executors/bullmq/bench.js <pipeline.yaml> [workers ...]   (one JSON line per run)
 * Needs Redis (REDIS_URL or scripts/redis.sh). Measures; asserts nothing.
 */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger, type Logger } from '../../core/logger.js';
import { loadPipeline, type LoadedPipeline } from '../../pipeline/config.js';
import { openRunResources } from '../../pipeline/resources.js';
import { runLocal, type RunResult } from '../local.js';
import { spawnWorker } from './child.js';
import { redisUrl } from './connection.js';
import { runBullmq } from './run.js';

export interface BenchOptions {
  /** A loaded pipeline or a YAML path. */
  pipeline: LoadedPipeline | string;
  /** Worker processes (0: one in-process worker in the coordinator). */
  workers: number;
  redisUrl?: string;
  /** Key prefix, so a benchmark never meets real runs (default cmt-bench). */
  prefix?: string;
  /** Jobs in parallel per stage queue per worker (default: the pipeline's executor.concurrency). */
  concurrency?: number;
  outDir?: string;
  logger?: Logger;
  /** Extra environment for the worker processes. */
  env?: Record<string, string>;
  /**
   * First run a few dialogues of the same pipeline (default true), so that the workers have
   * loaded their code and the graph before the clock starts, as long-running workers have; the
   * local executor's graph is likewise opened before its clock starts.
   */
  warmup?: boolean;
}

export interface BenchResult {
  executor: string;
  workers: number;
  seconds: number;
  dialogues: number;
  dialoguesPerSecond: number;
  records: number;
  stageSeconds: Record<string, number>;
  /**
   * CPU (user + system) this process spent on the run: the whole run for local, the coordinator's
   * share for bullmq with worker processes — the serial part that workers cannot take over.
   */
  cpuSeconds: number;
  /** bullmq: Redis INFO memory used_memory (MB) before the run and its peak while the run went on (sampled every 100 ms). */
  redis?: { beforeMB: number; peakMB: number };
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

/** Samples used_memory while `during` runs: the run's Redis footprint (queues, markers, metadata). */
async function sampleRedis<T>(url: string, during: () => Promise<T>): Promise<{ value: T; beforeMB: number; peakMB: number }> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
  try {
    const before = await usedMemory(client);
    let peak = before;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        peak = Math.max(peak, await usedMemory(client).catch(() => 0));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const value = await during();
      return { value, beforeMB: Math.round(before / 1e4) / 100, peakMB: Math.round(peak / 1e4) / 100 };
    } finally {
      stop = true;
      await loop;
    }
  } finally {
    client.disconnect();
  }
}

function cpuSince(t0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(t0);
  return Math.round((u.user + u.system) / 1000) / 1000;
}

function summary(executor: string, workers: number, seconds: number, res: RunResult, cpuSeconds: number): BenchResult {
  return {
    executor,
    workers,
    cpuSeconds,
    seconds: Math.round(seconds * 1000) / 1000,
    dialogues: res.report.dialogues.in,
    dialoguesPerSecond: Math.round(res.report.dialogues.in / seconds),
    records: res.report.records.accepted,
    stageSeconds: res.report.throughput.stageSeconds,
  };
}

function load(p: LoadedPipeline | string): LoadedPipeline {
  return typeof p === 'string' ? loadPipeline(p) : p;
}

/** One BullMQ run with `workers` worker processes; returns dialogues/s of the whole run. */
export async function benchBullmq(o: BenchOptions): Promise<BenchResult> {
  const pipeline = load(o.pipeline);
  const url = redisUrl(o.redisUrl);
  const prefix = o.prefix ?? 'cmt-bench';
  const logger = o.logger ?? silentLogger;
  const outDir = o.outDir ?? path.join(os.tmpdir(), `cmt-bench-bullmq-${process.pid}-${o.workers}`);
  const children = Array.from({ length: o.workers }, () => spawnWorker({ redisUrl: url, prefix, concurrency: o.concurrency, stderr: 'ignore', env: { LOG_LEVEL: 'warn', ...o.env } }));
  const resources = await openRunResources(pipeline, logger);
  try {
    await Promise.all(children.map((c) => c.ready));
    if (o.warmup ?? true) {
      const first = pipeline.config.sources[0];
      const tiny: LoadedPipeline = { ...pipeline, config: { ...pipeline.config, sources: [first.format === 'scrape' ? first : { ...first, limit: 5 }] }, configHash: `${pipeline.configHash}-warmup` };
      const warmDir = `${outDir}-warmup`;
      // Its own resources: the measured run's filters (near-duplicate index) must start empty.
      const warmRes = await openRunResources(tiny, logger);
      try {
        await runBullmq({ pipeline: tiny, outDir: warmDir, logger, ...warmRes, redisUrl: url, prefix, runId: `${pipeline.config.name}-warmup-${process.pid}-${Date.now()}`, localWorkers: o.workers > 0 ? 0 : 1 });
      } finally {
        await warmRes.close();
      }
      rmSync(warmDir, { recursive: true, force: true });
    }
    const runId = `${pipeline.config.name}-bench-${process.pid}-${Date.now()}`;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const sampled = await sampleRedis(url, () => runBullmq({ pipeline, outDir, logger, ...resources, redisUrl: url, prefix, runId, localWorkers: o.workers > 0 ? 0 : 1, workerTuning: { concurrency: o.concurrency } }));
    const cpu = cpuSince(c0);
    return { ...summary('bullmq', o.workers, (performance.now() - t0) / 1000, sampled.value, cpu), redis: { beforeMB: sampled.beforeMB, peakMB: sampled.peakMB } };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await resources.close();
    if (!o.outDir) rmSync(outDir, { recursive: true, force: true });
  }
}

/** The same measurement for the local executor, for the comparison. */
export async function benchLocal(o: Pick<BenchOptions, 'pipeline' | 'outDir' | 'logger'>): Promise<BenchResult> {
  const pipeline = load(o.pipeline);
  const logger = o.logger ?? silentLogger;
  const outDir = o.outDir ?? path.join(os.tmpdir(), `cmt-bench-local-${process.pid}`);
  const resources = await openRunResources(pipeline, logger);
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await runLocal({ pipeline, outDir, logger, ...resources });
    return summary('local', 0, (performance.now() - t0) / 1000, res, cpuSince(c0));
  } finally {
    await resources.close();
    if (!o.outDir) rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // One run per argument: `local` or a worker count. For CPU figures run each in its own process
  // (bench/sections.ts does): a run after another in one process finds the text memos warm.
  const [file, ...runs] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/src/executors/bullmq/bench.js <pipeline.yaml> [local | <workers>] ...');
    process.exit(2);
  }
  for (const r of runs.length ? runs : ['local', '1', '2']) {
    console.log(JSON.stringify(r === 'local' ? await benchLocal({ pipeline: file }) : await benchBullmq({ pipeline: file, workers: Number(r) })));
  }
}
