import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { stringify as toYaml } from 'yaml';
import { Manifest } from '../../schemas/manifest.js';
import { silentLogger } from '../../src/core/logger.js';
import { bullConnection } from '../../src/executors/bullmq/connection.js';
import { startDashboard } from '../../src/executors/bullmq/dashboard.js';
import { SCHEDULE_QUEUE } from '../../src/executors/bullmq/keys.js';
import { listSchedules, removeSchedules, startSchedulerWorker, stampOf, upsertSchedules } from '../../src/executors/bullmq/scheduler.js';
import { WorkerService } from '../../src/executors/bullmq/worker.js';
import { loadPipeline } from '../../src/pipeline/config.js';
import { ensureRedis } from '../support/services.js';
import { tmpDir } from '../support/run.js';
import { dropPrefix, testPrefix, waitFor } from './helpers.js';

describe('BullMQ scheduled ingestion and dashboard', () => {
  let url: string;
  const prefix = testPrefix('schedule');

  beforeAll(() => {
    url = ensureRedis();
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('names dated output directories after the scheduled time', () => {
    expect(stampOf(Date.UTC(2026, 10, 26, 6, 18, 0, 123))).toBe('2026-11-26T06-18-00Z');
  });

  it('upserts one scheduler per pipeline, fires it every second into a dated run directory with a manifest, skips firings on unchanged input, and removes it', async () => {
    const dir = tmpDir('cmt-schedule-');
    const out = path.join(dir, 'out');
    const file = path.join(dir, 'every-second.yaml');
    writeFileSync(
      file,
      toYaml({
        name: 'every-second',
        sources: [{ format: 'hetmc', path: path.resolve('fixtures/dialogues/hetmc/sample.dialog') }],
        schedule: { cron: '* * * * * *', tz: 'UTC' },
        out,
      }),
    );
    const p = loadPipeline(file);
    const conn = { redisUrl: url, prefix };
    await upsertSchedules([p], conn);
    await upsertSchedules([p], conn); // idempotent: still one scheduler
    const listed = await listSchedules(conn);
    expect(listed.map((s) => s.id)).toEqual(['pipeline.every-second']);
    expect(listed[0]).toMatchObject({ pattern: '* * * * * *', tz: 'UTC' });

    const stages = new WorkerService({ redisUrl: url, prefix, logger: silentLogger });
    await stages.start();
    const scheduler = await startSchedulerWorker({ redisUrl: url, prefix, logger: silentLogger });
    try {
      const runs = path.join(out, 'runs');
      const dated = await waitFor('a dated output directory with a manifest', () => {
        if (!existsSync(runs)) return undefined;
        return readdirSync(runs).find((d) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/.test(d) && existsSync(path.join(runs, d, 'manifest.json')));
      }, 30_000, 100);
      const m = Manifest.parse(JSON.parse(readFileSync(path.join(runs, dated, 'manifest.json'), 'utf8')));
      expect(m.pipeline).toBe('every-second');
      expect(m.counts.records).toBeGreaterThan(0);
      // the directory is the scheduled second, not "now"
      const at = Date.parse(dated.replace(/T(\d\d)-(\d\d)-(\d\d)Z$/, 'T$1:$2:$3Z'));
      expect(Math.abs(Date.now() - at)).toBeLessThan(60_000);
      // later firings see the same input: skipped, and --list says so; still one run on disk
      const last = await waitFor('a skipped firing', async () => {
        const s = (await listSchedules(conn))[0];
        return s?.last?.outcome === 'skipped' ? s.last : undefined;
      }, 30_000, 200);
      expect(last.detail).toContain(`inputs unchanged since run ${dated}`);
      expect(readdirSync(runs).filter((d) => /^\d{4}-/.test(d))).toEqual([dated]);
    } finally {
      expect(await removeSchedules(['every-second'], conn)).toEqual(['pipeline.every-second']);
      await scheduler.close();
      await stages.close();
    }
    expect(await listSchedules(conn)).toEqual([]);
    const q = new Queue(SCHEDULE_QUEUE, { connection: bullConnection(url), prefix });
    await q.obliterate({ force: true });
    await q.close();
  });

  it('serves Bull Board on 127.0.0.1', async () => {
    const d = await startDashboard({ redisUrl: url, prefix, port: 0, logger: silentLogger });
    try {
      expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(d.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<html');
    } finally {
      await d.close();
    }
  });
});
