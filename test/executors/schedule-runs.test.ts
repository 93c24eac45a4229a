import { describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, readdirSync, readlinkSync, appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { runLocal } from '../../src/executors/local.js';
import { fireScheduled, upsertSchedules } from '../../src/executors/bullmq/scheduler.js';
import { openRunResources } from '../../src/pipeline/resources.js';
import { pipelineFrom, tmpDir } from '../support/run.js';

describe('scheduled runs on disk', () => {
  it('writes runs/<stamp>/ with a latest link, skips a firing on unchanged input, and keeps schedule.keep runs', async () => {
    const dir = tmpDir('cmt-sched-runs-');
    const input = path.join(dir, 'in.dialog');
    copyFileSync('fixtures/dialogues/hetmc/sample.dialog', input);
    const out = path.join(dir, 'out');
    const p = pipelineFrom({ name: 'nightly', sources: [{ format: 'hetmc', path: input }], schedule: { cron: '0 3 * * *', keep: 2 }, out });
    let runs = 0;
    const run = async (outDir: string) => {
      runs++;
      const res = await openRunResources(p, silentLogger);
      try {
        return await runLocal({ pipeline: p, outDir, logger: silentLogger, ...res });
      } finally {
        await res.close();
      }
    };
    const t0 = Date.UTC(2026, 11, 1, 3, 0, 0);
    const first = await fireScheduled(p, t0, run, silentLogger);
    expect(first.outcome).toBe('ran');
    expect(first.outDir).toBe(path.join(out, 'runs', '2026-12-01T03-00-00Z'));
    const second = await fireScheduled(p, t0 + 86_400_000, run, silentLogger);
    expect(second.outcome).toBe('skipped');
    expect(second.message).toContain('inputs unchanged since run 2026-12-01T03-00-00Z');
    expect(runs).toBe(1);
    expect(readdirSync(path.join(out, 'runs')).filter((d) => !d.startsWith('latest'))).toEqual(['2026-12-01T03-00-00Z']);
    expect(readlinkSync(path.join(out, 'runs', 'latest'))).toBe('2026-12-01T03-00-00Z');
    // New input each day: a run each time, the oldest pruned beyond keep = 2.
    const sample = readFileSync('fixtures/dialogues/hetmc/sample.dialog', 'utf8');
    for (let day = 2; day <= 4; day++) {
      appendFileSync(input, `\n${sample.split('\n\n')[0].replace(/^(id[^\n]*)/m, `$1${day}`)}\n`);
      const r = await fireScheduled(p, t0 + day * 86_400_000, run, silentLogger);
      expect(r.outcome).toBe('ran');
    }
    expect(runs).toBe(4);
    const kept = readdirSync(path.join(out, 'runs')).filter((d) => /^\d{4}-/.test(d)).sort();
    expect(kept).toEqual(['2026-12-04T03-00-00Z', '2026-12-05T03-00-00Z']);
    expect(readlinkSync(path.join(out, 'runs', 'latest'))).toBe('2026-12-05T03-00-00Z');
    expect(existsSync(path.join(out, 'runs', 'latest', 'manifest.json'))).toBe(true);
  });

  it('refuses to schedule a pipeline whose source matches no file, naming the source', async () => {
    const p = pipelineFrom({ name: 'nowhere', sources: [{ format: 'hetmc', path: '/nonexistent/*.dialog' }], schedule: { cron: '0 3 * * *' } });
    await expect(upsertSchedules([p], { redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(/sources\[0\]\.path .* matches no file/);
  });
});
