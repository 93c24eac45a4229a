/**
 * Persistence of the near-duplicate index across runs, so a new ingestion does not re-add what
 * earlier shards hold. The index is always checked in memory (the finaliser is one process in
 * seq order, so decisions stay deterministic); a store only replays earlier entries at start
 * and appends this run's kept records at the end.
 *
 * - FileNearStore (local executor): one binary file:
 *   "CMTNEAR1", u32 header length, header JSON (format version and the MinHash parameters), then
 *   entries (u16 id length, id UTF-8, numPerm signature bytes, bands × u32 LE band keys).
 *   Every save writes a complete new file beside it (the old one copied, this run's entries
 *   appended, fsynced) and renames it into place, so a crash leaves the previous index intact;
 *   a file that ends mid-entry is therefore damage and refused, not silently shortened. The
 *   file is locked (`<file>.lock`) from load to save, so two runs cannot both extend it.
 *   Its directory is checked at load, before any work.
 * - Entries carry the record id they came from: the index (minhash.ts) never counts a record as
 *   a near-duplicate of its own earlier entry, so rerunning the same input accepts the same records.
 * - Format versions: 1 (appended in place; rerun records matched themselves) is refused with what
 *   to do; 2 is this one.
 * - RedisNearStore (BullMQ deployments whose coordinators share no disk): the same header in
 *   `<key>:meta` (HSETNX, so the first run fixes the parameters) and the entries as chunks of the
 *   same binary layout RPUSHed to the list `<key>:entries`, pipelined per 1,000 entries. Replaying
 *   the list in order and inserting first-wins per band key rebuilds exactly the table a single
 *   process would have, which is why this is a list of entries and not a hash of band keys.
 */
import { existsSync, statSync } from 'node:fs';
import { access, constants, copyFile, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { CmtError } from '../../core/errors.js';
import { FileLock } from '../../core/lock.js';
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

/** The format version this code writes and reads (see the module header). */
export const NEAR_INDEX_VERSION = 2;

export function indexHeader(index: NearDupIndex): string {
  const h = index.hasher;
  return JSON.stringify({ format: 'cmtmedqa-near', version: NEAR_INDEX_VERSION, ngram: h.ngram, numPerm: h.numPerm, bands: h.bands, seed: h.seed ?? MINHASH_SEED, hash: h.hashId });
}

/** Throws unless `found` is a header of this format version with this index's parameters. */
export function checkHeader(where: string, found: string, want: string): void {
  if (found === want) return;
  let v: { format?: unknown; version?: unknown } | undefined;
  try {
    v = JSON.parse(found) as { format?: unknown; version?: unknown };
  } catch {
    v = undefined;
  }
  if (!v || v.format !== 'cmtmedqa-near') {
    throw new CmtError('CMT_CONFIG_INVALID', `the near-duplicate index ${where} has no cmtmedqa index header; point dedup.near at a new index or delete it to rebuild`, { where });
  }
  if (v.version !== NEAR_INDEX_VERSION) {
    throw new CmtError('CMT_CONFIG_INVALID', `the near-duplicate index ${where} has format version ${JSON.stringify(v.version)}; this cmtmedqa reads version ${NEAR_INDEX_VERSION} only${v.version === 1 ? ' (version 1 counted a rerun\'s records as duplicates of themselves)' : ''}: delete it (or point dedup.near at a new one) and rerun the pipelines whose shards it should cover to rebuild it`, { where, version: v.version });
  }
  throw mismatch(where, found, want);
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

/** Checks, before any work, that `file` can be written as an index: its directory exists and is writable. */
export async function checkIndexPath(file: string): Promise<void> {
  const dir = path.dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CmtError('CMT_CONFIG_INVALID', `dedup.near.indexFile ${file}: directory ${dir} does not exist; create it (mkdir -p ${dir}) or point indexFile elsewhere`, { file });
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new CmtError('CMT_CONFIG_INVALID', `dedup.near.indexFile ${file}: directory ${dir} is not writable; point indexFile elsewhere`, { file });
  }
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new CmtError('CMT_CONFIG_INVALID', `dedup.near.indexFile ${file} is not a regular file; point indexFile elsewhere`, { file });
  }
}

export class FileNearStore implements NearIndexStore {
  readonly describe: string;
  /** Byte length of the file after load (this run's entries go after it). */
  private validBytes = 0;
  private exists = false;
  private lock?: FileLock;

  constructor(readonly file: string) {
    this.describe = `file ${file}`;
  }

  async load(index: NearDupIndex): Promise<number> {
    await checkIndexPath(this.file);
    this.lock = await FileLock.acquire(`${this.file}.lock`, `near-duplicate index ${this.file}`);
    try {
      return await this.read(index);
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  private async read(index: NearDupIndex): Promise<number> {
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
    checkHeader(this.file, header, indexHeader(index));
    const { entries, tornBytes } = decodeEntries(buf, MAGIC.length + 4 + hlen, index.hasher.numPerm, index.hasher.bands, (e) => index.insert(e));
    if (tornBytes > 0) {
      throw new CmtError('CMT_CONFIG_INVALID', `near-duplicate index ${this.file} ends mid-entry (${tornBytes} stray bytes after ${entries} entries): it was damaged outside cmtmedqa; delete it to rebuild`, { file: this.file });
    }
    this.validBytes = buf.length;
    index.markPersisted();
    return entries;
  }

  async save(index: NearDupIndex): Promise<number> {
    const entries = index.freshEntries();
    const body = encodeEntries(entries);
    if (this.exists && body.length === 0) {
      index.markPersisted();
      return 0;
    }
    // The next index is written whole beside the current one and renamed into place.
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      if (this.exists) await copyFile(this.file, tmp);
      const fh = await open(tmp, this.exists ? 'r+' : 'w');
      try {
        let at = this.validBytes;
        if (!this.exists) {
          const header = Buffer.from(indexHeader(index), 'utf8');
          const hl = Buffer.alloc(4);
          hl.writeUInt32LE(header.length);
          const head = Buffer.concat([MAGIC, hl, header]);
          await fh.write(head, 0, head.length, 0);
          at = head.length;
        }
        await fh.write(body, 0, body.length, at);
        await fh.truncate(at + body.length);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    } finally {
      await rm(tmp, { force: true });
    }
    this.exists = true;
    this.validBytes = (await stat(this.file)).size;
    index.markPersisted();
    return entries.length;
  }

  async close(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
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
    checkHeader(`redis:${this.key}`, found, want);
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
    checkHeader(`redis:${this.key}`, found ?? '(none)', want);
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
