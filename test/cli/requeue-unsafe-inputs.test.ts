import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requeueRejects } from '../../src/cli/rejects.js';
import { importRequeue } from '../../src/sources/requeue.js';
import { importText } from '../sources/helpers.js';
import { pipelineFrom, readShards, runPipeline, tmpDir } from '../support/run.js';

const consultation = (id: number, q: string, a: string) => `id=${id}\nhttps://x/${id}\nDialogue\n病人：\n${q}\n医生：\n${a}\n`;

describe('rejects requeue never turns a reject into a record its rule was meant to stop', () => {
  it('leaves out an import.encoding reject (a dialogue with undecodable bytes): requeued, its U+FFFD reached a shard', async () => {
    const dir = tmpDir('cmt-rq-enc-');
    const good = consultation(1, '我头痛三天了怎么办呢', '建议您多休息，必要时服用布洛芬。');
    const [before, after] = consultation(2, '我胃痛@@三天了怎么办呢', '建议您做胃镜检查，饮食清淡为主。').split('@@');
    const bad = Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
    writeFileSync(path.join(dir, 'a.txt'), Buffer.concat([Buffer.from(good + '\n'), bad]));
    const first = await runPipeline(pipelineFrom({ name: 'enc', sources: [{ format: 'meddialog', path: 'a.txt' }], shard: { ranks: 1 } }, dir));
    expect(first.report.rejects.byReason).toEqual({ 'import.encoding': 1 });
    const to = path.join(tmpDir(), 'rq.jsonl');
    const q = await requeueRejects(first.outDir, {}, to);
    // Before: written 1 (the garbled dialogue), and the run below accepted "我胃痛��三天了…".
    expect(q).toMatchObject({ written: 0, notRequeueable: 1, notRequeueableByStage: { import: 1 } });
    expect(readFileSync(to, 'utf8')).toBe('');
  });

  it('a requeue line whose text holds U+FFFD is an import.encoding reject, as in any other source', async () => {
    const line = JSON.stringify({ id: 'd-1', origin: { format: 'meddialog', file: 'a.txt', sourceId: '2', position: 2 }, turns: [{ speaker: '病人', text: '我胃痛\ufffd\ufffd三天了怎么办呢' }, { speaker: '医生', text: '建议您做胃镜检查，饮食清淡为主。' }] });
    const { dialogues, rejects } = await importText(importRequeue, line + '\n', 'rq.jsonl');
    expect(dialogues).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason: 'import.encoding', dialogueId: 'd-1', evidence: { replacementChars: 2 } });
  });

  it('leaves out a normalise.too_long reject, whose input is the dialogue cut to the limit: requeued with a higher split.maxChars, the cut text was accepted as a whole question', async () => {
    const dir = tmpDir('cmt-rq-long-');
    const long = '头痛'.repeat(20_000); // 40,000 characters: over 8 × 4096
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify([{ id: 'b', instruction: long, output: '建议您先测量血压，必要时就医检查。' }]));
    const first = await runPipeline(pipelineFrom({ name: 'long', sources: [{ format: 'cmtmedqa', path: 'a.json' }], shard: { ranks: 1 } }, dir));
    expect(first.report.rejects.byReason).toEqual({ 'normalise.too_long': 1 });
    const to = path.join(tmpDir(), 'rq.jsonl');
    const q = await requeueRejects(first.outDir, {}, to);
    expect(q).toMatchObject({ written: 0, notRequeueable: 1 });
    // Before: written 1, and this run accepted a record whose instruction was 32,760 of the 40,000 characters.
    const again = await runPipeline(pipelineFrom({ name: 'long2', sources: [{ format: 'requeue', path: to }], split: { maxChars: 50_000 }, shard: { ranks: 1 } }, dir));
    expect(readShards(again.outDir, again.manifest)).toEqual([]);
  });
});
