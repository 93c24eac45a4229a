import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readRejects, rejectStats, requeueRejects, resolveReasons, resolveStage } from '../../src/cli/rejects.js';
import { pipelineFile, pipelineFrom, readRejectLines, runPipeline, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('inspecting and re-queueing rejects', () => {
  it('counts rejects by reason exactly as the run report does, and filters by reason, stage and source', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const s = await rejectStats(res.outDir);
    expect(s.total).toBe(res.report.rejects.total);
    expect(s.byReason).toEqual(res.report.rejects.byReason);
    const onlyImport = [];
    for await (const r of readRejects(res.outDir, { stage: 'import' })) onlyImport.push(r);
    expect(onlyImport.length).toBe(res.report.rejects.byStage.import);
    const prefix = [];
    for await (const r of readRejects(res.outDir, { reason: 'import' })) prefix.push(r.reason);
    expect(prefix.every((r) => r.startsWith('import.'))).toBe(true);
    const bySource = [];
    for await (const r of readRejects(res.outDir, { source: 'malformed' })) bySource.push(r);
    expect(bySource.length).toBeGreaterThan(0);
    expect(bySource.every((r) => r.origin.file.includes('malformed'))).toBe(true);
  });

  it('resolves --reason by code, stage, code prefix or word prefix, and suggests the nearest codes for anything else', async () => {
    expect(resolveReasons('dedup.exact')).toEqual(['dedup.exact_duplicate']);
    expect(resolveReasons('dedup')).toEqual(['dedup.exact_duplicate', 'dedup.near_duplicate']);
    expect(resolveReasons('duplicate')).toEqual(['dedup.exact_duplicate', 'dedup.near_duplicate']);
    expect(resolveReasons('too_long').sort()).toEqual(['normalise.too_long', 'scrape.crawl_delay_too_long', 'split.too_long']);
    expect(resolveReasons('split.too').sort()).toEqual(['split.too_long', 'split.too_short']);
    expect(() => resolveReasons('splt.to_long')).toThrow(/nearest: split\.too_long/);
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const rej = (await rejectStats(res.outDir)).total;
    const one = [];
    for await (const r of readRejects(res.outDir)) one.push(r);
    const byDialogue = [];
    for await (const r of readRejects(res.outDir, { id: one[1].dialogueId ?? one[1].origin.sourceId })) byDialogue.push(r.id);
    expect(byDialogue).toContain(one[1].id);
    expect(byDialogue.length).toBeLessThan(rej);
  });

  it('resolves --stage in any case, and refuses a stage that does not exist with the nearest ones (it used to match nothing, silently)', async () => {
    expect(resolveStage('normalise')).toBe('normalise');
    expect(resolveStage(' Split ')).toBe('split');
    expect(() => resolveStage('normalize')).toThrow(/nearest: normalise/);
    expect(() => resolveStage('dedupe')).toThrow(/nearest: dedup/);
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const upper: string[] = [];
    for await (const r of readRejects(res.outDir, { stage: 'SPLIT' })) upper.push(r.stage);
    expect(upper.length).toBeGreaterThan(0);
    expect(new Set(upper)).toEqual(new Set(['split']));
    const typo = async () => {
      for await (const _ of readRejects(res.outDir, { stage: 'spilt' })) void _;
    };
    await expect(typo()).rejects.toThrow(/no stage is named --stage spilt; nearest: split/);
  });

  it('re-queues rejected dialogues, which pass once the rule that rejected them is relaxed', async () => {
    const strict = pipelineFile('pipelines/demo.yaml', { split: { minRounds: 3 } });
    const first = await runPipeline(strict);
    const tooShort = first.report.rejects.byReason['split.too_short'];
    expect(tooShort).toBeGreaterThan(5);
    const file = path.join(tmpDir(), 'requeue.jsonl');
    const q = await requeueRejects(first.outDir, { reason: 'split.too_short' }, file);
    expect(q.written).toBe(tooShort);
    const again = await runPipeline(pipelineFrom({ name: 'requeued', sources: [{ format: 'requeue', path: file }] }));
    expect(again.report.dialogues.in).toBe(tooShort);
    expect(again.report.dialogues.accepted).toBe(tooShort);
    expect(again.report.dialogues.closes).toBe(true);
    // Written again over its own earlier file: fine; over a file it did not write, or into an output: refused.
    expect((await requeueRejects(first.outDir, { reason: 'split.too_short' }, file)).written).toBe(tooShort);
    const manifest = path.join(first.outDir, 'manifest.json');
    const before = readFileSync(manifest, 'utf8');
    await expect(requeueRejects(first.outDir, {}, manifest)).rejects.toThrow(/inside an output directory/);
    // Deeper inside it too (before: written, and the output's next run deleted it or refused the output).
    const deep = path.join(first.outDir, 'shards', 'train', 'requeue.jsonl');
    await expect(requeueRejects(first.outDir, {}, deep)).rejects.toThrow(/inside an output directory/);
    expect(existsSync(deep)).toBe(false);
    const yaml = path.join(tmpDir(), 'pipeline.yaml');
    writeFileSync(yaml, 'name: mine\n');
    await expect(requeueRejects(first.outDir, {}, yaml)).rejects.toThrow(/not a requeue file/);
    expect([readFileSync(manifest, 'utf8'), readFileSync(yaml, 'utf8')]).toEqual([before, 'name: mine\n']);
    expect((await requeueRejects(first.outDir, { reason: 'split.too_short' }, yaml, true)).written).toBe(tooShort);
  });

  it('a requeue file run beside its original sources (as `rejects requeue` suggests) counts each replayed dialogue once: the copy is a duplicate, not a second accepted dialogue', async () => {
    const strict = await runPipeline(pipelineFile('pipelines/demo.yaml', { split: { minRounds: 3 } }));
    const file = path.join(tmpDir(), 'requeue.jsonl');
    const q = await requeueRejects(strict.outDir, { reason: 'split.too_short' }, file);
    expect(q.written).toBeGreaterThan(5);
    const demo = pipelineFile('pipelines/demo.yaml');
    const both = await runPipeline(pipelineFrom({ ...demo.config, name: 'both', sources: [...demo.config.sources, { format: 'requeue', path: file }] }, demo.baseDir));
    const plain = await runPipeline(demo);
    expect(both.report.dialogues.accepted).toBe(both.manifest.counts.dialogues);
    expect(both.report.dialogues.accepted).toBe(plain.report.dialogues.accepted);
    expect(both.report.dialogues.in).toBe(plain.report.dialogues.in + q.written);
    expect(both.report.dialogues.rejectedByReason['dedup.exact_duplicate']).toBe(q.written);
    expect(both.report.dialogues.closes).toBe(true);
  });

  it('lists rejects from the command line and exits 2 naming the field of a bad pipeline', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const out = execFileSync(process.execPath, [cli, 'rejects', 'list', res.outDir, '--reason', 'import.truncated'], { encoding: 'utf8' });
    const n = res.report.rejects.byReason['import.truncated'];
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(n + 1);
    expect(lines[n]).toBe(`${n} of ${n} matching rejects`);
    expect(out).toContain('import.truncated');
    const some = execFileSync(process.execPath, [cli, 'rejects', 'list', res.outDir, '--limit', '2'], { encoding: 'utf8' }).trim().split('\n');
    expect(some.length).toBe(3);
    expect(some[2]).toBe(`2 of ${res.report.rejects.total} matching rejects (--limit ${res.report.rejects.total} shows all)`);
    const unknown = spawnSync(process.execPath, [cli, 'rejects', 'list', res.outDir, '--reason', 'dedupe.exakt'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('nearest: dedup.exact_duplicate');
    const bad = path.join(tmpDir(), 'bad.yaml');
    writeFileSync(bad, 'name: bad\nsources:\n  - { format: hetmc, path: x.dialog }\nshard: { ranks: 0 }\n');
    const r = spawnSync(process.execPath, [cli, 'run', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('shard.ranks');
    expect(r.stderr).toContain('CMT_CONFIG_INVALID');
  });

  it('requeue says by stage which rejects it left out, and does not call split tails import-level', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const imports = res.report.rejects.byStage.import;
    const tails = res.report.rejects.byReason['split.pleasantry_only'];
    expect([imports, tails].every((n) => n > 0)).toBe(true);
    const to = path.join(tmpDir(), 'rq.jsonl');
    const q = await requeueRejects(res.outDir, {}, to);
    // the demo's normalise.empty (consultation 106: no speaker line its importer knows) holds no turn to run again
    expect(q.notRequeueableByStage).toEqual({ import: imports, normalise: 1, split: tails });
    const r = spawnSync(process.execPath, [cli, 'rejects', 'requeue', res.outDir, '--to', to], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${imports + tails + 1} reject(s) not requeued: ${imports} import (raw text: fix the source file and run it again), 1 normalise (no turn was read from the source`);
    expect(r.stdout).toContain(`, ${tails} split (`);
    expect(r.stdout).not.toContain(`${imports + tails} import-level`);
    // Only split tails asked for: nothing is written, so there is nothing to add to a pipeline.
    const onlyTails = spawnSync(process.execPath, [cli, 'rejects', 'requeue', res.outDir, '--to', to, '--reason', 'split.pleasantry_only'], { encoding: 'utf8' });
    expect(onlyTails.status).toBe(0);
    expect(onlyTails.stdout).toContain(`wrote 0 dialogue(s) to ${to}; ${tails} reject(s) not requeued`);
    expect(onlyTails.stdout).not.toContain("to a pipeline's sources");
    expect(onlyTails.stdout).toContain('next: nothing to run again from here');
    const none = spawnSync(process.execPath, [cli, 'rejects', 'requeue', res.outDir, '--to', to, '--source', 'no-such-source'], { encoding: 'utf8' });
    expect([none.status, none.stdout]).toEqual([0, expect.stringContaining('next: no reject matches these filters')]);
    expect(none.stdout).not.toContain("to a pipeline's sources");
  });

  it('requeues no dialogue that had no turn to begin with: replayed, it could only be normalise.empty again', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const empty = readRejectLines(res.outDir).filter((r) => r.reason === 'normalise.empty');
    expect(empty.map((r) => (r.input as { turns: unknown[] }).turns.length)).toEqual([0]);
    const to = path.join(tmpDir(), 'rq.jsonl');
    const q = await requeueRejects(res.outDir, { reason: 'normalise.empty' }, to);
    expect([q.written, q.notRequeueableByStage]).toEqual([0, { normalise: 1 }]);
    // a normalise reject with turns (an unknown speaker) is still requeued
    const dir = tmpDir();
    const file = path.join(dir, 'nurse.txt');
    writeFileSync(file, 'id=1\nhttps://www.haodf.com/x.htm\n\nDescription\n疾病：咳嗽\n\nDialogue\n病人：\n咳嗽一周了，晚上更重，要吃什么药？\n护士：\n请稍等，医生马上回复。\n医生：\n先查血常规和胸片，多喝水。\n\n');
    const nurse = await runPipeline(pipelineFrom({ name: 'nurse', sources: [{ format: 'meddialog', path: file }]}));
    const unknown = readRejectLines(nurse.outDir).filter((r) => r.stage === 'normalise');
    expect(unknown.map((r) => r.reason)).toEqual(['normalise.unknown_speaker']);
    expect((await requeueRejects(nurse.outDir, { stage: 'normalise' }, path.join(dir, 'rq.jsonl'))).written).toBe(1);
  });

  it('refuses the partial directory a killed run left (.<name>.partial-<hex>), whose rejects file is incomplete, naming the output to read instead', async () => {
    // Before: `rejects stats` on it said "0 rejects" and `list` "no rejects match" (the killed run had not flushed them), exit 0.
    const parent = tmpDir();
    const partial = path.join(parent, '.out.partial-83e4abf1e3ab');
    mkdirSync(path.join(partial, 'rejects'), { recursive: true });
    writeFileSync(path.join(partial, 'rejects', 'rejects.jsonl'), '');
    const refused = /partial directory of a run into .*out that did not finish/;
    await expect(rejectStats(partial)).rejects.toThrow(refused);
    await expect(requeueRejects(partial, {}, path.join(parent, 'rq.jsonl'))).rejects.toThrow(refused);
    const r = spawnSync(process.execPath, ['dist/src/cli/index.js', 'rejects', 'list', partial], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/^error CMT_USAGE: .*partial directory/)]);
    // A moved-aside previous output (.<name>.old-<hex>) is a whole output: read as any other.
    const old = path.join(parent, '.out.old-83e4abf1e3ab');
    mkdirSync(path.join(old, 'rejects'), { recursive: true });
    writeFileSync(path.join(old, 'rejects', 'rejects.jsonl'), '');
    expect((await rejectStats(old)).total).toBe(0);
  });

  it('refuses a --limit that is not a whole number and an empty id, with exit 2', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    for (const limit of ['-1', 'abc', '2x']) {
      const r = spawnSync(process.execPath, [cli, 'rejects', 'list', res.outDir, '--limit', limit], { encoding: 'utf8' });
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain('--limit');
    }
    const empty = spawnSync(process.execPath, [cli, 'rejects', 'show', res.outDir, ''], { encoding: 'utf8' });
    expect([empty.status, empty.stdout]).toEqual([2, '']);
  });
});
