import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Origin } from '../../schemas/dialogue.js';
import { caseKey, caseText, consultationKey, MIN_CASE_CHARS, splitOf, SPLITS } from '../../src/finish/split-assign.js';

/** The keys as they were first defined: a Hash object fed the parts one update() at a time. */
const key52 = (kind: string, s: string) => {
  const h = createHash('sha256').update(kind).update('\u0000').update(s).digest();
  return h.readUInt32BE(0) * 0x100000 + (h.readUInt32BE(4) >>> 12);
};
const splitByUpdates = (key: string, seed: string, ratios: Record<string, number>) => {
  const total = ratios.train + ratios.validation + ratios.test;
  const u = createHash('sha256').update(seed).update('\u0000').update(key).digest().readUInt32BE(0) / 0x1_0000_0000;
  let acc = 0;
  for (const s of SPLITS) {
    acc += ratios[s] / total;
    if (u < acc) return s;
  }
  return 'train';
};

const texts = ['我最近总是头痛，晚上睡不好，已经持续两周了', 'abcdefghijklmnop qrstu', '\ud800 lone high surrogate at the start 头痛头痛头痛', 'ends with a lone low surrogate 头痛头痛头痛\udc00', '😀 emoji 😀 and 中文 and more text', ''];

describe('split assignment keys (one-shot sha256)', () => {
  it('gives the case and consultation keys the Hash object gave, surrogates and all', () => {
    for (const t of texts) {
      const ct = caseText(t);
      expect(caseKey(t)).toBe(ct.length < MIN_CASE_CHARS ? -1 : key52('case', ct));
      const origin = { format: 'huatuo', file: `dir/${t.slice(0, 5)}.json`, sourceId: t || 'idx-0', position: 1 } as Origin;
      expect(consultationKey(origin)).toBe(key52('consultation', `${origin.format}\u0000${path.basename(origin.file)}\u0000${origin.sourceId}`));
    }
  });

  it('puts every key in the split the Hash object put it in, for seeds with odd characters', () => {
    const ratios = { train: 8, validation: 1, test: 1 };
    const seen = new Set<string>();
    for (const seed of ['cmtmedqa', '', 'seed\ud800', '种子']) {
      for (let i = 0; i < 400; i++) {
        const key = (i * 2654435761).toString(16);
        const s = splitOf(key, seed, ratios);
        expect(s).toBe(splitByUpdates(key, seed, ratios));
        seen.add(s);
      }
    }
    expect([...seen].sort()).toEqual(['test', 'train', 'validation']);
  });
});
