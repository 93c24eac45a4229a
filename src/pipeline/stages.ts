/**
 * The per-batch pipeline as data: one list of batch stages, in order. Everything that names a
 * stage derives from BATCH_STAGES: the stage names and their order, whether a stage runs for a
 * config (`enabled`), the BullMQ queues (one per enabled stage), the payload item schemas, the
 * reject buckets a batch carries, and the timings of the report. processBatch (process.ts) is a
 * fold over the enabled stages; the BullMQ processor runs one of them and enqueues the result.
 *
 * Adding a stage: write it under src/stages/<name>/ (a pure StageResult function), give its
 * input item a zod schema in schemas/ and its reasons in schemas/reject.ts, and add one entry here.
 */
import type { z } from 'zod';
import { Dialogue, RawDialogue } from '../../schemas/dialogue.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { RecordEnvelope } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import { normalise } from '../stages/normalise/index.js';
import { quality } from '../stages/quality/index.js';
import { oneDepartmentPerDialogue } from '../stages/split/department.js';
import { split } from '../stages/split/index.js';
import type { StageContext } from '../stages/types.js';
import { validate } from '../stages/validate/index.js';

/** What one stage returns for a batch: its output items, its rejects, and optional counts for the report. */
export interface StageOutput<O = unknown> {
  out: O[];
  rejects: Reject[];
  /** Counts summed over the run into ProcessedBatch.cleaning (normalise's CleaningCounts). */
  counts?: Record<string, number>;
}

export interface BatchStage<N extends string = string, I = unknown, O = unknown> {
  readonly name: N;
  /** Schema of one input item (checked per BullMQ job, inside the retry/poison path). */
  readonly input: z.ZodType<I>;
  /** Whether the stage runs for this config; a disabled stage gets no queue and passes items through. */
  enabled(config: Pipeline): boolean;
  run(items: I[], ctx: StageContext): StageOutput<O> | Promise<StageOutput<O>>;
  /** The dialogue an input item belongs to and where it came from (poison rejects). */
  identity(item: I): { dialogueId: string; origin: RawDialogue['origin'] };
}

function stage<N extends string, I, O>(s: BatchStage<N, I, O>): BatchStage<N, I, O> {
  return s;
}

const dialogueIdentity = (d: RawDialogue | Dialogue) => ({ dialogueId: d.id, origin: d.origin });

const normaliseStage = stage({
  name: 'normalise',
  input: RawDialogue,
  enabled: () => true,
  run: (items: RawDialogue[], ctx) => normalise(items, ctx),
  identity: dialogueIdentity,
});

/**
 * split, quality scoring (machine-spun text) and token counts (annotations.tokens, when
 * tokenizers are configured): all per record and pure, so they run here, in parallel workers,
 * rather than in the one sequential finalise step, which only reads the counts.
 */
const splitStage = stage({
  name: 'split',
  input: Dialogue,
  enabled: () => true,
  run: (dialogues: Dialogue[], ctx): StageOutput<RecordEnvelope> => {
    const s = split(dialogues, ctx);
    const q = quality(s.out, ctx);
    if (ctx.tokenizers?.length) {
      for (const env of q.out) {
        const tokens: Record<string, number> = {};
        for (const c of ctx.tokenizers) tokens[c.name] = c.countRecord(env.record);
        env.annotations.tokens = tokens;
      }
    }
    return { out: q.out, rejects: [...s.rejects, ...q.rejects] };
  },
  identity: dialogueIdentity,
});

/** Against the graph, when the pipeline has one and validates: graph-inferred departments per window → one per dialogue. */
const validateStage = stage({
  name: 'validate',
  input: RecordEnvelope,
  enabled: (config) => config.kg !== undefined && config.validate.enabled,
  run: async (records: RecordEnvelope[], ctx): Promise<StageOutput<RecordEnvelope>> => {
    if (!ctx.graph) return { out: records, rejects: [] };
    const v = await validate(records, ctx);
    const { defaultCate1: cate1, defaultCate2: cate2 } = ctx.config.split;
    return { out: oneDepartmentPerDialogue(v.out, { cate1, cate2 }), rejects: v.rejects };
  },
  identity: (env) => ({ dialogueId: env.dialogueId, origin: env.origin }),
});

/** The registry: every per-batch stage, in order. */
export const BATCH_STAGES = [normaliseStage, splitStage, validateStage] as const;

export type StageName = (typeof BATCH_STAGES)[number]['name'];
export const STAGE_NAMES = BATCH_STAGES.map((s) => s.name) as unknown as readonly [StageName, ...StageName[]];

/** Reject buckets a batch carries: the importer's, then one per stage, in order. */
export const REJECT_BUCKETS = ['import', ...STAGE_NAMES] as const;
export type RejectBucket = 'import' | StageName;

const BY_NAME = new Map<string, BatchStage>(BATCH_STAGES.map((s) => [s.name, s as unknown as BatchStage]));

export function batchStage(name: StageName): BatchStage {
  const s = BY_NAME.get(name);
  if (!s) throw new Error(`no batch stage named ${name}`);
  return s;
}

/** The stages that run for this config, in order (the BullMQ queues of a run). */
export function enabledStages(config: Pipeline): StageName[] {
  return BATCH_STAGES.filter((s) => s.enabled(config)).map((s) => s.name);
}

export function stageEnabled(name: StageName, config: Pipeline): boolean {
  return batchStage(name).enabled(config);
}

/** Milliseconds per stage, summed over a run (the report's stage seconds). */
export type StageTimings = Record<StageName, number>;

export function emptyTimings(): StageTimings {
  return Object.fromEntries(STAGE_NAMES.map((n) => [n, 0])) as StageTimings;
}
