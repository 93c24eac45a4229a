/**
 * The raw store: every fetched body, content-addressed, plus one JSON meta per URL and a cache of parse
 * results keyed by body hash and adapter version. Layout under the store directory:
 *   blobs/<h2>/<sha256>                          the body bytes exactly as received (the raw-store key)
 *   meta/<h2>/<sha256(url)>.json                 PageMeta for the URL's latest fetch
 *   parsed/<adapter>@<version>/<h2>/<id>.json    the parse outcome for (body, charset hint, adapter version)
 * Re-parsing reads blobs; it never fetches. Writes are atomic (temp file + rename) so a killed run
 * leaves no half-written entry.
 * Must not: decide anything about pages (no HTTP, no parsing).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { sha256Hex } from '../core/ids.js';

export interface PageMeta {
  url: string;
  /** The URL the body was finally served from (after redirects). */
  finalUrl: string;
  status: number;
  headers: Record<string, string>;
  /** ISO time of the latest fetch (a 304 re-fetch updates it). */
  fetchedAt: string;
  sha256: string;
  /** Raw-store key of the body: the path of its blob relative to the store directory. */
  key: string;
  bytes: number;
  etag?: string;
  lastModified?: string;
}

export class RawStore {
  constructor(readonly dir: string) {}

  static keyFor(sha256: string): string {
    return `blobs/${sha256.slice(0, 2)}/${sha256}`;
  }

  /** Stores the body (once per content) and returns its hash and key. */
  async putBody(body: Buffer): Promise<{ sha256: string; key: string }> {
    const sha256 = sha256Hex(body);
    const key = RawStore.keyFor(sha256);
    const file = path.join(this.dir, key);
    if (!(await exists(file))) await writeFileAtomic(file, body);
    return { sha256, key };
  }

  async readBody(key: string): Promise<Buffer | undefined> {
    if (!/^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) return undefined;
    try {
      return await readFile(path.join(this.dir, key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private metaPath(url: string): string {
    const h = sha256Hex(url);
    return path.join(this.dir, 'meta', h.slice(0, 2), `${h}.json`);
  }

  async getMeta(url: string): Promise<PageMeta | undefined> {
    return readJson<PageMeta>(this.metaPath(url));
  }

  async putMeta(meta: PageMeta): Promise<void> {
    await writeFileAtomic(this.metaPath(meta.url), JSON.stringify(meta, null, 1));
  }

  /** Every stored meta (for re-parsing without the network). Order: by URL hash, not by URL. */
  async *metas(): AsyncIterable<PageMeta> {
    const root = path.join(this.dir, 'meta');
    let shards: string[];
    try {
      shards = (await readdir(root)).sort();
    } catch {
      return;
    }
    for (const shard of shards) {
      for (const f of (await readdir(path.join(root, shard))).sort()) {
        if (!f.endsWith('.json')) continue;
        const m = await readJson<PageMeta>(path.join(root, shard, f));
        if (m) yield m;
      }
    }
  }

  private parsedPath(adapter: string, version: string, id: string): string {
    return path.join(this.dir, 'parsed', `${adapter}@${version}`, id.slice(0, 2), `${id}.json`);
  }

  async getParsed<T>(adapter: string, version: string, id: string): Promise<T | undefined> {
    return readJson<T>(this.parsedPath(adapter, version, id));
  }

  async putParsed(adapter: string, version: string, id: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.parsedPath(adapter, version, id), JSON.stringify(value));
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a corrupt cache entry is a miss, not a failure
  }
}

