/**
 * Stage workers: a thin BullMQ processor per stage queue (decode a batch, call the same stage
 * function the local executor calls, enqueue the result to the next stage or store it), for any
 * run announced in Redis. Holds no stage logic and no state that another machine would need:
 * everything a job needs is in its payload or in the run record.
 *
 * Runs are discovered from the `runs` set (polled) and the `runs` channel (immediate); a run gets
 * one BullMQ Worker per stage this process serves, closed again once the run is finalised.
 *
 * Failure policy: a stage error is retried with exponential backoff (the run's `attempts`); on the
 * last attempt the batch is split in halves that go back to the same queue, down to single items;
 * a single item that still fails becomes an `executor.poison_batch` reject carrying the error and
 * the item, and its batch completes without it. Nothing is dropped and the run still finalises.
 */
import path from 'node:path';
import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { KgConfig } from '../../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../../schemas/record.js';
import type { Reject } from '../../../schemas/reject.js';
import { boundHeapGrowth } from '../../core/heap.js';
import type { Logger } from '../../core/logger.js';
import { makeReject } from '../../core/reject.js';
import type { GraphPort } from '../../kg/port.js';
import { openGraph } from '../../kg/open.js';
import type { LoadedPipeline } from '../../pipeline/config.js';
import type { StageContext } from '../../stages/types.js';
import { canonicalTokenizer } from '../../tokens/names.js';
import { loadTokenizer, type TokenCounter } from '../../tokens/registry.js';
import { itemIdentity, nextStage, runStage, type StageOutput } from './chain.js';
import { bullConnection, createClient, connectOrFail, openQueue, watchOutage, type OutageWatch } from './connection.js';
import { DEFAULT_PREFIX, FINALISE_JOB_ID, jobId, RunKeys, runsChannel, runsKey, STAGES, unitSeq, type QueueStage, type StageName } from './keys.js';
import { computeKeys, prepareRejects } from '../../finish/precomputed.js';
import { unitBatches } from '../../pipeline/read-sources.js';
import {
  Carry,
  ImportUnit,
  StageEnvelope,
  emptyCarry,
  isDoneStub,
  stageItemSchema,
  toLoadedPipeline,
  validate,
  type LeafResult,
  type RunRecord,
  type StagePayload,
} from './payloads.js';
import { RunStore } from './store.js';
import { runShardTask, type ShardTask } from './shard-jobs.js';

export interface WorkerTuning {
  /** Jobs in parallel per stage queue (default: the run's executor.concurrency). */
  concurrency?: number;
  /** Job lock (ms); a worker that dies loses its jobs to another one after this (default 30000). */
  lockDuration?: number;
  /** How often stalled jobs are looked for (ms, default 30000). */
  stalledInterval?: number;
  /** Stalls (worker deaths) a job survives before it counts as failed (default 3). */
  maxStalledCount?: number;
}

export interface WorkerServiceOptions extends WorkerTuning {
  redisUrl: string;
  prefix?: string;
  /** Stages this process serves (default: all). */
  stages?: readonly StageName[];
  /** Serve only this run. */
  runId?: string;
  logger: Logger;
  /** A graph already opened by the caller (in-process workers share the coordinator's). */
  graph?: GraphPort;
  /** With `runId`: how long to wait for that run to be registered before giving up (default 10 min). */
  waitForRunMs?: number;
  /** How often the runs set is re-read (ms, default 1000); new runs are also announced at once. */
  scanIntervalMs?: number;
  /**
   * Log a lost Redis connection and its return (connection.ts watchOutage), every this many ms
   * while it is down (default 15 000); 0: not at all (in-process workers: their coordinator says it).
   */
  outageLogMs?: number;
  /** Worker name recorded on jobs (default cmtmedqa-<pid>). */
  name?: string;
  hooks?: StageHooks;
}

interface AttachedRun {
  runId: string;
  keys: RunKeys;
  record: RunRecord;
  pipeline: LoadedPipeline;
  store: RunStore;
  graph?: GraphPort;
  tokenizers?: TokenCounter[];
  workers: Worker[];
  queues: Map<QueueStage, Queue>;
  logger: Logger;
}

/** Job options of every stage job: deterministic id, the run's retry policy, kept after completion. */
export function stageJobOptions(record: Pick<RunRecord, 'attempts' | 'backoffMs'>, seq: number, part: string) {
  return {
    jobId: jobId(seq, part),
    attempts: record.attempts,
    backoff: { type: 'exponential' as const, delay: record.backoffMs },
    // Completed jobs stay (with their data replaced by a stub) so that a re-enqueued id is a no-op.
    removeOnComplete: false,
    removeOnFail: false,
  };
}

/**
 * Hooks around each stage job, injected by the caller (the crash-safety tests slow jobs down or
 * make one item fail through them; production workers have none).
 */
export interface StageHooks {
  /** Runs before the stage; a throw fails the job like a stage error (retry, split, poison). */
  beforeStage?(stage: StageName, items: unknown[]): void | Promise<void>;
}

const ITEMS = new Map<StageName, z.ZodType>(STAGES.map((s) => [s, z.array(stageItemSchema(s))]));

function withCleaning(carry: Carry, counts: Record<string, number> | undefined): Carry {
  if (!counts || Object.keys(counts).length === 0) return carry;
  const cleaning = { ...(carry.cleaning ?? {}) };
  for (const [k, v] of Object.entries(counts)) cleaning[k] = (cleaning[k] ?? 0) + v;
  return { ...carry, cleaning };
}

function withRejects(carry: Carry, stage: StageName, rejects: Reject[]): Carry {
  if (rejects.length === 0) return carry;
  return { ...carry, rejects: { ...carry.rejects, [stage]: [...carry.rejects[stage], ...rejects] } };
}

export class WorkerService {
  private readonly prefix: string;
  private readonly stages: readonly StageName[];
  private client!: Redis;
  private sub?: Redis;
  private readonly attached = new Map<string, AttachedRun>();
  /** Runs that failed to attach (resources would not open): retried on later scans, logged once. */
  private readonly broken = new Set<string>();
  private readonly graphs = new Map<string, Promise<GraphPort>>();
  private scanning: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private outage?: OutageWatch;
  private closing = false;
  private resolveRunDone?: () => void;
  /** With `runId`: whether that run has been seen registered (a run not yet registered is waited for). */
  private runSeen = false;
  private readonly startedAt = Date.now();
  /** With `runId`: resolves once that run is finalised (or gone), for workers started for one run. */
  readonly runDone: Promise<void>;

  constructor(private readonly opts: WorkerServiceOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.stages = opts.stages ?? STAGES;
    this.runDone = new Promise((r) => {
      this.resolveRunDone = r;
    });
  }

  async start(): Promise<void> {
    this.client = await connectOrFail(createClient(this.opts.redisUrl, 'cmtmedqa-worker'), this.opts.redisUrl);
    if (this.opts.outageLogMs !== 0) this.outage = watchOutage(this.client, { url: this.opts.redisUrl, logger: this.opts.logger, role: 'worker', everyMs: this.opts.outageLogMs });
    this.sub = this.client.duplicate();
    this.sub.on('error', () => {});
    this.sub.on('message', () => this.scan());
    await this.sub.subscribe(runsChannel(this.prefix));
    await this.scan();
    this.timer = setInterval(() => this.scan(), this.opts.scanIntervalMs ?? 1000);
    this.opts.logger.info({ stages: this.stages, runId: this.opts.runId }, 'worker started');
  }

  /** Runs currently served. */
  get runs(): string[] {
    return [...this.attached.keys()];
  }

  /** Re-reads the runs set; serialised, errors logged (a restarting Redis is retried next tick). */
  scan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scanOnce()).catch((e: unknown) => {
      this.opts.logger.warn({ err: e }, 'run discovery failed; retrying');
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.closing) return;
    const ids = this.opts.runId ? [this.opts.runId] : await this.client.smembers(runsKey(this.prefix));
    const wanted = new Set(ids);
    for (const runId of ids) {
      const store = new RunStore(this.client, new RunKeys(this.prefix, runId));
      const record = await store.record();
      const live = record !== undefined && (record.state === 'running' || record.state === 'finalising');
      if (record !== undefined) this.runSeen = true;
      if (!live) {
        wanted.delete(runId);
        // A run that is not registered yet is waited for (a worker may start before its coordinator);
        // one that was registered and is now gone, finalised or failed is done.
        const ended = record !== undefined ? record.state === 'finalised' || record.state === 'failed' : this.runSeen;
        const waitedOut = record === undefined && !this.runSeen && Date.now() - this.startedAt > (this.opts.waitForRunMs ?? 600_000);
        if (this.opts.runId && waitedOut) this.opts.logger.warn({ runId }, 'the run was never registered; giving up waiting for it');
        if (this.opts.runId && (ended || waitedOut)) this.resolveRunDone?.();
        continue;
      }
      if (!this.attached.has(runId)) await this.attach(runId, record, store);
    }
    for (const runId of [...this.attached.keys()]) if (!wanted.has(runId)) await this.detach(runId);
  }

  private async attach(runId: string, record: RunRecord, store: RunStore): Promise<void> {
    if (this.closing) return;
    const keys = store.keys;
    if (record.store) store.useRoot(record.store);
    // The finish step's per-record hashing (exact-dedup keys, MinHash signatures) is done here, in parallel.
    store.keysFor = (records) => computeKeys(record.pipeline.config, records);
    store.rejectsFor = (rejects) => prepareRejects(record.pipeline.config, rejects);
    const logger = this.opts.logger.child({ runId });
    const pipeline = toLoadedPipeline(record.pipeline);
    // Process-wide: a worker serving several runs at once takes the setting of the last one attached.
    boundHeapGrowth(pipeline.config.executor.heapGrowthPercent);
    let graph = this.opts.graph;
    const kg = pipeline.config.kg;
    if (!graph && kg && record.stages.includes('validate') && this.stages.includes('validate')) {
      try {
        graph = await this.graphFor(kg, pipeline.baseDir, record.graphVersion ?? null);
      } catch (e) {
        if (!this.broken.has(runId)) logger.error({ err: e }, 'cannot open the run\'s graph; not serving it yet (retrying)');
        this.broken.add(runId);
        return;
      }
    }
    this.broken.delete(runId);
    // Token counting is part of the split step (src/pipeline/process.ts): load the run's tokenizers (cached per process).
    const tokenizers = this.stages.includes('split') && pipeline.config.tokens.tokenizers.length
      ? await Promise.all([...new Set(pipeline.config.tokens.tokenizers.map(canonicalTokenizer))].map((n) => loadTokenizer(n)))
      : undefined;
    const connection = bullConnection(this.opts.redisUrl);
    const run: AttachedRun = { runId, keys, record, pipeline, store, graph, tokenizers, workers: [], queues: new Map(), logger };
    for (const s of ['import', ...record.stages, 'finalise', 'shard'] as QueueStage[]) run.queues.set(s, openQueue(keys.queue(s), { redisUrl: this.opts.redisUrl, prefix: this.prefix, logger }));
    // Work units are imported by the workers that serve the first stage (they enqueue its jobs).
    const served: Array<'import' | 'shard' | StageName> = this.stages.includes(record.stages[0]) ? ['import'] : [];
    for (const stage of record.stages) if (this.stages.includes(stage)) served.push(stage);
    // Shard jobs of the finish step: by the workers that serve the last stage.
    if (this.stages.includes(record.stages[record.stages.length - 1])) served.push('shard');
    for (const stage of served) {
      const w = new Worker(keys.queue(stage), (job: Job, token?: string) => (stage === 'import' ? this.importUnit(run, job, token) : stage === 'shard' ? runShardTask(job.data as ShardTask) : this.process(run, stage, job)), {
        connection,
        prefix: this.prefix,
        name: this.opts.name ?? `cmtmedqa-${process.pid}`,
        concurrency: this.opts.concurrency ?? pipeline.config.executor.concurrency,
        lockDuration: this.opts.lockDuration ?? 30_000,
        stalledInterval: this.opts.stalledInterval ?? 30_000,
        maxStalledCount: this.opts.maxStalledCount ?? 3,
        // Short long-poll: an idle worker notices a detached run quickly.
        drainDelay: 2,
      });
      let lastError = 0;
      w.on('error', (err) => {
        // Connection errors repeat every retry while Redis restarts: log them at most every 5 s.
        if (Date.now() - lastError > 5000) logger.warn({ err, stage }, 'worker error');
        lastError = Date.now();
      });
      w.on('failed', (job, err) => {
        if (job && job.attemptsMade < (job.opts.attempts ?? 1)) logger.warn({ stage, jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'stage job failed; will retry');
        else logger.error({ stage, jobId: job?.id, err: err.message }, 'stage job failed');
      });
      run.workers.push(w);
    }
    this.attached.set(runId, run);
    logger.info({ stages: record.stages.filter((s) => this.stages.includes(s)) }, 'serving run');
  }

  /**
   * The graph a run validates against. Only the graph: the finalise-side resources (tokenizers,
   * near-duplicate index) are the coordinator's. Kept across runs (opening the full graph and
   * building its matcher takes a while), reopened when its data changed, and checked against the
   * version the coordinator validates with, so every batch of a run sees the same graph.
   */
  private async graphFor(kg: KgConfig, baseDir: string, want: string | null): Promise<GraphPort> {
    const key = JSON.stringify(['snapshot' in kg ? path.resolve(baseDir, kg.snapshot) : kg.neo4j]);
    let g = await this.graphs.get(key)?.catch(() => undefined);
    if (g && want && (await g.version()) !== want) {
      this.graphs.delete(key);
      await g.close().catch(() => {});
      g = undefined;
    }
    if (!g) {
      const opening = openGraph(kg, baseDir);
      this.graphs.set(key, opening);
      try {
        g = await opening;
      } catch (e) {
        this.graphs.delete(key);
        throw e;
      }
    }
    const version = await g.version();
    if (want && version !== want) throw new Error(`this worker's graph is version ${version.slice(0, 12)}, the run validates against ${want.slice(0, 12)} (same kg section, different data?)`);
    return g;
  }

  private async detach(runId: string): Promise<void> {
    const run = this.attached.get(runId);
    if (!run) return;
    this.attached.delete(runId);
    await this.closeRun(run, false);
    run.logger.info('run done; stopped serving it');
  }

  private async closeRun(run: AttachedRun, force: boolean): Promise<void> {
    await Promise.all(run.workers.map((w) => w.close(force).catch(() => {})));
    await Promise.all([...run.queues.values()].map((q) => q.close().catch(() => {})));
  }

  private queue(run: AttachedRun, stage: QueueStage): Queue {
    const q = run.queues.get(stage);
    if (!q) throw new Error(`run ${run.runId} has no ${stage} queue`);
    return q;
  }

  /**
   * The import processor: reads and parses one work unit, cuts it into batches exactly as the
   * local executor does and enqueues each to the first stage (unit-major seqs), waiting while the
   * stage queues already hold record.maxInFlight batches (so Redis holds a bounded window of items). A rerun (stall, retry) re-adds the
   * same job ids, which is a no-op for the batches already there.
   */
  private async importUnit(run: AttachedRun, job: Job, token?: string): Promise<unknown> {
    const u = validate(ImportUnit, job.data, `import job ${job.id} of run ${run.runId}`);
    const { config, baseDir } = run.pipeline;
    const first = run.record.stages[0];
    const q = this.queue(run, first);
    const max = run.record.maxInFlight ?? 64;
    const t0 = performance.now();
    let waited = 0;
    let n = 0;
    for await (const batch of unitBatches(config, baseDir, run.logger, u, config.executor.batchSize)) {
      for (;;) {
        // Batches anywhere in the chain (their items are in Redis until the last stage stores them).
        let queued = 0;
        for (const s of run.record.stages) {
          const c = await this.queue(run, s).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          queued += (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
        }
        if (queued < max) break;
        if (this.closing || !this.attached.has(run.runId)) {
          // Stopping (SIGINT, SIGTERM, the run detached): no stage worker will make room, so waiting
          // would hold the close forever. The unit goes back to the queue without using an attempt;
          // its batches already added keep their job ids, so a resumed run re-adds only the rest.
          await job.moveToDelayed(Date.now() + 1000, token);
          throw new DelayedError();
        }
        const w = performance.now();
        await new Promise((r) => setTimeout(r, 20));
        waited += performance.now() - w;
      }
      const seq = unitSeq(u.unit, batch.seq);
      const payload: StagePayload = {
        seq,
        part: '',
        items: batch.dialogues,
        carry: { dialogueIds: batch.dialogues.map((d) => d.id), inputs: batch.dialogues.length + batch.rejects.length, rejects: { ...emptyCarry().rejects, import: batch.rejects }, ...(batch.rejectAt ? { rejectAt: batch.rejectAt } : {}) },
      };
      await q.add(first, payload, stageJobOptions(run.record, seq, ''));
      n++;
    }
    await run.store.unitDone(u.unit, n);
    await run.store.addTiming('import', (performance.now() - t0 - waited) / 1000);
    return { batches: n };
  }

  /** The processor: one batch (part) through one stage. */
  private async process(run: AttachedRun, stage: StageName, job: Job): Promise<unknown> {
    if (isDoneStub(job.data)) return { handedOn: true };
    const p = validate(StageEnvelope, job.data, `${stage} job ${job.id} of run ${run.runId}`) as StagePayload;
    const ctx: StageContext = { config: run.pipeline.config, logger: run.logger.child({ stage, jobId: job.id }), graph: run.graph, tokenizers: run.tokenizers };
    // A re-delivered job (retry or stall) whose part was already split must stay split, even if
    // the stage would succeed now: its halves are the ones the batch waits for.
    if (job.attemptsStarted > 1 && p.items.length > 1 && (await run.store.isSplit(p.seq, p.part))) {
      const note = await exhausted(this.handOnDeps(run), stage, p, new Error(job.failedReason || 'split before'), job.attemptsMade, String(job.id));
      await job.updateData({ seq: p.seq, part: p.part, done: true, poisoned: note });
      return { poisoned: note };
    }
    const t0 = performance.now();
    let out: StageOutput;
    try {
      // Items are data: one that does not parse fails like a stage error and ends as a poison reject.
      validate(ITEMS.get(stage)!, p.items, `${stage} items of job ${job.id}`);
      await this.opts.hooks?.beforeStage?.(stage, p.items);
      out = await runStage(stage, p.items, ctx);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 < attempts) throw err;
      const note = await exhausted(this.handOnDeps(run), stage, p, err, attempts, String(job.id));
      await job.updateData({ seq: p.seq, part: p.part, done: true, poisoned: note });
      return { poisoned: note };
    }
    const seconds = (performance.now() - t0) / 1000;
    await this.handOn(run, stage, { seq: p.seq, part: p.part, items: out.out, carry: withCleaning(withRejects(p.carry, stage, out.rejects), out.counts) });
    await run.store.addTiming(stage, seconds);
    // The next stage has the batch now; a retry of this job (crash before completion) has nothing to redo.
    await job.updateData({ seq: p.seq, part: p.part, done: true });
    return { out: out.out.length, rejects: out.rejects.length };
  }

  private handOnDeps(run: AttachedRun): HandOnDeps {
    return {
      runId: run.runId,
      record: run.record,
      store: run.store,
      logger: run.logger,
      queue: (s) => this.queue(run, s),
    };
  }

  private async handOn(run: AttachedRun, stage: StageName, p: StagePayload): Promise<void> {
    await handOn(this.handOnDeps(run), stage, p);
  }

  /** Closes every BullMQ worker (waiting for the jobs in flight unless `force`), then the clients. */
  async close(force = false): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.scanning.catch(() => {});
    await Promise.all([...this.attached.values()].map((r) => this.closeRun(r, force)));
    this.attached.clear();
    for (const g of this.graphs.values()) await g.then((x) => x.close()).catch(() => {});
    this.graphs.clear();
    this.outage?.stop();
    if (this.sub) this.sub.disconnect();
    if (this.client) await this.client.quit().catch(() => this.client.disconnect());
    this.resolveRunDone?.();
  }
}

/** What handing a batch on needs: shared by the stage processor and the coordinator's failed-job sweep. */
export interface HandOnDeps {
  runId: string;
  record: Pick<RunRecord, 'stages' | 'attempts' | 'backoffMs'>;
  store: RunStore;
  logger: Logger;
  queue: (stage: QueueStage) => Queue;
}

/** Sends a stage's output to the next stage, or stores it as a leaf when the chain ends here. */
export async function handOn(d: HandOnDeps, stage: StageName, p: StagePayload): Promise<void> {
  const next = nextStage(d.record.stages, stage);
  if (next) {
    await d.queue(next).add(next, p, stageJobOptions(d.record, p.seq, p.part));
    return;
  }
  await finishLeaf(d, p.seq, p.part, { records: p.items as RecordEnvelope[], carry: p.carry });
}

async function finishLeaf(d: HandOnDeps, seq: number, part: string, leaf: LeafResult): Promise<void> {
  if (await d.store.leafDone(seq, part, leaf)) await enqueueFinalise(d.queue('finalise'));
}

export async function enqueueFinalise(q: Queue): Promise<void> {
  await q.add('finalise', {}, { jobId: FINALISE_JOB_ID, attempts: 1, removeOnComplete: false, removeOnFail: false });
}

/**
 * A batch (part) failed its last attempt: split it in halves back into the same stage queue, or,
 * for a single item, park it as an `executor.poison_batch` reject and finish the part without it.
 * Idempotent (the split is recorded once, the halves' job ids are deterministic).
 */
export async function exhausted(d: HandOnDeps, stage: StageName, p: StagePayload, err: Error, attempts: number, failedJobId: string): Promise<string> {
  if (p.items.length > 1) {
    const k = Math.ceil(p.items.length / 2);
    await d.store.splitPart(p.seq, p.part);
    const halves: StagePayload[] = [
      { seq: p.seq, part: `${p.part}0`, items: p.items.slice(0, k), carry: p.carry },
      { seq: p.seq, part: `${p.part}1`, items: p.items.slice(k), carry: emptyCarry() },
    ];
    await d.queue(stage).addBulk(halves.map((h) => ({ name: stage, data: h, opts: stageJobOptions(d.record, h.seq, h.part) })));
    d.logger.warn({ stage, jobId: failedJobId, items: p.items.length, err: err.message }, 'batch failed its last attempt; split in halves');
    return `split into ${k} + ${p.items.length - k} items after ${attempts} attempts: ${err.message}`;
  }
  const poison: Reject[] = p.items.map((item) => {
    const { dialogueId, origin } = itemIdentity(stage, item);
    return makeReject({
      stage: 'executor',
      reason: 'executor.poison_batch',
      detail: err.message,
      origin,
      dialogueId,
      input: item,
      evidence: { stage, attempts, jobId: failedJobId },
    });
  });
  if (poison.length) d.logger.error({ stage, jobId: failedJobId, dialogueId: poison[0].dialogueId, err: err.message }, 'item failed every attempt; parked as executor.poison_batch');
  else d.logger.error({ stage, jobId: failedJobId, err: err.message }, 'an empty batch failed every attempt; finishing it with its carried rejects');
  await finishLeaf(d, p.seq, p.part, { records: [], carry: withRejects(p.carry, stage, poison) });
  return poison.length ? `poisoned after ${attempts} attempts: ${err.message}` : `empty batch failed: ${err.message}`;
}

