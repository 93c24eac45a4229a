/**
 * Per-record values a worker computed for the finish step, so that the one sequential step does
 * not compute them: the exact-dedup key and the near-duplicate MinHash signature. The BullMQ
 * workers compute them with the record (computeKeys) and store them beside the batch
 * (ProcessedBatch.keys); the coordinator attaches them to the parsed envelopes (attachKeys) and the
 * gate steps use them instead of hashing again (exactKeyOf, nearSignatureOf). Nothing here enters
 * the output: the values live in a WeakMap beside the envelope, and each is exactly what the step
 * would compute itself, so the decisions (and the bytes written) are the same.
 */
import type { Pipeline } from '../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { RejectReason, Stage } from '../../schemas/reject.js';
import { sha256Hex } from '../core/ids.js';
import { rejectForOutput, rejectId, rejectLine } from '../core/reject.js';
import type { Reject } from '../../schemas/reject.js';
import { rejectSummary, type RejectSummary } from '../output/stats.js';
import { dedupText, MinHasher } from './dedup/minhash.js';
import { caseKey, casePrefixKey, consultationKey, firstPatientTurn } from './split-assign.js';
import { pleasantryOfDoctorText } from '../stages/split/index.js';

interface Keys {
  exact?: string;
  near?: Int32Array;
  /** Reject ids the gate may need (`<stage>\t<reason>` → id), hashed by the worker. */
  rejectIds?: { ids: Record<string, string[]>; i: number };
  /** isPleasantry(record.output) (split/pleasantry.ts), for the run statistics. */
  pleasantry?: boolean;
  /** caseKey(firstPatientTurn(record)) and consultationKey(origin) (split-assign.ts). */
  caseKey?: number;
  /** casePrefixKey(firstPatientTurn(record)). */
  casePrefix?: number;
  consultation?: number;
}

/** The gate's rejects a config can produce (their ids are content hashes of the whole record). */
function gateReasons(config: Pipeline): Array<[Stage, RejectReason]> {
  const out: Array<[Stage, RejectReason]> = [];
  if (config.dedup.exact) out.push(['dedup', 'dedup.exact_duplicate']);
  if (config.dedup.near.enabled) out.push(['dedup', 'dedup.near_duplicate']);
  return out;
}

/** The precomputed id of this record's gate reject, if a worker sent it. */
export function rejectIdOf(env: RecordEnvelope, stage: Stage, reason: RejectReason): string | undefined {
  const r = KEYS.get(env)?.rejectIds;
  return r?.ids[`${stage}\t${reason}`]?.[r.i];
}

const KEYS = new WeakMap<RecordEnvelope, Keys>();

/** The exact-duplicate key of a record (80 bits of sha256, hex), re-exported by dedup/exact.ts as exactKey. */
export function exactRecordKey(r: RecordEnvelope['record']): string {
  return sha256Hex(JSON.stringify([r.history, r.instruction, r.input, r.output])).slice(0, 20);
}

/** The exact-dedup key of an envelope's record. */
export function exactKey(env: RecordEnvelope): string {
  return exactRecordKey(env.record);
}

export function exactKeyOf(env: RecordEnvelope): string {
  return KEYS.get(env)?.exact ?? exactKey(env);
}

/** The precomputed MinHash signature, when a worker sent one with matching length. */
export function nearSignatureOf(env: RecordEnvelope, numPerm: number): Int32Array | undefined {
  const s = KEYS.get(env)?.near;
  return s && s.length === numPerm ? s : undefined;
}

/** What a worker stores beside a batch's records: one entry per record, in order. */
export interface BatchKeys {
  exact?: string[];
  /** Base64 of each signature's Int32 little-endian bytes. */
  near?: string[];
  /** Per gate reason (`<stage>\t<reason>`): each record's reject id. */
  rejectIds?: Record<string, string[]>;
  /** caseKey of each record's first patient turn (−1: too short to link). */
  case?: number[];
  /** casePrefixKey of each record's first patient turn (−1: no longer than its prefix). */
  casePrefix?: number[];
  /** consultationKey of each record's origin. */
  consultation?: number[];
  /** 1 when the record's output is only thanks or courtesy (isPleasantry), else 0. */
  pleasantry?: number[];
}

/** isPleasantry(record.output), precomputed when sent. */
export function pleasantryOf(env: RecordEnvelope): boolean {
  return KEYS.get(env)?.pleasantry ?? pleasantryOfDoctorText(env.record.output);
}

/** The case-description key of a record (split-assign.ts caseKey of its first patient turn), precomputed when sent. */
export function caseKeyOf(env: RecordEnvelope): number {
  return KEYS.get(env)?.caseKey ?? caseKey(firstPatientTurn(env.record));
}

/** The case-opening key of a record (split-assign.ts casePrefixKey of its first patient turn), precomputed when sent. */
export function casePrefixKeyOf(env: RecordEnvelope): number {
  return KEYS.get(env)?.casePrefix ?? casePrefixKey(firstPatientTurn(env.record));
}

/** The consultation key of a record's origin, precomputed when sent. */
export function consultationKeyOf(env: RecordEnvelope): number {
  return KEYS.get(env)?.consultation ?? consultationKey(env.origin);
}

const hashers = new Map<string, MinHasher>();

function hasherFor(near: Pipeline['dedup']['near']): MinHasher {
  const k = JSON.stringify([near.ngram, near.numPerm, near.bands, near.threshold, near.scheme]);
  let h = hashers.get(k);
  if (!h) hashers.set(k, (h = new MinHasher({ ngram: near.ngram, numPerm: near.numPerm, bands: near.bands, threshold: near.threshold, scheme: near.scheme })));
  return h;
}

/** The keys of a batch's records for this config. */
export function computeKeys(config: Pipeline, records: RecordEnvelope[]): BatchKeys | undefined {
  const out: BatchKeys = {};
  out.case = records.map((env) => caseKey(firstPatientTurn(env.record)));
  out.casePrefix = records.map((env) => casePrefixKey(firstPatientTurn(env.record)));
  out.consultation = records.map((env) => consultationKey(env.origin));
  out.pleasantry = records.map((env) => (pleasantryOfDoctorText(env.record.output) ? 1 : 0));
  if (config.dedup.exact) out.exact = records.map(exactKey);
  if (config.dedup.near.enabled) {
    const h = hasherFor(config.dedup.near);
    out.near = records.map((env) => {
      const sig = h.signature(dedupText(env.record));
      return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64');
    });
  }
  const reasons = gateReasons(config);
  if (reasons.length) {
    out.rejectIds = {};
    for (const [stage, reason] of reasons) out.rejectIds[`${stage}\t${reason}`] = records.map((env) => rejectId(stage, reason, env.origin, env.record));
  }
  return out;
}

/** Attaches stored keys to the parsed envelopes (ignored when they do not line up). */
export function attachKeys(records: RecordEnvelope[], keys: BatchKeys | undefined): void {
  if (!keys) return;
  if (keys.exact && keys.exact.length !== records.length) return;
  if (keys.near && keys.near.length !== records.length) return;
  if (keys.case && keys.case.length !== records.length) return;
  if (keys.casePrefix && keys.casePrefix.length !== records.length) return;
  if (keys.pleasantry && keys.pleasantry.length !== records.length) return;
  if (keys.consultation && keys.consultation.length !== records.length) return;
  if (keys.rejectIds && Object.values(keys.rejectIds).some((ids) => ids.length !== records.length)) return;
  for (let i = 0; i < records.length; i++) {
    const k: Keys = {};
    if (keys.exact) k.exact = keys.exact[i];
    if (keys.case) k.caseKey = keys.case[i];
    if (keys.casePrefix) k.casePrefix = keys.casePrefix[i];
    if (keys.consultation) k.consultation = keys.consultation[i];
    if (keys.near) {
      const b = Buffer.from(keys.near[i], 'base64');
      const sig = new Int32Array(b.byteLength / 4);
      for (let j = 0; j < sig.length; j++) sig[j] = b.readInt32LE(j * 4);
      k.near = sig;
    }
    if (keys.rejectIds) k.rejectIds = { ids: keys.rejectIds, i };
    if (keys.pleasantry) k.pleasantry = keys.pleasantry[i] === 1;
    KEYS.set(records[i], k);
  }
}

/**
 * The rejects of a batch as the finaliser writes them, made by the worker: each reject's line of
 * rejects.jsonl (rejectLine of rejectForOutput, the functions the local finaliser calls) and its
 * summary for the run statistics (example fields for the first EXAMPLES of each reason in the
 * batch, which include the run's first). The batch's `rejects` become the summaries (what the
 * finaliser reads of them besides: stage, reason, origin, dialogueId), `lines` go beside them.
 */
export function prepareRejects(config: Pipeline, rejects: Reject[]): { summaries: RejectSummary[]; lines: string[] } {
  const seen = new Map<string, number>();
  const summaries: RejectSummary[] = [];
  const lines: string[] = [];
  let near = 0;
  for (const r of rejects) {
    const kept = rejectForOutput(r, config.rejects);
    const n = seen.get(r.reason) ?? 0;
    seen.set(r.reason, n + 1);
    const s = rejectSummary(kept, n < EXAMPLES, near < EXAMPLES_NEAR);
    if (s.near) near++;
    summaries.push(s);
    lines.push(rejectLine(kept));
  }
  return { summaries, lines };
}

/** At least as many as the run statistics keep (stats.ts EXAMPLES_PER_REASON, NEAR_EXAMPLES). */
const EXAMPLES = 3;
const EXAMPLES_NEAR = 5;

const PREPARED = new WeakMap<object, string>();

/** Attaches the prepared lines to the stored summaries (ignored when they do not line up). */
export function attachRejectLines(rejects: object[], lines: string[] | undefined): void {
  if (!lines || lines.length !== rejects.length) return;
  for (let i = 0; i < rejects.length; i++) PREPARED.set(rejects[i], lines[i]);
}

/** The line a worker made for this (summary of a) reject, if any. */
export function preparedLine(r: object): string | undefined {
  return PREPARED.get(r);
}
