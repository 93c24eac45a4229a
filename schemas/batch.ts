/**
 * Batches: the unit a stage processes and a BullMQ job carries. `seq` orders batches across the
 * whole run (source order, then file order, then position), so the finalise step sees the same
 * sequence whichever executor produced them.
 */
import { z } from 'zod';
import { RawDialogue } from './dialogue.js';
import { RecordEnvelope } from './record.js';
import { Reject } from './reject.js';

export const ImportBatch = z.object({
  seq: z.number().int().nonnegative(),
  dialogues: z.array(RawDialogue),
  /** Import-level rejects (each one input unit that never became a dialogue). */
  rejects: z.array(Reject),
  /**
   * For each import reject, how many of the batch's dialogues came before it in the source: with
   * it the rejects file follows the input order whatever the batch size (see the finaliser).
   */
  rejectAt: z.array(z.number().int().nonnegative()).optional(),
});
export type ImportBatch = z.infer<typeof ImportBatch>;

export const ProcessedBatch = z.object({
  seq: z.number().int().nonnegative(),
  /** Ids of the dialogues that entered normalise, in order (for accounting). */
  dialogueIds: z.array(z.string()),
  /** Input units of the batch: dialogues + import rejects. */
  inputs: z.number().int().nonnegative(),
  records: z.array(RecordEnvelope),
  /** Import rejects first (inputs − dialogueIds.length of them), then the stages' rejects. */
  rejects: z.array(Reject),
  /** ImportBatch.rejectAt, passed through. */
  rejectAt: z.array(z.number().int().nonnegative()).optional(),
  /** Scraped pages of the batch: dialogues per layout ("<site>/<generation>", "<site>/unrecognised" for parse.layout_unrecognised) and placeholders dropped. */
  scrape: z.object({ layouts: z.record(z.string(), z.number().int().nonnegative()), placeholders: z.number().int().nonnegative() }).optional(),
  /** What normalise removed and replaced (placeholders by type, template hits): normalise/index.ts CleaningCounts. */
  cleaning: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Per-record keys for the finish step computed by a BullMQ worker (src/finish/precomputed.ts): exact-dedup keys, base64 MinHash signatures. */
  keys: z.object({ exact: z.array(z.string()).optional(), near: z.array(z.string()).optional(), rejectIds: z.record(z.string(), z.array(z.string())).optional(), case: z.array(z.number()).optional(), casePrefix: z.array(z.number()).optional(), consultation: z.array(z.number()).optional(), pleasantry: z.array(z.number()).optional() }).optional(),
  /** Made by a BullMQ worker (src/finish/precomputed.ts prepareRejects): each reject's line of rejects.jsonl; `rejects` then hold their summaries. */
  rejectLines: z.array(z.string()).optional(),
});
export type ProcessedBatch = z.infer<typeof ProcessedBatch>;
