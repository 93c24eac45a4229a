import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { derivedKey, writeDerived } from '../../src/core/derived-cache.js';
import { Matcher, matcherFor } from '../../src/kg/matcher.js';
import { openSnapshot } from '../../src/kg/snapshot.js';
import { tempCacheDir } from '../support/cache-dir.js';
import { sharedSnapshot } from '../support/kg.js';

/** Doctor and patient sentences written for this test (no corpus text), plus the shared corpora's first texts. */
const WRITTEN = ['我最近头痛发烧，吃了布洛芬', '胸闷气短，心跳比较快，头也老痛', '建议口服阿莫西林胶囊，多喝水', '糖尿病患者能吃山药吗', '别紧张，不要焦虑，先做个CT检查', '宝宝腹泻三天了，可以用蒙脱石散吗'];

describe('the matcher through the derived cache', () => {
  const cache = tempCacheDir('cmt-matcher-cache-');

  it('a decoded trie finds exactly what the built one finds, on the real graph and real dialogue text', async () => {
    const graph = await openSnapshot(await sharedSnapshot());
    const built = Matcher.build(await graph.lexicon());
    const decoded = Matcher.decode(built.encode())!;
    expect(decoded).toBeDefined();
    expect(decoded.terms).toBe(built.terms);
    const huatuo = JSON.parse(readFileSync(path.resolve('..', 'shared', 'data', 'dialogues', 'huatuo26m', 'huatuo26M_test.json'), 'utf8')) as Array<{ instruction: string[]; output: string[] }>;
    const texts = [...WRITTEN, ...huatuo.slice(0, 400).flatMap((h) => [...h.instruction, ...h.output])];
    let hits = 0;
    for (const t of texts) {
      const a = built.find(t);
      hits += a.length;
      expect(decoded.find(t)).toEqual(a);
    }
    expect(hits).toBeGreaterThan(500);
    // matcherFor writes the real graph's trie once, and an open from the cache gives the same matches
    const m = await matcherFor(graph);
    expect(readdirSync(cache.dir).filter((f) => f.startsWith('kg-matcher-'))).toHaveLength(1);
    for (const t of texts.slice(0, 50)) expect(m.find(t)).toEqual(built.find(t));
  });

  it('bytes that are cut, padded or of another layout do not decode', async () => {
    const graph = await openSnapshot(await sharedSnapshot());
    const bytes = Matcher.build((await graph.lexicon()).slice(0, 2000)).encode();
    expect(Matcher.decode(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(Matcher.decode(Buffer.concat([bytes, Buffer.from('x')]))).toBeUndefined();
    const other = Buffer.from(bytes);
    other.writeUInt32LE(999, 0);
    expect(Matcher.decode(other)).toBeUndefined();
  });

  it('the cache folder stays within its size cap, the oldest entries going first', () => {
    const saveMax = process.env.CMTMEDQA_CACHE_MAX_MB;
    process.env.CMTMEDQA_CACHE_MAX_MB = '1';
    try {
      const sub = mkdtempSync(path.join(cache.dir, 'cap-'));
      process.env.CMTMEDQA_CACHE_DIR = sub;
      const body = Buffer.alloc(300 * 1024, 7);
      for (let i = 0; i < 6; i++) {
        expect(writeDerived('blob', derivedKey(String(i)), body)).toBe(true);
        const [f] = readdirSync(sub).filter((n) => n.includes(derivedKey(String(i))));
        utimesSync(path.join(sub, f), 1000 + i, 1000 + i); // a clear age order
      }
      const left = readdirSync(sub);
      const total = left.reduce((a, f) => a + statSync(path.join(sub, f)).size, 0);
      expect(total).toBeLessThanOrEqual(1024 * 1024);
      expect(left.some((f) => f.includes(derivedKey('5')))).toBe(true);
      expect(left.some((f) => f.includes(derivedKey('0')))).toBe(false);
      writeFileSync(path.join(sub, 'unrelated.txt'), 'kept');
      writeDerived('blob', derivedKey('6'), body);
      expect(readdirSync(sub)).toContain('unrelated.txt');
    } finally {
      process.env.CMTMEDQA_CACHE_DIR = cache.dir;
      if (saveMax === undefined) delete process.env.CMTMEDQA_CACHE_MAX_MB;
      else process.env.CMTMEDQA_CACHE_MAX_MB = saveMax;
    }
  });
});
