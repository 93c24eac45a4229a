import { describe, it, expect } from '@jest/globals';
import { canonicalJson, contentId } from '../../src/core/ids.js';

/** The recursive sorted-copy form ids were defined by: the one-pass writer must equal it byte for byte. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sortKeys(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

/** A small deterministic generator of JSON-like values (with the odd undefined, NaN and unicode). */
function randomValue(seed: number): unknown {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const gen = (depth: number): unknown => {
    const r = rnd();
    if (depth > 4 || r < 0.35) {
      const pick = Math.floor(rnd() * 9);
      return [null, true, false, rnd() * 1000 - 500, Math.floor(rnd() * 10), '病人：头痛"\\\n', '', NaN, undefined][pick];
    }
    if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(rnd() * 5); i++) o[['b', 'a', '科室', 'z1', '10', '2', 'id', '01', '4294967295', '4294967294', '-1', ''][Math.floor(rnd() * 7)]!] = gen(depth + 1);
    return o;
  };
  return gen(0);
}

describe('canonicalJson', () => {
  it('writes exactly the sorted-key JSON that ids have always hashed', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const v = randomValue(seed);
      expect(canonicalJson(v)).toBe(reference(v));
    }
    expect(canonicalJson({ b: 1, a: [undefined, () => 1, { d: undefined, c: 'x' }] })).toBe('{"a":[null,null,{"c":"x"}],"b":1}');
  });

  it('hashes 100,000 levels of nesting without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { k: deep };
    const json = canonicalJson(deep);
    expect(json.length).toBeGreaterThan(300_000);
    expect(json.endsWith('}]}]')).toBe(true);
    expect(json.startsWith('[{"k":[{"k":')).toBe(true);
    expect(contentId(deep)).toMatch(/^[0-9a-f]{24}$/);
  });
});
