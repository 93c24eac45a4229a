/**
 * What crosses the Redis boundary: stage job payloads, leaf results, the run record and scheduled
 * runs, as zod schemas. Every payload is validated when a worker or the coordinator reads it.
 *
 * Validation only: callers keep the object as JSON.parse produced it. A zod parse returns objects
 * with keys in schema order and defaults filled in, and the rejects file and shards are written
 * with JSON.stringify, so re-building objects here would change bytes that the local executor
 * writes differently. Byte identity between executors matters more than the re-built object.
 */
import { z } from 'zod';
import { ProcessedBatch } from '../../../schemas/batch.js';
import { Dialogue, RawDialogue } from '../../../schemas/dialogue.js';
import { Pipeline } from '../../../schemas/pipeline.js';
import { RecordEnvelope } from '../../../schemas/record.js';
import { Reject } from '../../../schemas/reject.js';
import { CmtError } from '../../core/errors.js';
import type { LoadedPipeline } from '../../pipeline/config.js';
import { batchStage, REJECT_BUCKETS, STAGE_NAMES, type RejectBucket, type StageName } from '../../pipeline/stages.js';

/**
 * Rejects gathered so far for one batch (or part), by the stage that produced them. Kept apart so
 * that parts of a poison-split batch merge back in the local executor's order: all import rejects,
 * then all normalise rejects, then split, then validate.
 */
export const RejectBuckets = z.object(Object.fromEntries(REJECT_BUCKETS.map((b) => [b, z.array(Reject)])) as Record<RejectBucket, z.ZodArray<typeof Reject>>);
export type RejectBuckets = Record<RejectBucket, Reject[]>;

export function emptyBuckets(): RejectBuckets {
  return Object.fromEntries(REJECT_BUCKETS.map((b) => [b, []])) as unknown as RejectBuckets;
}

/** What a batch carries along the chain besides its items: accounting and rejects so far. */
export const Carry = z.object({
  /** Ids of the raw dialogues of the batch (ProcessedBatch.dialogueIds). */
  dialogueIds: z.array(z.string()),
  /** Input units (dialogues + import rejects), ProcessedBatch.inputs. */
  inputs: z.number().int().nonnegative(),
  rejects: RejectBuckets,
  /** ImportBatch.rejectAt (kept by the first part when a batch is split). */
  rejectAt: z.array(z.number().int().nonnegative()).optional(),
  /** Normalise's CleaningCounts (placeholders, template hits), for the report. */
  cleaning: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type Carry = z.infer<typeof Carry>;

export function emptyCarry(): Carry {
  return { dialogueIds: [], inputs: 0, rejects: emptyBuckets() };
}

const Seq = z.number().int().nonnegative();
/** '' for a whole batch; '0'/'1' digits for the halves of a poison split. */
const Part = z.string().regex(/^[01]*$/);

/** The schema of one input item of a stage (validated per job, inside the retry/poison path). */
export function stageItemSchema(stage: StageName): z.ZodType {
  return batchStage(stage).input;
}

/** A stage job: one batch (or part of one); items are checked with stageItemSchema. */
export const StageEnvelope = z.object({ seq: Seq, part: Part, items: z.array(z.unknown()), carry: Carry });
export interface StagePayload<T = unknown> {
  seq: number;
  part: string;
  items: T[];
  carry: Carry;
}

/** An import job: one work unit (src/pipeline/read-sources.ts WorkUnit). */
export const ImportUnit = z.object({
  unit: Seq,
  source: Seq,
  file: z.object({ display: z.string(), absolute: z.string() }).optional(),
});
export type ImportUnit = z.infer<typeof ImportUnit>;

/** What a finished job's data is replaced with: the work was handed on, a retry has nothing to do. */
export const DoneStub = z.object({ seq: Seq, part: Part, done: z.literal(true), poisoned: z.string().optional() });
export type DoneStub = z.infer<typeof DoneStub>;

export function isDoneStub(data: unknown): data is DoneStub {
  return typeof data === 'object' && data !== null && (data as { done?: unknown }).done === true;
}

/** A leaf of the chain: the records a batch (part) ended with, and its carry. */
export const LeafResult = z.object({ records: z.array(RecordEnvelope), carry: Carry });
export type LeafResult = z.infer<typeof LeafResult>;

/** The pipeline as a run stores it for workers on other machines: validated config and base dir. */
export const StoredPipeline = z.object({
  config: Pipeline,
  baseDir: z.string(),
  file: z.string(),
  configHash: z.string(),
});
export type StoredPipeline = z.infer<typeof StoredPipeline>;

export const RunState = z.enum(['running', 'finalising', 'finalised', 'failed']);
export type RunState = z.infer<typeof RunState>;

/** The run record (hash fields, decoded). */
export const RunRecord = z.object({
  pipeline: StoredPipeline,
  state: RunState,
  stages: z.array(z.enum(STAGE_NAMES)).min(1),
  attempts: z.number().int().positive(),
  backoffMs: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().optional(),
  /** Version of the graph the coordinator validates against; workers must have the same one. */
  graphVersion: z.string().nullable().optional(),
  /** Root of the run store (absolute): workers write batch results under <store>/<prefix>/<runId>/. */
  store: z.string().optional(),
  /** Batches queued for the first stage before an import job waits (back-pressure). */
  maxInFlight: z.number().int().positive().optional(),
  error: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** A scheduled run's job data (the scheduler's template): the pipeline as it was scheduled. */
export const ScheduledRun = StoredPipeline;
export type ScheduledRun = StoredPipeline;

export function validate<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const res = schema.safeParse(data);
  if (!res.success) {
    const issues = res.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CmtError('CMT_RUN_FAILED', `invalid ${what}: ${issues}`, { what });
  }
  // Keep the caller's object (see the module header): the parse is the check, not the value.
  return data as T;
}

export function toStoredPipeline(p: LoadedPipeline): StoredPipeline {
  return { config: p.config, baseDir: p.baseDir, file: p.file, configHash: p.configHash };
}

export function toLoadedPipeline(p: StoredPipeline): LoadedPipeline {
  return { config: p.config, baseDir: p.baseDir, file: p.file, configHash: p.configHash };
}

/** Decodes the run record hash; undefined when there is no such run. */
export function decodeRunRecord(h: Record<string, string>, runId: string): RunRecord | undefined {
  if (!h.pipeline) return undefined;
  let raw: unknown;
  try {
    raw = {
      pipeline: JSON.parse(h.pipeline),
      state: h.state,
      stages: JSON.parse(h.stages ?? '[]'),
      attempts: Number(h.attempts),
      backoffMs: Number(h.backoffMs),
      total: h.total === undefined ? undefined : Number(h.total),
      graphVersion: h.graphVersion === undefined ? undefined : h.graphVersion === '' ? null : h.graphVersion,
      store: h.store || undefined,
      maxInFlight: h.maxInFlight ? Number(h.maxInFlight) : undefined,
      error: h.error,
    };
  } catch (e) {
    throw new CmtError('CMT_RUN_FAILED', `run record of ${runId} is not valid JSON: ${(e as Error).message}`, { runId });
  }
  const res = RunRecord.safeParse(raw);
  if (!res.success) {
    const issues = res.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CmtError('CMT_RUN_FAILED', `run record of ${runId} is invalid: ${issues}`, { runId });
  }
  // The pipeline config is re-parsed (defaults filled) here on purpose: it is config, not output data.
  return res.data;
}

export { ProcessedBatch };
