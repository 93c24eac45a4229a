/**
 * Persistence of the near-duplicate index across runs, so a new ingestion does not re-add what
 * earlier shards hold. The index is always checked in memory (the finaliser is one process in
 * seq order, so decisions stay deterministic); a store only replays earlier entries at start
 * and appends this run's kept records at the end.
 *
 * - FileNearStore (local executor): one append-only binary file:
 *   "CMTNEAR1", u32 header length, header JSON (the MinHash parameters), then entries
 *   (u16 id length, id UTF-8, numPerm signature bytes, bands × u32 LE band keys).
 *   Appending writes only the new entries; a torn last entry (crash mid-append) is ignored.
 * - RedisNearStore (BullMQ deployments whose coordinators share no disk): the same header in
 *   `<key>:meta` (HSETNX, so the first run fixes the parameters) and the entries as chunks of the
 *   same binary layout RPUSHed to the list `<key>:entries`, pipelined per 1,000 entries. Replaying
 *   the list in order and inserting first-wins per band key rebuilds exactly the table a single
 *   process would have, which is why this is a list of entries and not a hash of band keys.
 */
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { CmtError } from '../../core/errors.js';
import { MINHASH_SEED, type NearDupIndex, type NearEntry } from './minhash.js';

const MAGIC = Buffer.from('CMTNEAR1', 'latin1');

export interface NearIndexStore {
  readonly describe: string;
  /** Replays the persisted entries into the index; returns how many. */
  load(index: NearDupIndex): Promise<number>;
  /** Appends the entries added since load; returns how many. */
  save(index: NearDupIndex): Promise<number>;
  close?(): Promise<void>;
}

export function indexHeader(index: NearDupIndex): string {
  const h = index.hasher;
  return JSON.stringify({ format: 'cmtmedqa-near', version: 1, ngram: h.ngram, numPerm: h.numPerm, bands: h.bands, seed: h.seed ?? MINHASH_SEED, hash: h.hashId });
}

function mismatch(where: string, found: string, want: string): CmtError {
  return new CmtError('CMT_CONFIG_INVALID', `the near-duplicate index ${where} was built with other MinHash parameters (${found}) than this pipeline's dedup.near (${want}); point dedup.near at a new index or delete the old one to rebuild it`, { where, found, want });
}

export function encodeEntries(entries: NearEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const id = Buffer.from(e.id, 'utf8');
    const head = Buffer.alloc(2);
    head.writeUInt16LE(id.length);
    const keys = Buffer.alloc(e.bandKeys.length * 4);
    for (let i = 0; i < e.bandKeys.length; i++) keys.writeUInt32LE(e.bandKeys[i], i * 4);
    parts.push(head, id, Buffer.from(e.sig8.buffer, e.sig8.byteOffset, e.sig8.byteLength), keys);
  }
  return Buffer.concat(parts);
}

/** Decodes entries from `buf` starting at `offset`; a torn trailing entry is left out and counted. */
export function decodeEntries(buf: Buffer, offset: number, numPerm: number, bands: number, onEntry: (e: NearEntry) => void): { entries: number; tornBytes: number } {
  let o = offset;
  let n = 0;
  while (o < buf.length) {
    if (o + 2 > buf.length) break;
    const idLen = buf.readUInt16LE(o);
    const size = 2 + idLen + numPerm + bands * 4;
    if (o + size > buf.length) break;
    const id = buf.toString('utf8', o + 2, o + 2 + idLen);
    const sig8 = new Uint8Array(buf.buffer, buf.byteOffset + o + 2 + idLen, numPerm);
    const bandKeys = new Uint32Array(bands);
    const ko = o + 2 + idLen + numPerm;
    for (let i = 0; i < bands; i++) bandKeys[i] = buf.readUInt32LE(ko + i * 4);
    onEntry({ id, sig8, bandKeys });
    o += size;
    n++;
  }
  return { entries: n, tornBytes: buf.length - o };
}

export class FileNearStore implements NearIndexStore {
  readonly describe: string;
  /** Byte length of the valid part of the file after load (appends go after it). */
  private validBytes = 0;
  private exists = false;

  constructor(readonly file: string) {
    this.describe = `file ${file}`;
  }

  async load(index: NearDupIndex): Promise<number> {
    let buf: Buffer;
    try {
      buf = await readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    this.exists = true;
    if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new CmtError('CMT_CONFIG_INVALID', `${this.file} is not a cmtmedqa near-duplicate index (dedup.near.indexFile); move it away or point indexFile elsewhere`, { file: this.file });
    }
    const hlen = buf.readUInt32LE(MAGIC.length);
    const header = buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + hlen);
    const want = indexHeader(index);
    if (header !== want) throw mismatch(this.file, header, want);
    const { entries, tornBytes } = decodeEntries(buf, MAGIC.length + 4 + hlen, index.hasher.numPerm, index.hasher.bands, (e) => index.insert(e));
    this.validBytes = buf.length - tornBytes;
    index.markPersisted();
    return entries;
  }

  async save(index: NearDupIndex): Promise<number> {
    const entries = index.freshEntries();
    const body = encodeEntries(entries);
    if (!this.exists) {
      // A new file is written whole and renamed into place, so a crash leaves no half header.
      const header = Buffer.from(indexHeader(index), 'utf8');
      const hl = Buffer.alloc(4);
      hl.writeUInt32LE(header.length);
      const tmp = `${this.file}.tmp-${process.pid}`;
      await writeFile(tmp, Buffer.concat([MAGIC, hl, header, body]));
      await rename(tmp, this.file);
      this.exists = true;
    } else if (body.length > 0) {
      // Appending after the last complete entry overwrites a torn tail, if there was one.
      const fh = await open(this.file, 'r+');
      try {
        await fh.write(body, 0, body.length, this.validBytes);
        await fh.truncate(this.validBytes + body.length);
      } finally {
        await fh.close();
      }
    }
    this.validBytes = (await stat(this.file)).size;
    index.markPersisted();
    return entries.length;
  }
}

const CHUNK = 1000;

export class RedisNearStore implements NearIndexStore {
  readonly describe: string;

  constructor(private readonly redis: Redis, private readonly key: string, private readonly ownsClient = false) {
    this.describe = `redis ${key}`;
  }

  async load(index: NearDupIndex): Promise<number> {
    const want = indexHeader(index);
    const found = await this.redis.hget(`${this.key}:meta`, 'header');
    if (found === null) return 0;
    if (found !== want) throw mismatch(`redis:${this.key}`, found, want);
    const len = await this.redis.llen(`${this.key}:entries`);
    let n = 0;
    for (let from = 0; from < len; from += 100) {
      const chunks = await this.redis.lrangeBuffer(`${this.key}:entries`, from, Math.min(len, from + 100) - 1);
      for (const c of chunks) n += decodeEntries(c, 0, index.hasher.numPerm, index.hasher.bands, (e) => index.insert(e)).entries;
    }
    index.markPersisted();
    return n;
  }

  async save(index: NearDupIndex): Promise<number> {
    const want = indexHeader(index);
    await this.redis.hsetnx(`${this.key}:meta`, 'header', want);
    const found = await this.redis.hget(`${this.key}:meta`, 'header');
    if (found !== want) throw mismatch(`redis:${this.key}`, found ?? '(none)', want);
    const entries = index.freshEntries();
    const pipe = this.redis.pipeline();
    for (let i = 0; i < entries.length; i += CHUNK) pipe.rpush(`${this.key}:entries`, encodeEntries(entries.slice(i, i + CHUNK)));
    if (entries.length > 0) {
      const res = await pipe.exec();
      const err = res?.find(([e]) => e);
      if (err) throw err[0];
    }
    index.markPersisted();
    return entries.length;
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit();
  }
}
