/**
 * A disk cache for values derived from files that ship with the project (tokenizer vocabularies,
 * a verified graph snapshot), so a run does not rebuild them at every start (issue 13: a full
 * run's fixed start-up was 4.9 CPU-s). An entry is named by what it is and by a key that is a
 * content hash of everything it was derived from (the source bytes and the deriving code's
 * format version), so a changed source or format is a miss, never a stale hit. Entries are
 * written atomically (temp file + rename) and checked on read (length and a sha256 of the body);
 * any failure to read or write is a miss, never an error: the caller derives the value as before.
 *
 * Where: `CMTMEDQA_CACHE_DIR`, else `.cache/derived` in the package root; `CMTMEDQA_CACHE_DIR=off`
 * turns it off. The folder is trusted like the code (see `trusted`): one that others may write
 * is not used. Bounded: at most `CMTMEDQA_CACHE_MAX_MB` (512) MB, the oldest entries removed first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAGIC = Buffer.from('cmtmedqa-derived\n1\n', 'latin1');

/** The nearest folder above this module with a package.json (the package root, built or not). */
function packageRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function derivedCacheDir(): string | undefined {
  const env = process.env.CMTMEDQA_CACHE_DIR;
  if (env === 'off' || env === '0') return undefined;
  const dir = env ? path.resolve(env) : defaultDir();
  return trusted(dir) ? dir : undefined;
}

/** `.cache/derived` in the package root, or under $XDG_CACHE_HOME (~/.cache) when no package root is found. */
function defaultDir(): string {
  const root = packageRoot();
  if (root) return path.join(root, '.cache', 'derived');
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cmtmedqa', 'derived');
}

/**
 * The cache decides what a run believes about files it skips checking (a snapshot verified
 * before, token ranks), so it must be as trusted as the code: a folder that another user owns or
 * that the group or others may write is not used (every read a miss, nothing written). An absent
 * folder is fine (created 0700 on the first write).
 */
function trusted(dir: string): boolean {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return true;
  }
  if (!st.isDirectory() || (st.mode & 0o022) !== 0) return false;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  return uid === undefined || st.uid === uid;
}

/** A cache key: sha256 (hex, 32 chars) of the parts in turn, each length-prefixed. */
export function derivedKey(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    h.update(`${b.length}:`);
    h.update(b);
  }
  return h.digest('hex').slice(0, 32);
}

function entryFile(dir: string, name: string, key: string): string {
  return path.join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${key}.bin`);
}

/** The cached body for (name, key), or undefined (absent, unreadable, truncated or corrupt). */
export function readDerived(name: string, key: string): Buffer | undefined {
  const dir = derivedCacheDir();
  if (!dir) return undefined;
  let buf: Buffer;
  try {
    buf = readFileSync(entryFile(dir, name, key));
  } catch {
    return undefined;
  }
  const head = MAGIC.length + 32 + 4;
  if (buf.length < head || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const digest = buf.subarray(MAGIC.length, MAGIC.length + 32);
  const len = buf.readUInt32LE(MAGIC.length + 32);
  const body = buf.subarray(head);
  if (body.length !== len || !createHash('sha256').update(body).digest().equals(digest)) return undefined;
  return body;
}

/** The cache folder holds at most this many bytes (`CMTMEDQA_CACHE_MAX_MB`, default 512): the least recently written entries go first. */
function maxBytes(): number {
  const mb = Number(process.env.CMTMEDQA_CACHE_MAX_MB);
  return (mb > 0 ? mb : 512) * 1024 * 1024;
}

/** Removes the oldest entries (by mtime) until the folder is within maxBytes; never the one just written. */
function evictOldest(dir: string, keep: string): void {
  const entries: Array<{ file: string; size: number; mtime: number }> = [];
  let total = 0;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.includes('.bin.tmp-')) {
      // a writer killed between write and rename: gone after an hour
      try {
        if (now - statSync(file).mtimeMs > 3_600_000) rmSync(file, { force: true });
      } catch {
        // removed meanwhile
      }
      continue;
    }
    if (!name.endsWith('.bin')) continue;
    try {
      const st = statSync(file);
      entries.push({ file, size: st.size, mtime: st.mtimeMs });
      total += st.size;
    } catch {
      // removed meanwhile by another process
    }
  }
  const cap = maxBytes();
  if (total <= cap) return;
  entries.sort((a, b) => a.mtime - b.mtime);
  for (const e of entries) {
    if (total <= cap) break;
    if (e.file === keep) continue;
    rmSync(e.file, { force: true });
    total -= e.size;
  }
}

/** Stores a body for (name, key); returns whether it was written (a read-only tree is not an error). */
export function writeDerived(name: string, key: string, body: Buffer): boolean {
  const dir = derivedCacheDir();
  if (!dir) return false;
  const file = entryFile(dir, name, key);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha256').update(body).digest(), len, body]));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the folder itself is unusable: nothing was written
    }
    return false;
  }
  try {
    evictOldest(dir, file);
  } catch {
    // another process is evicting too: the folder is bounded by whichever finishes
  }
  return true;
}

