/**
 * A UTF-8 file with a UTF-16 export appended to it (`cat a.json b.json`, an editor's "save as
 * Unicode" of one part): the UTF-8 part is read as UTF-8, and the appended part is an
 * import.encoding reject that says to convert it. Before, a small such file was sniffed as UTF-16
 * whole (the NULs of the appended part), and its UTF-8 records were garbled into one parse_error;
 * in a larger one the appended part became import.parse_error rejects that did not name the cause.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { sniffUtf16 } from '../../src/sources/encoding.js';
import { chunked, collect } from './helpers.js';

const rec = (id: string, q: string) => JSON.stringify({ id, instruction: q, input: '', output: '建议清淡饮食，多喝温水，观察两天。', history: [] });

async function read(bytes: Buffer, chunkSize: number) {
  return collect(importCmtMedQa, { file: 'joined.json', bytes: chunked(bytes, chunkSize), encoding: 'auto' });
}

describe('a UTF-8 file with a UTF-16 part appended', () => {
  it.each([
    ['a JSON array', `[${rec('a1', '胃痛三天了怎么办')}, ${rec('a2', '头痛两天吃什么药')}]\n`],
    ['JSON Lines', `${rec('a1', '胃痛三天了怎么办')}\n${rec('a2', '头痛两天吃什么药')}\n`],
  ])('in %s keeps the UTF-8 records and rejects the appended part as import.encoding, in any chunking', async (_shape, head) => {
    const tail = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(`${rec('b1', '咳嗽一周了需要拍片吗')}\n`, 'utf-16le')]);
    const bytes = Buffer.concat([Buffer.from(head), tail]);
    for (const size of [1 << 16, 7]) {
      const { dialogues, rejects } = await read(bytes, size);
      expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['a1', 'a2']);
      expect(rejects.length).toBeGreaterThan(0);
      expect(new Set(rejects.map((r) => r.reason))).toEqual(new Set(['import.encoding']));
      expect(rejects[0].detail).toMatch(/another encoding/);
    }
  });

  it('still sniffs a UTF-16 file without a mark, whose Chinese text starts before its first NUL', () => {
    const text = `${'孩子发烧三天了体温三十九度'.repeat(3)}\n[${rec('c1', '发烧')}]\n`;
    expect(sniffUtf16(iconv.encode(text, 'utf-16le'))).toBe('utf-16le');
    expect(sniffUtf16(iconv.encode(text, 'utf-16be'))).toBe('utf-16be');
    // and a UTF-8 head whose first NUL comes after its Chinese text is not UTF-16
    expect(sniffUtf16(Buffer.concat([Buffer.from(`[${rec('c1', '胃痛三天了怎么办')}]\n`), iconv.encode('[{"id": 1}]\n', 'utf-16le')]))).toBeUndefined();
  });

  it('leaves a stray NUL in an element broken for another reason as import.parse_error', async () => {
    const bytes = Buffer.from(`${rec('a1', '胃痛')}\n{"id": "a2", "instruction": "x\u0000", "output": "y",, "history": []}\n`);
    const { rejects } = await read(bytes, 1 << 16);
    expect(rejects.map((r) => r.reason)).toEqual(['import.parse_error']);
  });
});
