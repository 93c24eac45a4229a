import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RunKeys } from '../../src/executors/bullmq/keys.js';
import { defaultRunStoreRoot } from '../../src/executors/bullmq/store.js';
import path from 'node:path';
import { Manifest } from '../../schemas/manifest.js';
import { cliPath } from '../../src/executors/bullmq/child.js';
import { runStatus } from '../../src/executors/bullmq/status.js';
import type { RunResult } from '../../src/executors/local.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';
import { dropPrefix, expectedBatches, expectSameOutput, runBull, testPrefix } from './helpers.js';

const DEMO = 'pipelines/demo.yaml';

describe('BullMQ executor: same output as the local executor', () => {
  let url: string;
  const prefix = testPrefix('identity');
  let local: RunResult;

  beforeAll(async () => {
    url = ensureRedis();
    // Small batches, so that the demo is many jobs and two workers really share them.
    local = await runPipeline(pipelineFile(DEMO, { executor: { batchSize: 3 } }));
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('writes byte-identical shards, rejects and manifest with two worker processes', async () => {
    const p = pipelineFile(DEMO, { executor: { batchSize: 3 } });
    const outDir = tmpDir('cmt-bullmq-');
    const res = await runBull(p, outDir, { redisUrl: url, prefix, runId: 'identity-two-workers', localWorkers: 2, workerMode: 'child' });
    expectSameOutput(local.outDir, outDir);
    expect(res.manifest).toEqual(local.manifest);
    expect(Manifest.parse(JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')))).toEqual(local.manifest);
    expect(res.report.executor).toBe('bullmq');
    const { throughput: _a, executor: _b, ...rest } = res.report;
    const { throughput: _c, executor: _d, ...restLocal } = local.report;
    expect(rest).toEqual(restLocal);
  });

  it('derives the same run id from the same config and input, and a replay writes the same output again', async () => {
    const p = pipelineFile(DEMO, { executor: { batchSize: 3 } });
    const a = tmpDir('cmt-bullmq-');
    const b = tmpDir('cmt-bullmq-');
    const opts = { redisUrl: url, prefix, keepRun: true };
    await runBull(p, a, opts);
    await runBull(p, b, opts);
    expectSameOutput(local.outDir, a);
    expectSameOutput(local.outDir, b);
    const out = execFileSync(process.execPath, [cliPath(), 'status', '--redis', url, '--prefix', prefix], { encoding: 'utf8' });
    const runs = out.trim().split('\n').filter((l) => l.startsWith('demo-'));
    expect(runs).toHaveLength(1);
    const runId = runs[0].split(/\s+/)[0];
    const s = await runStatus(url, runId, prefix);
    expect(s.finaliseDone).toBe(true);
    // Batches are cut per work unit (one per input file), each unit's last one possibly short.
    const expected = await expectedBatches(p);
    expect(expected).toBeGreaterThanOrEqual(Math.ceil(local.report.dialogues.in / 3));
    expect(s.batches).toEqual({ done: expected, total: expected });
    // keepRun: the finished run's jobs stay, one completed job per batch and stage (no duplicates)
    expect(s.stages.normalise.completed).toBe(s.batches.total);
    expect(s.stages.split.completed).toBe(s.batches.total);
    expect(s.finalise.completed).toBe(1);
    // Redis keeps a size marker per batch; the batch results are files in the run store.
    const keys = new RunKeys(prefix, runId);
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    const markers = await redis.hgetall(keys.results).finally(() => redis.disconnect());
    expect(Object.keys(markers)).toHaveLength(expected);
    const runDir = path.join(defaultRunStoreRoot(), prefix, runId);
    for (const [seq, size] of Object.entries(markers)) {
      expect(size).toMatch(/^\d+$/);
      expect(statSync(path.join(runDir, 'results', `${seq}.json`)).size).toBe(Number(size));
    }
    const text = execFileSync(process.execPath, [cliPath(), 'status', runId, '--redis', url, '--prefix', prefix], { encoding: 'utf8' });
    expect(text).toContain('finalise: done');
    const removed = execFileSync(process.execPath, [cliPath(), 'status', runId, '--remove', '--redis', url, '--prefix', prefix], { encoding: 'utf8' });
    expect(removed).toContain(`removed run ${runId}`);
    await expect(runStatus(url, runId, prefix)).rejects.toThrow(/no run/);
    expect(existsSync(runDir)).toBe(false);
  });
});
