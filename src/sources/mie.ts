/**
 * MIE (chunyu cardiology) sliding windows: a JSON array of dialogues, each an array of windows
 * {utterances: [5 strings, left-padded with ""], label: [...]}. Window k ends with utterance k,
 * so the dialogue is the last utterance of every window, in order; an empty last utterance ("")
 * is no turn (it is not the window before's last again), and a window of nothing but "" is an
 * `import.schema` reject. Consecutive windows must overlap: window k without its last utterance
 * is window k-1 without its first (fixed-size windows of any size, padded or not), or all of
 * window k-1 (windows written without padding, growing to their size); else the element is an
 * `import.schema` reject. A speaker label prefix ("患者:", "医生:", and the family, assistant and
 * staff labels MedDialog knows: speaker-labels.ts) becomes the speaker. Labels are not kept
 * (they annotate windows, not turns). sourceId is `idx-<index>`. The same dialogues given as JSON
 * Lines (one dialogue array per line) are read one element per line, and dialogues inside a
 * wrapper object ({"data": [...]}, {"train": [...], "dev": [...], "test": [...]}: json-wrapper.ts)
 * as the bare array's, numbered on across its records members.
 */
import { z } from 'zod';
import type { RawTurn } from '../../schemas/dialogue.js';
import { dialogueItem, rejectItem } from './item.js';
import { SPEAKER_COLON, SPEAKER_LABELS } from './speaker-labels.js';
import { importJsonArray, indexOrigin } from './json-importer.js';
import { RECORD_KEYS } from './json-wrapper.js';
import type { Importer } from './types.js';

const Window = z.object({
  utterances: z.array(z.string()).min(1),
  label: z.array(z.string()).optional(),
});
const MieDialogue = z.array(Window);

/** Any label MedDialog knows (家属, 家长, 大夫, 医生助理 …: speaker-labels.ts), longer ones first; others stay text. */
const SPEAKER = new RegExp(`^\\s*(${SPEAKER_LABELS.join('|')})\\s*${SPEAKER_COLON}\\s*`);

export function splitSpeaker(utterance: string): RawTurn {
  const m = SPEAKER.exec(utterance);
  if (!m) return { speaker: '', text: utterance.trim() };
  return { speaker: m[1], text: utterance.slice(m[0].length).trim() };
}

/** For a reject's detail: an object some of whose members hold arrays of arrays (dialogues under a name not in RECORD_KEYS), else ''. */
function wrapperOfArrays(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => Array.isArray(o[k]) && (o[k] as unknown[]).some(Array.isArray));
  if (keys.length === 0) return '';
  return ` (an object whose member(s) ${keys.map((k) => JSON.stringify(k)).join(', ')} hold arrays of arrays: dialogues inside an object are read only from a top-level member named ${[...RECORD_KEYS].join(', ')})`;
}

function windowsOverlap(prev: string[], cur: string[]): boolean {
  const skip = prev.length - cur.length + 1; // 1: the window slid; 0: it grew by one
  if (skip !== 0 && skip !== 1) return false;
  for (let k = 0; k + 1 < cur.length; k++) if (prev[k + skip] !== cur[k]) return false;
  return true;
}

export const importMie: Importer = (input) =>
  importJsonArray('mie', input, (value, ctx) => {
    const parsed = MieDialogue.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return rejectItem(
        'import.schema',
        `element ${ctx.index} is not an MIE dialogue (array of {utterances, label} windows): ${issue?.path.join('.') || '(root)'}: ${issue?.message}${wrapperOfArrays(value)}`,
        indexOrigin(ctx),
        value,
      );
    }
    const windows = parsed.data;
    const turns: RawTurn[] = [];
    for (let k = 0; k < windows.length; k++) {
      const u = windows[k].utterances;
      const inconsistent = u.every((x) => x === '') ? 'is empty' : k > 0 && !windowsOverlap(windows[k - 1].utterances, u) ? 'does not overlap the previous window' : null;
      if (inconsistent) {
        return rejectItem('import.schema', `element ${ctx.index}: window ${k} ${inconsistent}`, indexOrigin(ctx), value);
      }
      if (u[u.length - 1] !== '') turns.push(splitSpeaker(u[u.length - 1]));
    }
    return dialogueItem({ origin: indexOrigin(ctx), turns });
  }, { elementsAreArrays: true, wrappers: { recordFields: new Set(['utterances', 'label']) } });
