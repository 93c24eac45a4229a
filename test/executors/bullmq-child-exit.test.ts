import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { demoSnapshot } from '../support/kg.js';
import { ensureRedis } from '../support/services.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';
import { dropPrefix, expectSameOutput, testPrefix } from './helpers.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('run --worker-mode child: worker processes end quietly when the run is done', () => {
  let url: string;
  const prefix = testPrefix('child-exit');
  beforeAll(async () => {
    url = ensureRedis();
    await demoSnapshot();
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('no child reports a "second signal" (exit 130) after a successful run, and the output is the local one', async () => {
    const local = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const out = path.join(tmpDir('cmt-child-exit-'), 'out');
    // The children inherit stderr: before, a child closing because its run was done counted the
    // coordinator's SIGTERM as a second signal and logged "second signal: exiting now".
    const r = spawnSync(process.execPath, [cli, 'run', 'pipelines/demo.yaml', '--executor', 'bullmq', '--workers', '3', '--worker-mode', 'child', '--redis', url, '--prefix', prefix, '--out', out], {
      encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'info' }, timeout: 120_000,
    });
    expect([r.status, r.stderr]).toEqual([0, expect.not.stringContaining('second signal')]);
    expect(r.stderr).not.toContain('"level":40');
    expectSameOutput(local.outDir, out);
  });
});
