import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { CharLm, countCharLm, lmAlphabet } from '../../../src/stages/quality/char-lm.js';
import { charLm } from '../../../src/stages/quality/index.js';
import { sharedData } from '../../support/services.js';

/**
 * crossEntropy scores order-3 models through an integer index (symbol ids, typed tables); prob()
 * is the string-keyed Witten–Bell interpolation it replaces. The two must agree bit for bit: quality
 * scores are rounded into the output, so a last-bit difference can change a record.
 */
function byProb(lm: CharLm, text: string): number {
  const s = lmAlphabet(text);
  if (s.length < 2) return 0;
  let bits = 0;
  for (let i = 1; i < s.length; i++) bits -= Math.log2(lm.prob(s.slice(Math.max(0, i - 2), i), s[i]));
  return bits / (s.length - 1);
}

function realLines(): string[] {
  const files = ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'hetmc_chunyu/train.dialog', 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'mie_chunyu/dev.json'];
  return files.flatMap((f) => readFileSync(sharedData('dialogues', f), 'utf8').split('\n').filter(Boolean));
}

/** Deterministic pseudo-random strings over the ranges the alphabet treats differently. */
function randomTexts(count: number, seed: number): string[] {
  let x = seed;
  const r = () => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const special = [...' \t\n\u3000\u2028\u00a0\u1680\u2005\ufeff，。!?…~ab09^$·'];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let t = '';
    const n = Math.floor(r() * 30);
    for (let j = 0; j < n; j++) {
      const y = r();
      if (y < 0.2) t += special[Math.floor(r() * special.length)];
      else if (y < 0.45) t += String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5200)); // BMP Han block
      else if (y < 0.55) t += String.fromCodePoint(0x20000 + Math.floor(r() * 0x12000)); // astral Han
      else if (y < 0.65) t += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // lone surrogates
      else if (y < 0.8) t += String.fromCodePoint(Math.floor(r() * 0x3100)); // Latin, symbols, CJK punctuation, radicals
      else {
        const cp = Math.floor(r() * 0x110000);
        t += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
    }
    out.push(t);
  }
  return out;
}

describe('character LM integer index', () => {
  it('scores real dialogue lines exactly as the string-keyed interpolation does', () => {
    const lm = charLm();
    const lines = realLines().filter((_, i) => i % 3 === 0); // a third of them: the reference is slow
    expect(lines.length).toBeGreaterThan(10_000);
    const diffs = lines.filter((t) => !Object.is(lm.crossEntropy(t), byProb(lm, t)));
    expect(diffs).toEqual([]);
  });

  it('scores random text (astral Han, lone surrogates, whitespace, unknown symbols) exactly as before', () => {
    const lm = charLm();
    const diffs = randomTexts(20_000, 13).filter((t) => !Object.is(lm.crossEntropy(t), byProb(lm, t)));
    expect(diffs).toEqual([]);
  });

  it('agrees on edge cases: empty text, whitespace only, symbols outside the model', () => {
    const lm = charLm();
    for (const t of ['', ' ', '\u3000\u2028', '𠀀𪚥', '\ud800', '\udc00a', 'ＡＢＣ１２３', '<PHONE>', '😀😀😀', '㐀㐁', '豈'])
      expect(lm.crossEntropy(t)).toBe(byProb(lm, t));
  });

  it('uses the same index for a model counted in memory', () => {
    const lm = new CharLm(countCharLm(['建议多喝水注意休息', '注意休息，建议复查', '血压 140/90，CT正常。'], 3));
    for (const t of ['建议复查休息', '息休意注水喝多议建', '血压正常', '陌生的字']) expect(lm.crossEntropy(t)).toBe(byProb(lm, t));
  });
});
