import { describe, expect, it } from '@jest/globals';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { derivedKey, readDerived, writeDerived } from '../../src/core/derived-cache.js';
import { decodeRanks, encodeRanks } from '../../src/tokens/vocab.js';
import { tempCacheDir } from '../support/cache-dir.js';

describe('derived cache', () => {
  const cache = tempCacheDir('cmt-derived-', true);

  it('returns what was written under the same name and key, and nothing for another key', () => {
    const k = derivedKey('fmt/1', Buffer.from('source bytes'));
    expect(readDerived('x', k)).toBeUndefined();
    expect(writeDerived('x', k, Buffer.from('derived'))).toBe(true);
    expect(readDerived('x', k)?.toString()).toBe('derived');
    expect(readDerived('x', derivedKey('fmt/2', Buffer.from('source bytes')))).toBeUndefined();
    expect(readDerived('y', k)).toBeUndefined();
    // keys are length-prefixed: moving a byte between parts changes the key
    expect(derivedKey('ab', 'c')).not.toBe(derivedKey('a', 'bc'));
  });

  it('treats a truncated or edited entry as a miss, and "off" as no cache', () => {
    const k = derivedKey('s');
    writeDerived('x', k, Buffer.from('0123456789'));
    const [file] = readdirSync(cache.dir);
    const bytes = readFileSync(path.join(cache.dir, file));
    writeFileSync(path.join(cache.dir, file), bytes.subarray(0, bytes.length - 1));
    expect(readDerived('x', k)).toBeUndefined();
    const edited = Buffer.from(bytes);
    edited[edited.length - 1] ^= 1;
    writeFileSync(path.join(cache.dir, file), edited);
    expect(readDerived('x', k)).toBeUndefined();
    process.env.CMTMEDQA_CACHE_DIR = 'off';
    expect(writeDerived('x', k, Buffer.from('a'))).toBe(false);
    expect(readDerived('x', k)).toBeUndefined();
  });

  it('a cache directory that cannot be created is a miss, not an error', () => {
    const blocker = path.join(cache.dir, 'file');
    writeFileSync(blocker, 'x');
    process.env.CMTMEDQA_CACHE_DIR = path.join(blocker, 'sub');
    expect(writeDerived('x', derivedKey('s'), Buffer.from('a'))).toBe(false);
    expect(readDerived('x', derivedKey('s'))).toBeUndefined();
  });

  it('a folder that others may write is not used (the cache is trusted like the code)', () => {
    const k = derivedKey('t');
    expect(writeDerived('x', k, Buffer.from('a'))).toBe(true);
    chmodSync(cache.dir, 0o777);
    expect(readDerived('x', k)).toBeUndefined();
    expect(writeDerived('x', derivedKey('u'), Buffer.from('b'))).toBe(false);
    chmodSync(cache.dir, 0o700);
    expect(readDerived('x', k)?.toString()).toBe('a');
  });

  it('byte-level ranks round-trip through their encoding, and a cut table does not decode', () => {
    const ranks = new Map<string, number>([['a', 0], ['\u00e4\u00b8\u00ad', 7], ['', 3], ['\u00ff'.repeat(300), 151_000]]);
    const enc = encodeRanks(ranks);
    expect([...decodeRanks(enc)!]).toEqual([...ranks]);
    expect(decodeRanks(enc.subarray(0, enc.length - 1))).toBeUndefined();
    expect(decodeRanks(Buffer.concat([enc, Buffer.from([0])]))).toBeUndefined();
  });
});
