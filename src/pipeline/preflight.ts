/**
 * What a run checks before any work: every input exists and is a file (a glob matches at least
 * one), and the output directory can be staged without touching anything the run reads. Errors
 * here are CmtErrors that name the field or path, so a careless config fails in milliseconds
 * instead of after the import, and never after deleting the previous output.
 * A source that names an encoding has each file's first 64 KB checked against it (a UTF-8 file
 * named gb18030 reads as mojibake without one undecodable byte; sources/encoding.ts
 * checkNamedEncoding).
 * Requeue sources (the inputs of rejects, small) are read for their ids: the same dialogue in two
 * requeue files (one reject requeued twice) would enter twice under one id.
 * Must not: read input contents beyond those heads and the requeue files' ids, or write anything
 * but the staged output (StagedOutput.open).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { CmtError } from '../core/errors.js';
import { FileLock } from '../core/lock.js';
import { StagedOutput, checkOutputTarget, type OutputGuard } from '../output/out-dir.js';
import type { LoadedPipeline } from './config.js';
import { expandSource, staticBase } from './read-sources.js';
import { checkNamedEncoding, SNIFF_BYTES } from '../sources/encoding.js';

/** Every path a run reads or keeps outside its output: the output may not be or contain one. */
export function runInputPaths(p: LoadedPipeline): string[] {
  const { config, baseDir } = p;
  const out: string[] = [];
  if (p.file && !p.file.startsWith('<')) out.push(path.resolve(p.file));
  for (const s of config.sources) {
    if (s.format === 'scrape') {
      if (s.urlFile) out.push(path.resolve(baseDir, s.urlFile));
      out.push(path.resolve(s.rawStore));
    } else out.push(staticBase(path.isAbsolute(s.path) ? s.path : path.join(baseDir, s.path)));
  }
  if (config.kg && 'snapshot' in config.kg) out.push(path.resolve(baseDir, config.kg.snapshot));
  if (config.dedup.near.indexFile) out.push(path.resolve(config.dedup.near.indexFile));
  return out;
}

/**
 * Each file source names at least one existing regular file, and no file is read by two sources:
 * ids come from content and path, so its dialogues would enter twice under the same ids, and the
 * copy of every accepted dialogue would count as accepted too (the report would disagree with the
 * shards).
 */
export async function checkInputs(p: LoadedPipeline): Promise<void> {
  const { config, baseDir } = p;
  const readBy = new Map<string, number>();
  const requeueIds = new Map<string, string>();
  for (let i = 0; i < config.sources.length; i++) {
    const src = config.sources[i];
    if (src.format === 'scrape') continue;
    for (const f of await expandSource(src, i, baseDir)) {
      // By the path as named (ids include it): a file named again through a symlink under another
      // name gets ids of its own (its copies are exact duplicates), as the bench's scaled inputs are.
      const first = readBy.get(f.absolute);
      if (first !== undefined) {
        throw new CmtError('CMT_CONFIG_INVALID', `sources[${i}].path ${JSON.stringify(src.path)} matches ${f.absolute}, which sources[${first}] already reads: a file read twice enters twice under the same ids; narrow one of the two paths`, { source: i, path: src.path, first });
      }
      readBy.set(f.absolute, i);
      let st;
      try {
        st = await stat(f.absolute);
      } catch (e) {
        throw new CmtError('CMT_INPUT_NOT_FOUND', `sources[${i}].path ${JSON.stringify(src.path)}: cannot read ${f.absolute} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); fix the path (relative paths are relative to the pipeline file)`, { source: i, path: src.path });
      }
      if (st.isDirectory()) {
        throw new CmtError('CMT_CONFIG_INVALID', `sources[${i}].path ${JSON.stringify(src.path)} is a directory; name the files in it, e.g. ${JSON.stringify(`${src.path.replace(/\/+$/, '')}/*.json`)}`, { source: i, path: src.path });
      }
      if (!st.isFile()) {
        throw new CmtError('CMT_CONFIG_INVALID', `sources[${i}].path ${JSON.stringify(src.path)}: ${f.absolute} is not a regular file`, { source: i, path: src.path });
      }
      if (src.encoding !== 'auto') checkFileEncoding(src.encoding, i, f.absolute, f.display);
      if (src.format === 'requeue') await checkRequeueIds(f.absolute, f.display, i, requeueIds);
    }
  }
}

/** The ids of a requeue file's lines against those of the requeue files before it (one file's own repeats are the importer's import.schema rejects). */
async function checkRequeueIds(file: string, display: string, source: number, seen: Map<string, string>): Promise<void> {
  const own = new Set<string>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    let id: unknown;
    try {
      id = (JSON.parse(line) as { id?: unknown } | null)?.id;
    } catch {
      continue; // not a dialogue line: the importer rejects it
    }
    if (typeof id !== 'string') continue;
    const other = seen.get(id);
    if (other !== undefined && other !== display) {
      lines.close();
      throw new CmtError('CMT_CONFIG_INVALID', `sources[${source}] ${display} line ${n} holds dialogue ${id}, which ${other} holds too (the same reject requeued twice): it would enter twice under one id; drop one of the two files or requeue into one file`, { source, path: display, id, other });
    }
    own.add(id);
  }
  for (const id of own) seen.set(id, display);
}

export function runGuard(p: LoadedPipeline, force = false): OutputGuard {
  return { inputs: runInputPaths(p), force, writer: `run ${p.config.name}` };
}

/** The checks of `openRunOutput` without taking the lock (for the CLI, before opening the graph). */
export async function preflightRun(p: LoadedPipeline, outDir: string, force = false): Promise<void> {
  await checkInputs(p);
  const final = checkOutputTarget(outDir, runGuard(p, force));
  // A run writing there now: say so at once, not after the graph has been opened.
  await FileLock.check(path.join(path.dirname(final), `.${path.basename(final)}.lock`), `output directory ${final}`);
}

/** Checks the inputs, then stages the output directory (locked until commit or abort). */
export async function openRunOutput(p: LoadedPipeline, outDir: string, force = false): Promise<StagedOutput> {
  await checkInputs(p);
  return StagedOutput.open(outDir, runGuard(p, force));
}

/** A named encoding the file's head contradicts is a config mistake (sources/encoding.ts checkNamedEncoding), named with its source. */
function checkFileEncoding(encoding: 'utf-8' | 'gb18030' | 'gbk', source: number, absolute: string, display: string): void {
  const head = Buffer.alloc(SNIFF_BYTES);
  const fd = openSync(absolute, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, SNIFF_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  try {
    checkNamedEncoding(encoding, head.subarray(0, n));
  } catch (e) {
    if (!(e instanceof CmtError)) throw e;
    throw new CmtError(e.code, `sources[${source}] ${display}: ${e.message}`, { source, file: display }, { cause: e });
  }
}
