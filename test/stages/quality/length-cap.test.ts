import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { RawDialogue } from '../../../schemas/dialogue.js';
import { importers } from '../../../src/sources/index.js';
import { cutBy, endsOpen, findCaps, markCappedFile, SAMPLE_MAX_CHARS } from '../../../src/stages/quality/length-cap.js';
import type { ImportItem } from '../../../src/sources/types.js';
import { sharedData } from '../../support/services.js';
import { pipelineFrom, readRejectLines, readShards, runPipeline, tmpDir } from '../../support/run.js';

// Written for these tests: questions of many lengths built from a pool of phrases, each ending in
// a question mark, and a dump's copies of longer questions cut at a fixed length mid-sentence.
const PHRASES = ['我最近头痛', '晚上睡不好', '吃了布洛芬', '还是没有好转', '体温三十七度五', '早上起来咳嗽', '有一点白痰', '胃口也不好', '已经一个星期了', '去医院查了血常规'];
function question(i: number, len: number): string {
  let s = '';
  for (let k = 0; s.length < len - 1; k++) s += PHRASES[(i * 7 + k * 3) % PHRASES.length] + (k % 2 ? '，' : '');
  return `${s.slice(0, len - 1)}？`;
}
const dialogue = (i: number, q: string): RawDialogue => ({
  id: `d${i}`,
  origin: { format: 'huatuo', file: 'x.json', sourceId: `idx-${i}`, position: i },
  turns: [{ speaker: 'patient', text: q }, { speaker: 'doctor', text: `第${i}位患者：建议多休息，多喝水，三天不好转去医院看看。` }],
});

/** 400 whole questions of 30–79 characters, and 40 longer ones cut at 64 characters (no end mark). */
function dump(): RawDialogue[] {
  const out: RawDialogue[] = [];
  for (let i = 0; i < 440; i++) {
    if (i % 11 === 5) out.push(dialogue(i, question(i, 100 + (i % 30)).slice(0, 64)));
    else out.push(dialogue(i, question(i, 30 + (i % 50))));
  }
  return out;
}

describe('length caps: texts a dump cut at a fixed length', () => {
  it('finds the length the patient turns pile up at and stop open, and marks only the open turns of that length', () => {
    const ds = dump();
    expect(ds.filter((d) => d.turns[0].text.length === 64)).toHaveLength(40 + 8); // 8 whole questions are 64 long too
    const caps = findCaps(ds);
    expect(caps.map((c) => [c.role, c.chars, c.atCap, c.openAtCap])).toEqual([['patient', 64, 48, 40]]);
    const cut = ds.filter((d) => cutBy(d, caps));
    expect(cut).toHaveLength(40);
    expect(cut.every((d) => endsOpen(d.turns[0].text))).toBe(true);
    // a question of exactly 64 characters that ends in ？ is whole
    const whole = ds.find((d) => d.turns[0].text.length === 64 && d.turns[0].text.endsWith('？'))!;
    expect(cutBy(whole, caps)).toBeUndefined();
    // a question that ends in its particle is whole too (…这是怎么回事呢, …能治好吗)
    expect([endsOpen('请问医生这是怎么回事呢'), endsOpen('这个病能治好吗'), endsOpen('做完回来的时候也没出什'), endsOpen('现在都红肿')]).toEqual([false, false, true, true]);
  });

  it('finds no cap in a file without one, in a template repeated at one length, or at a pile of whole questions', () => {
    const plain = dump().filter((d) => d.turns[0].text.length !== 64);
    expect(findCaps(plain)).toEqual([]);
    // one template answer 60 times, unpunctuated: a repeat, not a cut (fewer than 8 different texts)
    const template = [...plain, ...Array.from({ length: 60 }, (_, i) => dialogue(1000 + i, '医生你好我想咨询一下关于孩子发烧咳嗽流鼻涕的问题请帮忙看看'))];
    expect(findCaps(template)).toEqual([]);
    // 40 different whole questions of one length (a spike that ends in ？): no cap
    const pile = [...plain, ...Array.from({ length: 40 }, (_, i) => dialogue(2000 + i, question(i + 3, 64)))];
    expect(findCaps(pile)).toEqual([]);
  });

  it('marks the dialogues of a file with a cap as they stream, the caps read off its first dialogues', async () => {
    const items: ImportItem[] = dump().map((d) => ({ kind: 'dialogue', dialogue: d }));
    const seen: number[][] = [];
    const out: ImportItem[] = [];
    for await (const it of markCappedFile((async function* () { yield* items; })(), 300, (caps) => seen.push(caps.map((c) => c.chars)))) out.push(it);
    expect(seen).toEqual([[64]]);
    expect(out).toHaveLength(440);
    const marked = out.filter((i) => i.kind === 'dialogue' && i.dialogue.origin.lengthCap);
    // the 40 cut questions, after the sample of 300 too
    expect(marked).toHaveLength(40);
    expect(marked.some((i) => i.kind === 'dialogue' && i.dialogue.origin.position >= 300)).toBe(true);
    expect(marked.every((i) => i.kind === 'dialogue' && i.dialogue.origin.lengthCap?.chars === 64 && i.dialogue.origin.lengthCap.turn === 0)).toBe(true);
  });

  it('holds no more than SAMPLE_MAX_CHARS of text before the first item goes on, however large `sample` is', async () => {
    const big = 'x'.repeat(1_000_000);
    let pulled = 0;
    const source = (async function* () {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield { kind: 'dialogue', dialogue: dialogue(i, big) } as ImportItem;
      }
    })();
    const it = markCappedFile(source, 5000)[Symbol.asyncIterator]();
    await it.next();
    expect(pulled).toBe(Math.ceil(SAMPLE_MAX_CHARS / (big.length + dialogue(0, '').turns[1].text.length)));
    await it.return(undefined);
  });

  it('makes the records of cut questions quality.truncated rejects (flag: annotations.flags; off: kept)', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'capped.json');
    writeFileSync(file, JSON.stringify(dump().map((d) => ({ instruction: [d.turns[0].text], input: '', output: [d.turns[1].text] }))));
    const run = async (policy: string) => {
      const res = await runPipeline(pipelineFrom({ name: 'cap', sources: [{ format: 'huatuo', path: file }], quality: { truncation: { policy } }, shard: { ratios: { train: 1, validation: 0, test: 0 } } }), path.join(dir, `out-${policy}`));
      return { res, rows: readShards(res.outDir, res.manifest), rejects: readRejectLines(res.outDir) };
    };
    const rej = await run('reject');
    const truncated = rej.rejects.filter((r) => r.reason === 'quality.truncated');
    expect(truncated).toHaveLength(40);
    expect(truncated[0].evidence).toMatchObject({ role: 'patient', chars: 64, turn: 0 });
    expect(truncated[0].detail).toContain('64 characters');
    expect(rej.rows).toHaveLength(400);
    const flag = await run('flag');
    expect(flag.rows).toHaveLength(440);
    expect(flag.rejects.filter((r) => r.reason === 'quality.truncated')).toHaveLength(0);
    const off = await run('off');
    expect(off.rows).toHaveLength(440);
  });
});

describe('length caps on the real Huatuo26M test file', () => {
  it('finds the questions it cut at 57, 110 and 255 characters: 186 dialogues, none in the other five corpora', async () => {
    const read = async (format: keyof typeof importers, ...parts: string[]) => {
      const ds: RawDialogue[] = [];
      for await (const it of importers[format]({ file: parts.at(-1)!, bytes: (await import('node:fs')).createReadStream(sharedData('dialogues', ...parts)), encoding: 'auto' })) if (it.kind === 'dialogue') ds.push(it.dialogue);
      return ds;
    };
    const huatuo = await read('huatuo', 'huatuo26m', 'huatuo26M_test.json');
    const caps = findCaps(huatuo.slice(0, 5000));
    expect(caps.map((c) => [c.role, c.chars])).toEqual([['patient', 57], ['patient', 110], ['patient', 255]]);
    const cut = huatuo.filter((d) => cutBy(d, caps));
    expect(cut).toHaveLength(186);
    // every cut question is exactly at a cap and ends without an end mark (…也没出什)
    expect(cut.every((d) => [57, 110, 255].includes(d.turns[0].text.length) && endsOpen(d.turns[0].text))).toBe(true);
    for (const [format, ...parts] of [['meddialog', 'meddialog_covid_zh', 'COVID-Dialogue-Dataset-Chinese.txt'], ['hetmc', 'hetmc_chunyu', 'train.dialog'], ['mie', 'mie_chunyu', 'dev.json'], ['cmtmedqa', 'cmtmedqa', 'CMtMedQA_test.json'], ['toyhom', 'toyhom_cmd', '样例_内科5000-6000.csv']] as Array<[keyof typeof importers, ...string[]]>) {
      expect([format, findCaps((await read(format, ...parts)).slice(0, 5000))]).toEqual([format, []]);
    }
  });
});
