/**
 * The id of an imported dialogue: content plus where it sits in its source, so re-importing the
 * same file gives the same ids. Only the file's basename enters, so moving a dump to another
 * directory (or running from another cwd) does not change its ids. The position is part of it:
 * real dumps repeat whole dialogues under one source id (HET-MC does), and each repetition is a
 * separate input that must be accounted for (as a duplicate) rather than share an id.
 */
import path from 'node:path';
import type { RawTurn, SourceFormat } from '../../schemas/dialogue.js';
import { contentId } from '../core/ids.js';

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
    file: path.basename(file),
    sourceId,
    position,
    visit,
    turns: turns.map((t) => ({ speaker: t.speaker, text: t.text })),
  });
}
