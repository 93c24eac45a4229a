/**
 * The file-level spin decision. A synonym-spinning tool rewrites a whole dump (Toyhom's files are
 * such dumps: 95.9 % of their records carry substitutions the lexicon knows, and most of the rest
 * are spun in forms it does not), while a real corpus has spun records at well under 1 %. So a
 * file whose first dialogues are mostly spun is spun as a whole: the import marks every dialogue
 * of it (origin.fileSpin) and the quality stage rejects (or flags) all its records, including
 * those whose substitutions the lexicon does not know.
 *
 * The sample is the file's first `quality.fileSample` dialogues, in file order, so every executor
 * decides the same; each is scored as a record is (scoreText over its turns, the first
 * SAMPLE_CHARS characters), at `quality.threshold`, through the score memo (a file seen again under
 * another name, or a dump that repeats its first dialogues, scores its sample once).
 */
import type { RawDialogue } from '../../../schemas/dialogue.js';
import type { Pipeline } from '../../../schemas/pipeline.js';
import type { ImportItem } from '../../sources/types.js';
import { markByHead } from './file-head.js';
import { scoreTextMemo } from './index.js';

/** Fewer dialogues than this in a file: no file-level decision (the records are scored one by one). */
export const MIN_FILE_SAMPLE = 20;
/** Characters of each sampled dialogue that are scored (enough for a density; bounded for huge ones). */
const SAMPLE_CHARS = 4000;

export interface FileSpin {
  sampled: number;
  spun: number;
}

/** How many of `dialogues` score as spun on their own. */
export function sampleSpin(dialogues: RawDialogue[], threshold: number): FileSpin {
  let spun = 0;
  for (const d of dialogues) {
    const parts: string[] = [];
    if (d.description) parts.push(d.description);
    for (const t of d.turns) parts.push(t.text);
    const text = parts.join('\n');
    if (scoreTextMemo(text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text, threshold).spun) spun++;
  }
  return { sampled: dialogues.length, spun };
}

/** Whether a sample makes its file spun under `quality`. */
export function fileIsSpun(s: FileSpin, quality: Pipeline['quality']): boolean {
  return s.sampled >= MIN_FILE_SAMPLE && s.spun >= quality.fileShare * s.sampled;
}

/**
 * The items of one file, with every dialogue marked (origin.fileSpin) when the file's first
 * dialogues are mostly spun. Holds at most `fileSample` dialogues (and the rejects between them)
 * before the first item goes on. `onSpun` hears the decision once (for the log).
 */
export function markSpunFile(items: AsyncIterable<ImportItem>, quality: Pipeline['quality'], onSpun?: (s: FileSpin) => void): AsyncGenerator<ImportItem> {
  return markByHead(items, (head) => head.length >= quality.fileSample, (head) => {
    const s = sampleSpin(head, quality.threshold);
    if (!fileIsSpun(s, quality)) return (item) => item;
    onSpun?.(s);
    return (item) => {
      if (item.kind === 'dialogue') item.dialogue.origin.fileSpin = { sampled: s.sampled, spun: s.spun };
      return item;
    };
  });
}
