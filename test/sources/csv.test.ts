import { describe, expect, it } from '@jest/globals';
import { STRAY_QUOTED_CHARS, STRAY_QUOTED_LINES, type CsvEvent } from '../../src/sources/csv.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import { csvEvents, importText } from './helpers.js';

const rows = csvEvents;

describe('CSV reader', () => {
  const text = 'a,b,c\r\n1,"x, y","he said ""hi"""\r\n2,"two\nlines",\n\n3,,"末尾"';

  it('reads quoted commas, doubled quotes, embedded newlines, CRLF, empty fields and a last line without newline', async () => {
    expect(await rows(text)).toEqual([
      { kind: 'row', record: 1, fields: ['a', 'b', 'c'] },
      { kind: 'row', record: 2, fields: ['1', 'x, y', 'he said "hi"'] },
      { kind: 'row', record: 3, fields: ['2', 'two\nlines', ''] },
      { kind: 'row', record: 5, fields: ['3', '', '末尾'], unterminated: true },
    ]);
  });

  it('reads the same rows whatever the chunk boundaries', async () => {
    const whole = await rows(text);
    for (const size of [1, 2, 3, 5]) expect(await rows(text, size)).toEqual(whole);
  });

  it('keeps a quote inside an unquoted field as text', async () => {
    expect(await rows('a,b"c,d\n')).toEqual([{ kind: 'row', record: 1, fields: ['a', 'b"c', 'd'] }]);
  });

  it('reports an input that ends inside a quoted field as truncated', async () => {
    expect(await rows('a,b\n1,"unfinished\nstill')).toEqual([
      { kind: 'row', record: 1, fields: ['a', 'b'] },
      { kind: 'truncated', record: 2, fields: ['1', 'unfinished\nstill'] },
    ]);
  });
});

describe('CSV reader: a stray quote does not swallow the records after it', () => {
  const body = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `内科,头痛${from + k},头痛${from + k}天了,先测血压${from + k}`);
  const fieldsOf = (evs: CsvEvent[]) => evs.map((e) => (e.kind === 'row' ? e.fields : ['<truncated>', ...e.fields]));

  it('reads every row after a quote that never closes (no other quote follows), in any chunking', async () => {
    const lines = ['dept,title,ask,answer', ...body(0, 3), '内科,"头痛坏,头痛怎么办,先休息', ...body(3, 3 + STRAY_QUOTED_LINES + 10)];
    const text = lines.join('\r\n') + '\r\n';
    for (const size of [1 << 16, 7]) {
      const evs = await rows(text, size);
      expect(evs.every((e) => e.kind === 'row' && e.fields.length === 4)).toBe(true);
      expect(evs).toHaveLength(lines.length);
      expect(fieldsOf(evs)[4]).toEqual(['内科', '"头痛坏', '头痛怎么办', '先休息']); // the stray quote kept as text
      expect(fieldsOf(evs).at(-1)).toEqual(body(3 + STRAY_QUOTED_LINES + 9, 3 + STRAY_QUOTED_LINES + 10)[0].split(','));
    }
  });

  it('reads the rows between a stray quote and the next quoted field, and that field as quoted', async () => {
    const lines = ['dept,title,ask,answer', '内科,"头痛坏,头痛怎么办,先休息', ...body(0, STRAY_QUOTED_LINES + 5), '内科,胸闷,胸闷气短,"先做心电图, 再抽血"', ...body(100, 103)];
    for (const size of [1 << 16, 5, 1]) {
      const evs = await rows(lines.join('\n') + '\n', size);
      expect(evs).toHaveLength(lines.length);
      expect(fieldsOf(evs)[STRAY_QUOTED_LINES + 7]).toEqual(['内科', '胸闷', '胸闷气短', '先做心电图, 再抽血']);
      expect(evs.every((e) => e.kind === 'row' && e.fields.length === 4)).toBe(true);
    }
  });

  it('keeps a long multi-line quoted cell that closes properly as one field', async () => {
    const cell = Array.from({ length: STRAY_QUOTED_LINES * 2 }, (_, k) => `第${k}条：多喝水, 少熬夜`).join('\n');
    const text = `dept,title,ask,answer\n内科,失眠,睡不着,"${cell}"\n内科,头痛,头痛三天,"先测血压"\n`;
    for (const size of [1 << 16, 3]) {
      expect(fieldsOf(await rows(text, size))).toEqual([['dept', 'title', 'ask', 'answer'], ['内科', '失眠', '睡不着', cell], ['内科', '头痛', '头痛三天', '先测血压']]);
    }
    // A file cut inside such a cell within STRAY_QUOTED_LINES lines is still one truncated record.
    const cut = `dept,title,ask,answer\n内科,失眠,睡不着,"${cell.split('\n').slice(0, 5).join('\n')}`;
    expect((await rows(cut)).map((e) => e.kind)).toEqual(['row', 'truncated']);
  });

  it('reads a stray quote as text once its field outgrows STRAY_QUOTED_CHARS over a line break, before the input ends', async () => {
    const long = 'x'.repeat(STRAY_QUOTED_CHARS / 4);
    const lines = ['dept,title,ask,answer', '内科,"头痛坏,头痛怎么办,先休息', ...Array.from({ length: 5 }, (_, k) => `内科,长${k},${long},答${k}`), '内科,短,短问,"短, 答"'];
    const evs = await rows(lines.join('\n') + '\n', 1 << 20);
    expect(evs.map((e) => (e.kind === 'row' ? e.fields[1] : e.kind))).toEqual(['title', '"头痛坏', '长0', '长1', '长2', '长3', '长4', '短']);
    expect(fieldsOf(evs).at(-1)).toEqual(['内科', '短', '短问', '短, 答']);
  });

  it('gives the Toyhom importer every dialogue of a file with a stray quote', async () => {
    const lines = ['department,title,ask,answer', '内科,"头痛,头痛三天怎么办,建议先测血压', ...body(0, 200)];
    const { dialogues, rejects } = await importText(importToyhom, lines.join('\r\n') + '\r\n', 'stray.csv', 4096);
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(201);
    expect(dialogues[0].title).toBe('"头痛');
  });
});
