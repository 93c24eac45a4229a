import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../schemas/manifest.js';
import { Reject } from '../../schemas/reject.js';
import { Queue } from 'bullmq';
import { spawnWorker, type ChildWorker } from '../../src/executors/bullmq/child.js';
import { bullConnection } from '../../src/executors/bullmq/connection.js';
import type { BullmqOptions } from '../../src/executors/bullmq/run.js';
import { runStatus } from '../../src/executors/bullmq/status.js';
import type { RunResult } from '../../src/executors/local.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, readJsonlGz, readRejectLines, runPipeline, tmpDir } from '../support/run.js';
import type { Logger } from '../../src/core/logger.js';
import { HOOKED_WORKER } from './hooked-worker.js';
import { testHooks } from './hooks.js';
import { captureLogger, dropPrefix, expectedBatches, expectSameOutput, redisInstance, runBull, testPrefix, waitFor } from './helpers.js';

const DEMO = 'pipelines/demo.yaml';
/** Short locks so that a killed worker's job is taken over within about a second. */
const FAST = { lockDuration: 1000, stalledInterval: 500 };

function bull(url: string, prefix: string, patch: Record<string, unknown>, runId: string, outDir: string, extra: BullmqOptions & { logger?: Logger } = {}): Promise<RunResult> {
  return runBull(pipelineFile(DEMO, patch), outDir, { redisUrl: url, prefix, runId, localWorkers: 0, workerTuning: FAST, ...extra });
}

describe('BullMQ executor: crash safety', () => {
  let url: string;
  const prefix = testPrefix('crash');
  const children: ChildWorker[] = [];
  const worker = (o: Partial<Parameters<typeof spawnWorker>[0]> = {}, redisUrl = url) => {
    const w = spawnWorker({ redisUrl, prefix, concurrency: 1, entry: HOOKED_WORKER, ...FAST, ...o });
    children.push(w);
    return w;
  };
  const batch2 = { executor: { batchSize: 2 } };
  let local2: RunResult;

  beforeAll(async () => {
    url = ensureRedis();
    local2 = await runPipeline(pipelineFile(DEMO, batch2));
  });
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await dropPrefix(url, prefix);
  });

  it('finishes with identical output when a worker is killed with SIGKILL mid-run and another takes over', async () => {
    const outDir = tmpDir('cmt-sigkill-');
    const runId = 'sigkill-worker';
    const run = bull(url, prefix, batch2, runId, outDir, { keepRun: true });
    const a = worker({ env: { CMT_HOOKS: JSON.stringify({ delayMs: 100 }) } });
    await a.ready;
    // Some batches are through and one is held by the worker when it dies.
    const seen = await waitFor('completed jobs and one in flight', async () => {
      const s = await runStatus(url, runId, prefix).catch(() => undefined);
      return s && s.stages.normalise.completed >= 4 && s.stages.normalise.active + s.stages.split.active >= 1 ? s : undefined;
    }, 30_000, 20);
    a.proc.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    expect(seen.batches.done).toBeLessThan(local2.report.dialogues.in / 2);
    const b = worker();
    const res = await run;
    expectSameOutput(local2.outDir, outDir);
    expect(res.report.dialogues).toEqual(local2.report.dialogues);
    expect(res.report.records).toEqual(local2.report.records);
    await b.stop();
    // The job(s) the dead worker held were found stalled and run again, each exactly once more.
    let stalled = 0;
    for (const stage of ['normalise', 'split']) {
      const q = new Queue(`${runId}.${stage}`, { connection: bullConnection(url), prefix });
      const jobs = await q.getCompleted(0, -1);
      expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
      // batches are cut per work unit (input file)
      expect(jobs).toHaveLength(await expectedBatches(pipelineFile(DEMO, batch2)));
      stalled += jobs.filter((j) => j.stalledCounter > 0).length;
      await q.close();
    }
    expect(stalled).toBeGreaterThanOrEqual(1);
  });

  it('lets the jobs in flight finish when a worker gets SIGTERM, and exits 0', async () => {
    const outDir = tmpDir('cmt-sigterm-');
    const runId = 'sigterm-worker';
    const run = bull(url, prefix, batch2, runId, outDir);
    const a = worker({ env: { CMT_HOOKS: JSON.stringify({ delayMs: 300 }) } });
    await a.ready;
    const before = await waitFor('a job in flight', async () => {
      const s = await runStatus(url, runId, prefix).catch(() => undefined);
      return s && s.stages.normalise.active === 1 && s.stages.normalise.completed >= 1 ? s : undefined;
    }, 30_000, 20);
    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    // Nothing left locked by the stopped worker: its job completed instead of waiting for the stall check.
    const after = await runStatus(url, runId, prefix);
    expect(after.stages.normalise.active + after.stages.split.active).toBe(0);
    expect(after.stages.normalise.completed).toBeGreaterThan(before.stages.normalise.completed);
    const b = worker();
    await run;
    expectSameOutput(local2.outDir, outDir);
    await b.stop();
  });

  it('finishes with identical output when the coordinator is killed mid-run and the run is started again', async () => {
    const outDir = tmpDir('cmt-coordkill-');
    const runId = 'sigkill-coordinator';
    const args = JSON.stringify({ pipeline: DEMO, patch: batch2, outDir, redisUrl: url, prefix, runId, lockTtlMs: 1000 });
    const script = fileURLToPath(new URL('./coordinator-child.js', import.meta.url));
    const w = worker({ env: { CMT_HOOKS: JSON.stringify({ delayMs: 40 }) } });
    await w.ready;
    const first = spawn(process.execPath, [script, args], { stdio: ['ignore', 'pipe', 'inherit'] });
    await waitFor('a few stored results', async () => {
      const s = await runStatus(url, runId, prefix).catch(() => undefined);
      return s && s.batches.done >= 3;
    }, 30_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await new Promise((r) => setTimeout(r, 1200)); // the dead coordinator's lock expires
    const second = spawn(process.execPath, [script, args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    readline.createInterface({ input: second.stdout! }).on('line', (l) => lines.push(l));
    const code = await new Promise((r) => second.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ records: local2.manifest.counts.records });
    expectSameOutput(local2.outDir, outDir);
    await w.stop();
  });

  it('finishes with identical output when Redis is shut down (SHUTDOWN SAVE) and restarted between stages', async () => {
    const inst = redisInstance('cmt-test-restart');
    const url2 = inst.start();
    try {
      const outDir = tmpDir('cmt-restart-');
      const runId = 'redis-restart';
      const { logger, lines } = captureLogger();
      const run = bull(url2, prefix, batch2, runId, outDir, { logger, outageLogMs: 200 });
      run.catch(() => {});
      const norm = worker({ stages: ['normalise'] }, url2);
      await norm.ready;
      // Every batch through normalise, none through split: the run is between the two stages.
      const s = await waitFor('normalise done for every batch', async () => {
        const st = await runStatus(url2, runId, prefix).catch(() => undefined);
        return st && st.batches.total !== null && st.stages.normalise.completed === st.batches.total && st.stages.normalise.waiting + st.stages.normalise.active === 0 ? st : undefined;
      }, 30_000, 50);
      expect(s.stages.split.waiting).toBe(s.batches.total);
      expect(s.batches.done).toBe(0);
      await norm.stop();
      inst.stop();
      // Down: the coordinator says so at once and again while it lasts (a silent wait looks hung).
      const down = await waitFor('the outage logged twice', () => {
        const w = lines.filter((l) => l.code === 'CMT_REDIS_UNREACHABLE');
        return w.length >= 2 ? w : undefined;
      }, 10_000, 20);
      expect(down[0].level).toBe(40);
      expect(String(down[0].msg)).toContain(`Redis at ${url2} unreachable`);
      expect(String(down[0].msg)).toContain('bash scripts/redis.sh start');
      expect(lines.some((l) => /answers again after/.test(String(l.msg)))).toBe(false);
      expect(inst.start()).toBe(url2); // same port and directory: the queued split jobs are still there
      const back = await waitFor('the return logged', () => lines.find((l) => /answers again after/.test(String(l.msg))), 10_000, 20);
      expect(back.level).toBe(30);
      expect(typeof back.downSeconds).toBe('number');
      const after = await runStatus(url2, runId, prefix);
      expect(after.stages.split.waiting).toBe(s.batches.total);
      const rest = worker({}, url2);
      await run;
      expectSameOutput(local2.outDir, outDir);
      await rest.stop();
    } finally {
      await dropPrefix(url2, prefix).catch(() => {});
      inst.stop();
    }
  });

  it('parks a dialogue that fails every attempt as executor.poison_batch and writes everything else as the local executor does', async () => {
    const patch = { executor: { batchSize: 4, attempts: 2 } };
    const local = await runPipeline(pipelineFile(DEMO, patch));
    // Poison a dialogue that the local run accepted (its id is in the raw dialogue the normalise job carries).
    const firstShard = local.manifest.shards[0];
    const ann = readJsonlGz(path.join(local.outDir, firstShard.annotations!.path)) as Array<{ id: string; dialogueId: string }>;
    const victim = ann[0].dialogueId;
    const victimRecords = new Set<string>();
    for (const s of local.manifest.shards) for (const a of readJsonlGz(path.join(local.outDir, s.annotations!.path)) as Array<{ id: string; dialogueId: string }>) if (a.dialogueId === victim) victimRecords.add(a.id);
    expect(victimRecords.size).toBeGreaterThan(0);

    const outDir = tmpDir('cmt-poison-');
    const res = await bull(url, prefix, patch, 'poison', outDir, { localWorkers: 1, backoffMs: 10, workerHooks: testHooks({ poison: victim }) });

    const rejects = readRejectLines(outDir);
    const poison = rejects.filter((r) => r.reason === 'executor.poison_batch');
    expect(poison).toHaveLength(1);
    const p = Reject.parse(poison[0]);
    expect(p.stage).toBe('executor');
    expect(p.dialogueId).toBe(victim);
    expect(p.detail).toContain('test poison');
    const input = p.input as { id: string; turns: Array<{ speaker: string; text: string }> };
    expect(input.id).toBe(victim);
    expect(typeof input.turns[0].speaker).toBe('string'); // the raw dialogue, as the importer read it
    // Every other reject, in the same order as the local run.
    const rawLines = (dir: string) => readFileSync(path.join(dir, 'rejects', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(rawLines(outDir).filter((l) => !l.includes('"executor.poison_batch"'))).toEqual(rawLines(local.outDir));
    // Every other record, in each split.
    const records = (dir: string, m: Manifest) => {
      const by: Record<string, string[]> = {};
      for (const s of m.shards) for (const r of readJsonlGz(path.join(dir, s.path)) as Array<{ id: string }>) (by[s.split] ??= []).push(JSON.stringify(r));
      for (const k of Object.keys(by)) by[k].sort();
      return by;
    };
    const expected = records(local.outDir, local.manifest);
    for (const k of Object.keys(expected)) expected[k] = expected[k].filter((l) => !victimRecords.has((JSON.parse(l) as { id: string }).id));
    expect(records(outDir, res!.manifest)).toEqual(expected);
    expect(res!.manifest.counts.records).toBe(local.manifest.counts.records - victimRecords.size);
    expect(res!.report.dialogues.in).toBe(local.report.dialogues.in);
    expect(res!.report.dialogues.closes).toBe(true);
    expect(res!.report.dialogues.rejectedByReason['executor.poison_batch']).toBe(1);
  });
});
