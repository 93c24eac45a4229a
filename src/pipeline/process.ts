/**
 * The per-batch part of a pipeline: a fold of the batch over the enabled stages of the registry
 * (src/pipeline/stages.ts). Every executor calls exactly this or one step of it (the BullMQ worker
 * runs one stage per queue), so they cannot diverge.
 */
import type { ImportBatch, ProcessedBatch } from '../../schemas/batch.js';
import type { Reject } from '../../schemas/reject.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { StageContext } from '../stages/types.js';
import { batchStage, enabledStages, type StageTimings } from './stages.js';

export type { StageTimings } from './stages.js';

/** Rejects of one batch in stage order, so the rejects file has one deterministic order. */
export async function processBatch(batch: ImportBatch, ctx: StageContext, timings?: StageTimings): Promise<ProcessedBatch> {
  let items: unknown[] = batch.dialogues;
  const rejects: Reject[] = [...batch.rejects];
  const cleaning: Record<string, number> = {};
  for (const name of enabledStages(ctx.config)) {
    const t = performance.now();
    const res = await batchStage(name).run(items, ctx);
    if (timings) timings[name] += performance.now() - t;
    items = res.out;
    for (const r of res.rejects) rejects.push(r);
    if (res.counts) for (const [k, v] of Object.entries(res.counts)) cleaning[k] = (cleaning[k] ?? 0) + v;
  }
  return {
    seq: batch.seq,
    dialogueIds: batch.dialogues.map((d) => d.id),
    inputs: batch.dialogues.length + batch.rejects.length,
    records: items as RecordEnvelope[],
    rejects,
    ...(batch.rejectAt ? { rejectAt: batch.rejectAt } : {}),
    ...scrapeCounts(batch),
    ...(Object.keys(cleaning).length ? { cleaning } : {}),
  };
}

/** Pages per scrape layout in the batch (the report's per-layout counts; a redesign shows as <site>/unrecognised). */
export function scrapeCounts(batch: Pick<ImportBatch, 'dialogues' | 'rejects'>): { scrape?: { layouts: Record<string, number>; placeholders: number } } {
  const layouts: Record<string, number> = {};
  let placeholders = 0;
  let any = false;
  for (const d of batch.dialogues) {
    if (d.origin.format !== 'scrape' || !d.origin.layout) continue;
    any = true;
    // A page with several answer threads gives a dialogue per thread (visit 0, 1 …): one page.
    if (!d.origin.visit) layouts[d.origin.layout] = (layouts[d.origin.layout] ?? 0) + 1;
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
