/**
 * The spill: every record the gate keeps is serialised once, when it enters the spill, into its
 * final shard line (the shard format's JSON line; for Parquet the cmtmedqa JSON line, turned into
 * a row when the shard is written) and, with `shard.annotations`, its sidecar line, stored one
 * after the other: `<shard line>\n<sidecar line>\n`. Finishing copies those bytes into the shards
 * (shard-writer.ts) without parsing or re-serialising them.
 *
 * Per record the spill keeps only its position (offset, two lengths: 16 bytes); the caller keeps
 * the rest of the compact metadata (dialogue, weight) for the decision step (plan.ts). The file
 * is written through one reused buffer, so spilling allocates nothing per record but its lines.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { ShardFormat } from '../../schemas/formats.js';
import { encodeRecord } from '../output/formats.js';
import { Column } from './columns.js';

/** The two lines a record is finally written as: its shard line and, with annotations, its sidecar line (no newlines). */
export function finalLines(env: RecordEnvelope, format: ShardFormat, annotations: boolean): { shard: string; sidecar?: string } {
  const shard = encodeRecord(env.record, format === 'parquet' ? 'cmtmedqa' : format);
  if (!annotations) return { shard };
  return { shard, sidecar: JSON.stringify({ id: env.record.id, dialogueId: env.dialogueId, origin: env.origin, annotations: env.annotations }) };
}

/** Where the records of a spill are: byte offset, shard line length and sidecar line length (each with its newline; 0 = no sidecar). */
export interface SpillPositions {
  offset: Float64Array;
  shardLen: Uint32Array;
  sidecarLen: Uint32Array;
}

const BUF = 1 << 20;

export class SpillWriter {
  private fh?: FileHandle;
  private buf = Buffer.allocUnsafe(BUF);
  private pos = 0;
  private flushed = 0;
  /** Set by discard(): a record added later (an interrupted run's feed goes on in the background) is refused. */
  private discarded = false;
  private readonly offset = new Column(Float64Array);
  private readonly shardLen = new Column(Uint32Array);
  private readonly sidecarLen = new Column(Uint32Array);

  constructor(readonly path: string, private readonly format: ShardFormat, private readonly annotations: boolean) {}

  /** Records spilled so far. */
  get length(): number {
    return this.offset.length;
  }

  /**
   * Serialises the record into its final lines and appends them; returns the record's number in
   * the spill: at once while the buffer has room (no promise per record), else once it is flushed.
   */
  add(env: RecordEnvelope): number | Promise<number> {
    if (this.discarded) throw new Error('spill: the run was discarded; no record is added after discard()');
    const { shard, sidecar } = finalLines(env, this.format, this.annotations);
    // UTF-8 bytes per UTF-16 unit ≤ 3, plus a newline per line
    const need = (shard.length + (sidecar === undefined ? 0 : sidecar.length)) * 3 + 2;
    if (this.pos + need > this.buf.length) return this.addAfterFlush(shard, sidecar, need);
    return this.append(shard, sidecar);
  }

  private async addAfterFlush(shard: string, sidecar: string | undefined, need: number): Promise<number> {
    await this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    return this.append(shard, sidecar);
  }

  /** Appends the record's lines (the buffer has room for them). */
  private append(shard: string, sidecar: string | undefined): number {
    const at = this.flushed + this.pos;
    const a = this.put(shard);
    const b = sidecar === undefined ? 0 : this.put(sidecar);
    this.shardLen.push(a);
    this.sidecarLen.push(b);
    return this.offset.push(at);
  }

  /** Appends a line and its newline into the buffer (which has room); returns its length in bytes. */
  private put(line: string): number {
    const n = this.buf.write(line, this.pos, 'utf8');
    this.buf[this.pos + n] = 0x0a;
    this.pos += n + 1;
    return n + 1;
  }

  private async flush(): Promise<void> {
    this.fh ??= await open(this.path, 'w');
    let done = 0;
    while (done < this.pos) {
      // A write that makes no progress (an emptied buffer: FileHandle.write of 0 bytes resolves
      // without I/O) would spin here in microtasks for ever, deaf to signals.
      const n = (await this.fh.write(this.buf, done, this.pos - done)).bytesWritten;
      if (n <= 0) throw new Error(`spill: writing ${this.path} made no progress (${this.pos - done} bytes left)`);
      done += n;
    }
    this.flushed += this.pos;
    this.pos = 0;
  }

  /** Closes the file without writing what is buffered (a failed run). Never throws. */
  async discard(): Promise<void> {
    const fh = this.fh;
    this.discarded = true;
    this.fh = undefined;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    await fh?.close().catch(() => {});
  }

  /** Writes what is buffered and closes the file; returns the positions of every record. */
  async close(): Promise<SpillPositions & { path: string; bytes: number }> {
    await this.flush();
    await this.fh!.close();
    this.buf = Buffer.alloc(0);
    return { path: this.path, bytes: this.flushed, offset: this.offset.view(), shardLen: this.shardLen.view(), sidecarLen: this.sidecarLen.view() };
  }
}
