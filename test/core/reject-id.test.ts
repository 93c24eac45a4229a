import { describe, expect, it } from '@jest/globals';
import { contentId } from '../../src/core/ids.js';
import { makeReject, rejectId, rejectLine } from '../../src/core/reject.js';

/** The reject id as it has always been computed: canonicalJson of the four parts. */
const reference = (stage: string, reason: string, origin: unknown, input: unknown) => contentId({ stage, reason, origin, input });

describe('rejectId fast path for records', () => {
  const texts = ['', 'a', '医生您好，"引号" \\ 反斜杠', '\u2028\u2029\ud83d\ude00', 'x'.repeat(300), '\u0000\u001f'];
  it('gives the canonical id for records with varied text and origins', () => {
    let n = 0;
    for (const t of texts) {
      for (const origin of [
        { format: 'huatuo', file: 'c0-huatuo.json', sourceId: 'idx-0', position: 1, window: 0 },
        { format: 'meddialog', file: `d/${t}.txt`, sourceId: t, position: 7, visit: 2, url: 'https://x/"y"', placeholders: 0 },
        { format: 'haodf', file: 'k', sourceId: 's', position: 0, visit: undefined, layout: 'haodf/flow-2020', window: NaN },
        { zeta: true, alpha: -0, Beta: 1.5e-7 },
      ]) {
        const record = { id: `cmt-${n}`, cate1: t, cate2: '内科', instruction: `问${t}`, input: t, output: `答${t}`, history: n % 2 ? [[t, `${t}!`], ['q', 'a']] : [] };
        for (const [stage, reason] of [['dedup', 'dedup.near_duplicate'], ['dedup', 'dedup.exact_duplicate'], ['tokens', 'tokens.over_budget']]) {
          expect(rejectId(stage as never, reason as never, origin as never, record)).toBe(reference(stage, reason, origin, record));
        }
        n++;
      }
    }
  });

  it('falls back to the canonical form for anything else, with the same id', () => {
    const record = { id: 'cmt-1', cate1: 'a', cate2: 'b', instruction: 'i', input: '', output: 'o', history: [] };
    const odd: Array<[unknown, unknown]> = [
      [{ format: 'x', nested: { b: 1, a: 2 } }, record], // origin with an object
      [{ 1: 'index key', format: 'x' }, record], // origin with an index key
      [{ format: 'x' }, { ...record, extra: 1 }], // not exactly a record
      [{ format: 'x' }, { ...record, instruction: '' }], // the record check says no
      [{ format: 'x' }, { turns: [{ b: 1, a: 2 }] }], // a dialogue input
      [{ format: 'x' }, 'raw text'],
    ];
    for (const [origin, input] of odd) expect(rejectId('dedup', 'dedup.near_duplicate', origin as never, input)).toBe(reference('dedup', 'dedup.near_duplicate', origin, input));
  });

  it('writes the same reject line whether or not the record JSON was kept from the id', () => {
    const origin = { format: 'huatuo' as const, file: 'c0-huatuo.json', sourceId: 'idx-0', position: 1, window: 0 };
    const stages = { id: 'cmt-1', cate1: '内科', cate2: 'x', instruction: '问"引号"', input: '\\', output: '答\u2028', history: [['q', 'a']] };
    // The same fields in another key order: JSON.stringify follows it, so the kept line must not be used.
    const reordered = { history: [['q', 'a']], output: '答\u2028', input: '\\', instruction: '问"引号"', cate2: 'x', cate1: '内科', id: 'cmt-1' };
    for (const record of [stages, reordered]) {
      const made = makeReject({ stage: 'dedup', reason: 'dedup.near_duplicate', detail: 'd', origin, input: record, evidence: { duplicateOf: 'cmt-0', similarity: 1 } });
      const line = JSON.parse(rejectLine(made)) as { id: string; input: { kind: string; value: string } };
      expect(line.input).toEqual({ kind: 'json', value: JSON.stringify(record) });
      expect(line.id).toBe(reference('dedup', 'dedup.near_duplicate', origin, record));
      // A second line of the same reject (the kept JSON is used once) is the same line.
      expect(rejectLine(made)).toBe(JSON.stringify({ ...made, input: { kind: 'json', value: JSON.stringify(record) } }));
    }
  });
});
