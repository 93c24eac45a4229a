import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../schemas/record.js';
import { makeReject } from '../../src/core/reject.js';
import { dedupText, MinHasher } from '../../src/finish/dedup/minhash.js';
import { ExactDedupStep, RecordGate } from '../../src/finish/gate.js';
import { attachKeys, attachRejectLines, caseKeyOf, computeKeys, consultationKeyOf, exactKey, exactKeyOf, nearSignatureOf, pleasantryOf, prepareRejects, preparedLine, rejectIdOf } from '../../src/finish/precomputed.js';
import { rejectForOutput, rejectLine } from '../../src/core/reject.js';
import { caseKey, consultationKey, firstPatientTurn } from '../../src/finish/split-assign.js';
import { isPleasantry } from '../../src/stages/split/pleasantry.js';
import { RunStats, type RejectSummary } from '../../src/output/stats.js';
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

  it('carries the case key, consultation key and pleasantry flag the finaliser would compute', () => {
    const recs = [...records, { ...env(3, '谢谢医生'), record: { ...env(3, '谢谢医生').record, instruction: '你好' } }];
    const parsed = JSON.parse(JSON.stringify(recs)) as RecordEnvelope[];
    attachKeys(parsed, JSON.parse(JSON.stringify(computeKeys(config, recs))));
    for (const e of parsed) {
      expect(caseKeyOf(e)).toBe(caseKey(firstPatientTurn(e.record)));
      expect(consultationKeyOf(e)).toBe(consultationKey(e.origin));
      expect(pleasantryOf(e)).toBe(isPleasantry(e.record.output));
    }
    expect(caseKeyOf(parsed[3])).toBe(-1);
    expect(pleasantryOf(parsed[3])).toBe(true);
  });

  it('prepared reject lines and summaries give the rejects file and statistics the local finaliser writes', () => {
    const cfg = parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }], rejects: { maxRawChars: 40 } });
    const origin = (i: number) => ({ format: 'cmtmedqa' as const, file: 'x.json', sourceId: String(i), position: i });
    const rejects = [
      ...Array.from({ length: 5 }, (_, i) => makeReject({ stage: 'import', reason: 'import.parse_error', detail: `bad ${i}`, origin: origin(i), input: `{"broken": ${'x'.repeat(30 * i)} 电话13812345678` })),
      ...Array.from({ length: 4 }, (_, i) => makeReject({ stage: 'split', reason: 'split.no_doctor_turn', detail: 'd'.repeat(400), origin: origin(10 + i), input: { turns: [i, '患者'] }, dialogueId: `d${i}` })),
      makeReject({ stage: 'parse', reason: 'parse.layout_unrecognised', detail: 'page', origin: origin(20), input: '<html>', evidence: { site: 'xywy', rawKey: 'k1' } }),
    ];
    const local = new RunStats();
    const localLines: string[] = [];
    for (const r of rejects) {
      const kept = rejectForOutput(r, cfg.rejects);
      local.addReject(kept);
      localLines.push(rejectLine(kept));
    }
    // Two batches, as two workers would send them.
    const remote = new RunStats();
    const remoteLines: string[] = [];
    for (const part of [rejects.slice(0, 3), rejects.slice(3)]) {
      const { summaries, lines } = JSON.parse(JSON.stringify(prepareRejects(cfg, part))) as { summaries: RejectSummary[]; lines: string[] };
      attachRejectLines(summaries, lines);
      for (const s of summaries) {
        remoteLines.push(preparedLine(s)!);
        remote.addRejectSummary(s);
      }
    }
    expect(remoteLines).toEqual(localLines);
    expect(JSON.stringify(remote)).toBe(JSON.stringify(local));
    expect(local.rejectExamples['split.no_doctor_turn']).toHaveLength(3);
    expect(local.unrecognisedKeys).toEqual({ xywy: ['k1'] });
  });
});
