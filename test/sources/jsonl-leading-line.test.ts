/**
 * JSON Lines whose first line is no JSON (a file cut at a byte offset inside its first record, a
 * `# comment` line): one reject for the leading line, the records of the lines after it read.
 */
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMie } from '../../src/sources/mie.js';
import { importText } from './helpers.js';

const record = (id: string, q: string, a: string) => JSON.stringify({ id, cate1: '内科', cate2: '呼吸内科', instruction: q, input: '', output: a, history: [] });
const lines = [record('r1', '咳嗽三天了', '多喝水'), record('r2', '头痛两天', '测一下血压'), record('r3', '嗓子疼', '少说话')];
const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

describe('JSON Lines with a bad first line', () => {
  it('rejects a first line cut at a byte offset as one import.parse_error and reads the records after it', async () => {
    for (const cut of [5, 17, 40]) {
      const text = `${lines[0].slice(cut)}\n${lines[1]}\n${lines[2]}\n`;
      for (const chunk of [3, 1 << 16]) {
        const { items, dialogues, rejects } = await importText(importCmtMedQa, text, 'cut.jsonl', chunk);
        expect(kinds(items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
        expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r2', 'r3']);
        expect(rejects[0].origin).toMatchObject({ sourceId: 'idx-0', position: 1 });
        expect(rejects[0].input).toBe(lines[0].slice(cut));
        expect(rejects[0].detail).toMatch(/first line is not JSON/);
      }
    }
  });

  it('rejects a leading # comment line (and blank lines) once and reads every record', async () => {
    const { items, dialogues, rejects } = await importText(importCmtMedQa, `# exported 2024-01-01\n\n${lines.join('\n')}\n`, 'comment.jsonl');
    expect(kinds(items)).toEqual(['import.parse_error', 'dialogue', 'dialogue', 'dialogue']);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r1', 'r2', 'r3']);
    expect(rejects[0].input).toBe('# exported 2024-01-01');
  });

  it('counts several leading lines that are no JSON as one reject', async () => {
    const { items, rejects } = await importText(importCmtMedQa, `# a\n// b\n${lines[0]}\n`, 'two.jsonl');
    expect(kinds(items)).toEqual(['import.parse_error', 'dialogue']);
    expect(rejects[0].detail).toMatch(/first 2 lines are not JSON/);
  });

  it('reads Huatuo and MIE records after a cut first line too', async () => {
    const h = (q: string, a: string) => JSON.stringify({ id: q, instruction: [q], input: '', output: [a] });
    const hu = await importText(importHuatuo, `${h('胃疼怎么办', '少吃辛辣').slice(9)}\n${h('失眠怎么办', '规律作息')}\n`, 'h.jsonl');
    expect(kinds(hu.items)).toEqual(['import.parse_error', 'dialogue']);
    const m = (u: string) => JSON.stringify([{ utterances: ['', `患者:${u}`], label: [] }, { utterances: [`患者:${u}`, '医生:多久了'], label: [] }]);
    const mie = await importText(importMie, `${m('心慌').slice(12)}\n${m('胸闷')}\n${m('头晕')}\n`, 'm.jsonl');
    expect(kinds(mie.items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
  });

  it('reads the records after a first line cut to its opening "{" (a bracket where a key must come starts the next record)', async () => {
    for (const lead of ['{', '{\n', '  {', '{"id": "r0",']) {
      const text = `${lead}\n${lines.join('\n')}\n`;
      for (const chunk of [2, 1 << 16]) {
        const { items, dialogues, rejects } = await importText(importCmtMedQa, text, 'brace.jsonl', chunk);
        expect(kinds(items)).toEqual(['import.parse_error', 'dialogue', 'dialogue', 'dialogue']);
        expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['r1', 'r2', 'r3']);
        expect(rejects[0].origin).toMatchObject({ position: 1 });
      }
    }
    // A pretty-printed record is still one record, and one cut to "{" before it costs only itself.
    const pretty = JSON.stringify(JSON.parse(lines[1]), null, 2);
    expect(kinds((await importText(importCmtMedQa, `${pretty}\n${lines[2]}\n`, 'pretty.jsonl')).items)).toEqual(['dialogue', 'dialogue']);
    expect(kinds((await importText(importCmtMedQa, `{\n${pretty}\n${lines[2]}\n`, 'pretty-cut.jsonl')).items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
  });

  it('keeps one import.parse_error for an input in which no line starts JSON', async () => {
    const { items, rejects } = await importText(importCmtMedQa, 'id,instruction,output\nj1,x,y\nj2,u,v\n', 'table.csv');
    expect(kinds(items)).toEqual(['import.parse_error']);
    expect(rejects[0].detail).toMatch(/neither a JSON array nor JSON lines/);
  });
});
