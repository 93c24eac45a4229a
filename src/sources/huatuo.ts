/**
 * Huatuo-26M test set: a JSON array of {id, instruction: [str], input, output: [str]}, each one
 * single-turn Q/A. The patient turn is the instruction strings (plus `input` when non-empty),
 * the doctor turn the output strings. An empty id (all of the published test set) becomes
 * sourceId `idx-<index>`; null in id or input counts as absent (pandas and Python None write it).
 * Elements of another shape are `import.schema` rejects. The records may sit in a wrapper object
 * ({"data": [...]}, see json-wrapper.ts).
 */
import { z } from 'zod';
import { dialogueItem, rejectItem } from './item.js';
import { idText, importJsonArray, indexOrigin, wrapperHint } from './json-importer.js';
import type { Importer } from './types.js';

const Texts = z.union([z.array(z.string()), z.string()]);

const HuatuoRecord = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  instruction: Texts,
  input: z.string().nullish(),
  output: Texts,
});

function joined(t: string | string[]): string {
  return (typeof t === 'string' ? t : t.join('\n')).trim();
}

export const importHuatuo: Importer = (input) =>
  importJsonArray('huatuo', input, (value, ctx) => {
    const parsed = HuatuoRecord.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return rejectItem(
        'import.schema',
        `element ${ctx.index} is not a Huatuo record {id, instruction[], input, output[]}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}${wrapperHint(value, ['instruction', 'output'])}`,
        indexOrigin(ctx),
        value,
      );
    }
    const r = parsed.data;
    const id = idText(r.id);
    const question = r.input && r.input.trim() ? `${joined(r.instruction)}\n${r.input.trim()}` : joined(r.instruction);
    return dialogueItem({
      origin: indexOrigin(ctx, id || undefined),
      turns: [
        { speaker: 'patient', text: question },
        { speaker: 'doctor', text: joined(r.output) },
      ],
      singleTurn: true,
    });
  }, { wrappers: true });
