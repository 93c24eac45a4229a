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
import { contentId } from '../core/ids.js';

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
  return contentId({
    format,
    file: idPath(file),
    sourceId,
    position,
    visit,
    turns: turns.map((t) => ({ speaker: t.speaker, text: t.text })),
  });
}
