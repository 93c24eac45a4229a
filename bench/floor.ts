/**
 * The raw floor: what any JSON-in, gzip-JSON-out pipeline must at least pay for its records —
 * gunzip + JSON.parse + JSON.stringify (one line per record) + gzip level 6, once, in one Node
 * process. The bench runs it on the same records as the pipeline, in the same run, and reports
 * floor CPU ÷ pipeline CPU (whole processes, user + system, threads included), so the figure
 * compares across machines. Run as a script it is the floor process itself.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import { profileMarkdown, profileRun } from './profile.js';

/** The floor's own work on `.json.gz` arrays; prints {cpuSeconds, records, bytesOut}. */
async function floorProcess(files: string[], outFile: string): Promise<void> {
  const gz = createGzip({ level: 6 });
  const done = pump(gz, createWriteStream(outFile));
  let records = 0;
  for (const f of files) {
    const chunks: Buffer[] = [];
    await pump(createReadStream(f), createGunzip(), async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) chunks.push(c);
    });
    const arr = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
    let buf = '';
    for (const r of arr) {
      buf += `${JSON.stringify(r)}\n`;
      records++;
      if (buf.length > 1 << 16) {
        if (!gz.write(buf)) await new Promise((res) => gz.once('drain', res));
        buf = '';
      }
    }
    gz.write(buf);
  }
  gz.end();
  await done;
  const u = process.cpuUsage();
  console.log(JSON.stringify({ cpuSeconds: (u.user + u.system) / 1e6, records }));
}

export interface FloorEnv {
  root: string;
  work: string;
  childRun: (file: string, outDir: string, nodeFlags?: string[]) => { seconds: number; cpuSeconds?: number; maxRssMb: number; dialogues: number; records: number; closes: boolean; stageSeconds: Record<string, number> };
  fullExtra: Record<string, unknown>;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Huatuo + CMtMedQA test files, `copies` times under new names: the records the issue measured (57,152 at 8×). */
async function floorRows(env: FloorEnv, copies: number, suffix: string, profiled?: string[]): Promise<string[]> {
  const shared = path.resolve(env.root, '..', 'shared', 'data', 'dialogues');
  const inputs = [
    { format: 'huatuo', file: path.join(shared, 'huatuo26m', 'huatuo26M_test.json') },
    { format: 'cmtmedqa', file: path.join(shared, 'cmtmedqa', 'CMtMedQA_test.json') },
  ];
  const dir = path.join(env.work, 'floor');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const gzFiles: string[] = [];
  const sources: Array<{ format: string; path: string }> = [];
  for (const { format, file } of inputs) {
    const gzOne = gzipSync(readFileSync(file), { level: 6 });
    for (let c = 0; c < copies; c++) {
      const name = `c${c}-${path.basename(file)}`;
      symlinkSync(file, path.join(dir, name));
      sources.push({ format, path: name });
      const g = path.join(dir, `${name}.gz`);
      writeFileSync(g, gzOne);
      gzFiles.push(g);
    }
  }
  const floorOut = execFileSync(process.execPath, [fileURLToPath(import.meta.url), path.join(dir, 'floor-out.jsonl.gz'), ...gzFiles], { encoding: 'utf8' });
  const floor = JSON.parse(floorOut.trim().split('\n').pop()!) as { cpuSeconds: number; records: number };
  const rows: string[] = [];
  const profiles: Array<[string, Record<string, unknown>]> = [
    ['base (import, normalise, split, shards)', { dedup: { exact: false } }],
    ['full (+ graph, llama2 + qwen3 tokens, near-dedup)', { dedup: { exact: false, near: { enabled: true } }, ...env.fullExtra }],
  ];
  for (const [label, extra] of profiles) {
    const file = path.join(dir, `pipeline-${rows.length}.yaml`);
    writeFileSync(file, toYaml({ name: `floor-${rows.length}`, sources, shard: { ranks: 8 }, ...extra }));
    const out = path.join(dir, `out-${rows.length}`);
    const r = env.childRun(file, out);
    rmSync(out, { recursive: true, force: true });
    if (profiled) {
      // One more run of the same pipeline under the profiler (not the timed one): where its CPU goes.
      const p = profileRun(path.join(env.root, 'dist', 'bench', 'child-run.js'), file, out, env.work);
      rmSync(out, { recursive: true, force: true });
      profiled.push(...profileMarkdown(`${label}${suffix}, ${fmt(floor.records)} records`, p));
    }
    const cpu = r.cpuSeconds ?? r.seconds;
    rows.push(`| ${label}${suffix} | ${fmt(floor.records)} | ${fmt(floor.cpuSeconds, 2)} | ${fmt(cpu, 2)} | ${fmt(r.seconds, 2)} | **${fmt(floor.cpuSeconds / cpu, 2)}** | ${fmt(r.maxRssMb)} |`);
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

export async function floorSection(env: FloorEnv, copies = 8): Promise<string[]> {
  const profiled: string[] = [];
  const rows = await floorRows(env, copies, '', profiled);
  const once = await floorRows(env, 1, ', 1× (each file once)');
  return [
    '## Against the raw floor (same records, same run)',
    '',
    `Floor: one Node process that gunzips the ${copies}× Huatuo + CMtMedQA test files, JSON.parses them, JSON.stringifies every record as a line and gzips the lines at level 6. Pipeline: \`cmtmedqa run\` on the same files (exact dedup off: the copies are identical). CPU = user + system of the whole process, threads included.`,
    '',
    '| pipeline | records in | floor CPU s | pipeline CPU s | pipeline wall s | floor ÷ pipeline | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    ...once,
    '',
    `The ${copies}× input repeats every text ${copies} times, and the pipeline remembers the results of pure per-text work (bounded memos: normalisation, pleasantry and quality scores, entity matches, token counts — README "text memos"), as it does for the template answers and re-scraped pages of real dumps; the floor cannot. The 1× rows run the same files once each: there every text is new, so they are the per-record cost without repeats (and process start-up weighs more). Start-up reads the derived cache (README "derived cache": Qwen3 ranks, the verified snapshot, the matcher's trie), warm here as on any machine after its first run; the first run on a fresh checkout builds them, about 1 CPU-s more for the full pipeline.`,
    '',
    `### Where the pipeline's CPU goes (${copies}× input, one more run of each under the profiler)`,
    '',
    'The main thread by the area of the code on the stack (V8 sampling profiler; idle excluded), the top functions by self time, and the split between the main thread and the rest of the process.',
    '',
    ...profiled,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [outFile, ...files] = process.argv.slice(2);
  await floorProcess(files, outFile!);
}
