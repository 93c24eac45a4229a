/**
 * The compact per-record metadata of the finish step (issue 12: the decision step is the only
 * serial part and must not need whole records). A worker computes `recordKeys` for each record it
 * processed and spills the record (spill.ts finalLines); the decision step then runs on keys only:
 *
 *   const i = clusters.dialogueByKey(k.dialogueKey, k.consultationKey);
 *   clusters.linkCaseKey(i, k.caseKey); clusters.linkOnly(i, k.casePrefixKey, k.caseKey);
 *   exact.checkKey(k.exactKey, k.id)            // ExactIndex (dedup/exact.ts)
 *   near.checkSketch(k.id, k.near.sig8, k.near.bandKeys)  // NearDupIndex (dedup/minhash.ts)
 *   … then planShards({ dialogue, weight, part, offset, shardLen, sidecarLen }, …) (plan.ts)
 *
 * Each call decides exactly as its record-level twin does in the local finaliser (Finaliser,
 * RecordGate), which tests check. Size: three 52-bit numbers, a 20-character key, the weight and,
 * with near dedup, numPerm + 4 × bands bytes (256 at the defaults).
 */
import type { RecordEnvelope } from '../../schemas/record.js';
import { exactKey } from './dedup/exact.js';
import { dedupText, type NearDupIndex } from './dedup/minhash.js';
import { caseKey, casePrefixKey, consultationKey, firstPatientTurn, idKey } from './split-assign.js';

export interface RecordKeys {
  id: string;
  /** idKey(dialogueId). */
  dialogueKey: number;
  consultationKey: number;
  /** caseKey(first patient turn); −1 when too short to link. */
  caseKey: number;
  /** casePrefixKey(first patient turn); −1 when the turn is no longer than its prefix. */
  casePrefixKey: number;
  /** exactKey(record), when exact dedup is on. */
  exactKey?: string;
  /** The MinHash sketch, when near dedup is on. */
  near?: { sig8: Uint8Array; bandKeys: Uint32Array };
  weight: number;
}

export function recordKeys(env: RecordEnvelope, opts: { exact: boolean; near?: NearDupIndex; weight: (env: RecordEnvelope) => number }): RecordKeys {
  const k: RecordKeys = {
    id: env.record.id,
    dialogueKey: idKey(env.dialogueId),
    consultationKey: consultationKey(env.origin),
    caseKey: caseKey(firstPatientTurn(env.record)),
    casePrefixKey: casePrefixKey(firstPatientTurn(env.record)),
    weight: opts.weight(env),
  };
  if (opts.exact) k.exactKey = exactKey(env.record);
  if (opts.near) k.near = opts.near.sketch(dedupText(env.record));
  return k;
}
