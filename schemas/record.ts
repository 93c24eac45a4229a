/**
 * The CMtMedQA record, exactly the schema of CMtMedQA_test.json's multi-turn records,
 * and the envelope that carries it between stages with its provenance and annotations.
 * Shard files contain only CMtMedQARecord objects (key order as in the test set).
 */
import { z } from 'zod';
import { Origin } from './dialogue.js';

export const CMtMedQARecord = z.strictObject({
  id: z.string().min(1),
  cate1: z.string(),
  cate2: z.string(),
  instruction: z.string().min(1),
  input: z.string(),
  output: z.string().min(1),
  history: z.array(z.tuple([z.string(), z.string()])),
});
export type CMtMedQARecord = z.infer<typeof CMtMedQARecord>;

const RECORD_KEYS = new Set(['id', 'cate1', 'cate2', 'instruction', 'input', 'output', 'history']);

/**
 * A fast sufficient test for CMtMedQARecord: true only for values the schema accepts (a plain
 * object with exactly its seven keys, strings where it wants strings, non-empty where it says
 * min(1), history an array of string pairs). False says nothing: ask the schema (it gives the
 * issue). Per-record callers use it to skip building a zod result for every valid record.
 */
export function isCMtMedQARecord(v: unknown): v is CMtMedQARecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const r = v as Record<string, unknown>;
  let n = 0;
  for (const k in r) {
    if (!Object.prototype.hasOwnProperty.call(r, k) || !RECORD_KEYS.has(k)) return false;
    n++;
  }
  if (n !== 7) return false;
  if (typeof r.id !== 'string' || r.id.length === 0 || typeof r.cate1 !== 'string' || typeof r.cate2 !== 'string') return false;
  if (typeof r.instruction !== 'string' || r.instruction.length === 0 || typeof r.input !== 'string') return false;
  if (typeof r.output !== 'string' || r.output.length === 0 || !Array.isArray(r.history)) return false;
  for (const t of r.history as unknown[]) {
    if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== 'string' || typeof t[1] !== 'string') return false;
  }
  return true;
}

/** The single-turn safety prompt schema that CMtMedQA_test.json mixes in. */
export const CMtMedQASafetyRecord = z.strictObject({ instruct: z.string().min(1), output: z.string().min(1) });
export type CMtMedQASafetyRecord = z.infer<typeof CMtMedQASafetyRecord>;

export const EntityType = z.enum(['Disease', 'Symptom', 'Drug', 'Check', 'Department', 'Food']);
export type EntityType = z.infer<typeof EntityType>;

export const EntityMention = z.object({
  name: z.string(),
  type: EntityType,
  /** Which utterance: index into the flattened turns [h0.q, h0.a, …, instruction, output]. */
  turn: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type EntityMention = z.infer<typeof EntityMention>;

export const Annotations = z.object({
  /** Indexes (into history rounds, last = the output) of doctor turns that ask the patient something. */
  inquiryTurns: z.array(z.number().int().nonnegative()),
  /** True when the record's output itself is a proactive-inquiry turn. */
  outputIsInquiry: z.boolean(),
  entities: z.array(EntityMention).optional(),
  /** Checks that failed under the `flag` policy: reason codes. */
  flags: z.array(z.string()).optional(),
  /** Department assigned from the graph when the source had none. */
  inferredDepartment: z.boolean().optional(),
  tokens: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Quality scores (src/stages/quality): spin score, character-LM bits per character, spin-lexicon weight. */
  quality: z.object({ score: z.number(), lm: z.number(), lexicon: z.number() }).optional(),
});
export type Annotations = z.infer<typeof Annotations>;

export const RecordEnvelope = z.object({
  record: CMtMedQARecord,
  dialogueId: z.string(),
  origin: Origin,
  annotations: Annotations,
});
export type RecordEnvelope = z.infer<typeof RecordEnvelope>;
