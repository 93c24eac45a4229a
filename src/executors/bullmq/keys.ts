/**
 * Names in Redis for the BullMQ executor: the key prefix, per-run queue names, the run's own keys,
 * job ids, and the deterministic run id. Everything that names a Redis key goes through here, so
 * the coordinator, the workers, `status` and the dashboard cannot disagree.
 *
 * Layout (prefix `cmt` by default):
 *   cmt:<runId>.<stage>:*      BullMQ queues of one run (import, then the enabled batch stages, finalise)
 *   cmt:run:<runId>            the run record (hash: pipeline, state, total, timings …)
 *   cmt:run:<runId>:results    a marker per seq whose ProcessedBatch is in the run store (hash, field = seq)
 *   cmt:run:<runId>:units      batches per imported work unit (hash, field = unit)
 *   cmt:run:<runId>:parts / :pending:<seq> / :leaves:<seq> / :splits   poison-split bookkeeping
 *   cmt:runs                   the runs workers should serve (set); channel cmt:runs announces new ones
 *   cmt:schedule:*             the BullMQ queue of scheduled pipeline runs
 * BullMQ forbids ':' in queue names and job ids, hence the dots and dashes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CmtError } from '../../core/errors.js';
import type { LoadedPipeline } from '../../pipeline/config.js';
import { expandSource } from '../../pipeline/read-sources.js';
import type { StageName } from '../../pipeline/stages.js';

export const DEFAULT_PREFIX = 'cmt';

/** The per-batch stages, in chain order (the stage registry); `finalise` is the run's last, coordinator-only queue. */
export { STAGE_NAMES as STAGES, type StageName } from '../../pipeline/stages.js';
/** `import`: one job per work unit (an input file or a scrape source), run by workers, which cut it into batches. */
export type QueueStage = 'import' | StageName | 'finalise' | 'shard';

/**
 * Batch seqs are unit-major: batch k of work unit u is seq u × UNIT_STRIDE + k, so a worker can
 * number the batches of its unit without knowing how many the units before it have. The
 * coordinator feeds them to the finaliser in that order, renumbered 0, 1, 2 …
 */
export const UNIT_STRIDE = 1_000_000;

export function unitSeq(unit: number, k: number): number {
  if (k >= UNIT_STRIDE) throw new CmtError('CMT_RUN_FAILED', `work unit ${unit} has more than ${UNIT_STRIDE} batches: raise executor.batchSize`, { unit });
  return unit * UNIT_STRIDE + k;
}

export function unitJobId(unit: number): string {
  return `u${unit}`;
}

/** The name of the queue holding scheduled pipeline runs. */
export const SCHEDULE_QUEUE = 'schedule';

const RUN_ID = /^[A-Za-z0-9._-]{1,120}$/;

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new CmtError('CMT_USAGE', `run id ${JSON.stringify(runId)} must be 1–120 letters, digits, dot, underscore or dash`, { runId });
  return runId;
}

export class RunKeys {
  constructor(readonly prefix: string, readonly runId: string) {
    checkRunId(runId);
  }
  queue(stage: QueueStage): string {
    return `${this.runId}.${stage}`;
  }
  get record(): string {
    return `${this.prefix}:run:${this.runId}`;
  }
  get results(): string {
    return `${this.record}:results`;
  }
  /** Batches per work unit (hash, field = unit), written by the worker that imported it. */
  get units(): string {
    return `${this.record}:units`;
  }
  get parts(): string {
    return `${this.record}:parts`;
  }
  get splits(): string {
    return `${this.record}:splits`;
  }
  get coordinatorLock(): string {
    return `${this.record}:coordinator`;
  }
  get handledFailures(): string {
    return `${this.record}:handled`;
  }
  pending(seq: number): string {
    return `${this.record}:pending:${seq}`;
  }
  leaves(seq: number): string {
    return `${this.record}:leaves:${seq}`;
  }
}

export function runsKey(prefix: string): string {
  return `${prefix}:runs`;
}

/** Pub/sub channel on which a coordinator announces a new run (workers also poll runsKey). */
export function runsChannel(prefix: string): string {
  return `${prefix}:runs`;
}

/**
 * Job id of one batch or batch part in a stage queue: `s<seq>` for a whole batch, `s<seq>-p<path>`
 * for a part after poison splitting (path: '0'/'1' per halving). Deterministic, so re-enqueueing
 * after a crash or a replay never duplicates a job.
 */
export function jobId(seq: number, part: string): string {
  return part === '' ? `s${seq}` : `s${seq}-p${part}`;
}

export const FINALISE_JOB_ID = 'finalise';

/**
 * The run id: pipeline name + a hash of the output-deciding config, the batch size, the bytes of
 * every input file (in source order) and the stored-format version. The same input and config always give the same run, so
 * replaying a run reuses its jobs and results instead of duplicating them.
 */
export async function deriveRunId(pipeline: LoadedPipeline, codeVersion: string): Promise<string> {
  const h = createHash('sha256');
  // The batch size decides what each stored result (one per seq) holds, so it is part of the run.
  h.update(`cmtmedqa-run\0${codeVersion}\0${pipeline.configHash}\0${pipeline.config.executor.batchSize}\0`);
  for (let i = 0; i < pipeline.config.sources.length; i++) {
    const files = await expandSource(pipeline.config.sources[i], i, pipeline.baseDir);
    for (const f of files) {
      h.update(`${i}\0${f.display}\0`);
      for await (const chunk of createReadStream(f.absolute, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) h.update(chunk);
      h.update('\0');
    }
  }
  return `${pipeline.config.name}-${h.digest('hex').slice(0, 16)}`;
}
