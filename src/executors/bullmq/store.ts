/**
 * The run's durable state besides its queues. In Redis: the run record, one small marker per seq
 * whose result is stored (a hash, field = seq, value = the result's size in bytes, so the finalise
 * step finds the next ones with a few HMGETs) and the bookkeeping that merges the parts of a
 * poison-split batch back under its seq. In the run store, a directory (<root>/<prefix>/<runId>/):
 * the ProcessedBatch JSON of each seq, results/<seq>.json, written by the worker that finished it
 * and read by the coordinator. Workers on several machines need the root on a shared filesystem
 * mounted at the same path everywhere (the coordinator puts it into the run record).
 *
 * Every write here is idempotent, because any job may run twice (a stalled job is retried, a run
 * is replayed): results are keyed by seq/part and rewritten with the same bytes, and a split is
 * recorded once. Two Lua scripts keep the check-and-write steps atomic.
 */
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { ProcessedBatch } from '../../../schemas/batch.js';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { CmtError } from '../../core/errors.js';
import type { RunKeys } from './keys.js';
import type { BatchKeys } from '../../finish/precomputed.js';
import { REJECT_BUCKETS } from '../../pipeline/stages.js';
import { decodeRunRecord, emptyCarry, LeafResult, validate, type Carry, type LeafResult as Leaf, type RunRecord } from './payloads.js';

/**
 * Stores one leaf. A whole batch (part '') goes straight to results; a part goes to the parts hash
 * and leaves the seq's pending set. Returns 1 when every batch of the run has a result (the caller
 * enqueues the finalise job), 2 when this was the last pending part of its seq (the caller merges
 * the parts and stores the merged batch as part ''), else 0.
 */
const LEAF_DONE = `
if ARGV[2] == '' then
  if redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) == 1 then
    redis.call('HINCRBY', KEYS[5], 'p:batches', 1)
    redis.call('HINCRBY', KEYS[5], 'p:dialogues', ARGV[4])
    redis.call('HINCRBY', KEYS[5], 'p:records', ARGV[5])
    redis.call('HINCRBY', KEYS[5], 'p:rejects', ARGV[6])
  end
  local total = redis.call('HGET', KEYS[5], 'total')
  if total and tonumber(total) <= redis.call('HLEN', KEYS[1]) then return 1 end
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1] .. '/' .. ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('SCARD', KEYS[3]) == 0 then return 2 end
return 0
`;

/**
 * Records that part ARGV[2] of seq ARGV[1] was split into halves ARGV[2]..'0' and ARGV[2]..'1'
 * (before the halves are enqueued, so a fast half cannot finish before it is pending).
 * Returns 1 the first time, 0 when this split was already recorded (a retried job).
 */
const SPLIT_PART = `
if redis.call('HSETNX', KEYS[1], ARGV[1] .. '/' .. ARGV[2], '1') == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[2] .. '0', ARGV[2] .. '1')
return 1
`;

type ScriptClient = Redis & {
  cmtLeafDone(k1: string, k2: string, k3: string, k4: string, k5: string, seq: number, part: string, payload: string, d: number, r: number, j: number): Promise<number>;
  cmtSplitPart(k1: string, k2: string, seq: number, part: string): Promise<number>;
};

function scripts(client: Redis): ScriptClient {
  const c = client as ScriptClient;
  if (typeof c.cmtLeafDone !== 'function') {
    client.defineCommand('cmtLeafDone', { numberOfKeys: 5, lua: LEAF_DONE });
    client.defineCommand('cmtSplitPart', { numberOfKeys: 2, lua: SPLIT_PART });
  }
  return c;
}

export function flattenRejects(carry: Carry): ProcessedBatch['rejects'] {
  const out: ProcessedBatch['rejects'] = [];
  for (const b of REJECT_BUCKETS) for (const r of carry.rejects[b]) out.push(r);
  return out;
}

/** The ProcessedBatch of a whole batch, exactly as processBatch builds it. */
export function toProcessedBatch(seq: number, leaf: Leaf): ProcessedBatch {
  return { seq, dialogueIds: leaf.carry.dialogueIds, inputs: leaf.carry.inputs, records: leaf.records, rejects: flattenRejects(leaf.carry), ...(leaf.carry.rejectAt ? { rejectAt: leaf.carry.rejectAt } : {}), ...(leaf.carry.cleaning ? { cleaning: leaf.carry.cleaning } : {}) };
}

/**
 * Merges the leaves of a split batch, in tree order (paths sort lexicographically because no leaf
 * path is a prefix of another): records and each reject bucket concatenated, so the merged batch
 * is the local executor's batch with each poisoned item's output replaced by its poison reject.
 */
export function mergeLeaves(leaves: Leaf[]): Leaf {
  const out: Leaf = { records: [], carry: emptyCarry() };
  for (const l of leaves) {
    for (const r of l.records) out.records.push(r);
    for (const id of l.carry.dialogueIds) out.carry.dialogueIds.push(id);
    out.carry.inputs += l.carry.inputs;
    if (l.carry.rejectAt) out.carry.rejectAt = [...(out.carry.rejectAt ?? []), ...l.carry.rejectAt];
    if (l.carry.cleaning) {
      const c = (out.carry.cleaning ??= {});
      for (const [k, v] of Object.entries(l.carry.cleaning)) c[k] = (c[k] ?? 0) + v;
    }
    for (const k of REJECT_BUCKETS) for (const r of l.carry.rejects[k]) out.carry.rejects[k].push(r);
  }
  return out;
}

/** Where batch results go when neither the run nor the environment says (one machine only). */
export function defaultRunStoreRoot(): string {
  return process.env.CMT_RUN_STORE ?? path.join(os.tmpdir(), 'cmtmedqa-runs');
}

export class RunStore {
  private readonly c: ScriptClient;
  /**
   * @param root the run store's root directory (absolute); the run's files are under
   *   <root>/<prefix>/<runId>. Workers take it from the run record (useRoot).
   */
  constructor(readonly client: Redis, readonly keys: RunKeys, private root?: string) {
    this.c = scripts(client);
  }

  /** Set by workers: the finish step's per-record keys, stored beside each batch (src/finish/precomputed.ts). */
  keysFor?: (records: RecordEnvelope[]) => BatchKeys | undefined;
  /** Set by workers: the rejects' final lines and summaries (src/finish/precomputed.ts prepareRejects). */
  rejectsFor?: (rejects: ProcessedBatch['rejects']) => { summaries: object[]; lines: string[] };

  useRoot(root: string): void {
    this.root = root;
  }

  /** The run's own directory in the run store. */
  get dir(): string {
    if (!this.root) throw new CmtError('CMT_RUN_FAILED', `run ${this.keys.runId}: no run store directory known (the run record names none)`, { runId: this.keys.runId });
    return path.join(this.root, this.keys.prefix, this.keys.runId);
  }

  resultFile(seq: number): string {
    return path.join(this.dir, 'results', `${seq}.json`);
  }

  /** Writes a result atomically (temp file + rename): a reader sees all of it or none; a rewrite has the same bytes. */
  private async writeResult(seq: number, json: string): Promise<void> {
    await writeFileAtomic(this.resultFile(seq), json);
  }

  /** The stored ProcessedBatch JSON of seq; `marker` (from Redis) is its size in bytes, checked. */
  async readResult(seq: number, marker?: string | null): Promise<string> {
    let buf: Buffer;
    try {
      buf = await readFile(this.resultFile(seq));
    } catch (e) {
      throw new CmtError('CMT_RUN_FAILED', `result of batch ${seq} of run ${this.keys.runId} is marked done in Redis but ${this.resultFile(seq)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): workers and coordinator must see the same run store directory`, { seq });
    }
    if (marker != null && String(buf.length) !== marker) {
      throw new CmtError('CMT_RUN_FAILED', `${this.resultFile(seq)} holds ${buf.length} bytes, the worker that stored batch ${seq} wrote ${marker}: the run store was changed under the run; rerun with another --run-id`, { seq });
    }
    return buf.toString('utf8');
  }

  async record(): Promise<RunRecord | undefined> {
    return decodeRunRecord(await this.client.hgetall(this.keys.record), this.keys.runId);
  }

  async requireRecord(): Promise<RunRecord> {
    const r = await this.record();
    if (!r) throw new CmtError('CMT_RUN_FAILED', `run ${this.keys.runId} has no run record in Redis (was it cleaned up or never started?)`, { runId: this.keys.runId });
    return r;
  }

  /**
   * A leaf of the chain is done. Returns true when the whole run is complete (enqueue finalise).
   * For a part, merges the seq once its last part is in.
   */
  async leafDone(seq: number, part: string, leaf: Leaf): Promise<boolean> {
    const k = this.keys;
    if (part === '') {
      const pb = toProcessedBatch(seq, leaf);
      const keys = this.keysFor?.(pb.records);
      if (keys) pb.keys = keys;
      // Validated here, where it is made (in parallel workers); the coordinator checks the file is
      // this one (its size, kept as the marker) and the batch's shape (finalise.ts StoredResult).
      validate(ProcessedBatch, pb, `result of batch ${seq}`);
      const prepared = this.rejectsFor?.(pb.rejects);
      if (prepared) {
        pb.rejects = prepared.summaries as ProcessedBatch['rejects'];
        pb.rejectLines = prepared.lines;
      }
      const json = JSON.stringify(pb);
      await this.writeResult(seq, json);
      const res = await this.c.cmtLeafDone(k.results, k.parts, k.pending(seq), k.leaves(seq), k.record, seq, '', String(Buffer.byteLength(json)), pb.inputs, pb.records.length, pb.rejects.length);
      return res === 1;
    }
    const res = await this.c.cmtLeafDone(k.results, k.parts, k.pending(seq), k.leaves(seq), k.record, seq, part, JSON.stringify(leaf), 0, 0, 0);
    if (res !== 2) return false;
    const paths = (await this.client.smembers(k.leaves(seq))).sort();
    const raw = paths.length ? await this.client.hmget(k.parts, ...paths.map((p) => `${seq}/${p}`)) : [];
    const leaves = raw.map((s, i) => {
      if (s === null) throw new CmtError('CMT_RUN_FAILED', `part ${paths[i]} of batch ${seq} of run ${k.runId} is missing from Redis`, { seq, part: paths[i] });
      return validate(LeafResult, JSON.parse(s), `result of batch ${seq} part ${paths[i]}`);
    });
    return this.leafDone(seq, '', mergeLeaves(leaves));
  }

  /** Records a poison split of seq/part; false when it was already recorded. */
  async splitPart(seq: number, part: string): Promise<boolean> {
    return (await this.c.cmtSplitPart(this.keys.splits, this.keys.pending(seq), seq, part)) === 1;
  }

  async isSplit(seq: number, part: string): Promise<boolean> {
    return (await this.client.hexists(this.keys.splits, `${seq}/${part}`)) === 1;
  }

  /** Work unit `unit` is imported and was cut into `batches` batches (idempotent: same count on a rerun). */
  async unitDone(unit: number, batches: number): Promise<void> {
    await this.client.hset(this.keys.units, String(unit), batches);
  }

  /** Batches per imported unit (units not imported yet are absent). */
  async unitBatches(): Promise<Map<number, number>> {
    const h = await this.client.hgetall(this.keys.units);
    return new Map(Object.entries(h).map(([k, v]) => [Number(k), Number(v)]));
  }

  /** Number of seqs with a stored ProcessedBatch. */
  async resultCount(): Promise<number> {
    return this.client.hlen(this.keys.results);
  }

  async hasResult(seq: number): Promise<boolean> {
    return (await this.client.hexists(this.keys.results, String(seq))) === 1;
  }

  /** Result markers of seqs [from, to), in order; null where a seq has no result yet (readResult reads one). */
  async resultsIfPresent(from: number, to: number): Promise<Array<string | null>> {
    if (to <= from) return [];
    const fields: string[] = [];
    for (let s = from; s < to; s++) fields.push(String(s));
    return this.client.hmget(this.keys.results, ...fields);
  }

  async addTiming(stage: string, seconds: number, jobs = 1): Promise<void> {
    await this.client.multi().hincrbyfloat(this.keys.record, `t:${stage}`, seconds).hincrby(this.keys.record, `n:${stage}`, jobs).exec();
  }

  async counters(): Promise<Record<string, number>> {
    const h = await this.client.hgetall(this.keys.record);
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(h)) if (/^[tnp]:/.test(k)) out[k] = Number(v);
    return out;
  }

  /** Deletes the run's results and split bookkeeping (the run record stays, with a TTL). */
  async dropData(): Promise<void> {
    const k = this.keys;
    const split = await this.client.hkeys(k.splits);
    const seqs = new Set(split.map((f) => Number(f.split('/')[0])));
    const dels = [k.results, k.units, k.parts, k.splits, k.handledFailures];
    for (const s of seqs) dels.push(k.pending(s), k.leaves(s));
    await this.client.del(...dels);
    if (!this.root) {
      const rec = await this.record().catch(() => undefined);
      if (rec?.store) this.root = rec.store;
    }
    if (this.root) await rm(this.dir, { recursive: true, force: true });
  }
}

export type { RecordEnvelope };
