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
 * - {conversations | messages: [role messages], id?, cate1?, cate2?}: the same records converted
 *   to ShareGPT / OpenAI messages, read as historyTurns reads role messages (alternating from the
 *   patient, ending with the doctor); a non-empty `system` prompt is no turn and makes it a reject.
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
  history: z.union([z.array(z.unknown()), z.string()]).nullish(),
});

const Safety = z.object({
  instruct: z.string(),
  output: z.string(),
});

/** A whole dialogue as role messages (ShareGPT / LLaMA-Factory, OpenAI): the CMtMedQA records converted for training. */
const Messages = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  cate1: z.string().nullish(),
  cate2: z.string().nullish(),
  system: z.string().nullish(),
  conversations: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
});

/** Fields of the two record shapes (an object with none of them may be a wrapper, see wrapperHint). */
const FIELDS = ['instruction', 'instruct', 'output', 'conversations', 'messages'];

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
    const messages = 'instruction' in Object(value) ? undefined : Messages.safeParse(value);
    let fromMessages: { path: string; problem: string } | undefined;
    if (messages?.success && (messages.data.conversations ?? messages.data.messages) && !(messages.data.conversations && messages.data.messages)) {
      const m = messages.data;
      const key = m.conversations ? 'conversations' : 'messages';
      const list = (m.conversations ?? m.messages)!;
      const read = historyTurns(list);
      if (m.system?.trim()) fromMessages = { path: 'system', problem: 'a system prompt (no patient or doctor turn; the record is not read without it)' };
      else if ('problem' in read) fromMessages = { path: read.path.replace(/^history/, key), problem: read.problem };
      else if (read.turns.length === 0) fromMessages = { path: key, problem: 'no messages' };
      else {
        const id = idText(m.id);
        const d: Omit<RawDialogue, 'id'> = { origin: indexOrigin(ctx, id || undefined), turns: read.turns };
        const cate1 = m.cate1?.trim();
        const cate2 = m.cate2?.trim();
        if (cate1) d.cate1 = cate1;
        if (cate2) d.cate2 = cate2;
        return dialogueItem(d);
      }
    }
    let where: string;
    if (fromMessages) where = `${fromMessages.path}: ${fromMessages.problem}`;
    else if (history && 'problem' in history) where = `${history.path}: ${history.problem}`;
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
  }, { wrappers: { recordFields: new Set([...FIELDS, 'id', 'input', 'history', 'cate1', 'cate2']) } });
