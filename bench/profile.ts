/**
 * Where a run's CPU goes: one more run of a pipeline under V8's sampling profiler (--cpu-prof,
 * main thread) with the CPU of every thread read from /proc at exit (Linux; elsewhere only the
 * profile). Reported as the main thread against the other threads (V8's compiler and GC helpers,
 * zlib and file I/O on libuv's pool), the main thread by area of the code (the source folder of
 * the innermost frame of ours on the stack), and the top functions by self time. Measures only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number; timeDeltas: number[] }

export interface RunProfile {
  /** CPU seconds of the whole process (every thread), from /proc (undefined off Linux). */
  processCpu?: number;
  mainThreadCpu?: number;
  otherThreadsCpu?: number;
  /** Main-thread seconds (profile samples) by area. */
  areas: Array<[string, number]>;
  /** Top functions by self time on the main thread: name (file:line) and seconds. */
  top: Array<[string, number]>;
  /** Seconds the profile spans (idle included). */
  span: number;
}

/** A preload that writes each thread's CPU (utime + stime, in clock ticks of 1/100 s) to $CMT_THREADS_FILE at exit. */
const THREADS_PRELOAD = `const fs=require('fs');process.on('exit',()=>{try{const rows=[];for(const t of fs.readdirSync('/proc/self/task')){const s=fs.readFileSync('/proc/self/task/'+t+'/stat','utf8');const f=s.slice(s.lastIndexOf(')')+2).split(' ');rows.push([Number(t),(Number(f[11])+Number(f[12]))/100]);}fs.writeFileSync(process.env.CMT_THREADS_FILE,JSON.stringify({pid:process.pid,rows}));}catch{}});`;

/** Areas of the code, by the path of a frame's file (first match wins, innermost frame of ours). */
const AREAS: Array<[string, RegExp]> = [
  ['import (read, decode, parse, ids)', /\/src\/(sources|pipeline\/read-sources)/],
  ['normalise', /\/src\/stages\/normalise\//],
  ['split', /\/src\/stages\/split\//],
  ['quality (char LM)', /\/src\/stages\/quality\//],
  ['validate (matcher, graph, drug check)', /\/src\/(stages\/validate|kg)\//],
  ['tokens', /\/src\/tokens\/|llama-tokenizer/],
  ['near-duplicates (MinHash, LSH)', /\/src\/finish\/dedup\//],
  ['finish (gate, split assignment, spill, shards, stats)', /\/src\/(finish|output)\/(?!report)/],
  ['report', /\/src\/output\/report/],
  ['executor and stage runner', /\/src\/(executors|pipeline)\//],
  ['module loading', /node:internal\/modules/],
];

export function profileRun(childRunJs: string, pipelineFile: string, outDir: string, work: string): RunProfile {
  const dir = path.join(work, `profile-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const preload = path.join(dir, 'threads.cjs');
  writeFileSync(preload, THREADS_PRELOAD);
  const threadsFile = path.join(dir, 'threads.json');
  execFileSync(process.execPath, ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, '-r', preload, childRunJs, pipelineFile, outDir], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, CMT_THREADS_FILE: threadsFile },
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the profiled run of ${pipelineFile} wrote no .cpuprofile`);
  const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const threads = existsSync(threadsFile) ? (JSON.parse(readFileSync(threadsFile, 'utf8')) as { pid: number; rows: Array<[number, number]> }) : undefined;
  rmSync(dir, { recursive: true, force: true });
  return summarise(prof, threads);
}

function summarise(prof: CpuProfile, threads?: { pid: number; rows: Array<[number, number]> }): RunProfile {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Seconds per sample: the deltas (µs) attributed to the sample they end.
  const secs = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) secs.set(prof.samples[i], (secs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0) / 1e6);
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, s] of secs) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const key = functionName === '(garbage collector)' ? '(garbage collector)' : `${functionName || '(anonymous)'} (${url.split('/').pop() || 'native'}:${lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + s);
    let area = functionName === '(garbage collector)' ? 'garbage collector (main thread part)' : 'other (Node internals, zlib calls, natives)';
    if (functionName !== '(garbage collector)') {
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const u = byId.get(x)!.callFrame.url;
        if (u.endsWith('/normalise/memo.js')) continue; // the shared text memos count for the stage that asks
        const hit = AREAS.find(([, re]) => re.test(u));
        if (hit) {
          area = hit[0];
          break;
        }
      }
    }
    areas.set(area, (areas.get(area) ?? 0) + s);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const out: RunProfile = { areas: sorted(areas), top: sorted(self).slice(0, 12), span: (prof.endTime - prof.startTime) / 1e6 };
  if (threads) {
    const main = threads.rows.find(([t]) => t === threads.pid)?.[1] ?? 0;
    const all = threads.rows.reduce((a, [, c]) => a + c, 0);
    out.processCpu = all;
    out.mainThreadCpu = main;
    out.otherThreadsCpu = all - main;
  }
  return out;
}

const fmt = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Markdown for one profiled run. */
export function profileMarkdown(label: string, p: RunProfile): string[] {
  const L: string[] = [`**${label}**`, ''];
  if (p.processCpu !== undefined) {
    L.push(`Threads (from /proc at exit): whole process ${fmt(p.processCpu)} CPU-s = main thread ${fmt(p.mainThreadCpu!)} + other threads ${fmt(p.otherThreadsCpu!)} (V8's concurrent compiler and GC helpers, zlib and file I/O on libuv's pool; the profiler adds a little).`, '');
  }
  const mainTotal = p.areas.reduce((a, [, s]) => a + s, 0);
  L.push('| main thread by area | seconds | share |', '|---|---:|---:|', ...p.areas.map(([a, s]) => `| ${a} | ${fmt(s)} | ${fmt((100 * s) / mainTotal, 1)} % |`), '');
  L.push('| top functions (self time, main thread) | seconds | share |', '|---|---:|---:|', ...p.top.map(([f, s]) => `| \`${f.replace(/\|/g, '\\|')}\` | ${fmt(s)} | ${fmt((100 * s) / mainTotal, 1)} % |`), '');
  return L;
}
