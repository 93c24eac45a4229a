/**
 * `npm run bench`: throughput and memory of cmtmedqa on the real corpora in ../shared/data.
 * Writes bench/RESULTS.md. Per stage (in-process, on the 1× input held in memory) and end to end
 * (each run in its own process, 1× → 12× input so that the largest run has ≥ 200,000 dialogues),
 * with peak RSS per run. A benchmark, not a test: it asserts nothing but the accounting.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { ImportBatch } from '../schemas/batch.js';
import type { Dialogue } from '../schemas/dialogue.js';
import type { RecordEnvelope } from '../schemas/record.js';
import { silentLogger } from '../src/core/logger.js';
import { configHash, parsePipeline, type LoadedPipeline } from '../src/pipeline/config.js';
import { batches, sourceItems } from '../src/pipeline/read-sources.js';
import { processBatch } from '../src/pipeline/process.js';
import { normalise } from '../src/stages/normalise/index.js';
import { split } from '../src/stages/split/index.js';
import { Finaliser } from '../src/output/finaliser.js';
import type { StageContext } from '../src/stages/types.js';
import { extraBenchSections, stopStartedServices } from './sections.js';
import { floorSection } from './floor.js';
import { CORPORA } from './corpora.js';
import { importGraph } from '../src/kg/import/index.js';
import { writeSnapshot } from '../src/kg/snapshot.js';

const root = process.cwd();
const shared = path.resolve(root, '..', 'shared', 'data', 'dialogues');
const work = path.join(root, 'bench', 'out');


const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * The input repeated `copies` times. Each copy is a symlink with its own name, so its dialogues get
 * their own ids (origin includes the file name) and are processed as new input, not as duplicates.
 */
export function scaledPipeline(copies: number, extra: Record<string, unknown> = {}): { file: string; bytes: number } {
  const dir = path.join(work, `input-x${copies}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources: Array<{ format: string; path: string }> = [];
  let bytes = 0;
  for (let c = 0; c < copies; c++) {
    for (const { format, file } of CORPORA) {
      const name = `c${String(c).padStart(2, '0')}-${path.basename(file)}`;
      symlinkSync(path.join(shared, file), path.join(dir, name));
      sources.push({ format, path: name });
      bytes += statSync(path.join(shared, file)).size;
    }
  }
  const yaml = { name: `bench-x${copies}`, sources, shard: { ranks: 8 }, ...extra };
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, toYaml(yaml));
  return { file, bytes };
}

function inputBytes(): number {
  return CORPORA.reduce((a, c) => a + statSync(path.join(shared, c.file)).size, 0);
}

async function stageBench(): Promise<string[]> {
  const L: string[] = [];
  const config = parsePipeline({ name: 'bench-stages', sources: CORPORA.map((c) => ({ format: c.format, path: path.join(shared, c.file) })), shard: { ranks: 8 } });
  const pipeline: LoadedPipeline = { config, baseDir: root, file: '<bench>', configHash: configHash(config) };
  const ctx: StageContext = { config, logger: silentLogger };
  const bytes = inputBytes();
  const mb = bytes / 1e6;

  // import (decode + parse), per format and all together
  const perFormat: string[] = [];
  for (const c of CORPORA) {
    const cfg = parsePipeline({ name: 'b', sources: [{ format: c.format, path: path.join(shared, c.file) }] });
    const t = performance.now();
    let n = 0;
    for await (const item of sourceItems(cfg, root, silentLogger)) if (item) n++;
    const s = (performance.now() - t) / 1000;
    const size = statSync(path.join(shared, c.file)).size / 1e6;
    perFormat.push(`| ${c.format} | ${fmt(n)} | ${fmt(s, 3)} | ${fmt(n / s)} | ${fmt(size / s, 1)} |`);
  }
  let t = performance.now();
  const all: ImportBatch[] = [];
  for await (const b of batches(sourceItems(config, root, silentLogger), config.executor.batchSize)) all.push(b);
  const importS = (performance.now() - t) / 1000;
  const dialogues = all.reduce((a, b) => a + b.dialogues.length + b.rejects.length, 0);

  t = performance.now();
  const normalised: Dialogue[][] = all.map((b) => normalise(b.dialogues, ctx).out);
  const normS = (performance.now() - t) / 1000;
  t = performance.now();
  const split_: RecordEnvelope[][] = normalised.map((d) => split(d, ctx).out);
  const splitS = (performance.now() - t) / 1000;
  const records = split_.reduce((a, b) => a + b.length, 0);

  // finalise (exact dedup + split assignment + spill + shard writing), fed by fully processed batches
  const processed = [];
  for (const b of all) processed.push(await processBatch(b, ctx));
  const fin = new Finaliser({ config, outDir: path.join(work, 'stage-finalise'), configHash: pipeline.configHash, graphVersion: null });
  t = performance.now();
  await fin.open();
  for (const pb of processed) await fin.addBatch(pb);
  await fin.finish();
  const finS = (performance.now() - t) / 1000;

  const row = (name: string, s: number) => `| ${name} | ${fmt(s, 3)} | ${fmt(dialogues / s)} | ${fmt(mb / s, 1)} |`;
  L.push('## Per stage (in-process, 1× input held in memory, one core)', '');
  L.push(`Input: the six real files, ${fmt(dialogues)} dialogues (input units), ${fmt(mb, 1)} MB, ${fmt(records)} records after split.`, '');
  L.push('| stage | seconds | dialogues/s | MB/s (of input) |', '|---|---:|---:|---:|');
  L.push(row('import (decode + parse, all formats)', importS), row('normalise', normS), row('split', splitS), row('finalise: exact dedup + split assignment + shards (gzip)', finS));
  L.push(row('sum of the stages above', importS + normS + splitS + finS));
  L.push('', '### Import per format', '', '| format | items | seconds | items/s | MB/s |', '|---|---:|---:|---:|---:|', ...perFormat, '');
  return L;
}

interface ChildResult { seconds: number; cpuSeconds: number; maxRssMb: number; dialogues: number; records: number; closes: boolean; stageSeconds: Record<string, number> }

function childRun(file: string, outDir: string, nodeFlags: string[] = []): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', ...nodeFlags, path.join(root, 'dist', 'bench', 'child-run.js'), file, outDir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

async function endToEnd(): Promise<string[]> {
  const L: string[] = [];
  const rows: string[] = [];
  const series: Array<{ copies: number; dialogues: number; rss: number; dps: number }> = [];
  for (const copies of [1, 3, 10, 12]) {
    // Copies are byte-identical, so exact dedup would turn every copy after the first into rejects and
    // skip the shard writing; it is off here so each copy takes the full path (its cost is in the stage table).
    const { file, bytes } = scaledPipeline(copies, { dedup: { exact: false } });
    const outDir = path.join(work, `run-x${copies}`);
    const res = childRun(file, outDir);
    rmSync(outDir, { recursive: true, force: true });
    const dps = res.dialogues / res.seconds;
    series.push({ copies, dialogues: res.dialogues, rss: res.maxRssMb, dps });
    rows.push(`| ${copies}× | ${fmt(res.dialogues)} | ${fmt(bytes / 1e6, 1)} | ${fmt(res.records)} | ${fmt(res.seconds, 2)} | **${fmt(dps)}** | ${fmt(bytes / 1e6 / res.seconds, 1)} | ${fmt(res.maxRssMb)} | ${res.closes ? 'yes' : 'NO'} |`);
    console.error(`bench: ${copies}× ${res.dialogues} dialogues in ${res.seconds.toFixed(2)} s (${Math.round(dps)}/s), peak RSS ${res.maxRssMb} MB`);
  }
  L.push('## End to end (`cmtmedqa run`, local executor, each run in its own process)', '');
  L.push('Base pipeline: import → normalise → split → shards (8 ranks), exact dedup off because the copies are identical (see above); graph, tokens and near-duplicates are measured in their own sections.', '');
  L.push('| input | dialogues | MB | records out | seconds | dialogues/s | MB/s | peak RSS MB | accounting closes |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|', ...rows, '');
  const a = series[0];
  const b = series.find((s) => s.copies === 10)!;
  L.push(`Growth from 1× to 10× input: dialogues ×${fmt(b.dialogues / a.dialogues, 1)}, peak RSS ×${fmt(b.rss / a.rss, 2)} (${fmt(a.rss)} → ${fmt(b.rss)} MB), throughput ×${fmt(b.dps / a.dps, 2)}.`, '');
  // Is that growth live data or V8 collecting lazily on a 24 GB machine? Cap the old generation and see.
  const capped: string[] = [];
  for (const copies of [1, 10]) {
    const { file } = scaledPipeline(copies, { dedup: { exact: false } });
    const outDir = path.join(work, `run-cap-x${copies}`);
    const res = childRun(file, outDir, ['--max-old-space-size=128']);
    rmSync(outDir, { recursive: true, force: true });
    capped.push(`| ${copies}× | ${fmt(res.dialogues)} | ${fmt(res.seconds, 2)} | ${fmt(res.dialogues / res.seconds)} | ${fmt(res.maxRssMb)} |`);
  }
  L.push('The same runs with the V8 old generation capped at 128 MB (`node --max-old-space-size=128`): they complete, so the working set does not grow with the input; the uncapped growth above is garbage V8 has not collected yet.', '');
  L.push('| input | dialogues | seconds | dialogues/s | peak RSS MB |', '|---|---:|---:|---:|---:|', ...capped, '');
  return L;
}

/** The embedded snapshot of the full xywy dump the graph sections use (built here if missing). */
async function benchSnapshot(): Promise<string> {
  const file = path.join(work, 'kg', 'xywy.json.gz');
  if (!existsSync(file)) {
    const sharedKg = path.resolve(root, '..', 'shared', 'data', 'kg');
    mkdirSync(path.dirname(file), { recursive: true });
    await writeSnapshot(file, await importGraph({
      paths: [path.join(sharedKg, 'xywy_medicalkgqa')],
      dicts: [path.join(sharedKg, 'liuhuanyong_dict'), path.join(sharedKg, 'xywy_medicalkgqa', 'region_words')],
    }));
  }
  return file;
}

async function floor(): Promise<string[]> {
  const snapshot = await benchSnapshot();
  return floorSection({ root, work, childRun, fullExtra: { kg: { snapshot }, tokens: { tokenizers: ['llama2', 'qwen3'] } } });
}

/** `BENCH_ONLY=floor,stages,e2e npm run bench`: those sections only, printed (RESULTS.md is left alone). */
const ONLY: Record<string, () => Promise<string[]>> = { stages: stageBench, e2e: endToEnd, floor };

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  if (process.env.BENCH_ONLY) {
    for (const name of process.env.BENCH_ONLY.split(',')) {
      const section = ONLY[name.trim()];
      if (!section) throw new Error(`BENCH_ONLY: unknown section ${name} (known: ${Object.keys(ONLY).join(', ')})`);
      console.log((await section()).join('\n'));
    }
    rmSync(work, { recursive: true, force: true });
    return;
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const L: string[] = ['# Benchmark results', '', `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, Node ${process.version}. Input: ../shared/data/dialogues (six formats); scaled runs repeat the files under new names.`, ''];
  L.push(...(await stageBench()));
  L.push(...(await endToEnd()));
  try {
    L.push(...(await extraBenchSections({ root, work, scaledPipeline, childRun })));
    L.push(...(await floor()));
  } finally {
    stopStartedServices(root);
  }
  const out = path.join(root, 'bench', 'RESULTS.md');
  // Sections measured alone (graph evaluation, per-layout scraping …) are kept below their heading.
  const ALONE = '# Sections measured alone';
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const kept = previous.includes(ALONE) ? `\n${previous.slice(previous.indexOf(ALONE))}` : '';
  writeFileSync(out, `${L.join('\n')}\n${kept}`);
  rmSync(work, { recursive: true, force: true });
  console.log(`wrote ${out}`);
}

if (!existsSync(shared)) {
  console.error(`bench needs the real corpora at ${shared} (../shared/data beside the checkout)`);
  process.exit(1);
}
await main();
