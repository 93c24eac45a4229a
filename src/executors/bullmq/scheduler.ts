/**
 * Scheduled ingestion: a pipeline with `schedule: {cron, tz}` gets a BullMQ job scheduler (one per
 * pipeline name, so upserting twice changes nothing), whose template carries the validated config.
 * A scheduler worker (`cmtmedqa worker --scheduler`, which must be running) runs the pipeline when
 * its job fires, as a BullMQ run coordinated from that worker, into its own dated directory
 * `<out>/runs/<YYYY-MM-DDTHH-mm-ssZ>/` (out: the pipeline's `out`, else out/<name>) named after the
 * job's scheduled time, then points `<out>/runs/latest` at it and keeps the newest `schedule.keep`
 * runs. A firing whose inputs (config hash + input bytes) are those of the latest run is skipped,
 * and says so in its job result (what `schedule --list` shows as the last outcome).
 * Must not: read the YAML again at fire time (the schedule runs the config it was given; re-run
 * `cmtmedqa schedule` to change it).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker, type Job, type Queue } from 'bullmq';
import { expandSource } from '../../pipeline/read-sources.js';
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
  /** The outcome of the last firing that finished (from the schedule queue's kept jobs). */
  last?: { at: number; outcome: 'ran' | 'skipped' | 'failed'; detail: string };
}

/** What one firing did (the scheduler job's return value). */
export interface FiringResult {
  outcome: 'ran' | 'skipped';
  outDir: string;
  runId?: string;
  records?: number;
  inputHash: string;
  message: string;
}

const STAMP = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/;

/** sha256 of the config hash and every input file's path and bytes, in source order. */
export async function inputHashOf(p: LoadedPipeline): Promise<string> {
  const h = createHash('sha256').update(p.configHash);
  for (const [i, src] of p.config.sources.entries()) {
    if (src.format === 'scrape') {
      h.update(`scrape:${i}`); // pages change without our knowing: a scrape source never counts as unchanged
      h.update(String(Date.now()));
      continue;
    }
    for (const f of await expandSource(src, i, p.baseDir)) {
      h.update(`\0${i}\0${f.display}\0`);
      for await (const chunk of createReadStream(f.absolute)) h.update(chunk as Buffer);
    }
  }
  return h.digest('hex');
}

/** Deletes all but the newest `keep` dated runs under runsDir; returns the names deleted. */
export async function pruneRuns(runsDir: string, keep: number): Promise<string[]> {
  if (!existsSync(runsDir)) return [];
  const runs = readdirSync(runsDir).filter((d) => STAMP.test(d)).sort();
  const gone = runs.slice(0, Math.max(0, runs.length - keep));
  for (const d of gone) await rm(path.join(runsDir, d), { recursive: true, force: true });
  return gone;
}

/**
 * One firing: skip when the inputs are those of the latest run, else run into runs/<stamp>/,
 * point runs/latest at it (a symlink swapped by rename) and prune to `keep` runs.
 */
export async function fireScheduled(
  p: LoadedPipeline,
  at: number,
  run: (outDir: string, runId: string) => Promise<RunResult>,
  logger: Logger,
): Promise<FiringResult> {
  const base = p.config.out ?? path.join('out', p.config.name);
  const runsDir = path.join(base, 'runs');
  const stamp = stampOf(at);
  const inputHash = await inputHashOf(p);
  const stateFile = path.join(runsDir, 'latest.json');
  const latest = path.join(runsDir, 'latest');
  let prev: { inputHash?: string; stamp?: string } = {};
  try {
    prev = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof prev;
  } catch {
    // first run
  }
  if (prev.inputHash === inputHash && prev.stamp && existsSync(path.join(runsDir, prev.stamp, 'manifest.json'))) {
    const message = `skipped: inputs unchanged since run ${prev.stamp} (config and input bytes hash ${inputHash.slice(0, 12)})`;
    logger.info({ stamp, latest: prev.stamp }, message);
    return { outcome: 'skipped', outDir: path.join(runsDir, prev.stamp), inputHash, message };
  }
  const outDir = path.join(runsDir, stamp);
  const runId = `${p.config.name}-${stamp}`;
  await mkdir(runsDir, { recursive: true });
  const res = await run(outDir, runId);
  const tmpLink = path.join(runsDir, `.latest-${process.pid}`);
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, latest);
  await writeFile(stateFile, `${JSON.stringify({ stamp, inputHash, runId, records: res.manifest.counts.records })}\n`);
  const pruned = await pruneRuns(runsDir, p.config.schedule?.keep ?? 7);
  const message = `ran into ${outDir}: ${res.manifest.counts.records} records${pruned.length ? `; removed ${pruned.length} older run(s) (schedule.keep = ${p.config.schedule?.keep ?? 7})` : ''}`;
  return { outcome: 'ran', outDir, runId, records: res.manifest.counts.records, inputHash, message };
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
    // A schedule whose sources match nothing would fail at every firing: refuse it now.
    for (const [i, src] of p.config.sources.entries()) {
      try {
        await expandSource(src, i, p.baseDir);
      } catch (e) {
        throw new CmtError('CMT_CONFIG_INVALID', `${p.file}: ${e instanceof Error ? e.message : String(e)}; fix the path before scheduling`, { file: p.file, source: i });
      }
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
    // The last finished firing of each scheduler, from the completed and failed jobs kept.
    const last = new Map<string, NonNullable<ScheduleInfo['last']>>();
    for (const job of await q.getJobs(['completed', 'failed'], 0, 200)) {
      if (!job) continue;
      const key = job.repeatJobKey ?? /^repeat:(.+):\d+$/.exec(String(job.id))?.[1];
      if (!key) continue;
      const at = job.finishedOn ?? job.timestamp;
      if ((last.get(key)?.at ?? -1) >= at) continue;
      const rv = job.returnvalue as Partial<FiringResult> | null;
      last.set(key, job.failedReason
        ? { at, outcome: 'failed', detail: job.failedReason }
        : { at, outcome: rv?.outcome === 'skipped' ? 'skipped' : 'ran', detail: rv?.message ?? '' });
    }
    return all.map((s) => ({
      id: s.key,
      pipeline: s.key.replace(/^pipeline\./, ''),
      pattern: s.pattern ?? undefined,
      every: s.every ?? undefined,
      tz: s.tz ?? undefined,
      next: s.next ?? undefined,
      ...(last.has(s.key) ? { last: last.get(s.key) } : {}),
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
      const log = o.logger.child({ scheduled: job.id, pipeline: p.config.name });
      log.info({ at: new Date(at).toISOString() }, 'scheduled run fired');
      const res = await fireScheduled(p, at, (outDir, runId) => runner(p, outDir, runId, job), log);
      log.info({ outDir: res.outDir, outcome: res.outcome, records: res.records }, res.message);
      return res;
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
