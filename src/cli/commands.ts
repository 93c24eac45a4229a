/**
 * The commands of the CLI: name → [description, loader of the module that registers it]. The
 * description is the one shown (top-level help lists it without loading the module).
 */
import { Command } from 'commander';

export type Register = (program: Command) => void;

/** name → [description for the top-level help, loader of the module that registers it]. */
export const COMMANDS: Record<string, [description: string, load: () => Promise<Register>]> = {
  run: ['run a pipeline YAML end to end and write shards, manifest, report and rejects', async () => (await import('./run.js')).registerRunCommand],
  rejects: ['inspect rejected records of a run: list, show, stats, explain, requeue', async () => (await import('./rejects.js')).registerRejectCommands],
  worker: ['process BullMQ stage jobs for any run; --scheduler also runs scheduled pipelines (one must run for schedules to fire)', async () => (await import('./worker.js')).registerWorkerCommand],
  status: ['show a BullMQ run\'s jobs per stage and whether finalise is done (no run: list runs)', async () => (await import('./status.js')).registerStatusCommand],
  schedule: ['schedule pipelines (their `schedule: {cron, tz}`) as BullMQ job schedulers; --remove, --list', async () => (await import('./schedule.js')).registerScheduleCommand],
  dashboard: ['serve Bull Board over the run queues and a rejects browser (/rejects) on 127.0.0.1, read-only unless --allow-actions', async () => (await import('./dashboard.js')).registerDashboardCommand],
  verify: ['re-read every shard and sidecar: sizes, sha256, counts, schema, split disjointness, token totals', async () => (await import('./verify.js')).registerVerifyCommand],
  kg: ['the medical knowledge graph: import dumps, show what a graph holds', async () => (await import('./kg.js')).registerKgCommands],
  explain: ["one dialogue's whole story by source, dialogue, record or reject id: origin, stages, records and shards, or rejects with evidence", async () => (await import('./explain.js')).registerExplainCommand],
  revalidate: ['re-run validation on a run\'s shards (or one shard) against the current graph into a new output directory', async () => (await import('./revalidate.js')).registerRevalidateCommand],
  scrape: ['scraper tools: reparse a raw store after a layout fix (no requests) into a normal run output', async () => (await import('./scrape.js')).registerScrapeCommands],
};

export function newProgram(): Command {
  // exitOverride: commander's own usage errors (unknown option, missing argument, unknown command)
  // are thrown as CommanderError, so main() exits 2 for them as for every usage mistake.
  // configureOutput: commander's usage errors carry the code every usage mistake carries
  // (`error CMT_USAGE: missing required argument 'pipeline'`); main() adds where to look.
  return new Command().name('cmtmedqa').description('builds CMtMedQA-style multi-turn medical dialogue training data').version('0.1.0').exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'error CMT_USAGE: ')) });
}

