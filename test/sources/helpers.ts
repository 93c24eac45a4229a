/** Feeding files and buffers to importers in tests, and sorting what comes out. */
import { csvRows, type CsvEvent } from '../../src/sources/csv.js';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RawDialogue } from '../../schemas/dialogue.js';
import type { Reject } from '../../schemas/reject.js';
import type { ImportInput, ImportItem, Importer } from '../../src/sources/types.js';

/** A path under fixtures/dialogues (relative to the repo root, as a pipeline would name it). */
export function fixture(...parts: string[]): string {
  return path.join('fixtures', 'dialogues', ...parts);
}

/** The file's bytes as a stream of `chunkSize`-byte chunks. */
export function fileBytes(file: string, chunkSize = 64 * 1024): AsyncIterable<Buffer> {
  return createReadStream(file, { highWaterMark: chunkSize }) as AsyncIterable<Buffer>;
}

/** A buffer cut into `chunkSize`-byte chunks (tiny sizes split multibyte characters and GBK pairs). */
export async function* chunked(buf: Buffer, chunkSize: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
}

export interface Collected {
  items: ImportItem[];
  dialogues: RawDialogue[];
  rejects: Reject[];
}

export async function collect(importer: Importer, input: ImportInput): Promise<Collected> {
  const items: ImportItem[] = [];
  for await (const item of importer(input)) items.push(item);
  return {
    items,
    dialogues: items.flatMap((i) => (i.kind === 'dialogue' ? [i.dialogue] : [])),
    rejects: items.flatMap((i) => (i.kind === 'reject' ? [i.reject] : [])),
  };
}

/** Imports a whole file, read in `chunkSize`-byte chunks. */
export function importFile(importer: Importer, file: string, opts: { chunkSize?: number; encoding?: ImportInput['encoding'] } = {}): Promise<Collected> {
  const bytes = opts.chunkSize ? chunked(readFileSync(file), opts.chunkSize) : fileBytes(file);
  return collect(importer, { file, bytes, encoding: opts.encoding ?? 'auto' });
}

/** Imports text given inline (UTF-8), in `chunkSize`-byte chunks. */
export function importText(importer: Importer, text: string | Buffer, file = 'inline.txt', chunkSize = 1 << 16): Promise<Collected> {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return collect(importer, { file, bytes: chunked(buf, chunkSize), encoding: 'auto' });
}

/** How many times each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Speaker/text pairs of a dialogue, for compact assertions. */
export function turnsOf(d: RawDialogue): Array<[string, string]> {
  return d.turns.map((t) => [t.speaker, t.text]);
}

/** The CSV events of `text` read in chunks of `chunkSize` characters. */
export async function csvEvents(text: string, chunkSize = 1 << 16): Promise<CsvEvent[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: CsvEvent[] = [];
  for await (const ev of csvRows(chunks())) out.push(ev);
  return out;
}
