/**
 * Junk between the records of a JSON dump (a garbage line, JS-style comments, a NUL byte, a bare
 * token between array elements): it costs at most one import.parse_error per run of junk (in JSON
 * Lines: per junk line), with the junk as the reject's input, comments outside strings are read as
 * whitespace, and every good record is read once, so "dialogues in" counts real input units. All
 * fixture text is written for this test.
 */
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMie } from '../../src/sources/mie.js';
import { importText } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));
const rec = (k: number) => ({ id: `r${k}`, cate1: '内科', cate2: '呼吸内科', instruction: `咳嗽${k}天了，有痰`, input: '', output: `多喝水，观察${k}天 http://example.org/a//b /* 不是注释 */`, history: [] });
const cmt = (k: number) => JSON.stringify(rec(k));
const ids = Array.from({ length: 23 }, (_, k) => `r${k + 1}`);
const records = (line: (k: number) => string = cmt) => Array.from({ length: 23 }, (_, k) => line(k + 1));
const CHUNKS = [1 << 16, 3];

describe('junk between JSON records', () => {
  it('costs one import.parse_error for a garbage line in JSON Lines, its text as the input', async () => {
    const lines = records();
    lines.splice(5, 0, 'this is garbage 垃圾');
    for (const chunk of CHUNKS) {
      const { items, dialogues, rejects } = await importText(importCmtMedQa, lines.join('\n') + '\n', 'junk.jsonl', chunk);
      expect(kinds(items)).toEqual([...Array(5).fill('dialogue'), 'import.parse_error', ...Array(18).fill('dialogue')]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(ids);
      expect(rejects[0].input).toBe('this is garbage 垃圾');
      expect(rejects[0].stage).toBe('import');
    }
  });

  it('costs one reject per junk line, also with commas, brackets and CRLF line ends in the junk', async () => {
    const lines = records();
    lines.splice(3, 0, 'foo, bar ]] }', '  第二行 ， x');
    for (const chunk of CHUNKS) {
      const { items, dialogues, rejects } = await importText(importCmtMedQa, lines.join('\r\n') + '\r\n', 'junk2.jsonl', chunk);
      expect(kinds(items)).toEqual([...Array(3).fill('dialogue'), 'import.parse_error', 'import.parse_error', ...Array(20).fill('dialogue')]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(ids);
      expect(rejects.map((r) => r.input)).toEqual(['foo, bar ]] }', '第二行 ， x']);
    }
  });

  it('reads // and /* */ comments outside strings as whitespace, and strings that hold them unchanged', async () => {
    const variants = [
      records((k) => `${cmt(k)} // c`),
      records((k) => `/* rec ${k} */ ${cmt(k)}`),
      records((k) => `// record ${k}: don't "quote" {x\n${cmt(k)},`),
      [`// exported by hand`, ...records((k) => `${cmt(k)}/**/`)],
    ];
    for (const lines of variants) {
      for (const chunk of CHUNKS) {
        const { items, dialogues } = await importText(importCmtMedQa, lines.join('\n') + '\n', 'comments.jsonl', chunk);
        expect(kinds(items)).toEqual(Array(23).fill('dialogue'));
        expect(dialogues.map((d) => d.origin.sourceId)).toEqual(ids);
        expect(dialogues[0].turns.map((t) => t.text)).toEqual([rec(1).instruction, rec(1).output]);
      }
    }
    const pretty = `/* header */\n[\n${records((k) => `  // ${k}\n  ${JSON.stringify(rec(k), null, 2).replace(/\n/g, '\n  ')}`).join(',\n')}\n] // end\n`;
    for (const chunk of CHUNKS) {
      const { items } = await importText(importCmtMedQa, pretty, 'pretty.json', chunk);
      expect(kinds(items)).toEqual(Array(23).fill('dialogue'));
    }
  });

  it('takes a /* not closed on its line, or a lone "/", for junk: one reject, and the next line is read', async () => {
    const lines = records();
    lines.splice(4, 0, '/* not closed', 'a / b');
    for (const chunk of CHUNKS) {
      const { items, dialogues, rejects } = await importText(importCmtMedQa, lines.join('\n') + '\n', 'open.jsonl', chunk);
      expect(kinds(items)).toEqual([...Array(4).fill('dialogue'), 'import.parse_error', 'import.parse_error', ...Array(19).fill('dialogue')]);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(ids);
      expect(rejects.map((r) => r.input)).toEqual(['/* not closed', 'a / b']);
    }
  });

  it('skips NUL bytes between records (a zero-filled gap or tail) without a fake dialogue', async () => {
    const arr = `[${records().slice(0, 3).join(',\u0000\u0000')}]\u0000\u0000\n`;
    const jsonl = `${records().slice(0, 3).join('\n\u0000')}\n\u0000\u0000\u0000`;
    for (const [text, file] of [
      [arr, 'nul.json'],
      [jsonl, 'nul.jsonl'],
    ]) {
      for (const chunk of CHUNKS) {
        const { items } = await importText(importCmtMedQa, text, file, chunk);
        expect(kinds(items)).toEqual(['dialogue', 'dialogue', 'dialogue']);
      }
    }
  });

  it('costs one reject per run of junk between the elements of a pretty-printed array, and never splits a good element', async () => {
    const el = (k: number) => JSON.stringify(rec(k), null, 2).replace(/\n/g, '\n  ');
    const variants: Array<[string, string[]]> = [
      [`[\n  ${el(1)},\n  garbage,\n  ${el(2)}\n]\n`, ['garbage']],
      [`[\n  ${el(1)},\n  this is garbage 垃圾,\n  ${el(2)}\n]\n`, ['this is garbage 垃圾']],
      [`[\n  ${el(1)},\n  garbage\n  ${el(2)}\n]\n`, ['garbage']],
      [`[\n  ${el(1)},\n  two lines\n  of junk\n  ${el(2)}\n]\n`, ['two lines\n  of junk']],
      [`[${cmt(1)}, garbage ${cmt(2)}]`, ['garbage']],
      [`[\n  ${el(1)}, junk,\n  ${el(2)}\n]\n`, ['junk']],
      [`[\n  ${el(1)},\n  junk /* x */\n  ${el(2)}]`, ['junk /* x */']],
    ];
    for (const [text, junk] of variants) {
      for (const chunk of CHUNKS) {
        const { items, dialogues, rejects } = await importText(importCmtMedQa, text, 'pretty-junk.json', chunk);
        expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue']);
        expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r1', 'r2']);
        expect(rejects.map((r) => r.input)).toEqual(junk);
      }
    }
  });

  it('keeps scalar elements of an array what they were', async () => {
    const { items, rejects } = await importText(importCmtMedQa, `[${cmt(1)}, 5, null, ${cmt(2)}]`, 'scalars.json');
    expect(items).toHaveLength(4);
    expect(rejects.map((r) => r.input)).toEqual([5, null]);
  });

  it('does the same for Huatuo and MIE', async () => {
    const hua = (k: number) => JSON.stringify({ questions: [`头痛${k}天怎么办`], answers: [`多休息${k}`] });
    const h = [1, 2, 3].map(hua);
    h.splice(1, 0, 'garbage line here');
    const hu = await importText(importHuatuo, `${h.map((l) => `${l} // c`).join('\n')}\n`, 'h.jsonl');
    expect(kinds(hu.items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
    const mie = (k: number) =>
      JSON.stringify([
        { utterances: ['', '', `患者：孩子咳嗽${k}天了`], label: [] },
        { utterances: ['', `患者：孩子咳嗽${k}天了`, `医生：有没有发烧？`], label: [] },
      ]);
    const m = [1, 2, 3].map(mie);
    m.splice(2, 0, 'junk junk junk');
    for (const chunk of [1 << 16, 7]) {
      const mi = await importText(importMie, `${m.map((l) => `/* d */ ${l}`).join('\n')}\n`, 'm.jsonl', chunk);
      expect(kinds(mi.items)).toEqual(['dialogue', 'dialogue', 'import.parse_error', 'dialogue']);
    }
  });
});
