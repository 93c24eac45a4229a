/**
 * JSON Lines with a line holding only a bracket ('[' between objects, '{' between MIE's arrays: a
 * stray line from a hand edit or a bad concatenation): one import.parse_error for that line, and
 * every record line after it read as its own record. All fixture text is written for this test.
 */
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMie } from '../../src/sources/mie.js';
import { importText } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
const cmt = (k: number) => JSON.stringify({ id: `r${k}`, cate1: '内科', cate2: '呼吸内科', instruction: `咳嗽${k}天了`, input: '', output: `多喝水${k}`, history: [] });
/** 23 record lines with `stray` put in after the fifth. */
const withStray = (line: (k: number) => string, stray: string) => {
  const lines = Array.from({ length: 23 }, (_, k) => line(k + 1));
  lines.splice(5, 0, stray);
  return lines.join('\n') + '\n';
};

describe('JSON Lines with a line holding only a bracket', () => {
  it('rejects a lone "[" line of a CMtMedQA file as one import.parse_error and reads the 23 records', async () => {
    for (const chunk of [1 << 16, 5]) {
      const { items, dialogues, rejects } = await importText(importCmtMedQa, withStray(cmt, '['), 'stray.jsonl', chunk);
      expect(items).toHaveLength(24);
      expect(kinds(items)).toEqual([...Array(5).fill('dialogue'), 'import.parse_error', ...Array(18).fill('dialogue')]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(Array.from({ length: 23 }, (_, k) => `r${k + 1}`));
      expect(rejects[0].input).toBe('[');
    }
  });

  it('does the same for Huatuo, and for a lone "{" between MIE dialogues', async () => {
    const hua = (k: number) => JSON.stringify({ questions: [`头痛${k}天怎么办`], answers: [`多休息${k}`] });
    const h = await importText(importHuatuo, withStray(hua, '  ['), 'h.jsonl');
    expect(kinds(h.items)).toEqual([...Array(5).fill('dialogue'), 'import.parse_error', ...Array(18).fill('dialogue')]);
    const mie = (k: number) =>
      JSON.stringify([
        { utterances: ['', '', `患者：孩子咳嗽${k}天了`], label: [] },
        { utterances: ['', `患者：孩子咳嗽${k}天了`, `医生：有没有发烧？`], label: [] },
      ]);
    for (const chunk of [1 << 16, 7]) {
      const m = await importText(importMie, withStray(mie, '{'), 'm.jsonl', chunk);
      expect(kinds(m.items)).toEqual([...Array(5).fill('dialogue'), 'import.parse_error', ...Array(18).fill('dialogue')]);
    }
  });

  it('still reads objects pretty-printed one after another, and a record whose strings hold raw line breaks', async () => {
    const pretty = [1, 2, 3].map((k) => JSON.stringify(JSON.parse(cmt(k)), null, 2)).join('\n');
    expect(kinds((await importText(importCmtMedQa, `${cmt(0)}\n${pretty}\n`, 'p.jsonl')).items)).toEqual(Array(4).fill('dialogue'));
    const raw = `${cmt(1)}\n${cmt(2).replace('咳嗽2天了', '咳嗽\n2天了')}\n${cmt(3)}\n`;
    const { dialogues } = await importText(importCmtMedQa, raw, 'raw.jsonl');
    expect(dialogues.map((d) => d.turns[0].text)).toEqual(['咳嗽1天了', '咳嗽\n2天了', '咳嗽3天了']);
  });
});
