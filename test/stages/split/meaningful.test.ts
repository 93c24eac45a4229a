import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { courtesyClause, courtesyClauseByRegex, isPleasantry, meaningfulChars, meaningfulCharsByRegex, LEADING_COURTESY as LEADING, WISH_OPENING, WISH_TAIL } from '../../../src/stages/split/pleasantry.js';
import { isInquiry } from '../../../src/stages/split/inquiry.js';
import { sharedData } from '../../support/services.js';

function realLines(): string[] {
  const files = ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'hetmc_chunyu/train.dialog', 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'mie_chunyu/dev.json'];
  return files.flatMap((f) => readFileSync(sharedData('dialogues', f), 'utf8').split('\n').filter(Boolean));
}

describe('meaningfulChars as a charCode loop', () => {
  it('counts every code point as the regex does (all of Unicode, astral Han and compatibility ideographs included)', () => {
    const diffs: number[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      const c = cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      if (meaningfulChars(c) !== meaningfulCharsByRegex(c)) diffs.push(cp);
    }
    expect(diffs).toEqual([]);
    expect(meaningfulChars('豈𠀀丽𰀀')).toBe(4); // U+F900, U+20000, U+2F800, U+30000
  });

  it('skips placeholders as the one-pass replace does, joining a surrogate pair a placeholder split', () => {
    const cases = ['<PHONE>！！好的', '<<NAME>>', '<A<B>>', '<ab>好', '<>1', '<_>', '<PHONE', 'PHONE>', '\ud840<X>\udc00', '\ud840<x>\udc00', '<A>\ud840<B>\udc00<C>', '\ud840\ud840\udc00'];
    for (const t of cases) expect([t, meaningfulChars(t)]).toEqual([t, meaningfulCharsByRegex(t)]);
    expect(meaningfulChars('\ud840<X>\udc00')).toBe(1);
  });

  it('agrees with the regex on the real corpora and on random mixes of placeholders and code points', () => {
    const lines = realLines();
    let x = 29;
    const r = () => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ['<PHONE>', '<', '>', '<A', '_>', '<<NAME>>', '<ab>', '<>', 'A', 'z', '0', '_'];
    for (let k = 0; k < 50_000; k++) {
      let t = '';
      for (let j = Math.floor(r() * 20); j > 0; j--) {
        const y = r();
        if (y < 0.3) t += pieces[Math.floor(r() * pieces.length)];
        else if (y < 0.5) t += String.fromCodePoint(0x2e80 + Math.floor(r() * 0x7200));
        else if (y < 0.7) t += String.fromCodePoint(0x20000 + Math.floor(r() * 0x20000));
        else if (y < 0.85) t += String.fromCharCode(0xd800 + Math.floor(r() * 0x800));
        else t += String.fromCharCode(Math.floor(r() * 0x10000));
      }
      lines.push(t);
    }
    const diffs = lines.filter((t) => meaningfulChars(t) !== meaningfulCharsByRegex(t));
    expect(diffs).toEqual([]);
  });
});

describe('isInquiry with the pleasantry test last', () => {
  // The order it had: a sentence that is pleasantry is skipped before the inquiry tests run.
  const QUESTION_MARK = /[？?]/;
  const INTERROGATIVE = /(请问|有没有|有无|是否|多久|多长时间|多大|几岁|几天|几次|哪里|哪儿|哪个|哪些|什么时候|什么症状|怎么样了|严不严重|做过|查过|吃过|用过|量过|测过)/;
  const ASKING_FOR = /(请(?:提供|描述|说明|告诉我|发|上传)|能(?:否|不能)?(?:描述|说一下|告诉)|麻烦(?:提供|描述|发))/;
  const CLOSING_ONLY = /^(?:还有(?:什么|其他)(?:问题|疑问)吗|有什么(?:问题|疑问)(?:可以)?(?:随时)?(?:再)?问我吗?|明白了吗|清楚了吗|好吗|可以吗)[？?。！!]*$/;
  function pleasantryFirst(doctorTurn: string): boolean {
    for (const raw of doctorTurn.split(/(?<=[。！!？?\n])/)) {
      const s = raw.trim();
      if (!s || CLOSING_ONLY.test(s) || isPleasantry(s)) continue;
      if (QUESTION_MARK.test(s) || ASKING_FOR.test(s) || (INTERROGATIVE.test(s) && !/[。！!]$/.test(s))) return true;
    }
    return false;
  }

  it('gives the same answer on every line of the real corpora (split into turns at quotes)', () => {
    const turns = realLines().flatMap((l) => l.split(/["“”]/)).filter((t) => t.length > 1);
    expect(turns.length).toBeGreaterThan(10_000);
    const diffs = turns.filter((t) => isInquiry(t) !== pleasantryFirst(t));
    expect(diffs).toEqual([]);
    expect(turns.some((t) => isInquiry(t))).toBe(true);
    expect(turns.some((t) => !isInquiry(t) && /[？?]/.test(t))).toBe(true); // closing offers with a question mark do not count
  });
});

describe('isPleasantry reading clauses one at a time', () => {
  // The form it had: every clause of the whole split, then every().
  // Each sentence's clauses, every one courtesy; a wish clause lets the short wish tails after it
  // in its sentence pass (祝您身体健康，心情好).
  const eager = (text: string) =>
    text.replace(/<[A-Z_]+>/g, '').split(/[。！!？?\n]/u).every((sentence) => {
      let wish = false;
      return sentence.split(/[，,。！!？?；;：:\n~～…、\s]+/u).map((c) => c.trim()).every((c) => {
        if (meaningfulChars(c) > 0 && !courtesyClauseByRegex(c)) return wish && WISH_TAIL.test(c);
        if (WISH_OPENING.test(c.replace(LEADING, ''))) wish = true;
        return true;
      });
    });

  it('gives the same answer as the eager split on the real corpora and on edge cases', () => {
    const turns = realLines().flatMap((l) => l.split(/["“”]/)).filter((t) => t.length > 0);
    turns.push('不客气，祝您身体健康，心情好！', '希望你手术顺利，早日恢复', '希望你手术顺利，术后复查', '', ' ', '，，', '<PHONE>', '谢谢<NAME>医生！', '好的，谢谢', '好的，我明天去医院', '<<A>B>', '不客气祝你早日康复', '   谢谢   ', '谢谢\n\n');
    const diffs = turns.filter((t) => isPleasantry(t) !== eager(t));
    expect(diffs).toEqual([]);
    expect(turns.filter((t) => isPleasantry(t)).length).toBeGreaterThan(10);
  });
});

describe('courtesyClause with its cheap tests first', () => {
  it('gives the answer of every test run, on real clauses and courtesy edge cases', () => {
    const clauses = realLines().flatMap((l) => l.split(/[，,。！!？?；;：:\n~～…、\s"“”]+/u)).filter((c) => c.length > 0);
    clauses.push('谢谢医生', 'THANKS', 'Thank You', 'OK', 'oK好的', 'thanKs', 'thank\u212Aou', '88', '3Q', '好的<NAME>', '<<NAME>>谢谢', '谢谢𠀀', '不客气祝你早日康复', '好的头痛', '嗯嗯嗯', '祝您早日康复');
    const diffs = clauses.filter((c) => courtesyClause(c) !== courtesyClauseByRegex(c));
    expect(diffs).toEqual([]);
    expect(clauses.filter((c) => courtesyClause(c)).length).toBeGreaterThan(100);
  });
});
