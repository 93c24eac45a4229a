import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RunKeys } from '../../src/executors/bullmq/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { WorkerService } from '../../src/executors/bullmq/worker.js';
import type { RunResult } from '../../src/executors/local.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';
import { dropPrefix, expectSameOutput, runBull, testPrefix } from './helpers.js';

const DEMO = 'pipelines/demo.yaml';

/** Resolves with how long `p` took, or with Infinity once `ms` pass without it settling. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<number> {
  const t = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((r) => (timer = setTimeout(() => r(Infinity), ms)));
  const took = await Promise.race([p.then(() => Date.now() - t), late]);
  clearTimeout(timer);
  return took;
}

describe('BullMQ: closing a worker whose import job waits for queue room', () => {
  let url: string;
  const prefix = testPrefix('closewait');
  let local: RunResult;

  beforeAll(async () => {
    url = ensureRedis();
    local = await runPipeline(pipelineFile(DEMO, { executor: { batchSize: 2 } }));
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('returns at once (SIGINT/SIGTERM), puts the unit back, and another worker finishes the run identically', async () => {
    const runId = 'close-waiting-import';
    const outDir = tmpDir('cmt-closewait-');
    const p = pipelineFile(DEMO, { executor: { batchSize: 2 } });
    // Serves the import and the first stage only: batches pile up before the second stage, so with
    // maxInFlight 1 the import job waits for room that no worker will make.
    const first = new WorkerService({ redisUrl: url, prefix, runId, logger: silentLogger, scanIntervalMs: 100, stages: ['normalise'] });
    await first.start();
    const run = runBull(p, outDir, { redisUrl: url, prefix, runId, localWorkers: 0, maxInFlight: 1 });
    let second: WorkerService | undefined;
    try {
      await new Promise((r) => setTimeout(r, 3000)); // the import is waiting by now
      // Before the fix close(false) waited for that import job forever.
      const took = await settlesWithin(first.close(false), 15_000);
      expect(took).toBeLessThan(15_000);
      second = new WorkerService({ redisUrl: url, prefix, runId, logger: silentLogger, scanIntervalMs: 100 });
      await second.start();
      const res = await run;
      expect(res.report.dialogues.in).toBe(local.report.dialogues.in);
      expectSameOutput(local.outDir, outDir);
    } finally {
      await first.close(true);
      await second?.close(false);
    }
  }, 120_000);
});

describe('BullMQ: a refused run leaves the run it collided with as it was', () => {
  let url: string;
  const prefix = testPrefix('refused');

  beforeAll(() => {
    url = ensureRedis();
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('another config under a finished run id is refused, and that run stays finalised', async () => {
    const runId = 'refused-run-id';
    const opts = { redisUrl: url, prefix, runId, keepRun: true };
    await runBull(pipelineFile(DEMO, { executor: { batchSize: 4 } }), tmpDir('cmt-refused-'), opts);
    const other = runBull(pipelineFile(DEMO, { executor: { batchSize: 4 }, shard: { ranks: 3 } }), tmpDir('cmt-refused-'), opts);
    await expect(other).rejects.toThrow(/belongs to another pipeline config/);
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      // Before the fix the refusal wrote state "failed" and its own error into the finished run's record.
      expect(await client.hget(new RunKeys(prefix, runId).record, 'state')).toBe('finalised');
      expect(await client.hget(new RunKeys(prefix, runId).record, 'error')).toBeNull();
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
