/**
 * The stage chain of a run: which per-batch stages get a queue, in order, and how a worker calls
 * each one. The stage functions are the ones the local executor calls (src/pipeline/process.ts);
 * nothing here changes what a stage does.
 */
import type { Pipeline } from '../../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../../schemas/record.js';
import type { Reject } from '../../../schemas/reject.js';
import type { Dialogue, RawDialogue } from '../../../schemas/dialogue.js';
import { runNormalise, runSplit, runValidate } from '../../pipeline/process.js';
import type { StageContext } from '../../stages/types.js';
import type { StageName } from './keys.js';

/**
 * normalise → split, then validate only when the pipeline validates against a graph: without one
 * the validate stage passes records through unchanged (runValidate), and a queue hop that does
 * nothing would cost a serialisation of every record.
 */
export function stageChain(config: Pipeline): StageName[] {
  const chain: StageName[] = ['normalise', 'split'];
  if (config.kg !== undefined && config.validate.enabled) chain.push('validate');
  return chain;
}

export function nextStage(chain: readonly StageName[], stage: StageName): StageName | undefined {
  const i = chain.indexOf(stage);
  return i >= 0 && i + 1 < chain.length ? chain[i + 1] : undefined;
}

export interface StageOutput {
  out: unknown[];
  rejects: Reject[];
  /** normalise's CleaningCounts. */
  counts?: Record<string, number>;
}

export async function runStage(stage: StageName, items: unknown[], ctx: StageContext): Promise<StageOutput> {
  switch (stage) {
    case 'normalise':
      return runNormalise({ seq: 0, dialogues: items as RawDialogue[], rejects: [] }, ctx);
    case 'split':
      return runSplit(items as Dialogue[], ctx);
    case 'validate':
      return runValidate(items as RecordEnvelope[], ctx);
  }
}

/** The dialogue an item of a stage's input belongs to, and where it came from (for poison rejects). */
export function itemIdentity(stage: StageName, item: unknown): { dialogueId: string; origin: RawDialogue['origin'] } {
  if (stage === 'validate') {
    const env = item as RecordEnvelope;
    return { dialogueId: env.dialogueId, origin: env.origin };
  }
  const d = item as RawDialogue | Dialogue;
  return { dialogueId: d.id, origin: d.origin };
}
