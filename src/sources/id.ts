/**
 * The id of an imported dialogue: content plus where it sits in its source, so re-importing the
 * same file gives the same ids. The file enters as its path relative to the pipeline file (the
 * way the executors name it, see pipeline/read-sources.ts), so two files of one name in
 * different folders give different ids, while moving the whole pipeline directory (or running it
 * from another cwd) does not change them. An absolute path is taken relative to the cwd.
 * The position is part of it: real dumps repeat whole dialogues under one source id (HET-MC
 * does), and each repetition is a separate input that must be accounted for (as a duplicate)
 * rather than share an id.
 */
import path from 'node:path';
import type { RawTurn, SourceFormat } from '../../schemas/dialogue.js';
import { contentId, contentIdOfJson } from '../core/ids.js';

/** `file` as it enters ids: relative, '/'-separated, normalised ("./a//b.txt" → "a/b.txt"). */
export function idPath(file: string): string {
  const rel = path.isAbsolute(file) ? path.relative(process.cwd(), file) : file;
  const posix = rel.split(path.sep).join('/');
  const norm = path.posix.normalize(posix);
  return norm === '.' ? '' : norm.replace(/^(?:\.\/)+/, '');
}

export function rawDialogueId(args: {
  format: SourceFormat;
  file: string;
  sourceId: string;
  position: number;
  visit?: number;
  turns: RawTurn[];
}): string {
  const { format, file, sourceId, position, visit, turns } = args;
  if (typeof format === 'string' && typeof sourceId === 'string' && typeof position === 'number' && (visit === undefined || typeof visit === 'number') && plainTurns(turns)) {
    // The keys below are in sorted order and every value is a string or number: JSON.stringify
    // writes exactly what canonicalJson writes for this object (undefined visit omitted, a
    // non-finite number as null), without sorting or walking it.
    return contentIdOfJson(JSON.stringify({ file: cachedIdPath(file), format, position, sourceId, turns: turns.map((t) => ({ speaker: t.speaker, text: t.text })), visit }));
  }
  return contentId({
    format,
    file: idPath(file),
    sourceId,
    position,
    visit,
    turns: turns.map((t) => ({ speaker: t.speaker, text: t.text })),
  });
}

function plainTurns(turns: RawTurn[]): boolean {
  for (const t of turns) if (typeof t.speaker !== 'string' || typeof t.text !== 'string') return false;
  return true;
}

/** idPath of the last file asked for (every dialogue of a file asks with the same one). */
let lastFile: { file: string; cwd: string; id: string } | undefined;
function cachedIdPath(file: string): string {
  const cwd = path.isAbsolute(file) ? process.cwd() : '';
  if (lastFile && lastFile.file === file && lastFile.cwd === cwd) return lastFile.id;
  const id = idPath(file);
  lastFile = { file, cwd, id };
  return id;
}
