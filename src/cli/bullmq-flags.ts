/**
 * The `run --executor bullmq` flags and the integer option parser, apart from the worker command
 * (worker.ts) so that `cmtmedqa run` declares them without loading BullMQ, ioredis or the stage
 * workers: a local run never needs those modules (worker.ts re-exports everything here).
 */
import type { Command } from 'commander';
import type { BullmqOptions } from '../executors/bullmq/run.js';
import { CmtError } from '../core/errors.js';
import { DEFAULT_PREFIX } from '../executors/bullmq/keys.js';

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CmtError('CMT_USAGE', `${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
    return n;
  };
}

/**
 * The `run --executor bullmq` flags, for src/cli/run.ts: `addBullmqRunOptions(cmd)` when the
 * command is declared, `...bullmqOptionsFrom(flags)` into runBullmq's options.
 */
export function addBullmqRunOptions(cmd: Command): Command {
  return cmd
    .option('--run-id <id>', 'bullmq: run id (default: derived from config, batch size and input bytes; the same id resumes an unfinished run)')
    .option('--workers <n>', 'bullmq: stage workers this command starts for its run (default 1; `cmtmedqa worker`s elsewhere join anyway)', positiveInt('--workers'))
    .option('--no-local-worker', 'bullmq: start no worker here, rely on `cmtmedqa worker` processes (same as --workers 0)')
    .option('--worker-mode <mode>', 'bullmq: inprocess (default) or child (one process per worker, uses more cores)')
    .option('--redis <url>', 'bullmq: Redis URL, redis://HOST:PORT[/DB] (default: REDIS_URL, else the one scripts/redis.sh started, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'bullmq: key prefix of the queues', DEFAULT_PREFIX)
    .option('--keep-run', 'bullmq: keep the run\'s queues and results in Redis after it finished (for status and the dashboard)');
}

export interface BullmqRunFlags {
  runId?: string;
  workers?: number;
  localWorker?: boolean;
  workerMode?: string;
  redis?: string;
  prefix?: string;
  keepRun?: boolean;
}

export function bullmqOptionsFrom(f: BullmqRunFlags): BullmqOptions {
  if (f.workerMode !== undefined && f.workerMode !== 'inprocess' && f.workerMode !== 'child') throw new CmtError('CMT_USAGE', `--worker-mode must be inprocess or child, not ${f.workerMode}`);
  return {
    runId: f.runId,
    localWorkers: f.localWorker === false ? 0 : f.workers,
    workerMode: f.workerMode as BullmqOptions['workerMode'],
    redisUrl: f.redis,
    prefix: f.prefix,
    keepRun: f.keepRun,
  };
}
