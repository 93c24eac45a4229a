/**
 * The importer contract: an importer is handed a byte stream (the executor opens files) and
 * yields raw dialogues or rejects, in file order, streaming: memory must not grow with file size.
 */
import type { RawDialogue } from '../../schemas/dialogue.js';
import type { Reject } from '../../schemas/reject.js';
import type { SourceFormat } from '../../schemas/dialogue.js';

export type ImportItem = { kind: 'dialogue'; dialogue: RawDialogue } | { kind: 'reject'; reject: Reject };

export interface ImportInput {
  /** The file's path as the pipeline names it (goes into origin.file). */
  file: string;
  /** The raw bytes, in chunks. */
  bytes: AsyncIterable<Buffer>;
  /** 'auto' sniffs UTF-8 vs GB18030. */
  encoding: 'auto' | 'utf-8' | 'gb18030' | 'gbk';
}

export type Importer = (input: ImportInput) => AsyncIterable<ImportItem>;

export type FileFormat = Exclude<SourceFormat, 'scrape'>;
