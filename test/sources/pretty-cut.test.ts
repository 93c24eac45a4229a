/**
 * A pretty-printed JSON array (the published CMtMedQA and Huatuo layout: json.dump with indent)
 * with one element cut short inside it, the rest of the file intact after the cut (a partly
 * written element, two dumps spliced, a line lost). The cut element is one import.parse_error;
 * every element after it is read, at its own position. All fixture text is written for this test.
 */
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMie } from '../../src/sources/mie.js';
import { importText } from './helpers.js';

const kinds = (items: Awaited<ReturnType<typeof importText>>['items']) => items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'));

const records = [
  { id: 'p1', cate1: '内科', cate2: '消化内科', instruction: '吃了药还是胃疼怎么办', input: '', output: '建议做个胃镜看看', history: [['胃疼三天了', '有没有反酸'], ['有一点反酸', '先吃点抑酸药']] },
  { id: 'p2', cate1: '外科', cate2: '骨科', instruction: '膝盖肿了还能跑步吗', input: '', output: '先别跑，冰敷观察', history: [['跑步后膝盖疼', '肿不肿']] },
  { id: 'p3', cate1: '儿科', cate2: '小儿内科', instruction: '孩子发烧三十八度五', input: '', output: '可以先物理降温', history: [] },
  { id: 'p4', cate1: '内科', cate2: '呼吸内科', instruction: '咳嗽一周还有痰', input: '', output: '拍个胸片', history: [] },
];

/** The array as json.dump(indent) writes it, and each element's text in it. */
function pretty(values: unknown[], indent: number): { text: string; elements: string[] } {
  const text = JSON.stringify(values, null, indent);
  const pad = ' '.repeat(indent);
  const elements = values.map((v) => JSON.stringify(v, null, indent).split('\n').map((l) => pad + l).join('\n'));
  expect(text).toBe(`[\n${elements.join(',\n')}\n]`);
  return { text, elements };
}

describe('a pretty-printed array with an element cut short', () => {
  for (const indent of [4, 2]) {
    const { elements } = pretty(records, indent);

    it(`costs only the element cut inside a string (indent ${indent}), in any chunking`, async () => {
      const cutAt = elements[1].indexOf('跑步后') + 2; // inside the history question
      const text = `[\n${elements[0]},\n${elements[1].slice(0, cutAt)}\n${elements[2]},\n${elements[3]}\n]\n`;
      for (const chunk of [1 << 16, 5]) {
        const { items, dialogues, rejects } = await importText(importCmtMedQa, text, 'cut.json', chunk);
        expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
        expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['p1', 1], ['p3', 3], ['p4', 4]]);
        expect(rejects[0].input).toBe(elements[1].slice(0, cutAt).trim());
        expect(rejects[0].detail).toMatch(/its own opening bracket/);
      }
    });

    it(`costs only the element cut between two tokens (indent ${indent})`, async () => {
      // Cut right after `"history": [`: a bracket may follow there, but not at the element's own column.
      const cutAt = elements[0].indexOf('"history": [') + '"history": ['.length;
      const text = `[\n${elements[0].slice(0, cutAt)}\n${elements[1]},\n${elements[2]}\n]\n`;
      const { items, dialogues } = await importText(importCmtMedQa, text, 'cut2.json', 7);
      expect(kinds(items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['p2', 'p3']);
    });

    it(`costs only the element that lost a line inside its history (indent ${indent})`, async () => {
      const lines = elements[0].split('\n');
      const lost = lines.findIndex((l) => l.includes('有一点反酸')) + 2; // the line closing that round
      expect(lines[lost].trim()).toBe(']');
      const text = `[\n${lines.filter((_, k) => k !== lost).join('\n')},\n${elements[1]},\n${elements[2]}\n]\n`;
      const { items, dialogues } = await importText(importCmtMedQa, text, 'lost.json');
      expect(kinds(items)).toEqual(['import.parse_error', 'dialogue', 'dialogue']);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['p2', 'p3']);
    });
  }

  it('reads a Huatuo array (indent 2) cut inside an answer, from the element after the cut on', async () => {
    const rows = [0, 1, 2, 3].map((k) => ({ id: '', instruction: [`问题${k}：头疼怎么办`], input: '', output: [`回答${k}：先量血压，再看神经内科`] }));
    const { elements } = pretty(rows, 2);
    const text = `[\n${elements[0]},\n${elements[1].slice(0, elements[1].indexOf('再看'))}\n${elements[2]},\n${elements[3]}\n]`;
    const { items, dialogues } = await importText(importHuatuo, text, 'huatuo-cut.json', 11);
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue', 'dialogue']);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['idx-0', 'idx-2', 'idx-3']);
  });

  it('reads an MIE array of pretty-printed dialogues (arrays) cut inside an utterance', async () => {
    const dialogue = (a: string) => [{ utterances: ['', `患者:${a}`], label: [] }, { utterances: [`患者:${a}`, '医生:多久了'], label: [] }];
    const { elements } = pretty([dialogue('心慌'), dialogue('胸闷'), dialogue('头晕')], 2);
    const text = `[\n${elements[0]},\n${elements[1].slice(0, elements[1].indexOf('胸闷') + 1)}\n${elements[2]}\n]\n`;
    const { items } = await importText(importMie, text, 'mie-cut.json', 9);
    expect(kinds(items)).toEqual(['dialogue', 'import.parse_error', 'dialogue']);
  });

  it('still reads valid arrays whose nested values start lines at an element\'s own column', async () => {
    // indent 0 (every line at column 0), and a hand-edited element whose nested object starts at
    // the element's column (its inner lines are not all deeper): both are valid JSON, read whole.
    const flat = JSON.stringify(records, null, 0).replace(/([[{,])/g, '$1\n');
    expect(JSON.parse(flat)).toEqual(records);
    expect(kinds((await importText(importCmtMedQa, flat, 'flat.json', 13)).items)).toEqual(['dialogue', 'dialogue', 'dialogue', 'dialogue']);
    const odd = '[\n  {\n  "id": "o1", "instruction": "头晕", "output": "量血压", "meta":\n  {"x": 1}\n  },\n  {\n    "id": "o2", "instruction": "心慌", "output": "查心电图"\n  }\n]\n';
    expect(JSON.parse(odd)).toHaveLength(2);
    const r = await importText(importCmtMedQa, odd, 'odd.json');
    expect(kinds(r.items)).toEqual(['dialogue', 'dialogue']);
    expect(r.dialogues.map((d) => d.origin.sourceId)).toEqual(['o1', 'o2']);
    const { text } = pretty(records, 4);
    expect(kinds((await importText(importCmtMedQa, text, 'ok.json', 3)).items)).toEqual(['dialogue', 'dialogue', 'dialogue', 'dialogue']);
  });
});
