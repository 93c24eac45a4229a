/**
 * Benchmark sections beyond the core stages: the graph (import into a snapshot and into Neo4j,
 * validate throughput on each backend and its share of a full run), MinHash, tokenizers, parquet,
 * scraping adapters and the BullMQ executor. Each measures; none asserts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import type { RecordEnvelope } from '../schemas/record.js';
import { silentLogger } from '../src/core/logger.js';
import { importGraph } from '../src/kg/import/index.js';
import { Neo4jGraph } from '../src/kg/neo4j.js';
import type { GraphPort } from '../src/kg/port.js';
import { openSnapshot, writeSnapshot } from '../src/kg/snapshot.js';
import { configHash, parsePipeline } from '../src/pipeline/config.js';
import { batches, sourceItems } from '../src/pipeline/read-sources.js';
import { normalise } from '../src/stages/normalise/index.js';
import { split } from '../src/stages/split/index.js';
import { validate } from '../src/stages/validate/index.js';
import type { StageContext } from '../src/stages/types.js';
import { benchMinhash, benchNearAccuracy, syntheticRecords, withEditedCopies } from '../src/finish/dedup/bench.js';
import { benchTokenizers } from '../src/tokens/bench.js';
import { benchParquet } from '../src/output/parquet.js';
import { benchAdapters } from '../src/scrape/bench.js';
import { benchBullmq } from '../src/executors/bullmq/bench.js';

export interface BenchEnv {
  root: string;
  work: string;
  scaledPipeline: (copies: number, extra?: Record<string, unknown>) => { file: string; bytes: number };
  childRun: (file: string, outDir: string, nodeFlags?: string[]) => { seconds: number; maxRssMb: number; dialogues: number; records: number; closes: boolean; stageSeconds: Record<string, number> };
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const shared = (root: string, ...p: string[]) => path.resolve(root, '..', 'shared', 'data', ...p);

/** Services this bench started (stopped again at the end; one that was already running is left alone). */
const startedHere: string[] = [];

export function stopStartedServices(root: string): void {
  for (const script of startedHere.splice(0)) {
    try {
      execFileSync('bash', [path.join(root, 'scripts', script), 'stop'], { stdio: 'ignore', timeout: 120_000 });
    } catch {
      /* best effort */
    }
  }
}

function startService(root: string, script: string, key: string): string {
  const out = execFileSync('bash', [path.join(root, 'scripts', script), 'start'], { encoding: 'utf8', timeout: 600_000 });
  if (/^[A-Z0-9]+_STARTED=true$/m.test(out)) startedHere.push(script);
  const line = out.split('\n').reverse().find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${script} printed no ${key}`);
  return line.slice(key.length + 1).trim();
}

async function realEnvelopes(root: string, env: BenchEnv): Promise<{ envs: RecordEnvelope[]; ctx: StageContext }> {
  const file = env.scaledPipeline(1).file;
  const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const config = parsePipeline(raw);
  const ctx: StageContext = { config, logger: silentLogger };
  const envs: RecordEnvelope[] = [];
  for await (const b of batches(sourceItems(config, path.dirname(file), silentLogger), 500)) envs.push(...split(normalise(b.dialogues, ctx).out, ctx).out);
  void configHash;
  void root;
  return { envs, ctx };
}

async function timeValidate(envs: RecordEnvelope[], ctx: StageContext, graph: GraphPort): Promise<number> {
  const c: StageContext = { ...ctx, graph };
  await validate(envs.slice(0, 500), c); // warm the matcher cache for this graph version
  const t = performance.now();
  for (let i = 0; i < envs.length; i += 500) await validate(envs.slice(i, i + 500), c);
  return (performance.now() - t) / 1000;
}

export async function extraBenchSections(env: BenchEnv): Promise<string[]> {
  const L: string[] = [];
  const { root, work } = env;
  const { envs, ctx } = await realEnvelopes(root, env);
  const records = envs.length;

  // ---- graph
  L.push('## Knowledge graph and the validate stage', '');
  let t = performance.now();
  const imported = await importGraph({
    paths: [shared(root, 'kg', 'xywy_medicalkgqa')],
    dicts: [shared(root, 'kg', 'liuhuanyong_dict'), shared(root, 'kg', 'xywy_medicalkgqa', 'region_words')],
  });
  const importS = (performance.now() - t) / 1000;
  const snapFile = path.join(work, 'kg', 'xywy.json.gz');
  mkdirSync(path.dirname(snapFile), { recursive: true });
  t = performance.now();
  await writeSnapshot(snapFile, imported);
  const snapS = (performance.now() - t) / 1000;
  const snap = await openSnapshot(snapFile);
  const embeddedS = await timeValidate(envs, ctx, snap);
  const nodes = Object.values(imported.counts.nodes).reduce((a, b) => a + b, 0);
  const rels = Object.values(imported.counts.relations).reduce((a, b) => a + b, 0);
  const rows = [
    `| read + clean the full xywy dump (18 parts) + both entity lists | ${fmt(importS, 2)} s | ${fmt(nodes)} nodes, ${fmt(rels)} relations |`,
    `| write the embedded snapshot | ${fmt(snapS, 2)} s | |`,
  ];
  const vrows = [`| embedded snapshot | ${fmt(records)} | ${fmt(embeddedS, 2)} | **${fmt(records / embeddedS)}** |`];
  try {
    const uri = startService(root, 'neo4j.sh', 'NEO4J_URI');
    const neo = await Neo4jGraph.connect({ uri });
    t = performance.now();
    const r = await neo.importGraph(imported, { force: true });
    const neoS = (performance.now() - t) / 1000;
    rows.push(`| import into Neo4j 5.26 (batched UNWIND MERGE, constraints, indexes; empty store) | ${fmt(neoS, 2)} s | version ${r.version.slice(0, 12)} |`);
    const neoValidateS = await timeValidate(envs, ctx, neo);
    vrows.push(`| Neo4j (bolt, one round trip per 256 records) | ${fmt(records)} | ${fmt(neoValidateS, 2)} | **${fmt(records / neoValidateS)}** |`);
    await neo.close();
  } catch (e) {
    rows.push(`| import into Neo4j | not measured: ${(e as Error).message.split('\n')[0]} | |`);
  }
  L.push('| step | time | result |', '|---|---:|---|', ...rows, '');
  L.push('Validate stage alone on the records of the 1× input (entity matching, the three checks, department inference):', '');
  L.push('| backend | records | seconds | records/s |', '|---|---:|---:|---:|', ...vrows, '');

  // validate's share of a full embedded run
  const full = env.scaledPipeline(1, { kg: { snapshot: snapFile } });
  const run = env.childRun(full.file, path.join(work, 'run-kg'));
  rmSync(path.join(work, 'run-kg'), { recursive: true, force: true });
  const v = run.stageSeconds.validate ?? 0;
  L.push(`A full 1× run with validation on the embedded backend: ${fmt(run.seconds, 2)} s end to end (${fmt(run.dialogues / run.seconds)} dialogues/s), of which validate ${fmt(v, 2)} s = **${fmt((100 * v) / run.seconds, 1)}%** (target: at most 50%).`, '');
  await snap.close();

  // ---- near-duplicates and tokens
  L.push('## Near-duplicates (MinHash/LSH) and tokenizers', '');
  const realRecords = envs.map((e) => e.record);
  const mh = benchMinhash(realRecords);
  const mhSynth = benchMinhash(syntheticRecords(100_000, 500));
  L.push('| MinHash input | records | avg chars | records/s | near-duplicates | memory per 1M indexed records |', '|---|---:|---:|---:|---:|---:|');
  L.push(`| real records (1× input) | ${fmt(mh.records)} | ${fmt(mh.avgChars)} | **${fmt(mh.recordsPerSecond)}** | ${fmt(mh.nearDuplicates)} | ${fmt(mh.mbPerMillionRecords)} MB |`);
  L.push(`| synthetic, 100,000 records | ${fmt(mhSynth.records)} | ${fmt(mhSynth.avgChars)} | **${fmt(mhSynth.recordsPerSecond)}** | ${fmt(mhSynth.nearDuplicates)} | ${fmt(mhSynth.mbPerMillionRecords)} MB |`, '');
  L.push('Signature schemes against exact Jaccard (prefix-filtered similarity join) on the real records plus 3,000 edited copies (1–8 % of characters replaced), decisions in run order at threshold 0.8:', '');
  L.push('| scheme | records | records with an earlier one at exact J ≥ 0.8 | flagged | precision (exact J ≥ 0.8) | precision (exact J ≥ 0.7) | recall | records/s (signature + LSH + verify) |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const a of benchNearAccuracy(withEditedCopies(realRecords, 3000))) {
    L.push(`| ${a.scheme} | ${fmt(a.records)} | ${fmt(a.truePositives)} | ${fmt(a.flagged)} | ${fmt(a.precision, 3)} | ${fmt(a.precisionLoose, 3)} | ${fmt(a.recall, 3)} | **${fmt(a.recordsPerSecond)}** |`);
  }
  L.push('');
  const texts = realRecords.slice(0, 5000).map((r) => [...r.history.flat(), r.instruction, r.output].join('\n'));
  const tb = await benchTokenizers(texts);
  L.push('| tokenizer | load s | texts | tokens | chars/s (cold) | texts/s (cold) | chars/s (warm cache) |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const b of tb) L.push(`| ${b.tokenizer} | ${fmt(b.loadSeconds, 2)} | ${fmt(b.texts)} | ${fmt(b.tokens)} | ${fmt(b.coldCharsPerSecond)} | ${fmt(b.coldTextsPerSecond)} | ${fmt(b.warmCharsPerSecond)} |`);
  const pq = await benchParquet(realRecords, path.join(work, 'bench.parquet'));
  L.push('', `Parquet writing: ${fmt(pq.records)} records, ${fmt(pq.bytes / 1e6, 1)} MB parquet from ${fmt(pq.jsonBytes / 1e6, 1)} MB JSON, ${fmt(pq.mbPerSecond, 1)} MB/s of parquet output.`, '');

  // ---- scraping
  L.push('## Scraping: site adapters (pure parse, in memory)', '');
  const adapterRows = benchAdapters(100, root);
  L.push('| adapter | pages | bytes/page | pages/s |', '|---|---:|---:|---:|');
  for (const a of adapterRows) L.push(`| ${a.adapter} | ${a.pages} | ${fmt(a.bytesPerPage)} | **${fmt(a.pagesPerSec)}** |`);
  L.push('', 'Per layout (generation, src/scrape/layouts):', '', '| adapter | layout | pages | pages/s |', '|---|---|---:|---:|');
  for (const a of adapterRows) for (const l of a.layouts) L.push(`| ${a.adapter} | ${l.layout} | ${l.pages} | **${fmt(l.pagesPerSec)}** |`);
  L.push('');

  // ---- local executor threads
  L.push('## Local executor with worker threads (`executor.concurrency`)', '');
  L.push('Full pipeline (validate on the embedded graph, tokens llama2 + qwen3, near-dedup) on the 3× corpora, each run in its own process:', '');
  L.push('| concurrency | dialogues | seconds | dialogues/s | speed-up | peak RSS MB |', '|---:|---:|---:|---:|---:|---:|');
  let single = 0;
  for (const concurrency of [1, 2]) {
    const { file } = env.scaledPipeline(3, { kg: { snapshot: snapFile }, tokens: { tokenizers: ['llama2', 'qwen3'] }, dedup: { near: { enabled: true } }, executor: { concurrency } });
    const out = path.join(work, `run-threads-${concurrency}`);
    const r = env.childRun(file, out);
    rmSync(out, { recursive: true, force: true });
    if (concurrency === 1) single = r.seconds;
    L.push(`| ${concurrency} | ${fmt(r.dialogues)} | ${fmt(r.seconds, 2)} | **${fmt(r.dialogues / r.seconds)}** | ${fmt(single / r.seconds, 2)}× | ${fmt(r.maxRssMb)} |`);
  }
  L.push('', 'Each thread loads its own graph snapshot and tokenizers (about 1.5 s and 300 MB per thread), so threads pay off on longer runs.', '');

  // ---- BullMQ
  L.push('## BullMQ executor vs local (same input, this machine)', '');
  try {
    const url = startService(root, 'redis.sh', 'REDIS_URL');
    L.push('Worker processes start before the clock; the coordinator (enumerates work units, feeds results to the finish step: dedup decisions over keys the workers computed, shard writing) runs in a bench child process of its own; workers import and parse the units, run the stages and hash the records. The machine has 2 cores, shared by the coordinator, the workers and Redis.', '');
    L.push('| pipeline | dialogues | executor | workers | seconds | dialogues/s | vs local | vs 1 worker |', '|---|---:|---|---:|---:|---:|---:|---:|');
    const profiles: Array<[string, string]> = [
      ['base (import, normalise, split, shards), 3×', env.scaledPipeline(3).file],
      ['full (+ validate on the embedded graph, tokens qwen3 + llama2, near-dedup), 3×', env.scaledPipeline(3, { kg: { snapshot: snapFile }, tokens: { tokenizers: ['qwen3', 'llama2'] }, dedup: { near: { enabled: true } } }).file],
    ];
    const serial: string[] = [];
    for (const [label, input] of profiles) {
      // Each run in a fresh process: in this one (or after another run) the text memos and the
      // matcher's would already hold these texts, and the CPU figures would not compare.
      const fresh = (run: string) => {
        const out = execFileSync(process.execPath, [path.join(root, 'dist', 'src', 'executors', 'bullmq', 'bench.js'), input, run], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, REDIS_URL: url } });
        return JSON.parse(out.trim().split('\n').pop()!) as Awaited<ReturnType<typeof benchBullmq>>;
      };
      const local = fresh('local');
      const one = fresh('1');
      const two = fresh('2');
      const fraction = two.cpuSeconds / local.cpuSeconds;
      serial.push(`| ${label} | ${fmt(local.cpuSeconds, 2)} | ${fmt(two.cpuSeconds, 2)} | **${fmt(fraction, 2)}** | ${fmt(1 / fraction, 1)}× | ${fmt(two.redis?.peakMB ?? 0, 1)} |`);
      L.push(`| ${label} | ${fmt(local.dialogues)} | local | – | ${fmt(local.seconds, 2)} | **${fmt(local.dialoguesPerSecond)}** | 1.00× | |`);
      L.push(`| | | bullmq | 1 | ${fmt(one.seconds, 2)} | **${fmt(one.dialoguesPerSecond)}** | ${fmt(one.dialoguesPerSecond / local.dialoguesPerSecond, 2)}× | 1.00× |`);
      L.push(`| | | bullmq | 2 | ${fmt(two.seconds, 2)} | **${fmt(two.dialoguesPerSecond)}** | ${fmt(two.dialoguesPerSecond / local.dialoguesPerSecond, 2)}× | ${fmt(two.dialoguesPerSecond / one.dialoguesPerSecond, 2)}× |`);
    }
    L.push('', 'Serial fraction: the coordinator\'s CPU (its own process; workers are separate processes) ÷ the local executor\'s CPU on the same input, each run in a fresh process with its graph and tokenizers opened before the clock. By Amdahl\'s law adding workers cannot make a run faster than 1 ÷ serial fraction.', '');
    L.push('| pipeline | local CPU s | coordinator CPU s (2 workers) | serial fraction | speed-up ceiling | Redis peak MB |', '|---|---:|---:|---:|---:|---:|', ...serial);
    L.push('', 'Targets (issue 12): serial fraction ≤ 0.2 on the base pipeline and ≤ 0.15 on the full one at 3×.', '');
    // Redis holds queue state and metadata; batch results are files in the run store. Its peak is
    // the in-flight window (executor maxInFlight batches of raw dialogues), whatever the input size.
    const mem: string[] = [];
    for (const copies of [1, 10]) {
      const r = await benchBullmq({ pipeline: env.scaledPipeline(copies).file, workers: 2, redisUrl: url, warmup: false });
      mem.push(`| ${copies}× | ${fmt(r.dialogues)} | ${fmt(r.redis?.beforeMB ?? 0, 1)} | **${fmt(r.redis?.peakMB ?? 0, 1)}** |`);
    }
    L.push('Redis INFO memory used_memory during a base-pipeline BullMQ run (2 workers, sampled every 100 ms): batch results go to the run store directory, so the peak is the in-flight window of queued batches, not the input.', '');
    L.push('| input | dialogues | before MB | peak MB |', '|---|---:|---:|---:|', ...mem, '');
  } catch (e) {
    L.push(`not measured: ${(e as Error).message.split('\n')[0]}`, '');
  }
  return L;
}
