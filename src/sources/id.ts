/**
 * The id of an imported dialogue: content plus where it sits in its source, so re-importing the
 * same file gives the same ids. Only the file's basename enters, so moving a dump to another
 * directory (or running from another cwd) does not change its ids.
 */
import path from 'node:path';
import type { RawTurn, SourceFormat } from '../../schemas/dialogue.js';
import { contentId } from '../core/ids.js';

export function rawDialogueId(args: {
  format: SourceFormat;
  file: string;
  sourceId: string;
  visit?: number;
  turns: RawTurn[];
}): string {
  const { format, file, sourceId, visit, turns } = args;
  return contentId({
    format,
    file: path.basename(file),
    sourceId,
    visit,
    turns: turns.map((t) => ({ speaker: t.speaker, text: t.text })),
  });
}
