import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { charsetFromContentType, charsetFromMeta, decodeHtml, MIXED_UTF8_RUN, utf8Run } from '../../src/scrape/charset.js';
import { sharedData } from '../support/services.js';

const page = (charset: string, body: string) => `<!DOCTYPE html><html><head><meta charset="${charset}"><title>t</title></head><body><p>${body}</p></body></html>`;

describe('charset decision', () => {
  it('reads the charset from Content-Type, then from the first meta tag', () => {
    expect(charsetFromContentType('text/html; charset="GBK"')).toBe('gbk');
    expect(charsetFromContentType('text/html')).toBeUndefined();
    expect(charsetFromMeta(Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><meta charset="utf-8">'))).toBe('gb2312');
  });

  it('decodes the real haodf page, which declares gbk, as the UTF-8 it is', () => {
    const d = decodeHtml(readFileSync(sharedData('html', 'haodf', 'haodf_flow_page_2020.html')));
    expect(d.ok && { charset: d.charset, by: d.by, declared: d.declared, declaredIn: d.declaredIn, mismatch: d.mismatch }).toEqual({
      charset: 'utf-8',
      by: 'sniffed',
      declared: 'gbk',
      declaredIn: 'meta',
      mismatch: true,
    });
    expect(d.ok && d.text.includes('谢谢医生')).toBe(true);
  });

  it('decodes a GBK page declared UTF-8 (header and meta) as GB18030', () => {
    const bytes = iconv.encode(page('utf-8', '头痛三天了，需要吃止痛药吗？'), 'gbk');
    const d = decodeHtml(bytes, 'text/html; charset=utf-8');
    expect(d.ok && [d.charset, d.by, d.declaredIn]).toEqual(['gb18030', 'sniffed', 'header']);
    expect(d.ok && d.text.includes('头痛三天了，需要吃止痛药吗？')).toBe(true);
  });

  it('follows a gbk declaration when the bytes are GBK', () => {
    const d = decodeHtml(iconv.encode(page('gbk', '咳嗽'), 'gbk'));
    expect(d.ok && [d.charset, d.by, d.mismatch]).toEqual(['gb18030', 'declared', false]);
  });

  it('drops a multi-byte character cut by truncation instead of failing', () => {
    const full = Buffer.from(page('utf-8', '胃痛'), 'utf8');
    const cut = full.subarray(0, full.indexOf(Buffer.from('痛')) + 1);
    const d = decodeHtml(cut);
    expect(d.ok && d.text.endsWith('胃')).toBe(true);
  });

  it('fails on bytes that are neither UTF-8 nor GB18030', () => {
    const bytes = Buffer.concat([Buffer.from('<html><head><meta charset="utf-8"></head><body>'), Buffer.from([0xff, 0x41, 0x80, 0xff, 0xfe, 0x81]), Buffer.from('</body></html>')]);
    const d = decodeHtml(bytes);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.detail).toBe('bytes are neither valid UTF-8 nor GB18030; declared utf-8 (meta)');
  });

  it('refuses a page of mixed encodings instead of decoding part of it as mojibake: UTF-8 text inside GBK bytes, GBK text inside UTF-8 bytes', () => {
    const gbk = (t: string) => iconv.encode(t, 'gbk');
    // Four UTF-8 characters (12 bytes) decode cleanly as six GBK ones: this page read 孩子发烧三天了，鍖荤敓浣犲ソ before.
    const inGbk = Buffer.concat([gbk('<html><head><meta charset="gbk"></head><body><p>孩子发烧三天了，'), Buffer.from('医生你好', 'utf8'), gbk('</p></body></html>')]);
    const d = decodeHtml(inGbk);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.detail).toBe('bytes mix encodings: 4 UTF-8 characters in a row at byte 64 of a page that is not valid UTF-8; declared gbk (meta)');
    const inUtf8 = Buffer.concat([Buffer.from('<html><head><meta charset="utf-8"></head><body><p>孩子发烧三天了，', 'utf8'), gbk('医生你好'), Buffer.from('</p></body></html>', 'utf8')]);
    expect(decodeHtml(inUtf8)).toMatchObject({ ok: false, detail: expect.stringMatching(/^bytes mix encodings: 8 UTF-8 characters in a row/) });
  });

  it('UTF-8 text only inside a <script>, a <style> or a comment of a GBK page is no reader\'s text: the page decodes as GBK (when those bytes decode as GBK at all)', () => {
    const gbk = (t: string) => iconv.encode(t, 'gbk');
    const page = Buffer.concat([gbk('<html><head><meta charset="gbk"><SCRIPT>// '), Buffer.from('统计代码注释文字', 'utf8'), gbk('</script><style>/* '), Buffer.from('样式说明文字', 'utf8'), gbk(' */</style></head><body><!-- '), Buffer.from('模板中文注释', 'utf8'), gbk(' --><p>孩子发烧三天了。</p></body></html>')]);
    const d = decodeHtml(page);
    expect(d.ok && [d.charset, d.text.includes('孩子发烧三天了。')]).toEqual(['gb18030', true]);
  });

  it('real GBK text is never taken for mixed: the longest UTF-8-looking run in 3.4 MB of it is shorter than the limit; the GBK fixtures decode as before', () => {
    const real = readFileSync(sharedData('dialogues', 'toyhom_cmd', '样例_内科5000-6000.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(real)).toThrow(); // GBK bytes
    expect(utf8Run(real).chars).toBeLessThan(MIXED_UTF8_RUN);
    for (const f of ['haodf/wenda_fx_3001.htm', 'xywy/question_20180712_fx7654321.htm', 'xywy/question_20190302_fx8123456.htm', '120ask/question_fx70551.htm', '120ask/question_fx61207.htm']) {
      expect(decodeHtml(readFileSync(`fixtures/html/${f}`))).toMatchObject({ ok: true, charset: 'gb18030' });
    }
  });
});
