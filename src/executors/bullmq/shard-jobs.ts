/**
 * Shard writing on workers: the finish step's decision (src/finish/plan.ts) yields independent
 * ShardJobs; the coordinator writes each job's record positions to the run store
 * (shards/<token>-<split>-<index>.json, typed arrays as base64, so Redis carries only the path)
 * and enqueues it on the run's `shard` queue; a worker reads it and runs writeShards for that one
 * job into the output directory, and returns the shard's sizes and hashes. Workers must see the
 * staged output directory and its spill at the coordinator's paths (same machine, or a shared
 * filesystem like the run store). Must not change a byte: the writer is the local one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { CmtError } from '../../core/errors.js';
import type { ShardJob } from '../../finish/plan.js';
import { writeShards, type ShardResult } from '../../finish/shard-writer.js';

type Encoded = Omit<ShardJob, 'part' | 'offset' | 'shardLen' | 'sidecarLen'> & { part: string; offset: string; shardLen: string; sidecarLen: string };

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function typed<T>(s: string, C: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const b = Buffer.from(s, 'base64');
  const ab = new ArrayBuffer(b.byteLength);
  new Uint8Array(ab).set(b);
  return new C(ab);
}

export function encodeShardJob(j: ShardJob): Encoded {
  return { ...j, part: b64(j.part), offset: b64(j.offset), shardLen: b64(j.shardLen), sidecarLen: b64(j.sidecarLen) };
}

export function decodeShardJob(e: Encoded): ShardJob {
  return { ...e, part: typed(e.part, Uint16Array), offset: typed(e.offset, Float64Array), shardLen: typed(e.shardLen, Uint32Array), sidecarLen: typed(e.sidecarLen, Uint32Array) };
}

/** A shard queue job's data. */
export interface ShardTask {
  outDir: string;
  file: string;
}

/** Worker side: one shard. */
export async function runShardTask(t: ShardTask): Promise<ShardResult> {
  const job = decodeShardJob(JSON.parse(await readFile(t.file, 'utf8')) as Encoded);
  const [res] = await writeShards(t.outDir, [job]);
  return res;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Coordinator side: a writeShards for the Finaliser that runs every job on the shard queue and
 * returns the results in job order. A job that fails every attempt fails the run.
 */
export function shardsOnWorkers(queue: Queue, storeDir: () => string, opts: { attempts: number; backoffMs: number }): (outDir: string, jobs: readonly ShardJob[]) => Promise<ShardResult[]> {
  // Job ids are unique per finish attempt: a replacement coordinator writes into another staged directory.
  const token = randomBytes(6).toString('hex');
  return async (outDir, jobs) => {
    if (jobs.length === 0) return [];
    const dir = path.join(storeDir(), 'shards');
    await mkdir(dir, { recursive: true });
    const ids: string[] = [];
    for (const j of jobs) {
      const id = `sh-${token}-${j.split}-${j.index}`;
      const file = path.join(dir, `${id}.json`);
      await writeFile(file, JSON.stringify(encodeShardJob(j)));
      await queue.add('shard', { outDir, file } satisfies ShardTask, { jobId: id, attempts: opts.attempts, backoff: { type: 'exponential', delay: opts.backoffMs }, removeOnComplete: false, removeOnFail: false });
      ids.push(id);
    }
    const out: Array<ShardResult | undefined> = ids.map(() => undefined);
    let wait = 20;
    for (;;) {
      let pending = 0;
      for (let i = 0; i < ids.length; i++) {
        if (out[i]) continue;
        // The state first, then the job: a job read while active has no return value yet.
        const state = await queue.getJobState(ids[i]);
        const job = state === 'completed' || state === 'failed' ? await queue.getJob(ids[i]) : undefined;
        if (state === 'completed' && job?.returnvalue) out[i] = job.returnvalue as ShardResult;
        else if (state === 'failed') throw new CmtError('CMT_RUN_FAILED', `writing shard ${jobs[i].path} failed on every attempt: ${job?.failedReason ?? 'unknown error'}`, { shard: jobs[i].path });
        else pending++;
      }
      if (pending === 0) return out as ShardResult[];
      await sleep(wait);
      wait = Math.min(200, wait * 2);
    }
  };
}
