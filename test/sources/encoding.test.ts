import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { decodeText, sniffEncoding, SNIFF_BYTES, type ResolvedEncoding } from '../../src/sources/encoding.js';
import { importHetmc } from '../../src/sources/hetmc.js';
import { chunked, collect } from './helpers.js';

async function decodeAll(buf: Buffer, encoding: 'auto' | 'utf-8' | 'gb18030' | 'gbk', chunkSize = 1 << 16): Promise<{ text: string; used?: ResolvedEncoding }> {
  let used: ResolvedEncoding | undefined;
  let text = '';
  for await (const s of decodeText(chunked(buf, chunkSize), encoding, (e) => (used = e))) text += s;
  return { text, used };
}

const sample = '医生您好，我最近头痛，血压150/95，需要吃药吗？';

function hetmcBlock(n: number, utterance: string): string {
  return `id\t${n}\tdepartment\t内科\tdisease\t头痛\nP\t${utterance}\t1\nD\t建议先测量血压，再决定是否用药\t2\nSUM1\t头痛\nSUM2.0\t测量血压\n\n`;
}

describe('encoding', () => {
  it('sniffs UTF-8 text as UTF-8 and GB18030 text as GB18030', () => {
    expect(sniffEncoding(Buffer.from(sample, 'utf8'), true)).toBe('utf-8');
    expect(sniffEncoding(iconv.encode(sample, 'gb18030'), true)).toBe('gb18030');
    expect(sniffEncoding(Buffer.from('plain ascii only', 'utf8'), true)).toBe('utf-8');
  });

  it('sniffs mostly valid UTF-8 with a damaged stretch as UTF-8, so only the damage shows', () => {
    const damaged = Buffer.concat([Buffer.from(sample.repeat(3), 'utf8'), Buffer.from([0xff]), Buffer.from(sample, 'utf8')]);
    expect(sniffEncoding(damaged, true)).toBe('utf-8');
  });

  it('does not count a character cut by the end of the sniffing window as invalid', () => {
    const cut = Buffer.from(sample, 'utf8').subarray(0, 4); // 医 + first byte of 生
    expect(sniffEncoding(cut, false)).toBe('utf-8');
  });

  it('cuts a line of megabytes without any ASCII byte at a character start, so no character becomes U+FFFD', async () => {
    const long = '头痛乏力，'.repeat(400_000); // 6 MB of UTF-8, no two ASCII bytes in a row anywhere
    const { text, used } = await decodeAll(Buffer.from(`${long}\n`, 'utf8'), 'auto');
    expect(used).toBe('utf-8');
    expect(text.includes('\ufffd')).toBe(false);
    expect(text).toBe(`${long}\n`);
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const { text, used } = await decodeAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample, 'utf8')]), 'auto');
    expect(used).toBe('utf-8');
    expect(text).toBe(sample);
  });

  it('decodes UTF-8 and GB18030 correctly when every chunk is a single byte', async () => {
    expect((await decodeAll(Buffer.from(sample, 'utf8'), 'auto', 1)).text).toBe(sample);
    const gb = await decodeAll(iconv.encode(sample + '😊', 'gb18030'), 'auto', 1);
    expect(gb).toEqual({ text: sample + '😊', used: 'gb18030' });
  });

  it('honours an explicitly named encoding', async () => {
    const gbk = iconv.encode(sample, 'gbk');
    expect(await decodeAll(gbk, 'gbk')).toEqual({ text: sample, used: 'gbk' });
    expect(await decodeAll(gbk, 'gb18030')).toEqual({ text: sample, used: 'gb18030' });
    const asUtf8 = await decodeAll(gbk, 'utf-8');
    expect(asUtf8.used).toBe('utf-8');
    expect(asUtf8.text).toContain('\ufffd');
  });

  it('rejects GBK dialogues read as UTF-8 as import.encoding instead of garbling them', async () => {
    const bytes = iconv.encode(hetmcBlock(1, sample) + hetmcBlock(2, '头晕两天'), 'gbk');
    const { items } = await collect(importHetmc, { file: 'gbk.dialog', bytes: chunked(bytes, 1 << 16), encoding: 'utf-8' });
    expect(items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'))).toEqual(['import.encoding', 'import.encoding']);
  });

  it('catches an invalid sequence after the sniffed window: only that dialogue is rejected', async () => {
    const clean: string[] = [];
    for (let n = 0; Buffer.byteLength(clean.join('')) < SNIFF_BYTES + 1000; n++) clean.push(hetmcBlock(n, `${sample}${n}`));
    const bytes = Buffer.concat([
      Buffer.from(clean.join(''), 'utf8'),
      Buffer.from('id\t99999\tdepartment\t内科\tdisease\t头痛\nP\t头痛', 'utf8'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('三天\t1\nD\t建议就医\t2\nSUM1\t头痛\n\n', 'utf8'),
      Buffer.from(hetmcBlock(100000, '最后一个'), 'utf8'),
    ]);
    const { dialogues, rejects } = await collect(importHetmc, { file: 'late.dialog', bytes: chunked(bytes, 4096), encoding: 'auto' });
    expect(dialogues).toHaveLength(clean.length + 1);
    expect(rejects.map((r) => [r.reason, r.origin.sourceId])).toEqual([['import.encoding', '99999']]);
    expect(dialogues[dialogues.length - 1].turns[0].text).toBe('最后一个');
  });

  it('reads GBK text that starts after an ASCII-only first 64 KiB (sniffed as UTF-8) as GBK: the encoding is decided per line', async () => {
    const ascii: string[] = [];
    for (let n = 0; ascii.join('').length < SNIFF_BYTES + 10; n++) ascii.push(hetmcBlock(n, `headache ${n}`).replace(/[^\x00-\x7f]+/g, 'x'));
    const bytes = Buffer.concat([Buffer.from(ascii.join(''), 'ascii'), iconv.encode(hetmcBlock(77777, sample), 'gbk')]);
    const { dialogues, rejects } = await collect(importHetmc, { file: 'late-gbk.dialog', bytes: chunked(bytes, 8192), encoding: 'auto' });
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(ascii.length + 1);
    expect(dialogues[dialogues.length - 1].turns[0].text).toBe(sample);
  });
});
