import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pipelineFrom, runPipeline, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

function cmtmedqa(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('commands given the out: folder of a scheduled pipeline instead of one of its runs', () => {
  let out: string;
  beforeAll(async () => {
    // what firings leave: <out>/runs/<stamp>/ and <out>/runs/latest → the newest
    out = path.join(tmpDir(), 'nightly');
    const stamp = '2026-12-03T03-00-00Z';
    mkdirSync(path.join(out, 'runs'), { recursive: true });
    await runPipeline(pipelineFrom({ name: 'nightly', sources: [{ format: 'hetmc', path: 'fixtures/dialogues/hetmc/sample.dialog' }], shard: { ranks: 1 } }), path.join(out, 'runs', stamp));
    symlinkSync(stamp, path.join(out, 'runs', 'latest'));
  });

  it('point at runs/latest: rejects, explain, verify and revalidate', () => {
    const latest = path.join(out, 'runs', 'latest');
    for (const args of [['rejects', 'stats', out], ['rejects', 'list', out], ['explain', out, '1'], ['revalidate', out, '--snapshot', 'nope.json.gz'], ['verify', out]]) {
      const r = cmtmedqa(args);
      expect([args.slice(0, 2).join(' '), r.status]).toEqual([args.slice(0, 2).join(' '), 1]);
      expect(`${r.stdout}${r.stderr}`).toContain(`holds the runs of a scheduled pipeline: pass one of them, ${latest} for the newest`);
    }
    // and the run itself is what they read
    expect(cmtmedqa(['verify', latest]).status).toBe(0);
    expect(cmtmedqa(['rejects', 'stats', latest]).status).toBe(0);
  });
});
