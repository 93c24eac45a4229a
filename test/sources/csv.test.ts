import { describe, expect, it } from '@jest/globals';
import { csvRows, type CsvEvent } from '../../src/sources/csv.js';

async function rows(text: string, chunkSize = 1 << 16): Promise<CsvEvent[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: CsvEvent[] = [];
  for await (const ev of csvRows(chunks())) out.push(ev);
  return out;
}

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
