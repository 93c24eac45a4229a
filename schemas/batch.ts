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
});
export type ImportBatch = z.infer<typeof ImportBatch>;

export const ProcessedBatch = z.object({
  seq: z.number().int().nonnegative(),
  /** Ids of the dialogues that entered normalise, in order (for accounting). */
  dialogueIds: z.array(z.string()),
  /** Input units of the batch: dialogues + import rejects. */
  inputs: z.number().int().nonnegative(),
  records: z.array(RecordEnvelope),
  rejects: z.array(Reject),
});
export type ProcessedBatch = z.infer<typeof ProcessedBatch>;
