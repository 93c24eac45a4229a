/**
 * Stage workers as child processes (`node dist/src/cli/index.js worker …`), for runs that want
 * real parallelism on one machine, the benchmark and the crash tests. A child prints one
 * `cmtmedqa worker ready` line on stdout when it serves; logs go to its stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import type { StageName } from './keys.js';
import type { WorkerTuning } from './worker.js';

/** The compiled CLI entry point (this module lives in dist/src/executors/bullmq/). */
export function cliPath(): string {
  return fileURLToPath(new URL('../../cli/index.js', import.meta.url));
}

export interface ChildWorkerOptions extends WorkerTuning {
  redisUrl: string;
  prefix?: string;
  runId?: string;
  /** Exit once `runId` is finalised. */
  exitWhenDone?: boolean;
  stages?: readonly StageName[];
  scheduler?: boolean;
  /** false: the worker does not log a lost Redis connection (its coordinator does). */
  outageLog?: boolean;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Module to run instead of the CLI, with the same arguments (the tests' worker with injected hooks). */
  entry?: string;
  /** Where the child's stderr goes (default: inherited). */
  stderr?: 'inherit' | 'ignore';
}

export interface ChildWorker {
  readonly proc: ChildProcess;
  /** Resolves when the child serves; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful: jobs in flight finish) and wait for exit. */
  stop(): Promise<number | null>;
}

export function workerArgs(o: ChildWorkerOptions): string[] {
  const args = ['worker', '--redis', o.redisUrl];
  if (o.prefix) args.push('--prefix', o.prefix);
  if (o.runId) args.push('--run', o.runId);
  if (o.exitWhenDone) args.push('--exit-when-done');
  if (o.outageLog === false) args.push('--no-outage-log');
  if (o.stages) args.push('--stages', o.stages.length ? o.stages.join(',') : 'none');
  if (o.scheduler) args.push('--scheduler');
  if (o.concurrency) args.push('--concurrency', String(o.concurrency));
  if (o.lockDuration) args.push('--lock-duration', String(o.lockDuration));
  if (o.stalledInterval) args.push('--stalled-interval', String(o.stalledInterval));
  if (o.maxStalledCount !== undefined) args.push('--max-stalled', String(o.maxStalledCount));
  return args;
}

export function spawnWorker(o: ChildWorkerOptions): ChildWorker {
  const proc = spawn(process.execPath, [o.entry ?? cliPath(), ...workerArgs(o)], {
    stdio: ['ignore', 'pipe', o.stderr ?? 'inherit'],
    env: { ...process.env, ...o.env },
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('cmtmedqa worker ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker process ${proc.pid} exited (code ${code}) before it was ready`)));
  });
  ready.catch(() => {});
  return {
    proc,
    ready,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
