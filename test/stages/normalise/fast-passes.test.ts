import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { normalisePunctuation, normalisePunctuationAllPasses, normaliseWhitespace, normaliseWhitespaceAllPasses } from '../../../src/stages/normalise/text.js';
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
    expect(normaliseWhitespace('头 痛\r\n\r\n  好\t\t的 ')).toBe('头痛\n好的');
  });
});
