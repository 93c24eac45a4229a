import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../schemas/record.js';
import { makeReject } from '../../src/core/reject.js';
import { dedupText, MinHasher } from '../../src/finish/dedup/minhash.js';
import { ExactDedupStep, RecordGate } from '../../src/finish/gate.js';
import { attachKeys, computeKeys, exactKey, exactKeyOf, nearSignatureOf, rejectIdOf } from '../../src/finish/precomputed.js';
import { parsePipeline } from '../../src/pipeline/config.js';

function env(i: number, output: string): RecordEnvelope {
  return {
    record: { id: `r${i}`, cate1: '内科', cate2: '消化内科', instruction: `我最近胃疼了${i % 2}天，吃完饭更明显`, input: '', output, history: [] },
    dialogueId: `d${i}`,
    origin: { format: 'cmtmedqa', file: 'x.json', sourceId: String(i), position: i },
    annotations: { inquiryTurns: [], outputIsInquiry: false },
  };
}

describe('precomputed finish keys (worker → coordinator)', () => {
  const config = parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }], dedup: { exact: true, near: { enabled: true } } });
  const records = [env(0, '建议您先做个胃镜检查，饮食清淡'), env(1, '建议您先做个胃镜检查，饮食清淡'), env(2, '建议您先做个胃镜检查，饮食清淡一些')];

  it('carries exactly what the finish step would compute, through JSON', () => {
    const keys = computeKeys(config, records)!;
    expect(keys.exact).toHaveLength(3);
    const parsed = JSON.parse(JSON.stringify(records)) as RecordEnvelope[];
    attachKeys(parsed, JSON.parse(JSON.stringify(keys)));
    const near = config.dedup.near;
    const h = new MinHasher({ ngram: near.ngram, numPerm: near.numPerm, bands: near.bands, threshold: near.threshold, scheme: near.scheme });
    for (const e of parsed) {
      expect(exactKeyOf(e)).toBe(exactKey(e));
      expect(Array.from(nearSignatureOf(e, near.numPerm)!)).toEqual(Array.from(h.signature(dedupText(e.record))));
      const id = makeReject({ stage: 'dedup', reason: 'dedup.exact_duplicate', detail: '', origin: e.origin, input: e.record }).id;
      expect(rejectIdOf(e, 'dedup', 'dedup.exact_duplicate')).toBe(id);
    }
    // The gate decides the same with and without them.
    const a = new RecordGate([new ExactDedupStep()]);
    const b = new RecordGate([new ExactDedupStep()]);
    const plain = JSON.parse(JSON.stringify(records)) as RecordEnvelope[];
    expect(parsed.map((e) => a.check(e))).toEqual(plain.map((e) => b.check(e)));
    expect(a.check(parsed[1])).toBeDefined();
  });

  it('ignores keys that do not line up with the records', () => {
    const parsed = JSON.parse(JSON.stringify(records)) as RecordEnvelope[];
    attachKeys(parsed, { exact: ['only-one'] });
    expect(exactKeyOf(parsed[0])).toBe(exactKey(parsed[0]));
    expect(rejectIdOf(parsed[0], 'dedup', 'dedup.exact_duplicate')).toBeUndefined();
  });
});
