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

  it('equals decodeLine on lines at the plausibility boundary: rare ideographs, full-width forms, C1 controls, private use, astral characters', () => {
    const u = (s: string) => Buffer.from(s, 'utf8');
    // 头痛 are GB2312 level 1 (common), 丂丄 are not (odd): a line is implausible when odd > common / 4.
    const lines = [
      u('头痛头痛丂\n'), u('头痛头痛丂丄\n'), u('头痛头痛头痛头痛丂丄\n'), u('头痛头痛头痛头痛丂丄丂\n'), u('（头痛）！？、。丂\n'), u('头痛\u0085\u0085\n'),
      u('头痛头痛头痛头痛\ue000\n'), u('\u2500\u2502\u250c头痛\n'), u('𠀀𠀁头痛丂\n'), u('ｈｅｌｌｏ头痛头痛头痛头痛丂\n'), u('ÀÉÎ\n'), u('头'),
    ];
    let seed = 11;
    const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let redecided = 0;
    for (let k = 0; k < 300; k++) {
      const pick: Buffer[] = [];
      for (let j = 1 + Math.floor(r() * 6); j > 0; j--) pick.push(lines[Math.floor(r() * lines.length)]);
      const b = Buffer.concat(pick);
      for (const prior of ['utf-8', 'gb18030'] as const) {
        const got = decodeLines(b, prior);
        expect([b.toString('hex'), got]).toEqual([b.toString('hex'), perLine(b, prior)]);
        if (got !== b.toString('utf8')) redecided++;
      }
    }
    expect(redecided).toBeGreaterThan(0); // some lines are read the other way: the boundary is exercised
  });

  it('decodes long UTF-8 lines and spans exactly as TextDecoder does: valid, ASCII-only, with a BOM inside, with invalid bytes', () => {
    const td = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    const zh = '患者自述头痛三天，伴有恶心，夜间加重；医生建议：先做头颅CT，再复诊。'.repeat(60);
    const valid = Buffer.from(`${zh}\n${'plain ascii line '.repeat(100)}\n${zh}\ufeff${zh}\n😀${zh}\n`, 'utf8');
    expect(valid.length).toBeGreaterThan(8192);
    expect(decodeLines(valid, 'utf-8')).toBe(td.decode(valid));
    expect(decodeLine(valid.subarray(0, valid.indexOf(10) + 1), 'utf-8')).toBe(`${zh}\n`);
    const ascii = Buffer.from(`${'x'.repeat(3000)}\n`, 'latin1');
    expect(decodeLines(ascii, 'utf-8')).toBe(td.decode(ascii));
    // An invalid byte in a long line: that line is TextDecoder's reading, U+FFFD where the byte was.
    const bad = Buffer.concat([Buffer.from(zh, 'utf8'), Buffer.from([0xff]), Buffer.from(`${zh}\n`, 'utf8')]);
    const got = decodeLines(Buffer.concat([valid, bad]), 'utf-8');
    expect(got).toBe(td.decode(valid) + td.decode(bad));
    expect(got.split('\ufffd')).toHaveLength(2);
  });

  it('streams long UTF-8 input to the text TextDecoder gives, in any chunk size, however the spans fall', async () => {
    const td = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(`{"id": ${i}, "text": "第${i}位患者：${'头痛发热咳嗽'.repeat(1 + (i % 40))}"}\n`);
    const b = Buffer.from(lines.join(''), 'utf8');
    for (const size of [b.length, 1 << 20, 65_536, 65_537, 4095, 333]) {
      const pieces: string[] = [];
      for await (const t of decodeText(chunked(b, size), 'auto')) pieces.push(t);
      expect(pieces.join('')).toBe(td.decode(b));
      for (const p of pieces.slice(0, -1)) expect(p.endsWith('\n')).toBe(true); // whole lines, as before
    }
  });
});

describe('Chinese text once mis-read as Latin-1 or CP1252 and saved again as UTF-8', () => {
  const text = '医生，我头很痛，晚上睡不着，需要吃药吗？\n建议先测血压，注意休息。\n';
  const throughLatin1 = (bytes: Buffer) => Buffer.from(bytes.toString('latin1'), 'utf8');

  it('reads UTF-8 text mis-read as Latin-1 (åŒ»ç”Ÿ for 医生) and GBK text mis-read so (Ò½Éú) as the text it was, in any chunking', async () => {
    const decode = async (b: Buffer, size: number) => {
      let s = '';
      for await (const t of decodeText(chunked(b, size), 'auto')) s += t;
      return s;
    };
    for (const size of [1 << 16, 7]) {
      // Before: accepted as 氓聦禄莽聰聼… (the UTF-8 of the Latin letters read as GB18030).
      expect(await decode(throughLatin1(Buffer.from(text, 'utf8')), size)).toBe(text);
      expect(await decode(throughLatin1(iconv.encode(text, 'gbk')), size)).toBe(text);
    }
    // CP1252's characters for 0x80–0x9F (Œ for 0x8C, ” for 0x94, € for 0x80) are their bytes too
    const cp1252 = Buffer.from(iconv.decode(Buffer.from('医生说头痛。', 'utf8'), 'win1252'), 'utf8');
    expect(cp1252.toString('utf8')).toContain('Œ');
    expect(decodeLine(cp1252, 'utf-8')).toBe('医生说头痛。');
  });

  it('leaves Latin text alone (it was read as GB18030: café as caf茅), and a line in which some characters are no byte', () => {
    for (const s of ['café au lait, naïve résumé\n', 'Größe 1,75 m; Übelkeit\n', 'ÀÉÎ 医生说\n', 'Ñoño señor\n']) expect(decodeLine(Buffer.from(s, 'utf8'), 'utf-8')).toBe(s);
  });
});
