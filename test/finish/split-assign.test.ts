import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Origin } from '../../schemas/dialogue.js';
import { CASE_PREFIX_CHARS, MAX_PREFIX_DESCRIPTIONS, CaseClusters, caseKey, casePrefixKey, caseText, consultationKey, MIN_CASE_CHARS, splitOf, SPLITS } from '../../src/finish/split-assign.js';

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

  it('gives each cluster the split of its smallest key, also when clusters merge after a split was asked', () => {
    const ratios = { train: 1, validation: 1, test: 1 };
    const cl = new CaseClusters();
    const origin = (i: number) => ({ format: 'huatuo', file: 'f.json', sourceId: `idx-${i}`, position: i }) as Origin;
    const ids = Array.from({ length: 60 }, (_, i) => `${i.toString(16).padStart(2, '0')}${'0'.repeat(22)}`);
    ids.forEach((id, i) => cl.dialogue(id, origin(i)));
    // The expected split of dialogue i: splitOf of the smallest consultation key in its cluster.
    const expected = (groups: number[][]) => {
      const out: string[] = [];
      for (const g of groups) {
        const min = Math.min(...g.map((i) => consultationKey(origin(i))));
        for (const i of g) out[i] = splitOf(min.toString(16), 's', ratios);
      }
      return out;
    };
    const asked = () => ids.map((_, i) => cl.splitOf(i, 's', ratios));
    expect(asked()).toEqual(expected(ids.map((_, i) => [i])));
    // Merge pairs (2k, 2k + 1) after the splits were asked: the answers follow the new clusters.
    for (let k = 0; k < 30; k++) cl.union(2 * k, 2 * k + 1);
    expect(asked()).toEqual(expected(Array.from({ length: 30 }, (_, k) => [2 * k, 2 * k + 1])));
    expect(new Set(asked()).size).toBeGreaterThan(1);
    // Another seed is answered for itself, not from the memo of the first.
    expect(ids.map((_, i) => cl.splitOf(i, 't', ratios))).toEqual(Array.from({ length: 60 }, (_, i) => {
      const g = [i - (i % 2), i - (i % 2) + 1];
      return splitOf(Math.min(...g.map((j) => consultationKey(origin(j)))).toString(16), 't', ratios);
    }));
    // A smaller case key linked after the splits were asked moves that cluster to its split.
    const before = asked();
    // A key smaller than every consultation key, whose split differs from the cluster's before.
    let small = 1;
    while (splitOf(small.toString(16), 's', ratios) === before[0]) small++;
    cl.linkCaseKey(0, small);
    const after = asked();
    const moved = splitOf(small.toString(16), 's', ratios);
    expect(after.slice(0, 2)).toEqual([moved, moved]);
    expect(after.slice(2)).toEqual(before.slice(2));
    cl.union(0, 2); // clusters {0, 1} and {2, 3} merge under the small key
    const merged = splitOf(small.toString(16), 's', ratios);
    expect(asked().slice(0, 4)).toEqual([merged, merged, merged, merged]);
  });
});

describe('case openings link re-posts that differ further on', () => {
  const desc = '病情描述：三天前开始发烧，最高三十九度，吃了退烧药后能降下来，但是夜里又会烧起来，同时咳嗽有黄痰，胸口发闷，没有去过疫区';
  const later = `${desc}，今天早上又量了一次是三十八度五`;
  const origin = (i: number): Origin => ({ format: 'meddialog', file: 'x.txt', sourceId: `c${i}`, position: i });

  it('keys a description by its first CASE_PREFIX_CHARS characters when it is longer, and not at all when it is not', () => {
    expect(caseText(desc).length).toBeGreaterThan(CASE_PREFIX_CHARS);
    expect(casePrefixKey(desc)).toBe(casePrefixKey(later));
    expect(caseKey(desc)).not.toBe(caseKey(later));
    expect(casePrefixKey('我最近总是头痛，晚上睡不好，已经持续两周了')).toBe(-1); // its caseKey covers it
    expect(casePrefixKey(desc.replace('三天前', '两天前'))).not.toBe(casePrefixKey(desc));
  });

  it('puts both copies in one cluster without choosing any cluster split on its own', () => {
    const ratios = { train: 8, validation: 1, test: 1 };
    // Many dialogues, each a lone cluster: linking a prefix key nobody shares moves none of them.
    const cl = new CaseClusters();
    const n = 200;
    for (let i = 0; i < n; i++) cl.dialogue(`d${i}`, origin(i));
    const before = Array.from({ length: n }, (_, i) => cl.splitOf(i, 's', ratios));
    for (let i = 0; i < n; i++) cl.linkOnly(i, casePrefixKey(`${desc}${i}`.replace('三天前', `第${i}天`)));
    expect(Array.from({ length: n }, (_, i) => cl.splitOf(i, 's', ratios))).toEqual(before);
    // The re-post joins the original: one split for both, the split of one of the two clusters.
    const a = cl.dialogue('orig', origin(1000));
    const b = cl.dialogue('repost', origin(1001));
    cl.linkCaseKey(a, caseKey(desc));
    cl.linkCaseKey(b, caseKey(later));
    expect(cl.find(a)).not.toBe(cl.find(b)); // the whole descriptions differ
    const sa = cl.splitOf(a, 's', ratios);
    const sb = cl.splitOf(b, 's', ratios);
    cl.linkCase(a, desc);
    cl.linkCase(b, later);
    expect(cl.find(a)).toBe(cl.find(b));
    expect([sa, sb]).toContain(cl.splitOf(a, 's', ratios));
    expect(cl.splitOf(b, 's', ratios)).toBe(cl.splitOf(a, 's', ratios));
  });
});

describe('case openings shared by many descriptions', () => {
  it('join at most MAX_PREFIX_DESCRIPTIONS different descriptions, so form text cannot build a giant cluster', () => {
    const form = '性别：女，年龄：三十五岁，身高：一百六十厘米，体重：五十五公斤，过敏史：无，既往病史：无，家族史：无，手术史：无，婚育史：已婚已育，吸烟史：无，饮酒史：无，';
    const cl = new CaseClusters();
    const n = 30;
    for (let i = 0; i < n; i++) {
      const text = `${form}病情描述：第${i}位患者的症状各不相同`;
      const d = cl.dialogue(`f${i}`, { format: 'huatuo', file: 'f.json', sourceId: `f${i}`, position: i } as Origin);
      cl.linkCase(d, text);
    }
    expect(caseText(form).length).toBeGreaterThan(CASE_PREFIX_CHARS);
    expect(cl.summary().largest).toBe(MAX_PREFIX_DESCRIPTIONS);
    expect(cl.prefixCapped).toBe(n - MAX_PREFIX_DESCRIPTIONS);
    // a re-post of a description already linked still joins its cluster
    const again = cl.dialogue('again', { format: 'huatuo', file: 'g.json', sourceId: 'again', position: 0 } as Origin);
    cl.linkCase(again, `${form}病情描述：第3位患者的症状各不相同`);
    expect(cl.find(again)).toBe(cl.find(cl.indexOf('f3')!));
  });
});
