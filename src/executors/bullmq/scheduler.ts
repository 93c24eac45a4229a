/**
 * Scheduled ingestion: a pipeline with `schedule: {cron, tz}` gets a BullMQ job scheduler (one per
 * pipeline name, so upserting twice changes nothing), whose template carries the validated config.
 * A scheduler worker runs the pipeline when its job fires, as a BullMQ run coordinated from that
 * worker, into its own dated directory `<out>/<YYYY-MM-DDTHH-mm-ssZ>/` (out: the pipeline's `out`,
 * else out/<name>) named after the job's scheduled time, not the time it happened to start.
 * Must not: read the YAML again at fire time (the schedule runs the config it was given; re-run
 * `cmtmedqa schedule` to change it).
 */
import path from 'node:path';
import { Worker, type Job, type Queue } from 'bullmq';
import { CmtError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { loadPipeline, type LoadedPipeline } from '../../pipeline/config.js';
import { openRunResources } from '../../pipeline/resources.js';
import type { RunResult } from '../local.js';
import { bullConnection, openClient, openQueue } from './connection.js';
import { DEFAULT_PREFIX, SCHEDULE_QUEUE } from './keys.js';
import { ScheduledRun, toLoadedPipeline, toStoredPipeline, validate } from './payloads.js';
import { runBullmq } from './run.js';

export interface ScheduleOptions {
  redisUrl: string;
  prefix?: string;
}

export interface ScheduleInfo {
  id: string;
  pipeline: string;
  pattern?: string;
  every?: number;
  tz?: string;
  /** Next firing (ms since epoch). */
  next?: number;
}

export function schedulerId(pipelineName: string): string {
  return `pipeline.${pipelineName}`;
}

/** `2026-11-26T06:18:00.000Z` → `2026-11-26T06-18-00Z` (no ':' in directory names). */
export function stampOf(millis: number): string {
  return new Date(millis).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

async function withQueue<T>(o: ScheduleOptions, fn: (q: Queue) => Promise<T>): Promise<T> {
  const client = await openClient(o.redisUrl, 'cmtmedqa-schedule');
  await client.quit();
  const q = openQueue(SCHEDULE_QUEUE, { redisUrl: o.redisUrl, prefix: o.prefix ?? DEFAULT_PREFIX });
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

/** Creates or updates the scheduler of each pipeline; a pipeline without `schedule` is a config error. */
export async function upsertSchedules(pipelines: LoadedPipeline[], o: ScheduleOptions): Promise<ScheduleInfo[]> {
  for (const p of pipelines) {
    if (!p.config.schedule) {
      throw new CmtError('CMT_CONFIG_INVALID', `pipeline ${p.file} has no \`schedule: { cron, tz }\` section; add one to schedule it`, { file: p.file });
    }
  }
  return withQueue(o, async (q) => {
    const out: ScheduleInfo[] = [];
    for (const p of pipelines) {
      const s = p.config.schedule!;
      const id = schedulerId(p.config.name);
      const job = await q.upsertJobScheduler(id, { pattern: s.cron, tz: s.tz }, {
        name: 'run',
        data: toStoredPipeline(p),
        opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
      });
      out.push({ id, pipeline: p.config.name, pattern: s.cron, tz: s.tz, next: job.timestamp + (job.delay ?? 0) });
    }
    return out;
  });
}

/** Removes the schedulers of these pipeline names; returns the ids that existed. */
export async function removeSchedules(names: string[], o: ScheduleOptions): Promise<string[]> {
  return withQueue(o, async (q) => {
    const removed: string[] = [];
    for (const n of names) if (await q.removeJobScheduler(schedulerId(n))) removed.push(schedulerId(n));
    return removed;
  });
}

export async function listSchedules(o: ScheduleOptions): Promise<ScheduleInfo[]> {
  return withQueue(o, async (q) => {
    const all = await q.getJobSchedulers(0, -1, true);
    return all.map((s) => ({
      id: s.key,
      pipeline: s.key.replace(/^pipeline\./, ''),
      pattern: s.pattern ?? undefined,
      every: s.every ?? undefined,
      tz: s.tz ?? undefined,
      next: s.next ?? undefined,
    }));
  });
}

/** The time a scheduler job was scheduled for: its id is `repeat:<schedulerId>:<millis>`. */
export function scheduledMillis(job: Pick<Job, 'id' | 'opts' | 'timestamp' | 'delay'>): number {
  const m = /^repeat:.+:(\d+)$/.exec(String(job.id ?? ''));
  if (m) return Number(m[1]);
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  return prev ?? job.timestamp + (job.delay ?? 0);
}

export interface SchedulerWorkerOptions extends ScheduleOptions {
  logger: Logger;
  /** Stage workers each scheduled run starts for itself (default 0: this process's or others'). */
  localWorkers?: number;
  /** Runs the pipeline (default: runBullmq); tests and other executors may pass their own. */
  runner?: (p: LoadedPipeline, outDir: string, runId: string, job: Job) => Promise<RunResult>;
}

/** The consumer of scheduled runs: one run at a time per scheduler worker. */
export async function startSchedulerWorker(o: SchedulerWorkerOptions): Promise<{ worker: Worker; close(force?: boolean): Promise<void> }> {
  const client = await openClient(o.redisUrl, 'cmtmedqa-scheduler');
  await client.quit();
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const runner =
    o.runner ??
    (async (p: LoadedPipeline, outDir: string, runId: string) => {
      const resources = await openRunResources(p, o.logger);
      try {
        return await runBullmq({ pipeline: p, outDir, logger: o.logger, ...resources, redisUrl: o.redisUrl, prefix, runId, localWorkers: o.localWorkers ?? 0 });
      } finally {
        await resources.close();
      }
    });
  const worker = new Worker(
    SCHEDULE_QUEUE,
    async (job: Job) => {
      const p = toLoadedPipeline(validate(ScheduledRun, job.data, `scheduled run ${job.id}`));
      const at = scheduledMillis(job);
      const stamp = stampOf(at);
      const outDir = path.join(p.config.out ?? path.join('out', p.config.name), stamp);
      const runId = `${p.config.name}-${stamp}`;
      const log = o.logger.child({ scheduled: job.id, runId });
      log.info({ outDir }, 'scheduled run fired');
      const res = await runner(p, outDir, runId, job);
      log.info({ outDir, records: res.manifest.counts.records }, 'scheduled run finished');
      return { outDir, runId, records: res.manifest.counts.records };
    },
    { connection: bullConnection(o.redisUrl), prefix, concurrency: 1, drainDelay: 2 },
  );
  worker.on('error', (err) => o.logger.warn({ err }, 'scheduler worker error'));
  worker.on('failed', (job, err) => o.logger.error({ scheduled: job?.id, err: err.message }, 'scheduled run failed'));
  return { worker, close: (force = false) => worker.close(force) };
}

/** Loads pipeline files for `schedule` (config errors name the file and field). */
export function loadForSchedule(files: string[]): LoadedPipeline[] {
  return files.map((f) => loadPipeline(f));
}
