import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { dedupText, MinHasher, NearDupIndex, jaccardEstimate } from '../../../src/finish/dedup/minhash.js';
import { NearDupFilter } from '../../../src/finish/dedup/near.js';
import { FileNearStore, RedisNearStore } from '../../../src/finish/dedup/near-store.js';
import { Pipeline } from '../../../schemas/pipeline.js';
import { ensureRedis } from '../../support/services.js';
import { cmtmedqaRecords, envelope } from '../../output/envelopes.js';

const PARAMS = { ngram: 5, numPerm: 128, bands: 32, threshold: 0.8 };
const NEAR = Pipeline.shape.dedup.parse({ near: { enabled: true } }).near;
const records = cmtmedqaRecords();
const text = (i: number) => dedupText(records[i]);
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cmt-near-'));

describe('MinHash near-duplicates', () => {
  it('scores identical texts 1 and rejects the copy as a near-duplicate of the first', () => {
    const idx = new NearDupIndex(PARAMS);
    expect(idx.check('a', text(0))).toBeUndefined();
    expect(idx.check('b', text(0))).toEqual({ duplicateOf: 'a', similarity: 1 });
  });

  it('catches a one-character edit of a long record', () => {
    const t = text(1);
    expect(t.length).toBeGreaterThan(300);
    const edited = `${t.slice(0, 150)}肺${t.slice(151)}`;
    const idx = new NearDupIndex(PARAMS);
    idx.check('orig', t);
    const m = idx.check('edit', edited);
    expect(m?.duplicateOf).toBe('orig');
    expect(m!.similarity).toBeGreaterThan(0.9);
  });

  it('gives the one-permutation signature of its definition (bin = hash mod k), for a power-of-two k and for another k', () => {
    // Plain re-statement of signatureOph (src/finish/dedup/minhash.ts) with a division for the bin.
    const imul = Math.imul;
    const fmix = (h: number) => {
      h ^= h >>> 16;
      h = imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = imul(h, 0xc2b2ae35);
      return h ^ (h >>> 16);
    };
    const reference = (t: string, n: number, k: number, seed: number): number[] => {
      const out = new Array<number>(k).fill(0x7fffffff);
      const filled = new Array<boolean>(k).fill(false);
      for (let s = 0; s <= Math.max(0, t.length - n); s++) {
        let h = 0x811c9dc5;
        for (let i = s; i < Math.min(s + n, t.length); i++) h = imul(h ^ t.charCodeAt(i), 0x01000193);
        const x = fmix(h);
        const bin = (x >>> 0) % k;
        const v = fmix(x ^ seed);
        if (!filled[bin] || v < out[bin]) out[bin] = v;
        filled[bin] = true;
      }
      for (let i = 0; i < k; i++) {
        if (filled[i]) continue;
        for (let attempt = 1; ; attempt++) {
          const j = (fmix(imul(i + 1, 0x9e3779b1) ^ imul(attempt, 0x85ebca6b) ^ seed) >>> 0) % k;
          if (filled[j]) {
            out[i] = out[j];
            break;
          }
        }
      }
      return out;
    };
    for (const numPerm of [128, 96, 64]) {
      const h = new MinHasher({ ...PARAMS, numPerm, bands: numPerm / 4 });
      for (const t of [text(0), text(1), text(3).slice(0, 40), '头痛三天']) expect([numPerm, ...h.signature(t)]).toEqual([numPerm, ...reference(t, 5, numPerm, h.seed)]);
    }
  });

  it('ignores whitespace, punctuation width and ASCII case when comparing', () => {
    const r = records[2];
    const variant = { ...r, output: `${r.output.replace(/，/g, ',').replace(/。/g, '. ')}  ` };
    expect(dedupText(variant)).toBe(dedupText(r));
  });

  it('keeps unrelated records: no two distinct CMtMedQA consultations are near-duplicates', () => {
    const idx = new NearDupIndex(PARAMS);
    const hits = records.map((r) => idx.check(r.id, dedupText(r))).filter(Boolean);
    // The test set has a few genuinely repeated consultations; unrelated ones must not collide.
    expect(hits.length).toBeLessThan(5);
    for (const h of hits) expect(h!.similarity).toBeGreaterThanOrEqual(0.8);
  });

  it.each(['oph', 'minhash'] as const)('estimates Jaccard without bias on partially overlapping texts (%s)', (scheme) => {
    const h = new MinHasher({ ...PARAMS, scheme });
    const shingles = (s: string) => new Set(Array.from({ length: s.length - 4 }, (_, i) => s.slice(i, i + 5)));
    const errs: number[] = [];
    for (let k = 0; k < 100; k++) {
      const a = text(k);
      const b = a.slice(0, Math.floor(a.length * 0.7)) + text(k + 100).slice(0, Math.floor(a.length * 0.3));
      const A = shingles(a), B = shingles(b);
      const inter = [...A].filter((x) => B.has(x)).length;
      errs.push(jaccardEstimate(h.signature(a), h.signature(b)) - inter / (A.size + B.size - inter));
    }
    const mean = errs.reduce((x, y) => x + y, 0) / errs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.max(...errs.map(Math.abs))).toBeLessThan(0.2);
  });

  it('densifies the empty bins of short texts alike, and names its hash family for persisted indexes', () => {
    const oph = new MinHasher(PARAMS);
    const short = '头痛三天'; // one shingle: one filled bin, 127 borrowed
    const sig = oph.signature(short);
    expect(new Set(sig).size).toBe(1);
    expect(jaccardEstimate(sig, oph.signature(short))).toBe(1);
    expect(jaccardEstimate(sig, oph.signature('腹泻两周'))).toBeLessThan(0.05);
    expect(oph.hashId).not.toBe(new MinHasher({ ...PARAMS, scheme: 'minhash' }).hashId);
  });

  it('keeps the first record in run order, whichever it is', () => {
    const a = text(3);
    const b = `${a.slice(0, 100)}天${a.slice(101)}`;
    const ab = new NearDupIndex(PARAMS);
    ab.check('A', a);
    expect(ab.check('B', b)?.duplicateOf).toBe('A');
    const ba = new NearDupIndex(PARAMS);
    ba.check('B', b);
    expect(ba.check('A', a)?.duplicateOf).toBe('B');
  });

  it('rejects through the filter with the reject reason and evidence', async () => {
    const f = await NearDupFilter.open(NEAR);
    expect(f.check(envelope(records[0], 0))).toBeUndefined();
    expect(f.check(envelope({ ...records[0], id: 'copy' }, 1))).toEqual({
      stage: 'dedup', reason: 'dedup.near_duplicate', detail: `near-duplicate of record ${records[0].id} (estimated Jaccard 1 ≥ 0.8)`,
      evidence: { duplicateOf: records[0].id, similarity: 1 },
    });
  });
});

describe('persistent near-duplicate index', () => {
  it('a second run over the same records decides exactly as the first (no record is a duplicate of its own entry) and adds nothing', async () => {
    const file = path.join(tmp(), 'near.idx');
    const first = await NearDupFilter.open(NEAR, new FileNearStore(file));
    // the sample plus a near-copy of its first record, which the first run rejects
    const input = [...records, { ...records[0], id: 'edited-0', output: `${records[0].output}谢谢` }];
    const decisions = input.map((r, i) => first.check(envelope(r, i))?.evidence.duplicateOf ?? 'kept');
    const kept = decisions.filter((d) => d === 'kept').length;
    expect(decisions[input.length - 1]).toBe(records[0].id);
    await first.close();
    const size = statSync(file).size;
    const second = await NearDupFilter.open(NEAR, new FileNearStore(file));
    expect(second.loaded).toBe(kept);
    expect(input.map((r, i) => second.check(envelope(r, i))?.evidence.duplicateOf ?? 'kept')).toEqual(decisions);
    await second.close();
    expect(statSync(file).size).toBe(size);
    // a new record that near-copies a kept one is rejected; a distinct one is added
    const third = await NearDupFilter.open(NEAR, new FileNearStore(file));
    const k = decisions.indexOf('kept');
    expect(third.check(envelope({ ...records[k], id: 'copy', output: `${records[k].output}谢谢` }, 0))?.evidence.duplicateOf).toBe(records[k].id);
    expect(third.check(envelope({ ...records[0], id: 'new', output: '完全不同的一句话，和前面任何记录都无关。', history: [] }, 0))).toBeUndefined();
    await third.close();
    expect(statSync(file).size).toBeGreaterThan(size);
  });

  it('refuses an index that ends mid-entry, one built with other parameters, and one of an older format version', async () => {
    const file = path.join(tmp(), 'near.idx');
    const f = await NearDupFilter.open(NEAR, new FileNearStore(file));
    for (let i = 0; i < 10; i++) f.check(envelope(records[i], i));
    await f.close();
    await expect(NearDupFilter.open({ ...NEAR, bands: 16 }, new FileNearStore(file))).rejects.toThrow(/other MinHash parameters/);
    const whole = readFileSync(file);
    expect(whole.subarray(0, 8).toString('latin1')).toBe('CMTNEAR1');
    truncateSync(file, whole.length - 7);
    await expect(NearDupFilter.open(NEAR, new FileNearStore(file))).rejects.toThrow(/ends mid-entry/);
    writeFileSync(file, Buffer.from(whole.toString('latin1').replace('"version":2', '"version":1'), 'latin1'));
    await expect(NearDupFilter.open(NEAR, new FileNearStore(file))).rejects.toThrow(/format version 1/);
  });

  it('replays the same index from Redis (the BullMQ deployment store)', async () => {
    const url = ensureRedis();
    const key = `cmtmedqa:test:near:${process.pid}:${Date.now()}`;
    const redis = new Redis(url);
    try {
      const first = await NearDupFilter.open(NEAR, new RedisNearStore(redis, key));
      const decisions = records.slice(0, 300).map((r, i) => first.check(envelope(r, i))?.evidence.duplicateOf ?? 'kept');
      await first.close();
      const second = await NearDupFilter.open(NEAR, new RedisNearStore(redis, key));
      expect(second.loaded).toBe(decisions.filter((d) => d === 'kept').length);
      expect(records.slice(0, 300).map((r, i) => second.check(envelope(r, i))?.evidence.duplicateOf ?? 'kept')).toEqual(decisions);
      await expect(NearDupFilter.open({ ...NEAR, ngram: 4 }, new RedisNearStore(redis, key))).rejects.toThrow(/other MinHash parameters/);
    } finally {
      await redis.del(`${key}:meta`, `${key}:entries`);
      await redis.quit();
    }
  });
});
