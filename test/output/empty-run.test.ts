import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { verifyOutput } from '../../src/output/verify.js';
import { pipelineFrom, runPipeline, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('a run that keeps no record', () => {
  it('still writes the train split\'s rank files, empty and listed in the manifest, and says nothing was accepted', async () => {
    const dir = tmpDir('cmt-empty-');
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, 'this is not json\n{"broken": \n');
    const res = await runPipeline(pipelineFrom({ name: 'empty', sources: [{ format: 'cmtmedqa', path: file }], shard: { ranks: 3 } }));
    expect(res.report.dialogues).toMatchObject({ in: 2, accepted: 0, rejected: 2, closes: true });
    // Before: no shard file at all, so a trainer's ranks and an outside checker found nothing to open.
    expect(res.manifest.shards.map((s) => [s.split, s.path, s.records])).toEqual([0, 1, 2].map((i) => ['train', `shards/train/part-0000${i}.jsonl.gz`, 0]));
    for (const s of res.manifest.shards) expect(gunzipSync(readFileSync(path.join(res.outDir, s.path))).length).toBe(0);
    expect(existsSync(path.join(res.outDir, 'shards', 'validation'))).toBe(false);
    const v = await verifyOutput(res.outDir);
    expect(v.problems).toEqual([]);

    const yaml = path.join(dir, 'p.yaml');
    writeFileSync(yaml, `name: empty\nsources:\n  - { format: cmtmedqa, path: ${file} }\n`);
    const r = spawnSync(process.execPath, [cli, 'run', yaml, '--out', path.join(dir, 'out')], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('warning:   no record was accepted');
  });
});
