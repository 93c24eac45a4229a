/**
 * MIE (chunyu cardiology) sliding windows: a JSON array of dialogues, each an array of windows
 * {utterances: [5 strings, left-padded with ""], label: [...]}. Window k ends with utterance k,
 * so the dialogue is the last non-empty utterance of every window, in order; consecutive windows
 * must overlap (window k's first four = window k-1's last four), else the element is an
 * `import.schema` reject. "患者:"/"医生:" prefixes become the speaker. Labels are not kept
 * (they annotate windows, not turns). sourceId is `idx-<index>`. The same dialogues given as JSON
 * Lines (one dialogue array per line) are read one element per line.
 */
import { z } from 'zod';
import type { RawTurn } from '../../schemas/dialogue.js';
import { dialogueItem, rejectItem } from './item.js';
import { importJsonArray, indexOrigin } from './json-importer.js';
import type { Importer } from './types.js';

const Window = z.object({
  utterances: z.array(z.string()).min(1),
  label: z.array(z.string()).optional(),
});
const MieDialogue = z.array(Window);

const SPEAKER = /^\s*(患者|病人|医生)\s*[:：]\s*/;

export function splitSpeaker(utterance: string): RawTurn {
  const m = SPEAKER.exec(utterance);
  if (!m) return { speaker: '', text: utterance.trim() };
  return { speaker: m[1], text: utterance.slice(m[0].length).trim() };
}

function windowsOverlap(prev: string[], cur: string[]): boolean {
  if (prev.length !== cur.length) return false;
  for (let k = 1; k < prev.length; k++) if (prev[k] !== cur[k - 1]) return false;
  return true;
}

export const importMie: Importer = (input) =>
  importJsonArray('mie', input, (value, ctx) => {
    const parsed = MieDialogue.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return rejectItem(
        'import.schema',
        `element ${ctx.index} is not an MIE dialogue (array of {utterances, label} windows): ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        indexOrigin(ctx),
        value,
      );
    }
    const windows = parsed.data;
    const turns: RawTurn[] = [];
    for (let k = 0; k < windows.length; k++) {
      const u = windows[k].utterances;
      let last = u.length - 1;
      while (last >= 0 && u[last] === '') last--;
      const inconsistent = last < 0 ? 'is empty' : k > 0 && !windowsOverlap(windows[k - 1].utterances, u) ? 'does not overlap the previous window' : null;
      if (inconsistent) {
        return rejectItem('import.schema', `element ${ctx.index}: window ${k} ${inconsistent}`, indexOrigin(ctx), value);
      }
      turns.push(splitSpeaker(u[last]));
    }
    return dialogueItem({ origin: indexOrigin(ctx), turns });
  }, { elementsAreArrays: true });
