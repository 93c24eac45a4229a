/**
 * One run shell for every executor: runPipeline(run, executor) stages the output directory,
 * opens the finaliser, lets the executor feed it every processed batch in seq order, and then owns
 * the run tail: finish (shards, sidecars, rejects, dataset_info, card) → manifest.json → report →
 * commit. The in-process and thread-pool executors (local.ts), the BullMQ coordinator
 * (bullmq/run.ts) and revalidate (revalidate.ts) each implement only `feed`, so the tail is
 * written once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import { CmtError, isCmtError, systemError, writeFailureKind } from '../core/errors.js';
import { boundHeapGrowth } from '../core/heap.js';
import type { Logger } from '../core/logger.js';
import type { GraphPort } from '../kg/port.js';
import { Finaliser, type FinaliseOptions, type RecordFilter } from '../output/finaliser.js';
import type { StagedOutput } from '../output/out-dir.js';
import { buildReport, writeReport, type RunReport } from '../output/report.js';
import type { TokenCounter } from '../tokens/registry.js';
import type { LoadedPipeline } from './config.js';
import { openRunOutput } from './preflight.js';

export interface Progress {
  batches: number;
  dialogues: number;
  records: number;
  rejects: number;
}

/** What every run executor takes (the BullMQ one adds its own options). */
export interface RunOptions {
  pipeline: LoadedPipeline;
  outDir: string;
  logger: Logger;
  graph?: GraphPort;
  tokenizers?: TokenCounter[];
  filters?: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
  onProgress?: (p: Progress) => void;
  /** Replace an output directory holding files cmtmedqa did not write (`--force`). */
  force?: boolean;
  /** Aborted (SIGINT/SIGTERM from the CLI): the run stops before it commits, its partial output removed (CMT_INTERRUPTED). */
  signal?: AbortSignal;
}

export interface RunResult {
  outDir: string;
  manifest: Manifest;
  report: RunReport;
}

export async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** What the shell needs to know about a run, whichever executor feeds it. */
export interface PipelineRun {
  config: Pipeline;
  configHash: string;
  graphVersion: string | null;
  /** The final output directory (the shell writes into a staged one beside it). */
  outDir: string;
  logger: Logger;
  filters?: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
  /** Stages the output directory (checks, lock); commit swaps it into `outDir`. */
  stageOutput(): Promise<StagedOutput>;
  signal?: AbortSignal;
  /** Replace a previous output even with one that holds no records (`--force`). */
  force?: boolean;
}

/** The run of a pipeline (`cmtmedqa run`), for runOptions of any executor. */
export async function pipelineRun(opts: RunOptions): Promise<PipelineRun> {
  return {
    config: opts.pipeline.config,
    configHash: opts.pipeline.configHash,
    graphVersion: opts.graph ? await opts.graph.version() : null,
    outDir: opts.outDir,
    logger: opts.logger,
    filters: opts.filters,
    weight: opts.weight,
    tokenizer: opts.tokenizer,
    stageOutput: () => openRunOutput(opts.pipeline, opts.outDir, opts.force),
    signal: opts.signal,
    force: opts.force,
  };
}

export interface FeedResult {
  /** Seconds per step measured by the executor (import+dedup, then one per batch stage); the shell adds `shard`. */
  stageSeconds: Record<string, number>;
}

export interface Executor {
  /** The report's `executor`. */
  readonly name: string;
  /** Writes shard jobs of the finish step elsewhere (BullMQ: on workers); default: in this process. */
  writeShards?: FinaliseOptions['writeShards'];
  /** Feeds every processed batch of the run into `fin`, in seq order 0, 1, 2 … */
  feed(fin: Finaliser, workDir: string): Promise<FeedResult>;
  /** After finish, before the report: extra report fields, and files of the executor's own into the work directory. */
  finished?(a: { manifest: Manifest; fin: Finaliser; workDir: string }): Promise<Record<string, unknown> | undefined>;
  /** The output is committed (the run's books can be closed). */
  committed?(res: RunResult): Promise<void>;
  /** Always, last: `failure` is what the run threw, if it did. */
  close?(failure: unknown): Promise<void>;
}

/**
 * A system error of the run (disk full, no permission) as CMT_RUN_FAILED saying what to do;
 * anything else unchanged. `committed`: whether the new output had already replaced the old one.
 */
function runFailure(e: unknown, outDir: string, committed: boolean): unknown {
  const sys = isCmtError(e) ? undefined : systemError(e);
  if (!sys) return e;
  const parent = path.dirname(path.resolve(outDir));
  const kind = writeFailureKind(sys.code);
  const todo =
    kind === 'space'
      ? `free space on the filesystem of ${parent} (a run needs room for two copies of the output plus its spill files) or write elsewhere with --out, and run again`
      : kind === 'permission'
        ? `check that this user can read the inputs and write ${parent}, and run again`
        : 'fix the cause and run again';
  const kept = committed ? `the new output is in ${outDir}` : existsSync(outDir) ? `the previous output in ${outDir} is unchanged` : `nothing was written to ${outDir}`;
  return new CmtError('CMT_RUN_FAILED', `the run failed: ${sys.message}; ${todo} (${kept})`, { outDir, errno: sys.code }, { cause: e });
}

/** What an interrupted run says: which signal, and that the previous output (if any) is unchanged. */
function interrupted(signal: AbortSignal, outDir: string): CmtError {
  const why = typeof signal.reason === 'string' ? signal.reason : 'an interrupt';
  const kept = existsSync(outDir) ? `the previous output in ${outDir} is unchanged` : `nothing was written to ${outDir}`;
  return new CmtError('CMT_INTERRUPTED', `the run was stopped by ${why} before it finished; ${kept} and its partial output was removed; run it again to write it`, { outDir, signal: why });
}

/**
 * `work` unless `signal` aborts first (then CMT_INTERRUPTED). The step goes on in the background
 * (the CLI exits after the clean-up); its later failure is expected and not reported.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, outDir: string, writing?: Array<Promise<unknown>>): Promise<T> {
  if (!signal) return work;
  // Kept, settled or not, so that the clean-up can wait for a step an interrupt left running.
  writing?.push(work.catch(() => {}));
  if (signal.aborted) {
    work.catch(() => {});
    throw interrupted(signal, outDir);
  }
  let onAbort!: () => void;
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted(signal, outDir));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    work.catch(() => {});
    stop.catch(() => {});
  }
}

/** The record count of the output in `outDir` (its manifest), 0 when there is none or it is unreadable. */
function previousRecords(outDir: string): number {
  try {
    const m = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { counts?: { records?: unknown } };
    return typeof m.counts?.records === 'number' ? m.counts.records : 0;
  } catch {
    return 0;
  }
}

/**
 * A run that accepted no record does not replace an output that holds some (an emptied or wrong
 * input file, a rule that rejects everything): almost always a mistake, and it would wipe good data.
 * `--force` replaces it anyway.
 */
function refuseEmptyOverGood(run: PipelineRun, report: RunReport): void {
  if (run.force || report.records.accepted > 0) return;
  const before = previousRecords(run.outDir);
  if (before === 0) return;
  const top = Object.entries(report.rejects.byReason).slice(0, 3).map(([k, v]) => `${k} ${v}`).join(', ');
  throw new CmtError('CMT_RUN_FAILED', `this run accepted no records (${report.dialogues.in} dialogue(s) in${top ? `; rejects: ${top}` : ''}), so the previous output in ${run.outDir} (${before} records) is kept; check the inputs, or pass --force to replace it with this empty output`, { outDir: run.outDir, previousRecords: before });
}

export async function runPipeline(run: PipelineRun, executor: Executor): Promise<RunResult> {
  const started = performance.now();
  let failure: unknown;
  let staged: StagedOutput | undefined;
  let committed = false;
  /** Steps that write into the partial output, left running by an interrupt: the clean-up waits for them. */
  const writing: Array<Promise<unknown>> = [];
  let fin: Finaliser | undefined;
  boundHeapGrowth(run.config.executor.heapGrowthPercent);
  try {
    staged = await run.stageOutput();
    if (run.signal?.aborted) throw interrupted(run.signal, run.outDir);
    const workDir = staged.work;
    fin = new Finaliser({ config: run.config, outDir: workDir, configHash: run.configHash, graphVersion: run.graphVersion, filters: run.filters, weight: run.weight, tokenizer: run.tokenizer, writeShards: executor.writeShards, signal: run.signal });
    await fin.open();
    const fed = await unlessAborted(executor.feed(fin, workDir), run.signal, run.outDir);
    const t = performance.now();
    const manifest = await unlessAborted(fin.finish(), run.signal, run.outDir, writing);
    const shard = (performance.now() - t) / 1000;
    await writeManifest(workDir, manifest);
    const extra = await executor.finished?.({ manifest, fin, workDir });
    const report = buildReport({
      stats: fin.stats,
      manifest,
      executor: executor.name,
      seconds: (performance.now() - started) / 1000,
      stageSeconds: { ...fed.stageSeconds, shard },
      ...(extra ? { extra } : {}),
    });
    await unlessAborted(writeReport(workDir, report, manifest), run.signal, run.outDir, writing);
    refuseEmptyOverGood(run, report);
    // From here on a signal waits: the commit is two renames.
    await staged.commit();
    committed = true;
    if (staged.leftover) run.logger.warn({ leftover: staged.leftover.path, error: staged.leftover.error }, `the new output is in ${run.outDir}; the previous one, moved aside to ${staged.leftover.path}, could not be removed (${staged.leftover.error}): remove it by hand`);
    const res: RunResult = { outDir: run.outDir, manifest, report };
    run.logger.info({ executor: executor.name, outDir: run.outDir, dialogues: report.dialogues, records: report.records, seconds: report.throughput.seconds }, 'run finished');
    await executor.committed?.(res);
    return res;
  } catch (e) {
    failure = runFailure(e, run.outDir, committed);
    throw failure;
  } finally {
    // An interrupted finish stops at its next split (Finaliser signal); the partial output is
    // removed after it has, else files it opens after the removal outlive it (and its lock).
    if (!committed && writing.length) await Promise.race([Promise.allSettled(writing), new Promise((r) => setTimeout(r, WRITING_WAIT_MS).unref())]);
    // A failed run's open files (rejects, spill) close now, not when the collector finds them.
    if (!committed) await fin?.discard();
    await staged?.abort();
    await executor.close?.(failure);
  }
}

/** How long an interrupted run's clean-up waits for the shard writing it abandoned to stop. */
const WRITING_WAIT_MS = 10_000;
