import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Manifest } from '../../schemas/manifest.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

function cmtmedqa(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1 with the code and the file named, and no stack trace or unhandled 'error' event. */
function expectDamaged(r: ReturnType<typeof cmtmedqa>, ...named: string[]): void {
  expect([r.status, r.stderr]).toEqual([1, expect.stringContaining('error CMT_OUTPUT_INVALID')]);
  for (const n of named) expect(r.stderr).toContain(n);
  expect(r.stderr).not.toMatch(/\n\s+at |Unhandled 'error' event/);
}

describe('commands that read an output back tell a damaged output apart from a crash', () => {
  let good: string;
  let manifest: Manifest;
  let snapshot: string;
  beforeAll(async () => {
    snapshot = await demoSnapshot();
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    good = run.outDir;
    manifest = run.manifest;
  });

  /** A copy of the good output with `damage` applied to it. */
  function damaged(damage: (dir: string) => void): string {
    const dir = path.join(tmpDir(), 'demo');
    cpSync(good, dir, { recursive: true });
    damage(dir);
    return dir;
  }
  const trainShard = () => manifest.shards.find((s) => s.split === 'train')!;

  it('revalidate of an output with a missing shard fails with CMT_OUTPUT_INVALID naming it and leaves no partial output', () => {
    const shard = trainShard();
    const src = damaged((dir) => rmSync(path.join(dir, shard.path)));
    const out = path.join(tmpDir(), 'rv');
    expectDamaged(cmtmedqa(['revalidate', src, '--snapshot', snapshot, '--out', out]), shard.path, 'verify');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });

  it('revalidate of a truncated shard fails with CMT_OUTPUT_INVALID naming it', () => {
    const shard = trainShard();
    const src = damaged((dir) => {
      const f = path.join(dir, shard.path);
      writeFileSync(f, readFileSync(f).subarray(0, 200));
    });
    expectDamaged(cmtmedqa(['revalidate', src, '--snapshot', snapshot, '--out', path.join(tmpDir(), 'rv')]), shard.path);
  });

  it('revalidate refuses a shard edited after its run (it no longer matches the manifest) instead of passing the edit on as verified output', () => {
    const shard = trainShard();
    const src = damaged((dir) => {
      const f = path.join(dir, shard.path);
      const lines = gunzipSync(readFileSync(f)).toString('utf8').split('\n');
      lines[0] = lines[0].replace('"output":"', '"output":"EDITED ');
      writeFileSync(f, gzipSync(lines.join('\n')));
    });
    const out = path.join(tmpDir(), 'rv');
    expectDamaged(cmtmedqa(['revalidate', src, '--snapshot', snapshot, '--out', out]), shard.path, 'sha256', 'verify');
    expect(existsSync(out)).toBe(false);
  });

  it('explain with a missing or truncated annotation sidecar fails with CMT_OUTPUT_INVALID naming it', () => {
    const side = trainShard().annotations!.path;
    const gone = damaged((dir) => rmSync(path.join(dir, side)));
    expectDamaged(cmtmedqa(['explain', gone, '103']), side);
    const cut = damaged((dir) => {
      const f = path.join(dir, side);
      writeFileSync(f, readFileSync(f).subarray(0, 200));
    });
    expectDamaged(cmtmedqa(['explain', cut, '103']), side);
  });

  it('revalidate and explain of an output whose manifest.json or pipeline.json is not JSON or not their schema, or that lost its rejects file, fail with CMT_OUTPUT_INVALID naming the file', () => {
    // Before: a SyntaxError or ZodError stack trace (exit 1, no code), and a bare ENOENT for the rejects file.
    const cases: Array<[string, (dir: string) => void]> = [
      ['manifest.json', (dir) => writeFileSync(path.join(dir, 'manifest.json'), '{"shards": [')],
      ['manifest.json', (dir) => writeFileSync(path.join(dir, 'manifest.json'), '{"shards": 3}')],
      ['pipeline.json', (dir) => writeFileSync(path.join(dir, 'pipeline.json'), '{bad')],
      ['pipeline.json', (dir) => writeFileSync(path.join(dir, 'pipeline.json'), '{"name": "demo"}')],
    ];
    for (const [file, damage] of cases) {
      const src = damaged(damage);
      const out = path.join(tmpDir(), 'rv');
      expectDamaged(cmtmedqa(['revalidate', src, '--snapshot', snapshot, '--out', out]), file, 'verify');
      expect(existsSync(out)).toBe(false);
      expectDamaged(cmtmedqa(['explain', src, '103']), file);
    }
    const noRejects = damaged((dir) => rmSync(path.join(dir, 'rejects', 'rejects.jsonl')));
    const out = path.join(tmpDir(), 'rv');
    expectDamaged(cmtmedqa(['revalidate', noRejects, '--snapshot', snapshot, '--out', out]), 'rejects/rejects.jsonl', 'missing');
    expect(existsSync(out)).toBe(false);
  });
});
