/**
 * JSON files joined with `cat` across shapes: a JSON Lines file followed by a pretty-printed array
 * export, and an array followed by JSON Lines. Every record is read, numbered on in file order.
 * Before, the appended array became one import.schema reject ("expected object") holding all its
 * records, and the JSON Lines after an array one import.parse_error reject, the rest unread.
 */
import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { chunked, collect } from './helpers.js';

const cmt = (id: string) => ({ id, instruction: `第${id}位患者胃痛三天怎么办`, input: '', output: '建议清淡饮食，观察两天。', history: [] });
const hua = (k: number) => ({ instruction: `第${k}位患者头痛两天怎么办`, input: '', output: '建议休息，多喝水，必要时测血压。' });
const jsonl = (rs: object[]) => rs.map((r) => `${JSON.stringify(r)}\n`).join('');
const pretty = (rs: object[]) => `${JSON.stringify(rs, null, 2)}\n`;

describe('JSON Lines and arrays concatenated into one file', () => {
  it.each([
    ['JSON Lines then an array', jsonl([cmt('a1'), cmt('a2')]) + pretty([cmt('b1'), cmt('b2'), cmt('b3')])],
    ['an array then JSON Lines', pretty([cmt('a1'), cmt('a2')]) + jsonl([cmt('b1'), cmt('b2'), cmt('b3')])],
    ['JSON Lines, an array, JSON Lines', jsonl([cmt('a1')]) + pretty([cmt('a2'), cmt('b1')]) + jsonl([cmt('b2'), cmt('b3')])],
  ])('reads every CMtMedQA record of %s, numbered in file order, in any chunking', async (_what, text) => {
    for (const size of [1 << 16, 5]) {
      const { dialogues, rejects } = await collect(importCmtMedQa, { file: 'joined.json', bytes: chunked(Buffer.from(text), size), encoding: 'auto' });
      expect(rejects).toEqual([]);
      expect(dialogues.map((d) => [d.origin.sourceId, d.origin.position])).toEqual([['a1', 1], ['a2', 2], ['b1', 3], ['b2', 4], ['b3', 5]]);
    }
  });

  it('reads Huatuo records the same way, and keeps a broken appended line a reject of its own', async () => {
    const text = jsonl([hua(1)]) + pretty([hua(2), hua(3)]) + '{"instruction": "断了\n' + jsonl([hua(4)]);
    const { dialogues, rejects } = await collect(importHuatuo, { file: 'joined.json', bytes: chunked(Buffer.from(text), 1 << 16), encoding: 'auto' });
    expect(dialogues.map((d) => d.turns[0].text)).toEqual([1, 2, 3, 4].map((k) => `第${k}位患者头痛两天怎么办`));
    expect(rejects.map((r) => r.reason)).toEqual(['import.parse_error']);
  });
});
