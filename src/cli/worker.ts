/**
 * `cmtmedqa worker`: serve stage jobs of every BullMQ run on this Redis (or one run), and with
 * --scheduler run scheduled pipelines. Start as many as you like, on any machine that sees the
 * Redis and the input files. SIGTERM/SIGINT: finish the jobs in flight, then exit; a second
 * signal exits at once (the jobs it held are picked up by another worker once their lock expires).
 */
import type { Command } from 'commander';
import { CmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { redisUrl } from '../executors/bullmq/connection.js';
import { DEFAULT_PREFIX, STAGES, type StageName } from '../executors/bullmq/keys.js';
import { startSchedulerWorker } from '../executors/bullmq/scheduler.js';
import { WorkerService, type StageHooks } from '../executors/bullmq/worker.js';
import { positiveInt } from './bullmq-flags.js';

export { addBullmqRunOptions, bullmqOptionsFrom, positiveInt, type BullmqRunFlags } from './bullmq-flags.js';

export function parseStages(list: string): StageName[] {
  if (list === 'none' || list === '') return [];
  const out: StageName[] = [];
  for (const s of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(STAGES as readonly string[]).includes(s)) throw new CmtError('CMT_USAGE', `--stages: unknown stage ${JSON.stringify(s)} (stages: ${STAGES.join(', ')}, or none)`);
    out.push(s as StageName);
  }
  return out;
}

interface WorkerFlags {
  stages: string;
  concurrency?: number;
  redis?: string;
  prefix: string;
  run?: string;
  exitWhenDone?: boolean;
  /** false with --no-outage-log. */
  outageLog?: boolean;
  scheduler?: boolean;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalled?: number;
}

/** `hooks`: injected around every stage job (the crash-safety tests' worker entry uses it; the CLI has none). */
export function registerWorkerCommand(program: Command, hooks?: StageHooks): void {
  program
    .command('worker')
    .description('process BullMQ stage jobs (normalise, split, validate) for any run; --scheduler also runs scheduled pipelines')
    .option('--stages <list>', `comma-separated stages to serve, or none (${STAGES.join(',')})`, STAGES.join(','))
    .option('--concurrency <n>', 'jobs in parallel per stage (default: the run\'s executor.concurrency)', positiveInt('--concurrency'))
    .option('--redis <url>', 'Redis URL, redis://HOST:PORT[/DB] (default: REDIS_URL, else the one scripts/redis.sh started, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'key prefix of the queues', DEFAULT_PREFIX)
    .option('--run <id>', 'serve only this run')
    .option('--exit-when-done', 'with --run: exit once that run is finalised')
    .option('--no-outage-log', 'do not log a lost Redis connection (a coordinator that started this worker logs it)')
    .option('--scheduler', 'also run pipelines when their schedule fires: at least one `worker --scheduler` must be running for `cmtmedqa schedule` to do anything')
    .option('--lock-duration <ms>', 'job lock; a dead worker\'s jobs move on after this (default 30000)', positiveInt('--lock-duration'))
    .option('--stalled-interval <ms>', 'how often to look for stalled jobs (default 30000)', positiveInt('--stalled-interval'))
    .option('--max-stalled <n>', 'stalls a job survives before it counts as failed (default 3)', positiveInt('--max-stalled'))
    .action(async (o: WorkerFlags) => {
      const logger = createLogger();
      const url = redisUrl(o.redis);
      const stages = parseStages(o.stages);
      if (stages.length === 0 && !o.scheduler) throw new CmtError('CMT_USAGE', 'nothing to do: --stages none without --scheduler');
      if (o.exitWhenDone && !o.run) throw new CmtError('CMT_USAGE', '--exit-when-done needs --run <id>');
      const tuning = { concurrency: o.concurrency || undefined, lockDuration: o.lockDuration, stalledInterval: o.stalledInterval, maxStalledCount: o.maxStalled };
      const service = stages.length ? new WorkerService({ redisUrl: url, prefix: o.prefix, stages, runId: o.run, logger, hooks, ...(o.outageLog === false ? { outageLogMs: 0 } : {}), ...tuning }) : undefined;
      await service?.start();
      const scheduler = o.scheduler ? await startSchedulerWorker({ redisUrl: url, prefix: o.prefix, logger }) : undefined;

      let stopping: Promise<void> | undefined;
      const stop = (force: boolean) => {
        stopping ??= (async () => {
          await Promise.all([service?.close(force), scheduler?.close(force)]);
        })();
        return stopping;
      };
      // Only a second *signal* forces: the coordinator's SIGTERM to a --exit-when-done child that
      // is already closing because its run is done is a first signal, not an impatient operator.
      let signalled = false;
      const onSignal = (sig: NodeJS.Signals) => {
        if (signalled) {
          logger.warn({ signal: sig }, 'second signal: exiting now; held jobs return to the queue when their locks expire');
          process.exit(130);
        }
        signalled = true;
        logger.info({ signal: sig }, 'finishing jobs in flight, then exiting (send the signal again to force)');
        void stop(false).then(() => process.exit(0));
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);

      console.log(`cmtmedqa worker ready pid=${process.pid} stages=${stages.join(',') || 'none'}${o.scheduler ? ' scheduler' : ''}${o.run ? ` run=${o.run}` : ''}`);
      if (o.exitWhenDone && service) {
        await service.runDone;
        await stop(false);
        process.exit(0);
      }
      // Otherwise serve until a signal arrives (the BullMQ workers keep the event loop alive).
      await new Promise<void>(() => {});
    });
}
