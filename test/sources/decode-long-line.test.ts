import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { decodeText, MAX_LINE_BYTES } from '../../src/sources/encoding.js';

async function* repeated(chunk: Buffer, n: number): AsyncGenerator<Buffer> {
  for (let k = 0; k < n; k++) yield chunk;
}

/** The decoded pieces' lengths: the longest, and the sum. */
async function pieces(bytes: AsyncIterable<Buffer>): Promise<{ longest: number; total: number }> {
  let longest = 0;
  let total = 0;
  for await (const s of decodeText(bytes, 'auto')) {
    longest = Math.max(longest, s.length);
    total += s.length;
  }
  return { longest, total };
}

describe('decodeText on a line with no LF, in chunks larger than MAX_LINE_BYTES', () => {
  it('cuts the line into pieces of at most MAX_LINE_BYTES whatever the chunk size: one cut per chunk let the held line grow with the input', async () => {
    // 9 × 64 MiB of NUL bytes (a zeroed download), and of 'a': before, each chunk gave up only
    // 512 KiB and the rest was held and concatenated again (quadratic), until the last piece was
    // longer than V8's longest string ("Cannot create a string longer than 0x1fffffe8 characters").
    for (const byte of [0, 0x61]) {
      const chunk = Buffer.alloc(64 << 20, byte);
      const { longest, total } = await pieces(repeated(chunk, 9));
      expect([byte, total]).toEqual([byte, 9 * chunk.length]);
      expect(longest).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
  });

  it('still cuts a long line of Chinese text at a character boundary (no U+FFFD), in both encodings', async () => {
    const text = '头痛发热咳嗽'.repeat(1 << 20); // 6 Mi characters, no ASCII at all
    for (const enc of ['utf8', 'gb18030'] as const) {
      const bytes = enc === 'utf8' ? Buffer.from(text) : iconv.encode(text, 'gb18030');
      let out = '';
      let longest = 0;
      for await (const s of decodeText(repeated(bytes, 1), 'auto')) {
        out += s;
        longest = Math.max(longest, s.length);
      }
      expect([enc, out === text, out.includes('\ufffd')]).toEqual([enc, true, false]);
      // Without two ASCII bytes in a row a line is held up to 4 × MAX_LINE_BYTES before it is cut anyway.
      expect(longest).toBeLessThanOrEqual(4 * MAX_LINE_BYTES);
    }
  });
});
