/**
 * Buffered line writers with backpressure: a plain file, or a gzip file whose compressed bytes
 * are hashed (sha256) and counted as they are written. Output is deterministic: gzip with a fixed
 * level, no timestamps, and the same chunking for the same input.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
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
  private readonly file: WriteStream;
  private readonly gzip?: Gzip;
  private readonly flushAt: number;

  constructor(readonly path: string, opts: { gzip?: boolean; level?: number } = {}) {
    this.file = createWriteStream(path);
    this.flushAt = opts.gzip ? FLUSH_GZIP : FLUSH_PLAIN;
    if (opts.gzip) {
      this.gzip = createGzip({ level: opts.level ?? 6 });
      this.gzip.on('data', (chunk: Buffer) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
      });
      this.gzip.pipe(this.file);
    }
  }

  async write(line: string): Promise<void> {
    this.buf.push(line, '\n');
    this.bufLen += line.length + 1;
    this.lines++;
    if (this.bufLen >= this.flushAt) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.bufLen = 0;
    if (this.gzip) {
      if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
    } else {
      this.hash.update(chunk);
      this.bytes += chunk.length;
      if (!this.file.write(chunk)) await once(this.file, 'drain');
    }
  }

  async close(): Promise<SinkResult> {
    await this.flush();
    const done = once(this.file, 'close');
    if (this.gzip) this.gzip.end();
    else this.file.end();
    await done;
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex'), lines: this.lines };
  }
}
