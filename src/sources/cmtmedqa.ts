/**
 * CMtMedQA (the target schema, used here as an input too): one JSON array mixing two shapes.
 * - {id, cate1, cate2, instruction, input, output, history: [[q, a], ...]}: each history pair is
 *   a patient and a doctor turn, then instruction (+ input when non-empty) and output close the
 *   dialogue; non-empty cate1/cate2 are kept; sourceId is the record's id (`idx-<index>` if empty
 *   or absent). null in an optional field (id, cate1, cate2, input, history) counts as absent.
 * - {instruct, output}: a safety prompt, one patient and one doctor turn, singleTurn, sourceId
 *   `safety-<index>` (index = 0-based position in the array).
 * Anything else is an `import.schema` reject. Speakers are positional: 'patient' / 'doctor'.
 * `history` may also be given as pair objects or role messages (cmtmedqa-history.ts), and the
 * records may sit in a wrapper object ({"data": [...]}, see json-wrapper.ts).
 */
import { z } from 'zod';
import type { RawDialogue, RawTurn } from '../../schemas/dialogue.js';
import { historyTurns } from './cmtmedqa-history.js';
import { dialogueItem, rejectItem } from './item.js';
import { idText, importJsonArray, indexOrigin, wrapperHint } from './json-importer.js';
import type { Importer } from './types.js';

// null stands for an absent optional field (pandas and Python None write it so).
const MultiTurn = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  cate1: z.string().nullish(),
  cate2: z.string().nullish(),
  instruction: z.string(),
  input: z.string().nullish(),
  output: z.string(),
  // Entries are read by historyTurns ([q, a] pairs and the other shapes it accepts).
  history: z.array(z.unknown()).nullish(),
});

const Safety = z.object({
  instruct: z.string(),
  output: z.string(),
});

/** Fields of the two record shapes (an object with none of them may be a wrapper, see wrapperHint). */
const FIELDS = ['instruction', 'instruct', 'output'];

export const importCmtMedQa: Importer = (input) =>
  importJsonArray('cmtmedqa', input, (value, ctx) => {
    const multi = MultiTurn.safeParse(value);
    const history = multi.success ? historyTurns(multi.data.history ?? []) : null;
    if (multi.success && history && 'turns' in history) {
      const r = multi.data;
      const turns: RawTurn[] = history.turns;
      const question = r.input && r.input.trim() ? `${r.instruction.trim()}\n${r.input.trim()}` : r.instruction.trim();
      turns.push({ speaker: 'patient', text: question }, { speaker: 'doctor', text: r.output.trim() });
      const id = idText(r.id);
      const d: Omit<RawDialogue, 'id'> = { origin: indexOrigin(ctx, id || undefined), turns };
      const cate1 = r.cate1?.trim();
      const cate2 = r.cate2?.trim();
      if (cate1) d.cate1 = cate1;
      if (cate2) d.cate2 = cate2;
      return dialogueItem(d);
    }
    const safety = Safety.safeParse(value);
    if (safety.success) {
      return dialogueItem({
        origin: indexOrigin(ctx, `safety-${ctx.index}`),
        turns: [
          { speaker: 'patient', text: safety.data.instruct.trim() },
          { speaker: 'doctor', text: safety.data.output.trim() },
        ],
        singleTurn: true,
      });
    }
    let where: string;
    if (history && 'problem' in history) where = `${history.path}: ${history.problem}`;
    else {
      const issue = multi.error?.issues[0];
      where = `${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
    }
    return rejectItem(
      'import.schema',
      `element ${ctx.index} matches neither CMtMedQA shape ({id, instruction, output, history} or {instruct, output}): ${where}${wrapperHint(value, FIELDS)}`,
      indexOrigin(ctx),
      value,
    );
  }, { wrappers: true });
