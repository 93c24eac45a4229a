/**
 * The import side of the executors: expand each source's glob, open files, run the format's
 * importer and cut its items into numbered batches. This is the only place files are opened
 * for reading input; importers only see byte streams.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { ImportBatch } from '../../schemas/batch.js';
import type { RawDialogue } from '../../schemas/dialogue.js';
import type { Pipeline, SourceConfig } from '../../schemas/pipeline.js';
import type { Reject } from '../../schemas/reject.js';
import { CmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { importers } from '../sources/index.js';
import type { ImportItem } from '../sources/types.js';
import { importRequeue } from '../sources/requeue.js';

export interface SourceFile {
  source: number;
  /** Path as the pipeline names it (relative to the pipeline file when the glob was relative). */
  display: string;
  absolute: string;
}

export async function expandSource(src: SourceConfig, index: number, baseDir: string): Promise<SourceFile[]> {
  if (src.format === 'scrape') return [];
  const pattern = path.isAbsolute(src.path) ? src.path : path.join(baseDir, src.path);
  const files = fg.isDynamicPattern(pattern) ? await fg(pattern.split(path.sep).join('/'), { onlyFiles: true, dot: false }) : [pattern];
  files.sort();
  if (files.length === 0) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `sources[${index}].path ${JSON.stringify(src.path)} matches no file (looked in ${baseDir})`, { source: index, path: src.path });
  }
  return files.map((f) => ({ source: index, absolute: path.resolve(f), display: path.relative(baseDir, path.resolve(f)).split(path.sep).join('/') }));
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
  const i = u.source;
  const src = config.sources[i];
  if (src.format === 'scrape') {
    // Imported here: the scraper (cheerio, the HTTP client, the layouts) loads only for a scrape source.
    const { scrapeSource } = await import('../scrape/source.js');
    for await (const item of scrapeSource(src, { logger: logger.child({ source: i, format: 'scrape' }), baseDir })) yield { ...item, file: src.site };
    return;
  }
  const f = u.file;
  if (!f) throw new CmtError('CMT_RUN_FAILED', `work unit ${u.unit} of sources[${i}] names no file`, { unit: u.unit });
  const importer = src.format === 'requeue' ? importRequeue : importers[src.format];
  let n = 0;
  logger.debug({ source: i, file: f.display }, 'importing');
  const bytes = createReadStream(f.absolute, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  for await (const item of importer({ file: f.display, bytes, encoding: src.encoding })) {
    // sources[].department: the file's known domain, for dialogues that name no department
    if (src.department && item.kind === 'dialogue' && !item.dialogue.department && item.dialogue.cate1 === undefined) item.dialogue.department = src.department;
    // The importer's item is fresh and ours: name the file on it rather than copy it per item.
    const withFile = item as ImportItem & { file: string };
    withFile.file = f.display;
    yield withFile;
    if (item.kind === 'dialogue' && src.limit > 0 && ++n >= src.limit) break;
  }
}

export async function* sourceItems(config: Pipeline, baseDir: string, logger: Logger): AsyncGenerator<ImportItem & { file: string }> {
  for (const u of await workUnits(config, baseDir)) yield* unitItems(config, baseDir, logger, u);
}

/** Cuts the item stream into batches of `batchSize` inputs, numbered from 0. */
export async function* batches(items: AsyncIterable<ImportItem>, batchSize: number): AsyncGenerator<ImportBatch> {
  let seq = 0;
  let dialogues: RawDialogue[] = [];
  let rejects: Reject[] = [];
  let rejectAt: number[] = [];
  for await (const item of items) {
    if (item.kind === 'dialogue') dialogues.push(item.dialogue);
    else {
      rejects.push(item.reject);
      rejectAt.push(dialogues.length);
    }
    if (dialogues.length + rejects.length >= batchSize) {
      yield { seq: seq++, dialogues, rejects, rejectAt };
      dialogues = [];
      rejects = [];
      rejectAt = [];
    }
  }
  if (dialogues.length + rejects.length > 0) yield { seq: seq++, dialogues, rejects, rejectAt };
}
