/** Shared pieces of the BullMQ executor tests: isolated key prefixes, output comparison, waiting, a private Redis. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { defaultRunStoreRoot } from '../../src/executors/bullmq/store.js';
import { expect } from '@jest/globals';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { runBullmq, type BullmqOptions } from '../../src/executors/bullmq/run.js';
import type { RunResult } from '../../src/executors/local.js';
import type { LoadedPipeline } from '../../src/pipeline/config.js';
import { openRunResources } from '../../src/pipeline/resources.js';
import { unitItems, workUnits } from '../../src/pipeline/read-sources.js';
import { snapshotFiles } from '../support/run.js';

/** A BullMQ run with the pipeline's own resources (graph, filters, tokenizer), as `cmtmedqa run` does. */
export async function runBull(pipeline: LoadedPipeline, outDir: string, o: BullmqOptions & { logger?: Logger }): Promise<RunResult> {
  const res = await openRunResources(pipeline, silentLogger);
  try {
    return await runBullmq({ pipeline, outDir, logger: silentLogger, ...res, ...o });
  } finally {
    await res.close();
  }
}

/** Batches a BullMQ run of `pipeline` cuts: per work unit (input file), ceil(inputs / batchSize) each. */
export async function expectedBatches(pipeline: LoadedPipeline): Promise<number> {
  let n = 0;
  for (const u of await workUnits(pipeline.config, pipeline.baseDir)) {
    let inputs = 0;
    for await (const _ of unitItems(pipeline.config, pipeline.baseDir, silentLogger, u)) inputs++;
    n += Math.ceil(inputs / pipeline.config.executor.batchSize);
  }
  return n;
}

/** A key prefix no other test run shares (queues and keys of a test never meet real runs). */
export function testPrefix(tag: string): string {
  return `cmt-test-${tag}-${process.pid}-${Date.now().toString(36)}`;
}

/** Output files that must be byte-identical between executors: everything but the report. */
export function comparable(dir: string): Map<string, Buffer> {
  return snapshotFiles(dir, (rel) => !rel.startsWith('report.'));
}

export function expectSameOutput(expectedDir: string, actualDir: string): void {
  const a = comparable(expectedDir);
  const b = comparable(actualDir);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  const differing = [...a].filter(([k, v]) => !b.get(k)?.equals(v)).map(([k]) => k);
  expect(differing).toEqual([]);
  expect(a.has('manifest.json')).toBe(true);
  expect(a.has(path.join('rejects', 'rejects.jsonl'))).toBe(true);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Deletes every key under a test prefix, and the prefix's run-store directory. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  rmSync(path.join(defaultRunStoreRoot(), prefix), { recursive: true, force: true });
  const c = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await c.del(...keys);
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
}

/**
 * A Redis of its own (scripts/redis.sh with REDIS_INSTANCE), for tests that stop and restart it:
 * the shared one may be serving other suites.
 */
export function redisInstance(name: string): { start(): string; stop(): void } {
  const script = path.join(process.cwd(), 'scripts', 'redis.sh');
  const run = (cmd: string) =>
    execFileSync('bash', [script, cmd], { env: { ...process.env, REDIS_INSTANCE: name, REDIS_PORT: '' }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    start() {
      const line = run('start').trim().split('\n').reverse().find((l) => l.startsWith('REDIS_URL='));
      if (!line) throw new Error(`scripts/redis.sh start (REDIS_INSTANCE=${name}) printed no REDIS_URL`);
      return line.slice('REDIS_URL='.length);
    },
    stop() {
      run('stop');
    },
  };
}

/** A pino logger at debug level whose lines (parsed) land in `lines`, for tests that assert what a run logs. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}
