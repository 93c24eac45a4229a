import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../schemas/record.js';
import { ExactIndex } from '../../src/finish/dedup/exact.js';
import { NearDupIndex } from '../../src/finish/dedup/minhash.js';
import { NearDupFilter } from '../../src/finish/dedup/near.js';
import { duplicateOf, ExactDedupStep, RecordGate } from '../../src/finish/gate.js';
import { recordKeys } from '../../src/finish/keys.js';
import { CaseClusters, firstPatientTurn } from '../../src/finish/split-assign.js';
import { recordChars } from '../../src/output/stats.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import { cmtmedqaRecords, envelope } from '../output/envelopes.js';

const config = parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }], dedup: { exact: true, near: { enabled: true } } });

/** Real records, then exact copies, near copies (a word added) and re-posts (same first turn) of some of them, under new ids. */
function input(): RecordEnvelope[] {
  const base = cmtmedqaRecords().slice(0, 400);
  const envs = base.map((r, i) => envelope(r, i));
  base.slice(0, 60).forEach((r, j) => {
    const i = envs.length;
    if (j % 3 === 0) envs.push(envelope({ ...r, id: `exact-${j}` }, i, 'copy.json'));
    else if (j % 3 === 1) envs.push(envelope({ ...r, id: `near-${j}`, output: `${r.output}谢谢` }, i, 'copy.json'));
    else envs.push(envelope({ ...r, id: `repost-${j}`, output: '不同的回答内容，请到医院复查。' }, i, 'copy.json'));
  });
  return envs;
}

describe('finish: decisions from compact keys', () => {
  it('decides duplicates and splits from recordKeys exactly as the record gate and clusters do from records', async () => {
    const envs = input();
    // Record level (what the local finaliser does).
    const near = await NearDupFilter.open(config.dedup.near);
    const gate = new RecordGate([new ExactDedupStep(), near]);
    const clA = new CaseClusters();
    const a = envs.map((env) => {
      const c = clA.dialogue(env.dialogueId, env.origin);
      clA.linkCase(c, firstPatientTurn(env.record));
      const r = gate.check(env);
      return r ? `${r.reason}:${duplicateOf(r)}` : 'kept';
    });
    // Key level (what a decision step over worker-computed metadata does).
    const n = config.dedup.near;
    const hashing = new NearDupIndex({ ngram: n.ngram, numPerm: n.numPerm, bands: n.bands, threshold: n.threshold, scheme: n.scheme }, false);
    const keys = envs.map((env) => recordKeys(env, { exact: true, near: hashing, weight: recordChars }));
    const exact = new ExactIndex();
    const index = new NearDupIndex({ ngram: n.ngram, numPerm: n.numPerm, bands: n.bands, threshold: n.threshold, scheme: n.scheme }, false);
    const clB = new CaseClusters();
    const b = keys.map((k) => {
      const c = clB.dialogueByKey(k.dialogueKey, k.consultationKey);
      clB.linkCaseKey(c, k.caseKey);
      clB.linkOnly(c, k.casePrefixKey, k.caseKey);
      const of = exact.checkKey(k.exactKey!, k.id);
      if (of !== undefined) return `dedup.exact_duplicate:${of}`;
      const m = index.checkSketch(k.id, k.near!.sig8, k.near!.bandKeys);
      return m ? `dedup.near_duplicate:${m.duplicateOf}` : 'kept';
    });
    expect(b).toEqual(a);
    expect(a.filter((x) => x.startsWith('dedup.exact')).length).toBe(20);
    expect(a.filter((x) => x.startsWith('dedup.near')).length).toBeGreaterThanOrEqual(20);
    const splits = (cl: CaseClusters) => envs.map((e) => cl.splitOf(cl.indexOf(e.dialogueId)!, 'seed', { train: 8, validation: 1, test: 1 }));
    expect(splits(clB)).toEqual(splits(clA));
    expect(clA.merges).toBe(clB.merges);
    expect(clA.merges).toBeGreaterThanOrEqual(20); // the re-posts joined their originals' clusters
    expect(keys.every((k) => k.weight === recordChars(envs[keys.indexOf(k)]))).toBe(true);
  });
});
