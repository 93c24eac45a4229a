/**
 * Huatuo-26M test set: a JSON array of {id, instruction: [str], input, output: [str]}, each one
 * single-turn Q/A. The patient turn is the instruction strings (plus `input` when non-empty),
 * the doctor turn the output strings. An empty id (all of the published test set) becomes
 * sourceId `idx-<index>`; null in id or input counts as absent (pandas and Python None write it).
 * The Hugging Face releases name the two sides otherwise: {questions, answers} (string lists, the
 * Huatuo-26M splits there) or {question, answer} (Huatuo26M-Lite, with score, label and
 * related_diseases beside them); such a record is read the same way, Lite's label (the department
 * the question was filed under: 内科, 儿科 …) kept as the department when it reads as a department
 * name (departmentLabel) and related_diseases (a string or a list of strings) as the disease; and
 * a list nested in one more list ([["q", "q'"]], the encyclopedia subset) as its one inner list (several inner lists are
 * ambiguous: an `import.schema` reject). An answer that is only a link (the consultation subset
 * publishes its answers' URLs) is an `import.schema` reject, not a doctor turn. A record that names its question two ways
 * (instruction and question) is ambiguous. Elements of another shape are `import.schema` rejects.
 * The records may sit in a wrapper object ({"data": [...]}, see json-wrapper.ts).
 */
import { z } from 'zod';
import type { RawDialogue } from '../../schemas/dialogue.js';
import { clip, dialogueItem, rejectItem } from './item.js';
import { idText, importJsonArray, indexOrigin, wrapperHint } from './json-importer.js';
import type { Importer } from './types.js';

const Texts = z.union([z.array(z.string()), z.string()]);

const HuatuoRecord = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  instruction: Texts,
  input: z.string().nullish(),
  output: Texts,
});

/** The question/answer names of the Hugging Face releases (see the header). */
const HF_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['questions', 'answers'],
  ['question', 'answer'],
];

/** A record in a Hugging Face naming as the published one (else the value as it is), or why it is ambiguous. */
function published(value: unknown): { value: unknown; department?: string; disease?: string } | { ambiguous: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { value };
  const v = value as Record<string, unknown>;
  const named = HF_KEYS.filter(([q, a]) => q in v && a in v);
  const own = 'instruction' in v || 'output' in v;
  if (named.length + (own ? 1 : 0) > 1) {
    const ways = [...(own ? ['instruction/output'] : []), ...named.map((k) => k.join('/'))];
    return { ambiguous: `it names its question and answer in ${ways.length} ways (${ways.join(', ')})` };
  }
  if (named.length === 0) return { value };
  const [q, a] = named[0];
  const question = oneGroup(v[q]);
  const answer = oneGroup(v[a]);
  if (typeof question === 'number' || typeof answer === 'number') {
    const [key, n] = typeof question === 'number' ? [q, question] : [a, answer as number];
    return { ambiguous: `its ${key} holds ${n} nested lists (groups of texts): which answer goes with which question cannot be told` };
  }
  return { value: { id: v.id, instruction: question, output: answer }, department: departmentLabel(v.label), disease: diseasesOf(v.related_diseases) };
}

/**
 * Lite's label when it names a department: a short Han name without sentence punctuation (内科,
 * 妇产科, 皮肤性病科); a number, a sentence or an empty label is no department. Before, every
 * label was dropped, so Lite's records went to split with no department at all.
 */
function departmentLabel(label: unknown): string | undefined {
  if (typeof label !== 'string') return undefined;
  const t = label.trim();
  return t.length > 0 && t.length <= 12 && /\p{Script=Han}/u.test(t) && !/[，。？！；、,.?!;…\s]/.test(t) ? t : undefined;
}

/** related_diseases as one text (a list joined with 、), or undefined when it holds none. */
function diseasesOf(value: unknown): string | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
  const names = list.map((x) => x.trim()).filter(Boolean);
  return names.length ? names.join('、') : undefined;
}

/**
 * A list of lists of strings (huatuo_encyclopedia_qa nests its questions so: [["q", "q'"]]) as its
 * one inner list; the number of inner lists when there are several (ambiguous); else the value.
 */
function oneGroup(t: unknown): unknown {
  if (!Array.isArray(t) || t.length === 0 || !t.every((g) => Array.isArray(g) && g.every((x) => typeof x === 'string'))) return t;
  return t.length === 1 ? t[0] : t.length;
}

/** An answer that is nothing but URLs (one per line or space-separated). */
const LINK_ONLY = /^(?:https?:\/\/\S+\s*)+$/;

function joined(t: string | string[]): string {
  return (typeof t === 'string' ? t : t.join('\n')).trim();
}

export const importHuatuo: Importer = (input) =>
  importJsonArray('huatuo', input, (value, ctx) => {
    const shape = published(value);
    if ('ambiguous' in shape) {
      return rejectItem('import.schema', `element ${ctx.index} is not a Huatuo record: ${shape.ambiguous}`, indexOrigin(ctx), value);
    }
    const parsed = HuatuoRecord.safeParse(shape.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return rejectItem(
        'import.schema',
        `element ${ctx.index} is not a Huatuo record {id, instruction[], input, output[]} (or {questions, answers}, {question, answer}): ${issue?.path.join('.') || '(root)'}: ${issue?.message}${wrapperHint(value, ['instruction', 'output', 'questions', 'question'])}`,
        indexOrigin(ctx),
        value,
      );
    }
    const r = parsed.data;
    const answer = joined(r.output);
    if (LINK_ONLY.test(answer)) {
      return rejectItem('import.schema', `element ${ctx.index}'s answer is only a link (${clip(answer, 80)}), not its text: the consultation subset of Huatuo-26M publishes the answers' URLs; fetch the pages (the scraper) instead`, indexOrigin(ctx), value);
    }
    const id = idText(r.id);
    const question = r.input && r.input.trim() ? `${joined(r.instruction)}\n${r.input.trim()}` : joined(r.instruction);
    const d: Omit<RawDialogue, 'id'> = {
      origin: indexOrigin(ctx, id || undefined),
      turns: [
        { speaker: 'patient', text: question },
        { speaker: 'doctor', text: answer },
      ],
      singleTurn: true,
    };
    if (shape.department) d.department = shape.department;
    if (shape.disease) d.disease = shape.disease;
    return dialogueItem(d);
  }, { wrappers: { recordFields: new Set(['id', 'instruction', 'input', 'output', 'questions', 'answers', 'question', 'answer']) } });
