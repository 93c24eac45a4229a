/**
 * The import side of the executors: expand each source's glob, open files, run the format's
 * importer and cut its items into numbered batches. This is the only place files are opened
 * for reading input; importers only see byte streams.
 */
import { createReadStream, existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import type { ImportBatch } from '../../schemas/batch.js';
import type { RawDialogue } from '../../schemas/dialogue.js';
import type { Pipeline, SourceConfig } from '../../schemas/pipeline.js';
import type { Reject } from '../../schemas/reject.js';
import { CmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { OWNER_MARKER } from '../output/out-dir.js';
import { importers } from '../sources/index.js';
import type { ImportItem } from '../sources/types.js';
import { importRequeue } from '../sources/requeue.js';
import { markSpunFile } from '../stages/quality/file-spin.js';
import { markCappedFile } from '../stages/quality/length-cap.js';

export interface SourceFile {
  source: number;
  /** Path as the pipeline names it (relative to the pipeline file when the glob was relative). */
  display: string;
  absolute: string;
}

/** The file's real path (symlinks resolved), or its absolute path when it cannot be resolved (it does not exist: preflight says so). */
export async function realFile(absolute: string): Promise<string> {
  try {
    return await realpath(absolute);
  } catch {
    return absolute;
  }
}

/**
 * The files a source's glob matches, in sorted path order. A file the glob reaches by several
 * paths (through a symlinked directory, or a loop such as dir/self -> dir, which fast-glob
 * follows until the path is too long) is one file, listed once under the first of its paths: read
 * twice it would enter twice under the same ids. The preflight, the local reader and the BullMQ
 * work units and run ids all list files here, so they agree.
 */
/** The part of a source glob before its first wildcard segment (the glob itself when it has none). */
export function staticBase(pattern: string): string {
  const parts = pattern.split(/[\\/]/);
  const i = parts.findIndex((p) => p !== '' && fg.isDynamicPattern(p));
  return i < 0 ? pattern : parts.slice(0, i).join('/') || '/';
}

/**
 * Whether `file`, matched by a glob whose static part is `base`, lies inside a cmtmedqa output
 * directory below `base` (one holding OWNER_MARKER): a recursive glob over a folder that also
 * holds the run's output (data/<any depth>/*.json with --out data/out) must not read that output back.
 * A glob whose base is itself inside an output (reading an output's shards on purpose) is kept.
 */
function insideOutputBelow(file: string, base: string, marked: Map<string, boolean>): boolean {
  for (let dir = path.dirname(file); dir.length > base.length && dir.startsWith(base); dir = path.dirname(dir)) {
    let m = marked.get(dir);
    if (m === undefined) marked.set(dir, (m = existsSync(path.join(dir, OWNER_MARKER))));
    if (m) return true;
  }
  return false;
}

/**
 * Where a source glob that matched nothing was looked for, for its error: the folder it searched
 * (its static part), and whether that folder exists; a relative glob says it was taken from the
 * pipeline file's folder. (Before, the pipeline file's folder was named, even for an absolute glob.)
 */
function notFoundWhere(pattern: string, given: string, baseDir: string): string {
  const folder = path.resolve(staticBase(pattern));
  const relative = path.isAbsolute(given) ? '' : `, relative to the pipeline file's folder ${baseDir}`;
  return existsSync(folder) ? `no file in ${folder} matches it${relative}` : `the folder ${folder} does not exist${relative}`;
}

export async function expandSource(src: SourceConfig, index: number, baseDir: string): Promise<SourceFile[]> {
  if (src.format === 'scrape') return [];
  const pattern = path.isAbsolute(src.path) ? src.path : path.join(baseDir, src.path);
  const dynamic = fg.isDynamicPattern(pattern);
  let files = dynamic ? await fg(pattern.split(path.sep).join('/'), { onlyFiles: true, dot: false }) : [pattern];
  if (dynamic) {
    const base = path.resolve(staticBase(pattern));
    const marked = new Map<string, boolean>();
    const all = files.length;
    files = files.filter((f) => !insideOutputBelow(path.resolve(f), base, marked));
    if (files.length === 0 && all > 0) {
      throw new CmtError('CMT_INPUT_NOT_FOUND', `sources[${index}].path ${JSON.stringify(src.path)} matches only files inside cmtmedqa output directories (${all}), which a glob does not read back; point the path at the input files`, { source: index, path: src.path });
    }
  }
  files.sort();
  if (files.length === 0) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `sources[${index}].path ${JSON.stringify(src.path)} matches no file (${notFoundWhere(pattern, src.path, baseDir)})`, { source: index, path: src.path });
  }
  const seen = new Set<string>();
  const out: SourceFile[] = [];
  for (const f of files) {
    const absolute = path.resolve(f);
    const real = files.length > 1 ? await realFile(absolute) : absolute;
    if (seen.has(real)) continue;
    seen.add(real);
    out.push({ source: index, absolute, display: path.relative(baseDir, absolute).split(path.sep).join('/') });
  }
  return out;
}

/**
 * A work unit of the import: one input file of a file source, or a whole scrape source (its URL
 * lists). Units are numbered in source then file order; the concatenation of their items is
 * exactly sourceItems, so a run cut into units reads the same input in the same order.
 */
export interface WorkUnit {
  unit: number;
  source: number;
  /** The file, for file sources (display path as in origin.file, absolute path to open). */
  file?: { display: string; absolute: string };
}

export async function workUnits(config: Pipeline, baseDir: string): Promise<WorkUnit[]> {
  const out: WorkUnit[] = [];
  for (let i = 0; i < config.sources.length; i++) {
    const src = config.sources[i];
    if (src.format === 'scrape') out.push({ unit: out.length, source: i });
    else for (const f of await expandSource(src, i, baseDir)) out.push({ unit: out.length, source: i, file: { display: f.display, absolute: f.absolute } });
  }
  return out;
}

/** The items of one work unit, in input order. */
export async function* unitItems(config: Pipeline, baseDir: string, logger: Logger, u: WorkUnit): AsyncGenerator<ImportItem & { file: string }> {
  const src = config.sources[u.source];
  if (src.format === 'scrape') {
    yield* scrapeItems(config, baseDir, logger, u);
    return;
  }
  const { items, limit, prepare } = fileUnit(config, logger, u);
  let n = 0;
  for await (const item of items) {
    yield prepare(item);
    if (item.kind === 'dialogue' && limit > 0 && ++n >= limit) break;
  }
}

async function* scrapeItems(config: Pipeline, baseDir: string, logger: Logger, u: WorkUnit): AsyncGenerator<ImportItem & { file: string }> {
  const src = config.sources[u.source];
  if (src.format !== 'scrape') return;
  // Imported here: the scraper (cheerio, the HTTP client, the layouts) loads only for a scrape source.
  const { scrapeSource } = await import('../scrape/source.js');
  for await (const item of scrapeSource(src, { logger: logger.child({ source: u.source, format: 'scrape' }), baseDir })) yield { ...item, file: src.site };
}

/** A file unit opened: its importer's items, the source's dialogue limit (0: none), and what each item gets from the source. */
function fileUnit(config: Pipeline, logger: Logger, u: WorkUnit): { items: AsyncIterable<ImportItem>; limit: number; prepare: (item: ImportItem) => ImportItem & { file: string } } {
  const i = u.source;
  const src = config.sources[i];
  const f = u.file;
  if (src.format === 'scrape' || !f) throw new CmtError('CMT_RUN_FAILED', `work unit ${u.unit} of sources[${i}] names no file`, { unit: u.unit });
  const importer = src.format === 'requeue' ? importRequeue : importers[src.format];
  logger.debug({ source: i, file: f.display }, 'importing');
  const bytes = createReadStream(f.absolute, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  const department = src.department;
  const prepare = (item: ImportItem): ImportItem & { file: string } => {
    // sources[].department: the file's known domain, for dialogues that name no department
    if (department && item.kind === 'dialogue' && !item.dialogue.department && item.dialogue.cate1 === undefined) item.dialogue.department = department;
    // The importer's item is fresh and ours: name the file on it rather than copy it per item.
    const withFile = item as ImportItem & { file: string };
    withFile.file = f.display;
    return withFile;
  };
  let items: AsyncIterable<ImportItem> = importer({ file: f.display, bytes, encoding: src.encoding });
  // A dump file whose first dialogues are mostly machine-spun is spun as a whole (stages/quality/file-spin.ts).
  const q = config.quality;
  if (src.format !== 'requeue' && q.fileSample > 0 && (q.sources[src.format] ?? q.policy) !== 'off') {
    items = markSpunFile(items, q, (s) => logger.warn({ source: i, file: f.display, sampled: s.sampled, spun: s.spun }, `${f.display}: ${s.spun} of its first ${s.sampled} dialogues are machine-spun, so every record of it is quality.machine_spun (quality.fileShare ${q.fileShare})`));
  }
  // A dump that cut its texts at a fixed length: the turns cut there (stages/quality/length-cap.ts).
  const t = q.truncation;
  if (src.format !== 'requeue' && t.sample > 0 && t.policy !== 'off') {
    items = markCappedFile(items, t.sample, (caps) => logger.warn({ source: i, file: f.display, caps }, `${f.display}: its ${caps.map((c) => `${c.role} turns pile up at ${c.chars} characters (${c.atCap} against ${c.around} around)`).join('; ')}, cut there mid-sentence: records with such a turn are quality.truncated`));
  }
  return { items, limit: src.limit, prepare };
}

export async function* sourceItems(config: Pipeline, baseDir: string, logger: Logger): AsyncGenerator<ImportItem & { file: string }> {
  for (const u of await workUnits(config, baseDir)) yield* unitItems(config, baseDir, logger, u);
}

/** Cuts items into batches of `batchSize` inputs, numbered from 0: add() returns a batch when one is full, end() the rest. */
class BatchCutter {
  private seq = 0;
  private dialogues: RawDialogue[] = [];
  private rejects: Reject[] = [];
  private rejectAt: number[] = [];
  constructor(private readonly batchSize: number) {}

  add(item: ImportItem): ImportBatch | undefined {
    if (item.kind === 'dialogue') this.dialogues.push(item.dialogue);
    else {
      this.rejects.push(item.reject);
      this.rejectAt.push(this.dialogues.length);
    }
    return this.dialogues.length + this.rejects.length >= this.batchSize ? this.take() : undefined;
  }

  end(): ImportBatch | undefined {
    return this.dialogues.length + this.rejects.length > 0 ? this.take() : undefined;
  }

  private take(): ImportBatch {
    const b = { seq: this.seq++, dialogues: this.dialogues, rejects: this.rejects, rejectAt: this.rejectAt };
    this.dialogues = [];
    this.rejects = [];
    this.rejectAt = [];
    return b;
  }
}

/** Cuts the item stream into batches of `batchSize` inputs, numbered from 0. */
export async function* batches(items: AsyncIterable<ImportItem>, batchSize: number): AsyncGenerator<ImportBatch> {
  const cut = new BatchCutter(batchSize);
  for await (const item of items) {
    const b = cut.add(item);
    if (b) yield b;
  }
  const last = cut.end();
  if (last) yield last;
}

/**
 * batches(sourceItems(…), batchSize), with the importers' items cut into batches where they are
 * read: no async generator between the importer and the batch, so no await per item.
 */
export async function* sourceBatches(config: Pipeline, baseDir: string, logger: Logger, batchSize: number): AsyncGenerator<ImportBatch> {
  const cut = new BatchCutter(batchSize);
  for (const u of await workUnits(config, baseDir)) yield* cutUnit(cut, config, baseDir, logger, u);
  const last = cut.end();
  if (last) yield last;
}

/** batches(unitItems(…, u), batchSize) the same way (the BullMQ import job of one unit): no await per item. */
export async function* unitBatches(config: Pipeline, baseDir: string, logger: Logger, u: WorkUnit, batchSize: number): AsyncGenerator<ImportBatch> {
  const cut = new BatchCutter(batchSize);
  yield* cutUnit(cut, config, baseDir, logger, u);
  const last = cut.end();
  if (last) yield last;
}

/** A unit's items into the cutter, yielding each batch it fills. */
async function* cutUnit(cut: BatchCutter, config: Pipeline, baseDir: string, logger: Logger, u: WorkUnit): AsyncGenerator<ImportBatch> {
  if (config.sources[u.source].format === 'scrape') {
    for await (const item of scrapeItems(config, baseDir, logger, u)) {
      const b = cut.add(item);
      if (b) yield b;
    }
    return;
  }
  const { items, limit, prepare } = fileUnit(config, logger, u);
  let n = 0;
  for await (const item of items) {
    const b = cut.add(prepare(item));
    if (b) yield b;
    if (item.kind === 'dialogue' && limit > 0 && ++n >= limit) break;
  }
}
