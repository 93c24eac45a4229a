/**
 * `npm run fuzz -- --runs 10000 [--seed N] [--workers W]`: the long fuzz run. Inputs cycle through
 * every seed of every importer (harness.ts), each with 1–4 fast-check mutations; each runs in a
 * worker thread under a watchdog (twice the harness's time budget for its size), so a synchronous
 * hang is caught and counted instead of stopping the run. Prints the figures and every failure
 * (seed, mutations, what failed); failures are also written to fuzz-failures.jsonl. Exit 1 if any.
 * `--only 7408,8254` reruns just those input numbers of the same --seed (a failure's reproduction).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { applyAll, budgetMs, mutationsArb, seeds, type Mutation, type RunOutcome } from './harness.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const RUNS = arg('runs', 10_000);
const SEED = arg('seed', 1);
const WORKERS = Math.max(1, arg('workers', 1));
const ALL = seeds();
const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Job {
  id: number;
  seed: number;
  ms: Mutation[];
  batchSize: number;
  bytes: Buffer;
}

function job(id: number): Job {
  const seed = id % ALL.length;
  const [ms] = fc.sample(mutationsArb, { numRuns: 1, seed: SEED * 1_000_003 + id });
  const bytes = applyAll(ALL[seed].bytes, ms);
  return { id, seed, ms, batchSize: 1 + (id % 37), bytes };
}

const stats = { runs: 0, ok: 0, crash: 0, hang: 0, accounting: 0, output: 0, dialoguesIn: 0, bytes: 0, maxMs: 0 };
const byFormat = new Map<string, { runs: number; ok: number }>();
const failures: Array<Record<string, unknown>> = [];

function record(j: Job, r: RunOutcome): void {
  stats.runs++;
  stats.bytes += j.bytes.length;
  stats.maxMs = Math.max(stats.maxMs, r.ms);
  const f = byFormat.get(ALL[j.seed].format) ?? { runs: 0, ok: 0 };
  f.runs++;
  if (r.ok) {
    stats.ok++;
    f.ok++;
    stats.dialoguesIn += r.dialoguesIn ?? 0;
  } else {
    stats[r.failure!]++;
    failures.push({ id: j.id, seed: ALL[j.seed].name, format: ALL[j.seed].format, mutations: j.ms, batchSize: j.batchSize, bytes: j.bytes.length, failure: r.failure, detail: r.detail?.slice(0, 2000) });
  }
  byFormat.set(ALL[j.seed].format, f);
  if (stats.runs % 500 === 0) console.log(`… ${stats.runs}/${RUNS} (${stats.ok} ok, ${stats.runs - stats.ok} failed)`);
}

async function lane(ids: number[]): Promise<void> {
  let w: Worker | undefined;
  for (const id of ids) {
    const j = job(id);
    // The main thread's stack (~1 MB), not a worker's default 4 MB: deep recursion must show as it would in a run.
    w ??= new Worker(workerFile, { resourceLimits: { stackSizeMb: 1 } });
    const worker = w;
    const limit = 2 * budgetMs(j.bytes.length);
    const t0 = performance.now();
    const r = await new Promise<RunOutcome>((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        resolve({ ok: false, failure: 'hang', detail: `no answer within ${limit} ms (worker terminated)`, ms: performance.now() - t0, bytes: j.bytes.length });
      }, limit);
      const onMsg = (m: RunOutcome & { id: number }) => {
        if (m.id !== j.id) return;
        cleanup();
        resolve(m);
      };
      const onErr = (e: Error) => {
        cleanup();
        resolve({ ok: false, failure: 'crash', detail: `worker died: ${e.stack ?? e}`, ms: performance.now() - t0, bytes: j.bytes.length });
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMsg);
        worker.off('error', onErr);
      };
      worker.on('message', onMsg);
      worker.on('error', onErr);
      worker.postMessage({ id: j.id, seed: j.seed, bytes: j.bytes, batchSize: j.batchSize });
    });
    if (!r.ok && (r.failure === 'hang' || r.detail?.startsWith('worker died'))) w = undefined; // start a fresh worker
    record(j, r);
  }
  await w?.terminate();
}

const t0 = performance.now();
const onlyAt = process.argv.indexOf('--only');
const ids = onlyAt >= 0 ? process.argv[onlyAt + 1].split(',').map(Number) : Array.from({ length: RUNS }, (_, i) => i);
const lanes: number[][] = Array.from({ length: WORKERS }, () => []);
ids.forEach((id, k) => lanes[k % WORKERS].push(id));
await Promise.all(lanes.map(lane));
const secs = (performance.now() - t0) / 1000;

console.log(`\nfuzz: ${stats.runs} mutated inputs (seed ${SEED}) across ${ALL.length} seeds of ${byFormat.size} importers in ${secs.toFixed(1)} s`);
for (const [fmt, f] of [...byFormat].sort()) console.log(`  ${fmt.padEnd(10)} ${String(f.runs).padStart(6)} runs, ${f.runs - f.ok} failed`);
console.log(`  crashes: ${stats.crash}  hangs: ${stats.hang}  accounting failures: ${stats.accounting}  output-directory failures: ${stats.output}`);
console.log(`  accounting closed on ${stats.ok} of ${stats.runs}; ${stats.dialoguesIn} inputs counted in all; ${(stats.bytes / 1048576).toFixed(1)} MiB fed; slowest run ${Math.round(stats.maxMs)} ms`);
if (failures.length) {
  writeFileSync('fuzz-failures.jsonl', failures.map((f) => JSON.stringify(f)).join('\n') + '\n');
  for (const f of failures.slice(0, 20)) console.log(`FAIL #${f.id} ${f.seed} ${f.failure}: ${String(f.detail).split('\n').slice(0, 4).join(' | ')}\n  mutations: ${JSON.stringify(f.mutations).slice(0, 500)}`);
  console.log(`(${failures.length} failures written to fuzz-failures.jsonl)`);
  process.exitCode = 1;
}
