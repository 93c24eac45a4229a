/**
 * The embedded backend: a snapshot file (gzipped JSON, schemas/kg.ts KgSnapshot) written from
 * an import and served from memory (MemoryGraph). Reading parses with zod and re-hashes the
 * graph, so a hand-edited or corrupt snapshot is an error, never a silently different graph.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { KG_SNAPSHOT_FORMAT, KgSnapshot, isKgGraph } from '../../schemas/kg.js';

/** The snapshot without its graph (checked by isKgGraph). */
const SnapshotMeta = KgSnapshot.omit({ graph: true });
import { writeFileAtomic } from '../core/atomic-write.js';
import { CmtError, systemError, writeFailureKind } from '../core/errors.js';
import { GRAPH_HASH_VERSION, canonicalGraphJson, graphVersion } from './import/build.js';
import { derivedKey, readDerived, writeDerived } from '../core/derived-cache.js';
import { sha256Hex } from '../core/ids.js';
import type { ImportedGraph } from './import/index.js';
import { MemoryGraph } from './memory.js';

export function toSnapshot(imported: ImportedGraph): KgSnapshot {
  return {
    format: KG_SNAPSHOT_FORMAT,
    formatVersion: 2,
    version: imported.version,
    sources: imported.sources,
    counts: imported.counts,
    report: imported.report,
    graph: imported.graph,
  };
}

/** Writes atomically (temp file + rename); the bytes depend only on the import's content. */
export async function writeSnapshot(file: string, imported: ImportedGraph): Promise<void> {
  try {
    await writeFileAtomic(file, gzipSync(Buffer.from(JSON.stringify(toSnapshot(imported)), 'utf8'), { level: 6 }));
  } catch (e) {
    throw snapshotWriteFailure(e, file);
  }
}

/**
 * A system error writing the snapshot (disk full, no permission, a file where a folder should be)
 * as CMT_RUN_FAILED saying what to do; the previous snapshot, if any, is unchanged (written
 * atomically). Anything else unchanged.
 */
export function snapshotWriteFailure(e: unknown, file: string): unknown {
  const sys = systemError(e);
  if (!sys) return e;
  const dir = path.dirname(path.resolve(file));
  const todo = {
    space: `free space on the filesystem of ${dir} (the snapshot needs about as much again while it is written) or name another --snapshot, and import again`,
    permission: `check that this user can write ${dir}, or name another --snapshot, and import again`,
    path: `a part of the path ${file} is a file where a folder must be (or the snapshot path is a folder): name another --snapshot`,
    other: 'fix the cause and import again',
  }[writeFailureKind(sys.code)];
  const kept = existsSync(file) ? `the previous snapshot ${file} is unchanged` : `nothing was written to ${file}`;
  return new CmtError('CMT_RUN_FAILED', `cannot write graph snapshot ${file}: ${sys.message}; ${todo} (${kept})`, { file, errno: sys.code }, { cause: e });
}

/**
 * A snapshot file's bytes whose graph hashed to its version once are recorded in the derived
 * cache (core/derived-cache.ts) under a hash of the bytes, so opening the same file again skips
 * the re-hash; any other bytes (an edit, a re-import) are hashed as before.
 */
const VERIFIED_FORMAT = 'kg-snapshot-verified/1';

export async function readSnapshot(file: string): Promise<KgSnapshot> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    const dir = (e as NodeJS.ErrnoException).code === 'EISDIR';
    throw new CmtError('CMT_INPUT_NOT_FOUND', dir
      ? `graph snapshot ${file} is a directory; name the snapshot file (kg.snapshot or --snapshot), e.g. ${file.replace(/\/+$/, '')}/xywy-snapshot.json.gz`
      : `cannot read graph snapshot ${file}: build one with \`cmtmedqa kg import <dump> --snapshot ${file}\``, { file }, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(buf).toString('utf8'));
  } catch (e) {
    throw new CmtError('CMT_KG_INVALID', `${file} is not a gzipped JSON graph snapshot (${(e as Error).message}): it is damaged or another file; rebuild it with \`cmtmedqa kg import <dump> --snapshot ${file} --force\``, { file }, { cause: e });
  }
  // The graph (~240,000 items) through the fast sufficient test, the rest through zod; zod on the
  // whole only when the test fails (for its issue).
  const whole = json as { graph?: unknown } | null;
  let fast: ReturnType<typeof SnapshotMeta.safeParse> | undefined;
  if (typeof whole === 'object' && whole !== null && !Array.isArray(whole) && isKgGraph(whole.graph)) {
    const { graph: _graph, ...meta } = whole;
    fast = SnapshotMeta.safeParse(meta);
  }
  if (fast?.success) {
    const snap = { ...fast.data, graph: whole!.graph } as KgSnapshot;
    // Re-hashing the graph costs about 0.25 CPU-s; these exact bytes may have been hashed before.
    const verifiedKey = derivedKey(VERIFIED_FORMAT, GRAPH_HASH_VERSION, buf);
    if (readDerived('kg-verified', verifiedKey)?.toString('utf8') === snap.version) return snap;
    const actual = sha256Hex(canonicalGraphJson(snap.graph)); // the graph passed isKgGraph above
    // Only real graphs (the hash costs next to nothing on a test graph of a few KB).
    if (actual === snap.version && buf.length >= 1 << 20) writeDerived('kg-verified', verifiedKey, Buffer.from(actual, 'utf8'));

    if (actual !== snap.version) {
      throw new CmtError('CMT_KG_INVALID', `${file}: graph content hash ${actual} does not match its version ${snap.version}; re-import it`, { file });
    }
    return snap;
  }
  const parsed = KgSnapshot.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CmtError('CMT_KG_INVALID', `${file}: invalid snapshot at ${issue.path.join('.') || '(root)'}: ${issue.message}`, { file });
  }
  const actual = graphVersion(parsed.data.graph);
  if (actual !== parsed.data.version) {
    throw new CmtError('CMT_KG_INVALID', `${file}: graph content hash ${actual} does not match its version ${parsed.data.version}; re-import it`, { file });
  }
  return parsed.data;
}

/** Opens a snapshot as a GraphPort. */
export async function openSnapshot(file: string): Promise<MemoryGraph> {
  const snap = await readSnapshot(file);
  return new MemoryGraph(snap.graph, snap.version);
}

export function memoryGraphOf(imported: ImportedGraph): MemoryGraph {
  return new MemoryGraph(imported.graph, imported.version);
}
