import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { charsetFromContentType, charsetFromMeta, decodeHtml } from '../../src/scrape/charset.js';
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
});
