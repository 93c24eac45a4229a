import { describe, expect, it } from '@jest/globals';
import type { CsvEvent } from '../../src/sources/csv.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { csvEvents, importText } from './helpers.js';

const rows = csvEvents;

const row = (k: number) => `内科,头痛${k},头痛${k}天了怎么办,先测血压${k}`;
const header = 'department,title,ask,answer';
const fieldsOf = (evs: CsvEvent[]) => evs.map((e) => (e.kind === 'row' ? e.fields : ['<truncated>', ...e.fields]));

/** A stray quote that swallows fewer lines than STRAY_QUOTED_LINES costs at most its own row. */
describe('CSV reader: a short stray quote costs at most its own row', () => {
  it('reads every row after a stray quote that the input ends inside (a 10-row file)', async () => {
    const lines = [header, row(1), '内科,"头痛2,头痛2天了怎么办,先测血压2', ...[3, 4, 5, 6, 7, 8, 9, 10].map(row)];
    for (const size of [1 << 16, 7, 1]) {
      const evs = await rows(lines.join('\n') + '\n', size);
      expect(evs.map((e) => e.record)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(evs.every((e) => e.kind === 'row' && e.fields.length === 4)).toBe(true);
      expect(fieldsOf(evs)[2]).toEqual(['内科', '"头痛2', '头痛2天了怎么办', '先测血压2']);
      expect(fieldsOf(evs)[10]).toEqual(row(10).split(','));
    }
  });

  it('reads every row after a stray quote that a later quoted field seems to close (text after the quote)', async () => {
    const lines = [header, row(1), '神经科,"头痛2,头痛2天了怎么办,先测血压2', ...[3, 4, 5].map(row), '内科,胸闷,胸闷气短,"先做心电图,再抽血。"', row(7), row(8)];
    for (const size of [1 << 16, 5, 1]) {
      const evs = await rows(lines.join('\r\n') + '\r\n', size);
      expect(evs.map((e) => e.record)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(fieldsOf(evs)[6]).toEqual(['内科', '胸闷', '胸闷气短', '先做心电图,再抽血。']);
      expect(fieldsOf(evs)[8]).toEqual(row(8).split(','));
      expect(evs.every((e) => e.kind === 'row' && e.fields.length === 4)).toBe(true);
    }
  });

  it('reads every row after a stray quote that a later quote closes properly but leaves the record the wrong width', async () => {
    // The quote after 再抽血 ends a field for the stray one: the record then has 2 fields.
    const lines = [header, '内科,"头痛1,头痛1天了怎么办,先测血压1', row(2), row(3), '内科,胸闷,胸闷气短,先做心电图再抽血",好的', row(5)];
    const evs = await rows(lines.join('\n') + '\n');
    expect(evs.map((e) => e.record)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fieldsOf(evs)[1]).toEqual(['内科', '"头痛1', '头痛1天了怎么办', '先测血压1']);
    expect(fieldsOf(evs)[4]).toEqual(['内科', '胸闷', '胸闷气短', '先做心电图再抽血"', '好的']);
    expect(fieldsOf(evs)[5]).toEqual(row(5).split(','));
  });

  it('keeps real multi-line cells, also one in a row of the wrong width and one cut by the end of the input', async () => {
    const cell = '第一条：多喝水, 少熬夜\n第二条：按时吃药\n\n第三条：复查';
    const text = `${header}\n内科,失眠,睡不着,"${cell}"\n内科,胸闷,"胸闷\n气短",先做心电图,多出来的\n内科,头痛,头痛三天,"先测血压"\n内科,失眠,睡不着,"${cell}`;
    for (const size of [1 << 16, 3]) {
      expect(fieldsOf(await rows(text, size))).toEqual([
        header.split(','),
        ['内科', '失眠', '睡不着', cell],
        ['内科', '胸闷', '胸闷\n气短', '先做心电图', '多出来的'],
        ['内科', '头痛', '头痛三天', '先测血压'],
        ['<truncated>', '内科', '失眠', '睡不着', cell],
      ]);
    }
  });
});

describe('Toyhom importer: a short stray quote', () => {
  it('keeps every row of a 10-row file with a stray quote in row 2, numbered as in the clean file', async () => {
    const lines = [header, row(1), '内科,"头痛2,头痛2天了怎么办,先测血压2', ...[3, 4, 5, 6, 7, 8, 9, 10].map(row)];
    const { dialogues, rejects } = await importText(importToyhom, lines.join('\n') + '\n', 'stray.csv');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(Array.from({ length: 10 }, (_, k) => `row-${k + 1}`));
    expect(dialogues[1].title).toBe('"头痛2');
    expect(dialogues[9].turns[1].text).toBe('先测血压10');
  });
});
