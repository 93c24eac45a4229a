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
 *   patient, ending with the doctor).
 * A system prompt (a `system` field beside either shape, LLaMA-Factory's alpaca and sharegpt
 * layouts, or a first {role: system} message) is no turn: the dialogue is read without it and the
 * prompt's length is kept in origin.systemPromptChars (visible in the annotation sidecar); a record with two
 * different ones, or a system message after the first, is an `import.schema` reject.
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
  // LLaMA-Factory's alpaca layout: the prompt beside the record (see systemPromptOf).
  system: z.string().nullish(),
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
  system: z.string().nullish(),
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

/**
 * The system prompt of a record: its `system` field and/or a first system message (`fromMessages`),
 * undefined when there is none (or only whitespace), or a problem when both hold different text.
 */
function systemPromptOf(field: string | null | undefined, fromMessages: string | undefined): { prompt?: string } | { problem: string } {
  const a = field?.trim() || undefined;
  const b = fromMessages?.trim() || undefined;
  if (a && b && a !== b) return { problem: 'two different system prompts (a "system" field and a first system message)' };
  const prompt = a ?? b;
  return prompt ? { prompt } : {};
}

/** Fields of the two record shapes (an object with none of them may be a wrapper, see wrapperHint). */
const FIELDS = ['instruction', 'instruct', 'output', 'conversations', 'messages'];

export const importCmtMedQa: Importer = (input) =>
  importJsonArray('cmtmedqa', input, (value, ctx) => {
    const multi = MultiTurn.safeParse(value);
    const history = multi.success ? historyTurns(multi.data.history ?? []) : null;
    const multiSystem = multi.success && history && 'turns' in history ? systemPromptOf(multi.data.system, history.system) : undefined;
    if (multi.success && history && 'turns' in history && multiSystem && !('problem' in multiSystem)) {
      const r = multi.data;
      const turns: RawTurn[] = history.turns;
      const question = r.input && r.input.trim() ? `${r.instruction.trim()}\n${r.input.trim()}` : r.instruction.trim();
      turns.push({ speaker: 'patient', text: question }, { speaker: 'doctor', text: r.output.trim() });
      const id = idText(r.id);
      const d: Omit<RawDialogue, 'id'> = { origin: indexOrigin(ctx, id || undefined), turns };
      if (multiSystem.prompt) d.origin.systemPromptChars = multiSystem.prompt.length;
      const cate1 = r.cate1?.trim();
      const cate2 = r.cate2?.trim();
      if (cate1) d.cate1 = cate1;
      if (cate2) d.cate2 = cate2;
      return dialogueItem(d);
    }
    const safety = Safety.safeParse(value);
    if (safety.success) {
      const origin = indexOrigin(ctx, `safety-${ctx.index}`);
      const system = systemPromptOf(safety.data.system, undefined);
      if ('prompt' in system && system.prompt) origin.systemPromptChars = system.prompt.length;
      return dialogueItem({
        origin,
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
      const system = 'turns' in read ? systemPromptOf(m.system, read.system) : {};
      if ('problem' in read) fromMessages = { path: read.path.replace(/^history/, key), problem: read.problem };
      else if ('problem' in system) fromMessages = { path: 'system', problem: system.problem };
      else if (read.turns.length === 0) fromMessages = { path: key, problem: 'no messages' };
      else {
        const id = idText(m.id);
        const d: Omit<RawDialogue, 'id'> = { origin: indexOrigin(ctx, id || undefined), turns: read.turns };
        if (system.prompt) d.origin.systemPromptChars = system.prompt.length;
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
    else if (multiSystem && 'problem' in multiSystem) where = `system: ${multiSystem.problem}`;
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
  }, { wrappers: { recordFields: new Set([...FIELDS, 'id', 'input', 'history', 'cate1', 'cate2', 'system']) } });
