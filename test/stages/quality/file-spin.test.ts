import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Pipeline } from '../../../schemas/pipeline.js';
import { fileIsSpun, markSpunFile, MIN_FILE_SAMPLE, sampleSpin } from '../../../src/stages/quality/file-spin.js';
import { scoreText } from '../../../src/stages/quality/index.js';
import { setTextMemos, textMemoStats } from '../../../src/stages/normalise/memo.js';
import { importers } from '../../../src/sources/index.js';
import type { ImportItem } from '../../../src/sources/types.js';
import { pipelineFrom, readRejectLines, readShards, runPipeline, tmpDir } from '../../support/run.js';

// Written for these tests: one piece of advice as a doctor writes it, the same run through a
// synonym spinner whose substitutions the lexicon knows, and a third spun in forms it does not
// know (降生 for 出生, 发烫 for 发烧): a spun dump has all three kinds.
const clean = (i: number) => `孩子${i}个月，高血压需要定期复查血压，如果出现头晕要及时到医院检查，平时注意低盐饮食，适当锻炼身体。`;
const spun = (i: number) => `孩子${i}个月，高血压需要有不定期复检血压，如果再次出现头晕要仔细检查，平时注意低盐饮食，适当锻练，不要喝啤酒。`;
const spunUnknown = (i: number) => `孩子降生${i}个月，发烫两天，建议到医院查血常规，注意多喝水，体温高时可以物理降温。`;

function csv(answers: string[]): string {
  const rows = answers.map((a, i) => `儿科,孩子的问题${i},医生您好，我家孩子第${i}次来问，这种情况要紧吗？,${a}`);
  return ['department,title,ask,answer', ...rows].join('\n') + '\n';
}

async function items(text: string): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  const q = Pipeline.parse({ name: 't', sources: [{ format: 'toyhom', path: 'x.csv' }] }).quality;
  for await (const it of markSpunFile(importers.toyhom({ file: 'x.csv', bytes: (async function* () { yield Buffer.from(text); })(), encoding: 'auto' }), q)) out.push(it);
  return out;
}

function spinOf(list: ImportItem[]) {
  return list.map((i) => (i.kind === 'dialogue' ? i.dialogue.origin.fileSpin : 'reject'));
}

describe('file-level spin decision', () => {
  it('knows the test texts for what they are, one by one', () => {
    expect(scoreText(clean(1), 0.25).spun).toBe(false);
    expect(scoreText(spun(1), 0.25).spun).toBe(true);
    expect(scoreText(spunUnknown(1), 0.25).spun).toBe(false); // the lexicon does not know these forms
  });

  it('marks every dialogue of a file whose first dialogues are mostly spun, those the lexicon passes too', async () => {
    const answers = [...Array.from({ length: 24 }, (_, i) => spun(i)), ...Array.from({ length: 16 }, (_, i) => spunUnknown(i))];
    const got = await items(csv(answers));
    expect(got).toHaveLength(40);
    expect(new Set(spinOf(got).map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify({ sampled: 40, spun: 24 })]));
  });

  it('marks nothing in a file with a few spun dialogues (they are judged one by one)', async () => {
    const answers = [...Array.from({ length: 5 }, (_, i) => spun(i)), ...Array.from({ length: 35 }, (_, i) => clean(i))];
    expect(spinOf(await items(csv(answers))).every((s) => s === undefined)).toBe(true);
  });

  it(`decides nothing for a file of fewer than ${MIN_FILE_SAMPLE} dialogues`, async () => {
    const answers = Array.from({ length: MIN_FILE_SAMPLE - 1 }, (_, i) => spun(i));
    expect(spinOf(await items(csv(answers))).every((s) => s === undefined)).toBe(true);
    expect(fileIsSpun({ sampled: MIN_FILE_SAMPLE, spun: MIN_FILE_SAMPLE / 2 }, Pipeline.parse({ name: 't', sources: [{ format: 'toyhom', path: 'x' }] }).quality)).toBe(true);
  });

  it('samples only the first fileSample dialogues, so a spun tail does not make the file spun', async () => {
    const ds = (await items(csv([...Array.from({ length: 200 }, (_, i) => clean(i)), ...Array.from({ length: 300 }, (_, i) => spun(i))])));
    expect(ds).toHaveLength(500);
    expect(spinOf(ds).every((s) => s === undefined)).toBe(true);
    expect(sampleSpin(ds.slice(300).flatMap((i) => (i.kind === 'dialogue' ? [i.dialogue] : [])), 0.25)).toEqual({ sampled: 200, spun: 200 });
  });

  it('scores a sample seen again (the same file under another name) from the memo, with the same decision', async () => {
    const answers = [...Array.from({ length: 24 }, (_, i) => spun(i)), ...Array.from({ length: 16 }, (_, i) => spunUnknown(i))];
    const hits = () => textMemoStats()['quality.score:0.25']?.hits ?? 0;
    setTextMemos(true);
    const first = spinOf(await items(csv(answers)));
    const before = hits();
    const again = spinOf(await items(csv(answers)));
    expect(hits() - before).toBe(40);
    expect(again).toEqual(first);
    setTextMemos(false);
    expect(spinOf(await items(csv(answers)))).toEqual(first);
    setTextMemos(true);
  });

  it('rejects every record of a spun file end to end, says why, and leaves a real file alone; fileSample 0 turns it off', async () => {
    const dir = tmpDir();
    const spunFile = path.join(dir, 'spun.csv');
    const realFile = path.join(dir, 'real.csv');
    writeFileSync(spunFile, csv([...Array.from({ length: 24 }, (_, i) => spun(i)), ...Array.from({ length: 16 }, (_, i) => spunUnknown(i))]));
    writeFileSync(realFile, csv([...Array.from({ length: 2 }, (_, i) => spun(i + 100)), ...Array.from({ length: 30 }, (_, i) => clean(i + 100))]));
    const raw = { name: 'spin', sources: [{ format: 'toyhom', path: spunFile }, { format: 'toyhom', path: realFile }] };
    const res = await runPipeline(pipelineFrom(raw));
    const rejects = readRejectLines(res.outDir) as Array<{ reason: string; origin: { file: string }; detail: string }>;
    const fromSpun = rejects.filter((r) => r.origin.file.endsWith('spun.csv'));
    expect(fromSpun).toHaveLength(40);
    expect(fromSpun.every((r) => r.reason === 'quality.machine_spun')).toBe(true);
    expect(fromSpun.filter((r) => r.detail.startsWith('its file is machine-spun: 24 of its first 40'))).toHaveLength(40);
    expect(rejects.filter((r) => r.origin.file.endsWith('real.csv')).map((r) => r.reason)).toEqual(['quality.machine_spun', 'quality.machine_spun']);
    expect(readShards(res.outDir, res.manifest)).toHaveLength(30);
    expect(res.report.dialogues.closes).toBe(true);

    const off = await runPipeline(pipelineFrom({ ...raw, quality: { fileSample: 0 } }));
    // one by one, the 16 answers spun in forms the lexicon does not know pass
    expect(readShards(off.outDir, off.manifest)).toHaveLength(30 + 16);
  });
});
