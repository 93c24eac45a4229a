/**
 * Stage hooks for the crash-safety tests, injected into workers (WorkerService `hooks`,
 * runBullmq `workerHooks`, or the hooked-worker entry for child processes): slow every stage job
 * down, or make the jobs holding one item fail.
 */
import type { StageHooks } from '../../src/executors/bullmq/worker.js';
import type { StageName } from '../../src/pipeline/stages.js';

export interface TestHookSettings {
  /** Sleep this long before every stage job. */
  delayMs?: number;
  /** Fail every job of `poisonStage` whose items contain this string. */
  poison?: string;
  poisonStage?: StageName;
}

export function testHooks(o: TestHookSettings): StageHooks {
  return {
    async beforeStage(stage, items) {
      if (o.delayMs && o.delayMs > 0) await new Promise((r) => setTimeout(r, o.delayMs));
      if (o.poison && (o.poisonStage ?? 'normalise') === stage && items.some((i) => JSON.stringify(i).includes(o.poison!))) {
        throw new Error(`test poison: an item of this ${stage} batch contains ${JSON.stringify(o.poison)}`);
      }
    },
  };
}
