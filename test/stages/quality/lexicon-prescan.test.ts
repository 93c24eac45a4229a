import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { literalPrefix, scoreText } from '../../../src/stages/quality/index.js';
import { SPIN_LEXICON } from '../../../src/stages/quality/spin-lexicon.js';
import { sharedData } from '../../support/services.js';

const COMPILED = SPIN_LEXICON.map((e) => ({ ...e, re: new RegExp(e.pattern, 'g') }));

/** The lexicon part of scoreText as it was: every regex over the whole text. */
function lexiconByRegex(text: string): { hits: Record<string, number>; lexicon: number } {
  const hits: Record<string, number> = {};
  let lexicon = 0;
  for (const e of COMPILED) {
    const n = text.match(e.re)?.length ?? 0;
    if (n > 0) {
      hits[e.pattern] = n;
      lexicon += n * e.weight;
    }
  }
  return { hits, lexicon };
}

describe('spin lexicon pre-scan', () => {
  it('reads literal prefixes conservatively', () => {
    expect(literalPrefix('不定期(?:复检|复查)')).toBe('不定期');
    expect(literalPrefix('ab?c')).toBe('a');
    expect(literalPrefix('a|b')).toBe('');
    expect(literalPrefix('(?:x)y')).toBe('');
    expect(literalPrefix('[男女]孩')).toBe('');
    expect(literalPrefix('ab{2}')).toBe('a');
  });

  it('gives the hits (in lexicon order) and lexicon sum of running every regex, on the real corpora with Toyhom', () => {
    const texts = ['cmtmedqa/CMtMedQA_test.json', 'huatuo26m/huatuo26M_test.json', 'hetmc_chunyu/train.dialog', 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'mie_chunyu/dev.json']
      .flatMap((f) => readFileSync(sharedData('dialogues', f), 'utf8').split('\n'));
    texts.push(...iconv.decode(readFileSync(sharedData('dialogues/toyhom_cmd/样例_内科5000-6000.csv')), 'gb18030').split('\n'));
    let withHits = 0;
    for (const t of texts) {
      const want = lexiconByRegex(t);
      const got = scoreText(t, 0.25);
      if (Object.keys(got.hits).join('|') !== Object.keys(want.hits).join('|') || JSON.stringify(got.hits) !== JSON.stringify(want.hits) || got.lexicon !== want.lexicon)
        throw new Error(`differs on ${JSON.stringify(t.slice(0, 60))}: ${JSON.stringify(got.hits)} vs ${JSON.stringify(want.hits)}`);
      if (want.lexicon > 0) withHits++;
    }
    expect(withHits).toBeGreaterThan(1000);
  });
});
