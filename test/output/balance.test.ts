import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { CMtMedQARecord } from '../../schemas/record.js';
import { balanceLpt, imbalanceOf } from '../../src/output/balance.js';
import { LeastLoaded } from '../../src/finish/split-assign.js';
import { loadTokenizer } from '../../src/tokens/registry.js';
import { sharedData } from '../support/services.js';
import { cmtmedqaRecords, envelope, finalise } from './envelopes.js';
import { tmpDir } from '../support/run.js';

function huatuoRecords(): CMtMedQARecord[] {
  const data = JSON.parse(readFileSync(sharedData('dialogues/huatuo26m/huatuo26M_test.json'), 'utf8')) as Array<{ id: unknown; instruction: string[] | string; input?: string; output: string[] | string }>;
  return data.map((r, i) => ({ id: `h${i}`, cate1: '', cate2: '', instruction: ([] as string[]).concat(r.instruction).join(''), input: r.input ?? '', output: ([] as string[]).concat(r.output).join(''), history: [] }));
}

describe('token-balanced shards', () => {
  it('spreads the real CMtMedQA and Huatuo records over 8 ranks with under 1% token imbalance', async () => {
    const llama = await loadTokenizer('llama2');
    const recs = [...cmtmedqaRecords(), ...huatuoRecords()];
    const weights = Float64Array.from(recs.map((r) => llama.countRecord(r)));
    expect(weights.length).toBe(7000);
    for (const k of [8, 16, 32]) {
      const b = balanceLpt(weights, k);
      expect(imbalanceOf(b.loads)).toBeLessThan(0.01);
      expect(b.counts.reduce((a, c) => a + c, 0)).toBe(recs.length);
      // LPT is never worse than the arrival-order greedy it replaced
      const greedy = new LeastLoaded(k);
      for (const w of weights) greedy.assign(w);
      expect(imbalanceOf(b.loads)).toBeLessThanOrEqual(greedy.imbalance());
    }
    // a validation-sized split (a few hundred records) still balances within 1%
    expect(imbalanceOf(balanceLpt(weights.subarray(0, 400), 8).loads)).toBeLessThan(0.01);
  });

  it('assigns deterministically: same weights, same shards', () => {
    const w = Float64Array.from({ length: 500 }, (_, i) => ((i * 7919) % 613) + 1);
    expect(balanceLpt(w, 8).assignment).toEqual(balanceLpt(w, 8).assignment);
  });

  it('writes a multiple of the rank count per split with per-shard token totals and the imbalance in the manifest', async () => {
    const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));
    const { manifest } = await finalise({ tokens: { tokenizers: ['llama2'] }, shard: { ranks: 8, maxRecordsPerShard: 100 } }, envs, tmpDir());
    expect(manifest.tokenizer).toBe('llama2');
    for (const [split, c] of Object.entries(manifest.counts.bySplit)) {
      const shards = manifest.shards.filter((s) => s.split === split);
      if (c.records === 0) continue;
      expect(shards.length % 8).toBe(0);
      expect(shards.reduce((a, s) => a + s.tokens!, 0)).toBe(c.tokens);
      // validation/test hold ~50 records over 8 shards (~6 each): one long record moves the figure, and
      // which records land there depends on the split key (content clusters since issue 10), so 10%.
      expect(manifest.imbalance![split]).toBeLessThan(split === 'train' ? 0.01 : 0.1);
    }
    expect(manifest.shards.filter((s) => s.split === 'train').length).toBe(16);
  });
});
