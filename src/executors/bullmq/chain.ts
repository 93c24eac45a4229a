/**
 * The stage chain of a run: which per-batch stages get a queue, in order, and how a worker calls
 * one. Derived from the stage registry (src/pipeline/stages.ts): a stage that is not enabled for
 * the config gets no queue (a queue hop that does nothing would cost a serialisation of every
 * record). Nothing here changes what a stage does.
 */
import type { Pipeline } from '../../../schemas/pipeline.js';
import type { RawDialogue } from '../../../schemas/dialogue.js';
import { batchStage, enabledStages, type StageName, type StageOutput } from '../../pipeline/stages.js';
import type { StageContext } from '../../stages/types.js';

export type { StageOutput } from '../../pipeline/stages.js';

export function stageChain(config: Pipeline): StageName[] {
  return enabledStages(config);
}

export function nextStage(chain: readonly StageName[], stage: StageName): StageName | undefined {
  const i = chain.indexOf(stage);
  return i >= 0 && i + 1 < chain.length ? chain[i + 1] : undefined;
}

export async function runStage(stage: StageName, items: unknown[], ctx: StageContext): Promise<StageOutput> {
  return batchStage(stage).run(items, ctx);
}

/** The dialogue an item of a stage's input belongs to, and where it came from (for poison rejects). */
export function itemIdentity(stage: StageName, item: unknown): { dialogueId: string; origin: RawDialogue['origin'] } {
  return batchStage(stage).identity(item);
}
