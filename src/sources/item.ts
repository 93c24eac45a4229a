/**
 * Turning what an importer parsed into ImportItems: dialogues get their id, and a dialogue whose
 * text holds U+FFFD (bytes the decoder could not read) becomes an `import.encoding` reject
 * instead, so garbled text never reaches later stages. Rejects are built here with stage 'import'.
 */
import type { Origin, RawDialogue } from '../../schemas/dialogue.js';
import type { RejectReason } from '../../schemas/reject.js';
import { makeReject } from '../core/reject.js';
import { REPLACEMENT_CHAR } from './encoding.js';
import { rawDialogueId } from './id.js';
import type { ImportItem } from './types.js';

/** Raw text kept as a reject's input is cut to this many characters. */
export const MAX_REJECT_INPUT_CHARS = 2000;

/**
 * What to do about a line file's unterminated last block or row (MedDialog, HET-MC, Toyhom end
 * every one with a newline, so a cut cannot be told from a file saved without its final newline).
 */
export const NO_FINAL_NEWLINE = 'if the file is complete, add the final newline and run again';

export function clip(raw: string, max = MAX_REJECT_INPUT_CHARS): string {
  return raw.length <= max ? raw : raw.slice(0, max) + `…[${raw.length - max} more chars]`;
}

export function rejectItem(
  reason: RejectReason,
  detail: string,
  origin: Origin,
  input: unknown,
  extra: { dialogueId?: string; evidence?: unknown } = {},
): ImportItem {
  const clipped = typeof input === 'string' ? clip(input) : input;
  return { kind: 'reject', reject: makeReject({ stage: 'import', reason, detail, origin, input: clipped, ...extra }) };
}

function countReplacement(s: string | undefined): number {
  if (!s) return 0;
  let n = 0;
  let i = s.indexOf(REPLACEMENT_CHAR);
  while (i >= 0) {
    n++;
    i = s.indexOf(REPLACEMENT_CHAR, i + 1);
  }
  return n;
}

/** U+FFFD count over every text field of a dialogue. */
export function replacementChars(d: Omit<RawDialogue, 'id'>): number {
  let n = countReplacement(d.department) + countReplacement(d.cate1) + countReplacement(d.cate2);
  n += countReplacement(d.disease) + countReplacement(d.title) + countReplacement(d.description);
  for (const t of d.turns) n += countReplacement(t.speaker) + countReplacement(t.text);
  return n;
}

/** A parsed dialogue as an ImportItem: with its id, or as an import.encoding reject. */
export function dialogueItem(d: Omit<RawDialogue, 'id'>): ImportItem {
  const { origin } = d;
  const id = rawDialogueId({ format: origin.format, file: origin.file, sourceId: origin.sourceId, position: origin.position, visit: origin.visit, turns: d.turns });
  const bad = replacementChars(d);
  if (bad > 0) {
    return rejectItem(
      'import.encoding',
      `${bad} undecodable byte sequence(s) (U+FFFD) in the dialogue text`,
      origin,
      { id, ...d },
      { dialogueId: id, evidence: { replacementChars: bad } },
    );
  }
  return { kind: 'dialogue', dialogue: { id, ...d } };
}
