/**
 * The BullMQ executor's coordinator: `runBullmq` takes the same options and returns the same
 * result as runLocal. It reads the sources (the same batches the local executor cuts), enqueues
 * one job per ImportBatch into the run's first stage queue, lets stage workers (its own, or
 * `cmtmedqa worker`s anywhere) carry each batch through normalise → split (→ validate), and, once
 * every batch has a stored result, runs the single finalise step here, where the output directory is.
 *
 * Finalise trigger: whoever sees the last result land (the worker storing it, or this coordinator
 * when it sets the batch total after the import) adds the run's `finalise` job (fixed job id, so
 * only once); only this coordinator consumes that queue. A FlowProducer parent cannot be used: its
 * children must exist when the parent is added, but batches stream from the importer and poison
 * splitting adds jobs later.
 *
 * Crash safety: job ids, results and the run id are deterministic, so a crashed coordinator is
 * replaced by running the same pipeline again (or with the same --run-id): it re-enqueues (no-ops
 * for jobs that exist), skips batches that already have results, and finalises.
 * Must not: hold stage logic, or write anything but the run's output directory and its Redis keys.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CmtError } from '../../core/errors.js';
import { workUnits } from '../../pipeline/read-sources.js';
import { pipelineRun, runPipeline, type Executor, type Progress, type RunOptions, type RunResult } from '../../pipeline/run.js';
import { stageChain } from './chain.js';
import { spawnWorker, type ChildWorker } from './child.js';
import { bullConnection, openClient, openQueue, redisUrl, watchOutage } from './connection.js';
import { ResultFeeder } from './finalise.js';
import { shardsOnWorkers } from './shard-jobs.js';
import { checkRunId, DEFAULT_PREFIX, deriveRunId, FINALISE_JOB_ID, RunKeys, runsChannel, runsKey, STAGES, unitJobId, type QueueStage, type StageName } from './keys.js';
import { isDoneStub, StageEnvelope, toStoredPipeline, type RunRecord, type StagePayload } from './payloads.js';
import { defaultRunStoreRoot, RunStore } from './store.js';
import { enqueueFinalise, exhausted, stageJobOptions, WorkerService, type HandOnDeps, type StageHooks, type WorkerTuning } from './worker.js';

/** Bumped when job payloads or stored results change shape: a replay of an older run starts afresh. */
export const RUN_FORMAT = 'bullmq-2';

/** How long a finished run's record (state, counts, timings) stays for `cmtmedqa status`. */
const RECORD_TTL_S = 7 * 24 * 3600;

export interface BullmqOptions {
  /** Default: REDIS_URL, else redis://127.0.0.1:6390 (scripts/redis.sh). */
  redisUrl?: string;
  /** Key prefix of every queue and key (default `cmt`). */
  prefix?: string;
  /** Default: derived from the pipeline name, config hash and input bytes. */
  runId?: string;
  /**
   * Stage workers this coordinator starts for its run (default 1). 0: rely on `cmtmedqa worker`
   * processes elsewhere. External workers join a run whatever this is.
   */
  localWorkers?: number;
  /** In-process workers share this event loop; child processes use more cores (default inprocess). */
  workerMode?: 'inprocess' | 'child';
  /** Lock/stall settings for the local workers (and the finalise worker's lock). */
  workerTuning?: WorkerTuning;
  /** First retry delay of a failed stage job (ms, doubled each retry; default 1000). */
  backoffMs?: number;
  /** Batches enqueued but not yet processed before the import waits (default 64). */
  maxInFlight?: number;
  /** Keep the run's queues and results in Redis after it finalised (default: removed). */
  keepRun?: boolean;
  /** Environment for child workers. */
  workerEnv?: Record<string, string>;
  /** Hooks around every stage job of the in-process workers (tests). */
  workerHooks?: StageHooks;
  /** TTL of the coordinator lock (ms, default 15000): how soon a dead coordinator can be replaced. */
  lockTtlMs?: number;
  /**
   * Root of the run store, where workers write batch results (default: CMT_RUN_STORE, else
   * <tmpdir>/cmtmedqa-runs). With workers on several machines: a shared filesystem mounted at
   * this same path on every one of them.
   */
  runStore?: string;
  /** While Redis is unreachable, say so every this many ms (default 15 000; connection.ts watchOutage). */
  outageLogMs?: number;
}

export type BullmqRunOptions = RunOptions & BullmqOptions;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Deferred<T> {
  resolve!: (v: T) => void;
  reject!: (e: unknown) => void;
  settled = false;
  readonly promise = new Promise<T>((res, rej) => {
    this.resolve = (v) => {
      this.settled = true;
      res(v);
    };
    this.reject = (e) => {
      this.settled = true;
      rej(e);
    };
  });
}

/** One coordinator per run: a lock with a TTL, refreshed while the run goes on. */
class CoordinatorLock {
  private readonly token = randomUUID();
  constructor(private readonly client: Redis, private readonly key: string, private readonly runId: string, private readonly ttlMs: number) {}
  async acquire(): Promise<void> {
    const ok = await this.client.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') {
      throw new CmtError(
        'CMT_RUN_FAILED',
        `run ${this.runId} is being coordinated by another process; wait for it to finish (cmtmedqa status ${this.runId}), or, if that process died, rerun in ${this.ttlMs / 1000} s when its lock expires`,
        { runId: this.runId },
      );
    }
  }
  async refresh(): Promise<void> {
    const holder = await this.client.get(this.key);
    if (holder === this.token) await this.client.pexpire(this.key, this.ttlMs);
    else if (holder === null) await this.client.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
  }
  async release(): Promise<void> {
    if ((await this.client.get(this.key)) === this.token) await this.client.del(this.key);
  }
}

export async function runBullmq(opts: BullmqRunOptions): Promise<RunResult> {
  const { pipeline, logger } = opts;
  const started = performance.now();
  const url = redisUrl(opts.redisUrl);
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const client = await openClient(url, 'cmtmedqa-coordinator');
  const outage = watchOutage(client, { url, logger: logger.child({ executor: 'bullmq' }), role: 'run', everyMs: opts.outageLogMs });
  try {
    const runId = opts.runId ? checkRunId(opts.runId) : await deriveRunId(pipeline, RUN_FORMAT);
    const keys = new RunKeys(prefix, runId);
    const lock = new CoordinatorLock(client, keys.coordinatorLock, runId, opts.lockTtlMs ?? 15_000);
    await lock.acquire();
    try {
      return await coordinate(opts, { url, prefix, client, keys, lock, started, log: logger.child({ executor: 'bullmq', runId }) });
    } finally {
      await lock.release().catch(() => {});
    }
  } finally {
    outage.stop();
    await client.quit().catch(() => client.disconnect());
  }
}

interface Ctx {
  url: string;
  prefix: string;
  client: Redis;
  keys: RunKeys;
  lock: CoordinatorLock;
  started: number;
  log: RunOptions['logger'];
}

async function coordinate(opts: BullmqRunOptions, c: Ctx): Promise<RunResult> {
  return runPipeline(await pipelineRun(opts), bullmqExecutor(opts, c));
}

/**
 * The coordinator as an executor of the run shell: `feed` registers the run, enqueues the import,
 * and hands the finaliser the stored results in seq order; the shell writes the output; then the
 * run's books are closed (`committed`) and its Redis keys removed (`close`).
 */
function bullmqExecutor(opts: BullmqRunOptions, c: Ctx): Executor {
  const { pipeline } = opts;
  const { config } = pipeline;
  const { client, keys, log } = c;
  const store = new RunStore(client, keys, path.resolve(opts.runStore ?? defaultRunStoreRoot()));
  const chain = stageChain(config);
  const queues = new Map<QueueStage, Queue>();
  const local: { services: WorkerService[]; children: ChildWorker[] } = { services: [], children: [] };
  const done = new Deferred<void>();
  const stopped = new Deferred<void>();
  let importSeconds = 0;
  let finaliseWorker: Worker | undefined;
  let watchdog: Promise<void> | undefined;
  let feeder: ResultFeeder | undefined;
  /** This coordinator wrote the run record: only then may a failure mark the run failed (a refused run, e.g. another config under the same run id or a locked output, leaves the record as it was). */
  let registered = false;
  return {
    name: 'bullmq',
    // Shard jobs of the finish step go to the workers (src/executors/bullmq/shard-jobs.ts).
    writeShards: (outDir, jobs) => shardsOnWorkers(queues.get('shard')!, () => store.dir, { attempts: config.executor.attempts, backoffMs: opts.backoffMs ?? 1000 })(outDir, jobs),
    async feed(fin) {
      const graphVersion = opts.graph ? await opts.graph.version() : null;
      const record: RunRecord = {
        pipeline: toStoredPipeline(pipeline),
        state: 'running',
        stages: chain,
        attempts: config.executor.attempts,
        backoffMs: opts.backoffMs ?? 1000,
        graphVersion,
        store: path.resolve(opts.runStore ?? defaultRunStoreRoot()),
        maxInFlight: opts.maxInFlight ?? 64,
      };
      const connection = bullConnection(c.url);
      for (const s of ['import', ...chain, 'finalise', 'shard'] as QueueStage[]) queues.set(s, openQueue(keys.queue(s), { redisUrl: c.url, prefix: c.prefix, logger: log }));
      const queue = (s: QueueStage) => queues.get(s)!;

      const resumed = await prepareRecord(c, store, record, queues);
      registered = true;
      log.info({ runId: keys.runId, resumed, stages: chain }, 'bullmq run started');

      const feed = new ResultFeeder(store, fin, log);
      feeder = feed;
      feed.start().catch((e: unknown) => done.reject(e));

      await startLocalWorkers(opts, c, local);

      // Only this process consumes the finalise queue: the output directory is here. The job
      // completes once every result is fed; the shell then writes the output here.
      finaliseWorker = new Worker(
        keys.queue('finalise'),
        async (_job: Job) => {
          await client.hset(keys.record, 'state', 'finalising');
          log.info({ seconds: (performance.now() - c.started) / 1000, fed: feed.fed }, 'every batch has a result; finalising');
          try {
            await feed.start();
            done.resolve();
            return { fed: feed.fed };
          } catch (e) {
            done.reject(e);
            throw e;
          }
        },
        { connection, prefix: c.prefix, concurrency: 1, lockDuration: opts.workerTuning?.lockDuration ?? 30_000, stalledInterval: opts.workerTuning?.stalledInterval ?? 30_000, maxStalledCount: 5, drainDelay: 2 },
      );
      finaliseWorker.on('error', (err) => log.debug({ err }, 'finalise worker error'));

      const deps: HandOnDeps = { runId: keys.runId, record, store, logger: log, queue };
      let importDone = false;
      watchdog = watch(opts, c, store, deps, done, stopped, () => importDone);

      // Import: one job per work unit (an input file, a scrape source); workers read and parse
      // it and cut it into the stage jobs, with back-pressure (record.maxInFlight). Here: the books.
      const t0 = performance.now();
      const units = await workUnits(config, pipeline.baseDir);
      feed.setUnits(units.length);
      await queue('import').addBulk(units.map((u) => ({ name: 'import', data: u, opts: { ...stageJobOptions(record, 0, ''), jobId: unitJobId(u.unit) } })));
      log.info({ units: units.length }, 'work units enqueued');
      let total: number | undefined;
      while (!done.settled) {
        const counts = await store.unitBatches();
        if (counts.size >= units.length) {
          total = [...counts.values()].reduce((a, b) => a + b, 0);
          break;
        }
        await Promise.race([sleep(200), done.promise.catch(() => {})]);
      }
      importSeconds = (performance.now() - t0) / 1000;
      importDone = true;
      if (total !== undefined) {
        await client.hset(keys.record, 'total', total);
        if ((await store.resultCount()) >= total) await enqueueFinalise(queue('finalise'));
        log.info({ batches: total, importSeconds }, 'every unit imported');
      }

      await done.promise;
      const counters = await store.counters();
      // Stage seconds are summed over every worker (CPU time of the stage), as in the local report.
      const stageSeconds: Record<string, number> = { 'import+dedup': (counters['t:import'] ?? 0) + feed.feedSeconds };
      for (const s of STAGES) stageSeconds[s] = counters[`t:${s}`] ?? 0;
      return { stageSeconds };
    },
    async committed(result) {
      log.info({ seconds: (performance.now() - c.started) / 1000, importSeconds, feedSeconds: feeder?.feedSeconds, shardSeconds: result.report.throughput.stageSeconds.shard }, 'run finalised');
      await client
        .multi()
        .hset(keys.record, { state: 'finalised', finishedAt: Date.now(), summary: JSON.stringify({ manifest: result.manifest.counts, rejects: result.manifest.rejects.records, dialogues: result.report.dialogues, outDir: result.outDir }) })
        .publish(runsChannel(c.prefix), keys.runId)
        .exec();
    },
    async close(failure) {
      if (failure !== undefined && registered) {
        // Kept for a resume (same pipeline, or --run-id): queues, results and record stay; workers let go.
        await client
          .multi()
          .hset(keys.record, { state: 'failed', error: failure instanceof Error ? failure.message : String(failure) })
          .srem(runsKey(c.prefix), keys.runId)
          .publish(runsChannel(c.prefix), keys.runId)
          .exec()
          .catch(() => {});
      }
      feeder?.stop();
      if (!done.settled) done.reject(new Error('coordinator stopped'));
      done.promise.catch(() => {});
      stopped.resolve();
      await watchdog?.catch(() => {});
      await finaliseWorker?.close().catch(() => {});
      await Promise.all(local.services.map((s) => s.close(failure !== undefined)));
      await Promise.all(local.children.map((ch) => ch.stop()));
      if (failure === undefined && !opts.keepRun) await cleanup(c, store, queues).catch((e: unknown) => log.warn({ err: e }, 'cleanup of the run\'s Redis keys failed'));
      else if (failure === undefined) await client.srem(runsKey(c.prefix), keys.runId).catch(() => {});
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
    },
  };
}

/**
 * Writes the run record and announces the run. A run that already finalised starts afresh (its
 * leftovers are removed); an unfinished one is resumed: its jobs and results are reused.
 * Returns whether this is a resume.
 */
async function prepareRecord(c: Ctx, store: RunStore, record: RunRecord, queues: Map<QueueStage, Queue>): Promise<boolean> {
  const { client, keys } = c;
  const prev = await store.record().catch(() => undefined);
  if (prev && prev.pipeline.configHash !== record.pipeline.configHash) {
    throw new CmtError('CMT_USAGE', `run id ${keys.runId} belongs to another pipeline config (${prev.pipeline.configHash.slice(0, 12)}); use another --run-id`, { runId: keys.runId });
  }
  const resumed = prev !== undefined && prev.state !== 'finalised';
  if (resumed && prev.pipeline.config.executor.batchSize !== record.pipeline.config.executor.batchSize) {
    throw new CmtError('CMT_USAGE', `run ${keys.runId} was cut into batches of ${prev.pipeline.config.executor.batchSize}, not ${record.pipeline.config.executor.batchSize}: resume it with the same executor.batchSize, or use another --run-id`, { runId: keys.runId });
  }
  if (prev && !resumed) await cleanup(c, store, queues);
  if (!resumed) {
    const stale = Object.keys(await client.hgetall(keys.record));
    if (stale.length) await client.hdel(keys.record, ...stale);
  }
  if (resumed) {
    // A finalise job left completed/failed by a coordinator that died must be able to run again.
    const job = await queues.get('finalise')!.getJob(FINALISE_JOB_ID);
    if (job && (await job.isCompleted() || await job.isFailed())) await job.remove();
    // A unit whose import failed every attempt gets its attempts again.
    for (const j of await queues.get('import')!.getFailed(0, 1000)) await j.retry().catch(() => {});
  }
  await client
    .multi()
    .hset(keys.record, {
      pipeline: JSON.stringify(record.pipeline),
      state: 'running',
      stages: JSON.stringify(record.stages),
      attempts: record.attempts,
      backoffMs: record.backoffMs,
      graphVersion: record.graphVersion ?? '',
      store: record.store ?? '',
      maxInFlight: record.maxInFlight ?? 64,
      updated: Date.now(),
    })
    .hsetnx(keys.record, 'created', Date.now())
    .hdel(keys.record, 'error', 'summary', 'finishedAt')
    .persist(keys.record)
    .sadd(runsKey(c.prefix), keys.runId)
    .publish(runsChannel(c.prefix), keys.runId)
    .exec();
  return resumed;
}

async function startLocalWorkers(opts: BullmqRunOptions, c: Ctx, local: { services: WorkerService[]; children: ChildWorker[] }): Promise<void> {
  const n = opts.localWorkers ?? 1;
  if (n <= 0) return;
  if ((opts.workerMode ?? 'inprocess') === 'child') {
    for (let i = 0; i < n; i++) {
      local.children.push(spawnWorker({ redisUrl: c.url, prefix: c.prefix, runId: c.keys.runId, exitWhenDone: true, outageLog: false, env: opts.workerEnv, ...opts.workerTuning }));
    }
    await Promise.all(local.children.map((ch) => ch.ready));
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = new WorkerService({ redisUrl: c.url, prefix: c.prefix, runId: c.keys.runId, logger: opts.logger.child({ executor: 'bullmq', worker: i }), graph: opts.graph, hooks: opts.workerHooks, outageLogMs: 0, ...opts.workerTuning });
    local.services.push(s);
    await s.start();
  }
}

/**
 * While the run goes on: keep the coordinator lock, report progress, and hand failed stage jobs
 * (a job that stalled more than maxStalledCount times, or one whose hand-on kept failing) to the
 * same split/poison path a stage error takes, so that no batch is lost to the failed set.
 */
/** Runs until `stopped` (the executor's close): the lock is kept while the shell writes the output too. */
async function watch(opts: BullmqRunOptions, c: Ctx, store: RunStore, deps: HandOnDeps, done: Deferred<void>, stopped: Deferred<void>, importDone: () => boolean): Promise<void> {
  const progress: Progress = { batches: 0, dialogues: 0, records: 0, rejects: 0 };
  let lastWorkerWarning = Date.now();
  while (!stopped.settled) {
    try {
      await c.lock.refresh();
      const k = await store.counters();
      const next: Progress = { batches: k['p:batches'] ?? 0, dialogues: k['p:dialogues'] ?? 0, records: k['p:records'] ?? 0, rejects: k['p:rejects'] ?? 0 };
      if (next.batches !== progress.batches) {
        Object.assign(progress, next);
        opts.onProgress?.({ ...progress });
      }
      await sweepFailed(c, deps);
      if (importDone() && Date.now() - lastWorkerWarning > 30_000) {
        lastWorkerWarning = Date.now();
        const workers = await deps.queue(deps.record.stages[0]).getWorkersCount().catch(() => -1);
        if (workers === 0) c.log.warn({ runId: c.keys.runId }, 'no worker serves this run: start `cmtmedqa worker` (same Redis) or run with local workers');
      }
    } catch (e) {
      if (stopped.settled) break;
      if (e instanceof CmtError && e.code === 'CMT_RUN_FAILED') {
        if (!done.settled) done.reject(e);
        break;
      }
      c.log.warn({ err: e }, 'watchdog tick failed (Redis restarting?); retrying');
    }
    await Promise.race([sleep(Math.min(1000, (opts.lockTtlMs ?? 15_000) / 4)), stopped.promise]);
  }
}

async function sweepFailed(c: Ctx, deps: HandOnDeps): Promise<void> {
  // A unit that could not be imported after every attempt: the run cannot be complete.
  const iq = deps.queue('import');
  if ((await iq.getFailedCount()) > 0) {
    const [job] = await iq.getFailed(0, 0);
    const what = job ? ((job.data as { file?: { display?: string } }).file?.display ?? `work unit ${job.id}`) : 'a work unit';
    throw new CmtError('CMT_RUN_FAILED', `import of ${what} failed on every attempt: ${job?.failedReason ?? 'unknown error'}; fix the input and rerun (the run resumes)`, { runId: c.keys.runId });
  }
  for (const stage of deps.record.stages as StageName[]) {
    const q = deps.queue(stage);
    if ((await q.getFailedCount()) === 0) continue;
    for (const job of await q.getFailed(0, 200)) {
      const tag = `${stage}/${job.id}`;
      if (await c.client.sismember(c.keys.handledFailures, tag)) continue;
      if (!isDoneStub(job.data)) {
        let p: StagePayload;
        try {
          p = StageEnvelope.parse(job.data) as StagePayload;
        } catch (e) {
          throw new CmtError('CMT_RUN_FAILED', `${stage} job ${job.id} of run ${c.keys.runId} failed and its payload is unreadable: ${(e as Error).message}`, { runId: c.keys.runId });
        }
        p = job.data as StagePayload;
        await exhausted(deps, stage, p, new Error(job.failedReason || 'job failed'), job.attemptsMade, String(job.id));
      }
      await c.client.sadd(c.keys.handledFailures, tag);
    }
  }
}

/** Removes the run's queues and results; the record stays (finalised state, counts) with a TTL. */
async function cleanup(c: Ctx, store: RunStore, queues: Map<QueueStage, Queue>): Promise<void> {
  for (const q of queues.values()) await q.obliterate({ force: true });
  await store.dropData();
  await c.client.multi().srem(runsKey(c.prefix), c.keys.runId).expire(c.keys.record, RECORD_TTL_S).exec();
}
