import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureRedis } from '../support/services.js';
import { tmpDir } from '../support/run.js';
import { testPrefix } from '../executors/helpers.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');
const HETMC = path.resolve('fixtures/dialogues/hetmc/sample.dialog');

describe('removing a schedule', () => {
  it('works after its YAML was broken or deleted: --remove takes the file (read for its name) or the pipeline name', () => {
    const redis = ensureRedis();
    const prefix = testPrefix('schedule-remove');
    const cmt = (...args: string[]) => spawnSync(process.execPath, [cli, 'schedule', ...args, '--redis', redis, '--prefix', prefix], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
    const file = path.join(tmpDir(), 'nightly.yaml');
    const yaml = (cron: string) => writeFileSync(file, `name: nightly\nsources:\n  - { format: hetmc, path: ${JSON.stringify(HETMC)} }\nschedule: { cron: "${cron}", tz: UTC }\n`);

    yaml('0 3 * * *');
    expect(cmt(file).status).toBe(0);
    yaml('61 3 * * *'); // a typo made after scheduling
    const broken = cmt(file, '--remove');
    expect([broken.status, broken.stdout]).toEqual([0, 'removed: nightly\n']);

    yaml('0 3 * * *');
    expect(cmt(file).status).toBe(0);
    rmSync(file); // the YAML is gone, the scheduler still fires
    const byName = cmt('nightly', '--remove');
    expect([byName.status, byName.stdout]).toEqual([0, 'removed: nightly\n']);
    expect(cmt('--list').stdout).toBe('no schedules\n');

    const gone = cmt(file, '--remove');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('cmtmedqa schedule --list');
  });
});
