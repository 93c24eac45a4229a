import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { explain, renderStory } from '../../src/cli/explain.js';
import type { RunResult } from '../../src/executors/local.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, pipelineFrom, readRejectLines, runPipeline, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('cmtmedqa explain', () => {
  let demo: RunResult;
  beforeAll(async () => {
    await demoSnapshot();
    demo = await runPipeline(pipelineFile('pipelines/demo.yaml'));
  });

  it('tells a rejected dialogue its stage, reason and evidence, by source id, dialogue id or reject id', async () => {
    const rej = readRejectLines(demo.outDir).find((r) => r.reason === 'normalise.empty')!;
    const origin = rej.origin as { format: string; sourceId: string };
    for (const q of [origin.sourceId, `${origin.format}:${origin.sourceId}`, String(rej.dialogueId), String(rej.id).slice(0, 10)]) {
      const s = await explain(demo.outDir, q);
      expect(s.dialogues.length).toBe(1);
      const d = s.dialogues[0];
      expect(d.outcome).toBe('rejected');
      expect(d.dialogueId).toBe(rej.dialogueId);
      expect(d.stages.map((x) => [x.stage, x.status])).toEqual([['import', 'passed'], ['normalise', 'rejected'], ['split', 'not reached'], ['validate', 'not reached'], ['dedup', 'not reached'], ['shard', 'not reached']]);
      expect(d.rejects.map((r) => r.reject.id)).toEqual([rej.id]);
    }
    const imp = readRejectLines(demo.outDir).find((r) => r.reason === 'import.no_dialogue')!;
    const s = await explain(demo.outDir, String((imp.origin as { sourceId: string }).sourceId));
    expect(s.dialogues[0].stages[0]).toMatchObject({ stage: 'import', status: 'rejected' });
    expect(renderStory(s)).toContain('import.no_dialogue');
  });

  it('tells an accepted dialogue its records with split and shard, by record id, from the command line', async () => {
    const shard = demo.manifest.shards[0];
    const none = spawnSync(process.execPath, [cli, 'explain', demo.outDir, '--json', 'nothing-like-this'], { encoding: 'utf8' });
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout).dialogues).toEqual([]);
    for (const bad of ['abc', '10', '-5']) {
      const r = spawnSync(process.execPath, [cli, 'explain', demo.outDir, 'x', '--width', bad], { encoding: 'utf8' });
      expect([bad, r.status, r.stderr.trim()]).toEqual([bad, 2, `error CMT_USAGE: --width must be a whole number of columns, at least 40, not ${JSON.stringify(bad)}`]);
    }
    const text = execFileSync(process.execPath, [cli, 'rejects', 'list', demo.outDir, '--limit', '1'], { encoding: 'utf8' });
    expect(text).toContain('1 of');
    // a record from the first shard, through the sidecar
    const { readJsonlGz } = await import('../support/run.js');
    const side = readJsonlGz(path.join(demo.outDir, shard.annotations!.path))[0] as { id: string; dialogueId: string };
    const s = await explain(demo.outDir, side.id);
    expect(s.dialogues.length).toBe(1);
    const d = s.dialogues[0];
    expect(d.outcome).toBe('accepted');
    expect(d.dialogueId).toBe(side.dialogueId);
    expect(d.stages.every((x) => x.status === 'passed')).toBe(true);
    const rec = d.records.find((r) => r.id === side.id)!;
    expect(rec).toMatchObject({ split: shard.split, shard: shard.path });
    expect(rec.record?.id).toBe(side.id);
    const r = spawnSync(process.execPath, [cli, 'explain', demo.outDir, side.id], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ACCEPTED');
    expect(r.stdout).toContain(shard.path);
    expect(r.stdout).toContain(rec.record!.output.slice(0, 10));
  });

  it('shows a duplicate beside the record that was kept', async () => {
    const dir = tmpDir('cmt-explain-');
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    copyFileSync('fixtures/dialogues/hetmc/sample.dialog', path.join(dir, 'a', 'first.dialog'));
    copyFileSync('fixtures/dialogues/hetmc/sample.dialog', path.join(dir, 'b', 'second.dialog'));
    const res = await runPipeline(pipelineFrom({ name: 'dups', sources: [{ format: 'hetmc', path: path.join(dir, 'a', 'first.dialog') }, { format: 'hetmc', path: path.join(dir, 'b', 'second.dialog') }] }));
    const dup = readRejectLines(res.outDir).find((r) => r.reason === 'dedup.exact_duplicate')!;
    expect(dup).toBeDefined();
    const s = await explain(res.outDir, String(dup.dialogueId));
    const d = s.dialogues[0];
    expect(d.outcome).toBe('rejected');
    expect(d.stages.find((x) => x.stage === 'dedup')?.status).toBe('rejected');
    const kept = d.rejects[0].kept!;
    expect(kept.id).toBe((dup.evidence as { duplicateOf: string }).duplicateOf);
    expect(kept.record?.output).toBe((dup.input as { output: string }).output);
    const text = renderStory(s, 120);
    expect(text).toContain('duplicate (this one, dropped)');
    expect(text).toContain(`kept: ${kept.split} ${kept.shard}`);
    expect(text.split('\n').filter((l) => l.includes(' │ ')).length).toBeGreaterThan(2);
  });

  it('the build leaves the bin executable', () => {
    expect(statSync(cli).mode & 0o111).toBeTruthy();
  });
});
