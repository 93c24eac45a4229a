import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { nfcStable, nfcVisible, normalisePunctuation, normalisePunctuationAllPasses, normaliseWhitespace, normaliseWhitespaceAllPasses, traditionalTableByUnit, traditionalUnits } from '../../../src/stages/normalise/text.js';
import { sharedData } from '../../support/services.js';

const FILES = ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'hetmc_chunyu/train.dialog', 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'mie_chunyu/dev.json'];

/** Strings over the characters the passes look at, in every mix (deterministic). */
function mixes(count: number): string[] {
  const alphabet = [...' \t\v\f\r\n\u3000,?!;:.()（）。，头痛38ａＺ０９＠ \u00a0\u2028'];
  let x = 11;
  const r = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let t = '';
    for (let j = Math.floor(r() * 16); j > 0; j--) t += alphabet[Math.floor(r() * alphabet.length)];
    out.push(t);
  }
  return out;
}

describe('normalise passes behind a pre-scan', () => {
  const real = FILES.flatMap((f) => readFileSync(sharedData('dialogues', f), 'utf8').split(/(?<=\n)/));
  // Whole blocks too, so \r\n, runs of newlines and spaces across lines are in the input.
  for (let i = 0; i + 5 < real.length && i < 20_000; i += 5) real.push(real.slice(i, i + 5).join(''));
  const inputs = [...real, ...mixes(50_000), '', ' ', '\r', '\r\n\r\n', 'a  b', '头 痛', '头\t痛', '(头痛)', '.'];

  it('normalisePunctuation equals running every pass', () => {
    const diffs = inputs.filter((s) => normalisePunctuation(s) !== normalisePunctuationAllPasses(s));
    expect(diffs).toEqual([]);
  });

  it('normaliseWhitespace equals running every pass', () => {
    const diffs = inputs.filter((s) => normaliseWhitespace(s) !== normaliseWhitespaceAllPasses(s));
    expect(diffs).toEqual([]);
    expect(normaliseWhitespace('头 痛\r\n\r\n  好 的 ')).toBe('头痛\n好的');
    // two or more spaces between hanzi are a clause break: a comma, not a deletion
    expect(normaliseWhitespace('心里就紧张  身体就发热\t\t晚上量体温')).toBe('心里就紧张，身体就发热，晚上量体温');
  });
});

describe('NFC and invisible characters behind a pre-scan', () => {
  const stable: string[] = [];
  for (let c = 0; c < 0x10000; c++) if (nfcStable(c)) stable.push(String.fromCharCode(c));

  it('takes as NFC-stable only code units NFC leaves alone, alone and next to each other and to marks', () => {
    expect(stable.length).toBeGreaterThan(20_000);
    expect(stable.filter((c) => c.normalize('NFC') !== c)).toEqual([]);
    // Never composed with or reordered against a stable neighbour: every stable unit after a sample of stable ones.
    const sample = stable.filter((_, i) => i % 97 === 0).concat(['e', 'A', 'o', 'u', '\u3000', '一']);
    const bad: string[] = [];
    for (const a of sample) for (const b of stable) if ((a + b).normalize('NFC') !== a + b) bad.push(a + b);
    expect(bad).toEqual([]);
  });

  it('equals normalize + replace on the real corpora and on mixes with marks, invisibles and astral tags', () => {
    const INVISIBLE = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;
    const ref = (s: string) => s.normalize('NFC').replace(INVISIBLE, '');
    const pieces = ['e', '\u0301', '\u0000', '\t', '\u00ad', '\u200b', '\u202e', '\ufeff', '\u{E0041}', '\u{1F600}', '豈', '가', '\u1100\u1161', '\u302e\u302a', '头痛', 'Å', 'A\u030a', '\u3099', 'か'];
    let x = 3;
    const r = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const inputs: string[] = FILES.flatMap((f) => readFileSync(sharedData('dialogues', f), 'utf8').split('\n'));
    for (let k = 0; k < 20_000; k++) {
      let t = '';
      for (let j = Math.floor(r() * 8); j > 0; j--) t += pieces[Math.floor(r() * pieces.length)];
      inputs.push(t);
    }
    expect(inputs.filter((s) => nfcVisible(s) !== ref(s))).toEqual([]);
  });
});

describe('the traditional-character table of toSimplified', () => {
  it('built from one converter call over all candidate units equals asking OpenCC one unit at a time', () => {
    const joined = traditionalUnits();
    const byUnit = traditionalTableByUnit();
    const diffs: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (joined[c] !== byUnit[c]) diffs.push(c);
    expect(diffs).toEqual([]);
    expect(byUnit.reduce((a, x) => a + x, 0)).toBeGreaterThan(1000); // 發, 藥, 內 … are in it
    expect(joined['發'.charCodeAt(0)]).toBe(1);
    expect(joined['发'.charCodeAt(0)]).toBe(0);
  });
});
