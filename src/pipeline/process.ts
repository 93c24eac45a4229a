/**
 * The per-batch part of a pipeline: normalise → split (+ quality) → validate. Both executors call exactly
 * this (the BullMQ worker per stage queue, the local executor in-process), so they cannot diverge.
 */
import type { ImportBatch, ProcessedBatch } from '../../schemas/batch.js';
import type { Dialogue } from '../../schemas/dialogue.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import { normalise, type CleaningCounts } from '../stages/normalise/index.js';
import { oneDepartmentPerDialogue } from '../stages/split/department.js';
import { split } from '../stages/split/index.js';
import { quality } from '../stages/quality/index.js';
import type { StageContext, StageResult } from '../stages/types.js';
import { validate } from '../stages/validate/index.js';

export interface StageTimings {
  normalise: number;
  split: number;
  validate: number;
}

export function runNormalise(batch: ImportBatch, ctx: StageContext): StageResult<Dialogue> & { counts: CleaningCounts } {
  return normalise(batch.dialogues, ctx);
}

/**
 * split, then token counts into annotations.tokens when tokenizers are configured: counting is
 * per record and pure, so it runs here (in parallel BullMQ workers) rather than in the one
 * sequential finalise step, which only reads the counts.
 */
export function runSplit(dialogues: Dialogue[], ctx: StageContext): StageResult<RecordEnvelope> {
  const s = split(dialogues, ctx);
  // quality scoring (machine-spun text) is per record and pure: it runs with split, in the workers
  const q = quality(s.out, ctx);
  const res = { out: q.out, rejects: [...s.rejects, ...q.rejects] };
  if (ctx.tokenizers?.length) {
    for (const env of res.out) {
      const tokens: Record<string, number> = {};
      for (const c of ctx.tokenizers) tokens[c.name] = c.countRecord(env.record);
      env.annotations.tokens = tokens;
    }
  }
  return res;
}

export async function runValidate(records: RecordEnvelope[], ctx: StageContext): Promise<StageResult<RecordEnvelope>> {
  if (!ctx.graph || !ctx.config.validate.enabled) return { out: records, rejects: [] };
  const v = await validate(records, ctx);
  // graph-inferred departments per window → one per dialogue
  const { defaultCate1: cate1, defaultCate2: cate2 } = ctx.config.split;
  return { out: oneDepartmentPerDialogue(v.out, { cate1, cate2 }), rejects: v.rejects };
}

/** Rejects of one batch in stage order, so the rejects file has one deterministic order. */
export async function processBatch(batch: ImportBatch, ctx: StageContext, timings?: StageTimings): Promise<ProcessedBatch> {
  let t = performance.now();
  const n = runNormalise(batch, ctx);
  let t2 = performance.now();
  if (timings) timings.normalise += t2 - t;
  t = t2;
  const s = runSplit(n.out, ctx);
  t2 = performance.now();
  if (timings) timings.split += t2 - t;
  t = t2;
  const v = await runValidate(s.out, ctx);
  if (timings) timings.validate += performance.now() - t;
  const rejects: Reject[] = [...batch.rejects, ...n.rejects, ...s.rejects, ...v.rejects];
  return {
    seq: batch.seq,
    dialogueIds: batch.dialogues.map((d) => d.id),
    inputs: batch.dialogues.length + batch.rejects.length,
    records: v.out,
    rejects,
    ...(batch.rejectAt ? { rejectAt: batch.rejectAt } : {}),
    ...scrapeCounts(batch),
    ...(Object.keys(n.counts).length ? { cleaning: n.counts } : {}),
  };
}

/** Pages per scrape layout in the batch (the report's per-layout counts; a redesign shows as <site>/unrecognised). */
function scrapeCounts(batch: ImportBatch): { scrape?: { layouts: Record<string, number>; placeholders: number } } {
  const layouts: Record<string, number> = {};
  let placeholders = 0;
  let any = false;
  for (const d of batch.dialogues) {
    if (d.origin.format !== 'scrape' || !d.origin.layout) continue;
    any = true;
    layouts[d.origin.layout] = (layouts[d.origin.layout] ?? 0) + 1;
    placeholders += d.origin.placeholders ?? 0;
  }
  for (const r of batch.rejects) {
    if (r.reason !== 'parse.layout_unrecognised') continue;
    const site = (r.evidence as { site?: string } | undefined)?.site;
    if (!site) continue;
    any = true;
    layouts[`${site}/unrecognised`] = (layouts[`${site}/unrecognised`] ?? 0) + 1;
  }
  return any ? { scrape: { layouts, placeholders } } : {};
}
