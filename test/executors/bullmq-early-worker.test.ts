import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/core/logger.js';
import { WorkerService } from '../../src/executors/bullmq/worker.js';
import type { RunResult } from '../../src/executors/local.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';
import { dropPrefix, expectSameOutput, runBull, testPrefix } from './helpers.js';

const DEMO = 'pipelines/demo.yaml';

describe('BullMQ: a worker started for a run before its coordinator', () => {
  let url: string;
  const prefix = testPrefix('early');
  let local: RunResult;

  beforeAll(async () => {
    url = ensureRedis();
    local = await runPipeline(pipelineFile(DEMO, { executor: { batchSize: 4 } }));
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('waits for the run to be registered, serves it, and is done only when it is finalised', async () => {
    const runId = 'early-worker-run';
    const worker = new WorkerService({ redisUrl: url, prefix, runId, logger: silentLogger, scanIntervalMs: 100 });
    let done = false;
    void worker.runDone.then(() => {
      done = true;
    });
    await worker.start();
    try {
      // Before the fix the worker counted an unregistered run as finished within a scan or two.
      await new Promise((r) => setTimeout(r, 2500));
      expect(done).toBe(false);
      const outDir = tmpDir('cmt-early-');
      const p = pipelineFile(DEMO, { executor: { batchSize: 4 } });
      // No local workers: only the early worker can process the batches.
      await runBull(p, outDir, { redisUrl: url, prefix, runId, localWorkers: 0 });
      expectSameOutput(local.outDir, outDir);
      await worker.runDone;
      expect(done).toBe(true);
    } finally {
      await worker.close(false);
    }
  });

  it('gives up on a run that is never registered after its wait', async () => {
    const worker = new WorkerService({ redisUrl: url, prefix, runId: 'never-registered', logger: silentLogger, scanIntervalMs: 50, waitForRunMs: 300 });
    await worker.start();
    try {
      const t = Date.now();
      await worker.runDone;
      expect(Date.now() - t).toBeGreaterThanOrEqual(200);
    } finally {
      await worker.close(false);
    }
  });
});
