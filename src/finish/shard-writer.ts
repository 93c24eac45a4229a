/**
 * The shard writer: copies the spilled final lines (spill.ts) of each shard job's records
 * (plan.ts) into its shard file and sidecar, hashing and counting the bytes written. Nothing is
 * parsed or re-serialised for the JSONL formats: bytes go from the spill to gzip. (Parquet shards
 * parse each cmtmedqa line once, to build their columns.)
 *
 * `writeShards(outDir, jobs)` writes any set of jobs: one (a queue worker's job: it reads only the
 * byte ranges its records occupy, coalescing nearby ones) or all of a run's (the local executor:
 * one sequential pass over the spill feeds every shard). Output bytes do not depend on which:
 * each shard's bytes are its records' lines in job order, gzip's output does not depend on how
 * its input is chunked, and each file has its own stream.
 * Memory: one read window (1 MiB, or the largest record) and 2 × 64 KiB per open output.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { CMtMedQARecord } from '../../schemas/record.js';
import { ParquetShardWriter } from '../output/parquet.js';
import type { ShardJob } from './plan.js';

export interface WrittenFile {
  /** Relative to the output directory. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ShardResult extends WrittenFile {
  records: number;
  sidecar?: WrittenFile;
}

const STAGE = 64 << 10;
const WINDOW = 1 << 20;
/** Gaps between wanted ranges up to this are read through rather than skipped. */
const GAP = 64 << 10;

/** A gzip file fed with bytes through two reused staging buffers; compressed bytes hashed and counted. */
class GzipOut {
  private readonly file: WriteStream;
  private readonly gzip: Gzip;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private readonly stage = [Buffer.allocUnsafe(STAGE), Buffer.allocUnsafe(STAGE)];
  private cur = 0;
  private pos = 0;
  private pending: Promise<void> | undefined;

  constructor(readonly abs: string, readonly rel: string, level: number) {
    this.file = createWriteStream(abs);
    this.gzip = createGzip({ level });
    this.gzip.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    this.gzip.pipe(this.file);
  }

  /** Copies src[start, end) in; returns a promise only when it had to wait for gzip. */
  put(src: Buffer, start: number, end: number): Promise<void> | undefined {
    let wait: Promise<void> | undefined;
    while (start < end) {
      const n = Math.min(end - start, STAGE - this.pos);
      src.copy(this.stage[this.cur], this.pos, start, start + n);
      this.pos += n;
      start += n;
      if (this.pos === STAGE) {
        if (start < end) return this.putSlow(src, start, end);
        wait = this.hand();
      }
    }
    return wait;
  }

  private async putSlow(src: Buffer, start: number, end: number): Promise<void> {
    await this.hand();
    const p = this.put(src, start, end);
    if (p) await p;
  }

  /** Hands the full staging buffer to gzip and switches to the other (once gzip is done with it). */
  private async hand(): Promise<void> {
    const chunk = this.stage[this.cur].subarray(0, this.pos);
    const before = this.pending;
    this.pending = new Promise<void>((resolve, reject) => this.gzip.write(chunk, (e) => (e ? reject(e) : resolve())));
    this.cur ^= 1;
    this.pos = 0;
    if (before) await before;
  }

  async close(): Promise<WrittenFile> {
    if (this.pos > 0) await this.hand();
    if (this.pending) await this.pending;
    const done = once(this.file, 'close');
    this.gzip.end();
    await done;
    return { path: this.rel, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

interface JobOut {
  shard?: GzipOut;
  parquet?: ParquetShardWriter;
  sidecar?: GzipOut;
  records: number;
}

async function openOut(outDir: string, job: ShardJob): Promise<JobOut> {
  const abs = path.join(outDir, job.path);
  await mkdir(path.dirname(abs), { recursive: true });
  const out: JobOut = { records: 0 };
  if (job.format === 'parquet') out.parquet = new ParquetShardWriter(abs);
  else out.shard = new GzipOut(abs, job.path, job.gzipLevel);
  if (job.sidecarPath) {
    const sabs = path.join(outDir, job.sidecarPath);
    await mkdir(path.dirname(sabs), { recursive: true });
    out.sidecar = new GzipOut(sabs, job.sidecarPath, job.gzipLevel);
  }
  return out;
}

/** The (job, record) pairs of all jobs, merged by (part, offset) without reordering any job's own records. */
function mergeByPosition(jobs: readonly ShardJob[]): { ofJob: Uint32Array; ofRec: Uint32Array; total: number } {
  let total = 0;
  for (const j of jobs) total += j.offset.length;
  const ofJob = new Uint32Array(total);
  const ofRec = new Uint32Array(total);
  const next = new Uint32Array(jobs.length);
  const key = (ji: number) => jobs[ji].part[next[ji]] * 2 ** 40 + jobs[ji].offset[next[ji]];
  // Min-heap of jobs with records left, by the position of their next record (ties: job order).
  const heap: number[] = [];
  const less = (a: number, b: number) => key(a) < key(b) || (key(a) === key(b) && a < b);
  const down = (p: number) => {
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === p) return;
      [heap[p], heap[m]] = [heap[m], heap[p]];
      p = m;
    }
  };
  jobs.forEach((j, ji) => { if (j.offset.length > 0) heap.push(ji); });
  for (let p = (heap.length >> 1) - 1; p >= 0; p--) down(p);
  for (let t = 0; t < total; t++) {
    const ji = heap[0];
    ofJob[t] = ji;
    ofRec[t] = next[ji]++;
    if (next[ji] === jobs[ji].offset.length) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
  return { ofJob, ofRec, total };
}

/**
 * Writes the shard jobs (all from the same spill parts) into outDir; results in job order.
 * Checks each job's record count; a spill that does not hold what the positions say is an error.
 */
export async function writeShards(outDir: string, jobs: readonly ShardJob[]): Promise<ShardResult[]> {
  if (jobs.length === 0) return [];
  const spills = jobs[0].spills;
  for (const j of jobs) if (j.spills.length !== spills.length || j.spills.some((s, i) => s !== spills[i])) throw new Error('writeShards: jobs name different spill parts');
  const outs: JobOut[] = [];
  for (const j of jobs) outs.push(await openOut(outDir, j));
  // Every (job, record), each job's records in its own order, merged by spill position (part,
  // then offset): a k-way merge, so when all jobs come from one spill in run order (the local
  // executor) the spill is read once, front to back.
  const { ofJob, ofRec, total } = mergeByPosition(jobs);
  const partOf = (i: number) => jobs[ofJob[i]].part[ofRec[i]];
  const offOf = (i: number) => jobs[ofJob[i]].offset[ofRec[i]];
  const lenOf = (i: number) => jobs[ofJob[i]].shardLen[ofRec[i]] + jobs[ofJob[i]].sidecarLen[ofRec[i]];

  const handles = new Map<number, FileHandle>();
  let buf = Buffer.allocUnsafe(WINDOW);
  try {
    let i = 0;
    while (i < total) {
      const p = partOf(i);
      let fh = handles.get(p);
      if (!fh) handles.set(p, (fh = await open(spills[p], 'r')));
      const start = offOf(i);
      let end = start + lenOf(i);
      let j = i + 1;
      while (j < total && partOf(j) === p) {
        const o = offOf(j);
        const e = o + lenOf(j);
        if (o < start || o - end > GAP || e - start > WINDOW) break;
        if (e > end) end = e;
        j++;
      }
      const len = end - start;
      if (len > buf.length) buf = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(buf, got, len - got, start + got);
        if (bytesRead === 0) throw new Error(`writeShards: spill ${spills[p]} ends at ${start + got}, records are said to lie up to ${end}`);
        got += bytesRead;
      }
      for (; i < j; i++) {
        const ji = ofJob[i];
        const x = ofRec[i];
        const job = jobs[ji];
        const out = outs[ji];
        const a = job.offset[x] - start;
        const b = a + job.shardLen[x];
        const c = b + job.sidecarLen[x];
        if (out.parquet) await out.parquet.write(JSON.parse(buf.toString('utf8', a, b - 1)) as CMtMedQARecord);
        else {
          const w = out.shard!.put(buf, a, b);
          if (w) await w;
        }
        if (out.sidecar && c > b) {
          const w = out.sidecar.put(buf, b, c);
          if (w) await w;
        }
        out.records++;
      }
    }
  } finally {
    for (const fh of handles.values()) await fh.close();
  }
  const results: ShardResult[] = [];
  for (let ji = 0; ji < jobs.length; ji++) {
    const job = jobs[ji];
    const out = outs[ji];
    if (out.records !== job.records) throw new Error(`writeShards: ${job.path} got ${out.records} records, its job says ${job.records}`);
    let main: WrittenFile;
    if (out.parquet) {
      const r = await out.parquet.close();
      main = { path: job.path, bytes: r.bytes, sha256: r.sha256 };
    } else main = await out.shard!.close();
    const res: ShardResult = { ...main, records: out.records };
    if (out.sidecar) res.sidecar = await out.sidecar.close();
    results.push(res);
  }
  return results;
}
