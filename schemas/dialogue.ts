/**
 * Dialogues as they cross the import → normalise → split boundaries.
 * A RawDialogue is what an importer read (speaker labels as the source wrote them);
 * a Dialogue is normalised (roles decided, text cleaned, turns merged).
 */
import { z } from 'zod';
import { SourceFormat } from './formats.js';

export { SourceFormat };

/** Where a dialogue came from: enough to find it again in the raw input. */
export const Origin = z.object({
  format: SourceFormat,
  /** Path of the input file as given in the pipeline (relative paths stay relative), or the raw-store key for scraped pages. */
  file: z.string(),
  /** The source's own id (MedDialog id=N, HET-MC id, array index, CSV row …). */
  sourceId: z.string(),
  /** 1-based ordinal of the source entry in its file (all visits of one MedDialog id share it). */
  position: z.number().int().nonnegative(),
  url: z.string().optional(),
  /** Follow-up visit number when one source id holds several consultations (0 = first). */
  visit: z.number().int().nonnegative().optional(),
  /** Scraped pages: the layout that read the page ("<site>/<generation>", src/scrape/layouts). */
  layout: z.string().optional(),
  /** Scraped pages: placeholder lines/elements (images, audio, privacy notices) dropped from the turns. */
  placeholders: z.number().int().nonnegative().optional(),
  /** Window index for records split out of one dialogue. */
  window: z.number().int().nonnegative().optional(),
  /**
   * Chat-format records (CMtMedQA re-saved for LLaMA-Factory / OpenAI: a `system` field or a first
   * system message): the length in characters of the system prompt, which is no turn and was not
   * read — so dropping it is visible in the annotation sidecar. Its text is not kept: it would
   * reach an output without normalise's PII scrubbing.
   */
  systemPromptChars: z.number().int().positive().optional(),
  /**
   * Set on every dialogue of a file whose opening dialogues are mostly machine-spun (quality
   * stage, file-spin.ts): how many of its first dialogues were scored and how many of them were
   * spun. The quality stage treats every record of such a file as spun.
   */
  fileSpin: z.strictObject({ sampled: z.number().int().positive(), spun: z.number().int().nonnegative() }).optional(),
  /**
   * Set on a dialogue one of whose turns was cut at its file's length cap (quality stage,
   * length-cap.ts): the file's turns of `role` pile up at exactly `chars` characters (`atCap` of
   * them in the sample against `around` at each length near it) and turn `turn` of this dialogue
   * is that long and stops without sentence-final punctuation. Its records are quality.truncated.
   */
  lengthCap: z.strictObject({
    role: z.enum(['patient', 'doctor', 'other']),
    chars: z.number().int().positive(),
    turn: z.number().int().nonnegative(),
    atCap: z.number().int().positive(),
    around: z.number().nonnegative(),
  }).optional(),
});
export type Origin = z.infer<typeof Origin>;

export const RawTurn = z.object({
  /** Speaker label exactly as the source wrote it (病人, 患者, P, D, 医生, doctor …). */
  speaker: z.string(),
  text: z.string(),
});
export type RawTurn = z.infer<typeof RawTurn>;

export const RawDialogue = z.object({
  id: z.string(),
  origin: Origin,
  turns: z.array(RawTurn),
  department: z.string().optional(),
  /** Source-provided department pair (CMtMedQA records carry cate1/cate2 already). */
  cate1: z.string().optional(),
  cate2: z.string().optional(),
  disease: z.string().optional(),
  title: z.string().optional(),
  /** Free-text case description (MedDialog Description section …), kept for context, not a turn. */
  description: z.string().optional(),
  /**
   * A follow-up visit's description is its own (MedDialog: a Description section, or a note before
   * the first speaker line, that the previous visit did not have): normalise puts it before the
   * visit's opening patient turn as for a first visit. Absent: the description may be an earlier
   * visit's, and a patient opening stays alone.
   */
  ownDescription: z.literal(true).optional(),
  /** True for single-turn Q/A sources (Toyhom, Huatuo, CMtMedQA safety prompts). */
  singleTurn: z.boolean().optional(),
});
export type RawDialogue = z.infer<typeof RawDialogue>;

export const Role = z.enum(['patient', 'doctor']);
export type Role = z.infer<typeof Role>;

export const Turn = z.object({ role: Role, text: z.string().min(1) });
export type Turn = z.infer<typeof Turn>;

export const Dialogue = z.object({
  id: z.string(),
  origin: Origin,
  turns: z.array(Turn),
  cate1: z.string().optional(),
  cate2: z.string().optional(),
  department: z.string().optional(),
  disease: z.string().optional(),
  title: z.string().optional(),
  singleTurn: z.boolean().optional(),
});
export type Dialogue = z.infer<typeof Dialogue>;
