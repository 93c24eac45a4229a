/**
 * A file with a UTF-32 byte-order mark (Python's open(..., encoding='utf-32') writes one) is read
 * as UTF-32 in either byte order, not as UTF-16LE (FF FE 00 00 starts with the UTF-16LE mark): that
 * read every character as itself plus a NUL and made the whole file one garbled reject.
 */
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { importHetmc } from '../../src/sources/hetmc.js';
import { chunked, collect, turnsOf } from './helpers.js';

const text = 'id\t1\tdepartment\t儿科\tdisease\t发热\nP\t孩子发烧三天了😷\t1\nD\t先物理降温，多喝水\t2\nSUM1\t发烧\n\nid\t2\tdepartment\t内科\tdisease\t头痛\nP\t头痛一周\t1\nD\t建议测血压\t2\nSUM1\t头痛\n\n';

async function read(bytes: Buffer, chunkSize: number) {
  return collect(importHetmc, { file: 'u32.dialog', bytes: chunked(bytes, chunkSize), encoding: 'auto' });
}

describe('UTF-32 with a byte-order mark', () => {
  it.each([
    ['utf-32le', Buffer.from([0xff, 0xfe, 0, 0])],
    ['utf-32be', Buffer.from([0, 0, 0xfe, 0xff])],
  ])('reads %s as the UTF-8 file reads, in any chunking', async (enc, bom) => {
    const bytes = Buffer.concat([bom, iconv.encode(text, enc, { addBOM: false })]);
    const utf8 = await collect(importHetmc, { file: 'u32.dialog', bytes: chunked(Buffer.from(text), 1 << 16), encoding: 'auto' });
    for (const size of [1 << 16, 3, 1]) {
      const { dialogues, rejects } = await read(bytes, size);
      // Before: one import.truncated reject holding "\u0000i\u0000d…" and no dialogue.
      expect(rejects).toEqual([]);
      expect(dialogues.map(turnsOf)).toEqual(utf8.dialogues.map(turnsOf));
    }
  });
});
