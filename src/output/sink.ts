/**
 * Buffered line writers with backpressure: a plain file (one reused buffer), or a gzip file whose compressed bytes
 * are hashed (sha256) and counted as they are written. Output is deterministic: gzip with a fixed
 * level, no timestamps, and the same chunking for the same input.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { createGzip, type Gzip } from 'node:zlib';

/** Plain sinks (spills, rejects) are few; gzip shard sinks are opened 2 × shards at once, so they buffer less. */
const FLUSH_PLAIN = 1 << 20;
const FLUSH_GZIP = 64 << 10;

export interface SinkResult {
  path: string;
  bytes: number;
  sha256: string;
  lines: number;
}

export class LineSink {
  private buf: string[] = [];
  private bufLen = 0;
  private lines = 0;
  private bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly file?: WriteStream;
  private readonly gzip?: Gzip;
  private readonly flushAt: number;
  /** Plain sinks: lines are encoded straight into one reused buffer and written through a file handle. */
  private fh?: Promise<FileHandle>;
  private raw?: Buffer;
  private rawPos = 0;
  /** Set by discard(): a later write (a failed run's work still going on in the background) is refused, not buffered. */
  private discarded = false;

  constructor(readonly path: string, opts: { gzip?: boolean; level?: number } = {}) {
    this.flushAt = opts.gzip ? FLUSH_GZIP : FLUSH_PLAIN;
    if (opts.gzip) {
      this.file = createWriteStream(path);
      this.gzip = createGzip({ level: opts.level ?? 6 });
      this.gzip.on('data', (chunk: Buffer) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
      });
      this.gzip.pipe(this.file);
    } else {
      this.fh = open(path, 'w');
      this.fh.catch(() => {}); // surfaced by the first flush or close
      this.raw = Buffer.allocUnsafe(FLUSH_PLAIN);
    }
  }

  async write(line: string): Promise<void> {
    if (this.discarded) throw new Error(`sink: ${this.path} was discarded; no line is written after discard()`);
    this.lines++;
    if (this.raw) {
      const need = line.length * 3 + 1; // UTF-8 bytes per UTF-16 unit ≤ 3
      if (this.rawPos + need > this.raw.length) {
        await this.flushRaw();
        if (need > this.raw.length) this.raw = Buffer.allocUnsafe(need);
      }
      const n = this.raw.write(line, this.rawPos, 'utf8');
      this.raw[this.rawPos + n] = 0x0a;
      this.rawPos += n + 1;
      return;
    }
    this.buf.push(line, '\n');
    this.bufLen += line.length + 1;
    if (this.bufLen >= this.flushAt) await this.flush();
  }

  private async flushRaw(): Promise<void> {
    if (this.rawPos === 0) return;
    const chunk = this.raw!.subarray(0, this.rawPos);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const fh = await this.fh!;
    let done = 0;
    while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
    this.rawPos = 0;
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.bufLen = 0;
    if (!this.gzip!.write(chunk)) await once(this.gzip!, 'drain');
  }

  /**
   * Closes the file without finishing it (a failed run: its staged directory is removed): the
   * descriptor goes now, not when the collector finds it, so a long-lived worker does not run
   * out of them and the removed file's space is freed. Never throws.
   */
  async discard(): Promise<void> {
    this.discarded = true;
    try {
      if (this.raw) {
        this.raw = Buffer.alloc(0);
        await (await this.fh!).close();
      } else {
        this.gzip!.destroy();
        this.file!.destroy();
      }
    } catch {
      // it never opened, or is closed already
    }
  }

  async close(): Promise<SinkResult> {
    if (this.raw) {
      await this.flushRaw();
      await (await this.fh!).close();
      this.raw = Buffer.alloc(0);
    } else {
      await this.flush();
      const done = once(this.file!, 'close');
      this.gzip!.end();
      await done;
    }
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex'), lines: this.lines };
  }
}
