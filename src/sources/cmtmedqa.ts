/**
 * CMtMedQA (the target schema, used here as an input too): one JSON array mixing two shapes.
 * - {id, cate1, cate2, instruction, input, output, history: [[q, a], ...]}: each history pair is
 *   a patient and a doctor turn, then instruction (+ input when non-empty) and output close the
 *   dialogue; non-empty cate1/cate2 are kept; sourceId is the record's id (`idx-<index>` if empty
 *   or absent). null in an optional field (id, cate1, cate2, input, history) counts as absent.
 * - {instruct, output}: a safety prompt, one patient and one doctor turn, singleTurn, sourceId
 *   `safety-<index>` (index = 0-based position in the array).
 * Anything else is an `import.schema` reject. Speakers are positional: 'patient' / 'doctor'.
 */
import { z } from 'zod';
import type { RawDialogue, RawTurn } from '../../schemas/dialogue.js';
import { dialogueItem, rejectItem } from './item.js';
import { idText, importJsonArray, indexOrigin } from './json-importer.js';
import type { Importer } from './types.js';

// null stands for an absent optional field (pandas and Python None write it so).
const MultiTurn = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  cate1: z.string().nullish(),
  cate2: z.string().nullish(),
  instruction: z.string(),
  input: z.string().nullish(),
  output: z.string(),
  history: z.array(z.tuple([z.string(), z.string()])).nullish(),
});

const Safety = z.object({
  instruct: z.string(),
  output: z.string(),
});

export const importCmtMedQa: Importer = (input) =>
  importJsonArray('cmtmedqa', input, (value, ctx) => {
    const multi = MultiTurn.safeParse(value);
    if (multi.success) {
      const r = multi.data;
      const turns: RawTurn[] = [];
      for (const [q, a] of r.history ?? []) {
        turns.push({ speaker: 'patient', text: q.trim() }, { speaker: 'doctor', text: a.trim() });
      }
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
    const issue = multi.error.issues[0];
    return rejectItem(
      'import.schema',
      `element ${ctx.index} matches neither CMtMedQA shape ({id, instruction, output, history} or {instruct, output}): ` +
        `${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      indexOrigin(ctx),
      value,
    );
  });
