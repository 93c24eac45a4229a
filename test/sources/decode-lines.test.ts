import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { decodeLine, decodeLines, decodeText } from '../../src/sources/encoding.js';
import { sharedData } from '../support/services.js';
import { chunked } from './helpers.js';

/** decodeLine over every line of b: what decodeLines must equal. */
function perLine(b: Buffer, prior: 'utf-8' | 'gb18030'): string {
  let out = '';
  let start = 0;
  for (;;) {
    const nl = b.indexOf(10, start);
    if (nl < 0) break;
    out += decodeLine(b.subarray(start, nl + 1), prior);
    start = nl + 1;
  }
  if (start < b.length) out += decodeLine(b.subarray(start), prior);
  return out;
}

const FILES = ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'hetmc_chunyu/train.dialog', 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'mie_chunyu/dev.json', 'toyhom_cmd/样例_内科5000-6000.csv'];

describe('decodeLines: a span of lines decoded at once', () => {
  it('equals decodeLine line by line on every real file, in both priors', () => {
    for (const f of FILES) {
      const b = readFileSync(sharedData('dialogues', f));
      for (const prior of ['utf-8', 'gb18030'] as const) expect([f, prior, decodeLines(b, prior) === perLine(b, prior)]).toEqual([f, prior, true]);
    }
  });

  it('equals decodeLine on mixed lines: UTF-8 among GB18030, BOMs at line starts and inside, bad bytes, kana, Latin-1', () => {
    const u = (s: string) => Buffer.from(s, 'utf8');
    const g = (s: string) => Buffer.from(iconv.encode(s, 'gb18030'));
    const lines: Buffer[] = [
      u('我头很痛，需要检查吗？\n'), g('我头很痛，需要检查吗？\n'), u('plain ascii\n'), Buffer.from([0xef, 0xbb, 0xbf, ...u('带BOM的行\n')]),
      u('中间\ufeff有BOM\n'), Buffer.from([0xe6, 0x88, 0x0a]), Buffer.from([0xc3, 0x28, 0x0a]), u('café\n'), u('カタカナのみ\n'), u('\ud83d\ude00 表情\n'),
      g('医生：建议复查血常规。\r\n'), Buffer.from([0x81, 0x0a]), u('\ufffd字面的替换符\n'), u('\n'), u('結尾'),
    ];
    let seed = 5;
    const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 300; k++) {
      const pick: Buffer[] = [];
      for (let j = 1 + Math.floor(r() * 6); j > 0; j--) pick.push(lines[Math.floor(r() * (lines.length - 1))]);
      if (r() < 0.3) pick.push(lines[lines.length - 1]); // no final LF
      const b = Buffer.concat(pick);
      for (const prior of ['utf-8', 'gb18030'] as const) expect([b.toString('hex'), decodeLines(b, prior)]).toEqual([b.toString('hex'), perLine(b, prior)]);
    }
  });

  it('streams a file of mixed encodings to the same text in any chunk size', async () => {
    const b = Buffer.concat([readFileSync(sharedData('dialogues/hetmc_chunyu/train.dialog')).subarray(0, 70_000), Buffer.from(iconv.encode('\n病人：我头很痛\n医生：多久了？\n', 'gb18030')), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('病人：谢谢\n')]);
    const read = async (size: number) => {
      let s = '';
      for await (const t of decodeText(chunked(b, size), 'auto')) s += t;
      return s;
    };
    const whole = await read(b.length);
    for (const size of [1, 7, 4096, 65_536, 100_000]) expect(await read(size)).toBe(whole);
    expect(whole).toContain('病人：我头很痛');
  });
});
