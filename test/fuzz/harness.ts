/**
 * Fuzzing the importers through the pipeline: real-format seed files (the fixtures, plus variants
 * derived at run time: JSON Lines, the other encoding, wrapper objects, role-message history,
 * UTF-16 without a byte-order mark), mutated by fast-check (truncation, byte
 * flips, inserted and deleted bytes, encoding swaps GB18030 ↔ UTF-8 of line ranges, deep nesting,
 * control/bidi/tag characters, byte-order marks, huge lines, CRLF, duplicated lines), then run as a
 * one-source pipeline (import → normalise → split → dedup → shard, local executor, no graph).
 *
 * Each run is checked (checkRun): it does not throw, it ends within a budget proportional to the
 * input size, its accounting closes (report.json dialogues/records `closes`, and `dialogues.in`
 * equals what the importer yields on its own), and the output directory holds what the manifest
 * says and nothing half-written: every listed shard exists with its sha256 and record count, no
 * shard is unlisted, rejects.jsonl has one line per counted reject, and no control, bidi or tag
 * character is in a shard. The generic scanners (csvRows, jsonArrayElements) are run on the same
 * mutated bytes and must not throw.
 *
 * Used by test/fuzz/fuzz.test.ts (a short run in the suite) and test/fuzz/cli.ts (`npm run fuzz`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import type { Manifest } from '../../schemas/manifest.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLocal } from '../../src/executors/local.js';
import { configHash, parsePipeline } from '../../src/pipeline/config.js';
import { openRunResources } from '../../src/pipeline/resources.js';
import { csvRows } from '../../src/sources/csv.js';
import { decodeText } from '../../src/sources/encoding.js';
import { importers } from '../../src/sources/index.js';
import { jsonArrayElements } from '../../src/sources/json-array.js';
import type { FileFormat } from '../../src/sources/types.js';

export interface Seed {
  name: string;
  format: FileFormat;
  /** File name the input is written under (its extension). */
  file: string;
  bytes: Buffer;
}

const FIX = path.join('fixtures', 'dialogues');

function read(rel: string): Buffer {
  return readFileSync(path.join(FIX, rel));
}

/** A JSON-array file rewritten as JSON Lines (one element per line). */
function asJsonLines(buf: Buffer): Buffer {
  const arr = JSON.parse(buf.toString('utf8')) as unknown[];
  return Buffer.from(arr.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
}

/** A JSON-array file as a dataset export: {"version", "data": [...]}, pretty-printed. */
function wrapped(buf: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ version: '1.0', data: JSON.parse(buf.toString('utf8')) as unknown[] }, null, 2) + '\n', 'utf8');
}

/** A CMtMedQA file with each history written as OpenAI role messages. */
function asMessages(buf: Buffer): Buffer {
  const arr = JSON.parse(buf.toString('utf8')) as Array<{ history?: Array<[string, string]> }>;
  for (const r of arr) if (r.history) (r as Record<string, unknown>).history = r.history.flatMap(([q, a]) => [{ role: 'user', content: q }, { role: 'assistant', content: a }]);
  return Buffer.from(JSON.stringify(arr) + '\n', 'utf8');
}

/** The seeds: every importer's fixtures, the malformed ones, and derived variants. */
export function seeds(): Seed[] {
  const s: Seed[] = [];
  const add = (name: string, format: FileFormat, file: string, bytes: Buffer) => s.push({ name, format, file, bytes });
  add('meddialog', 'meddialog', 'consultations.txt', read('meddialog/consultations.txt'));
  add('meddialog-truncated', 'meddialog', 'truncated.txt', read('malformed/truncated.txt'));
  add('meddialog-gb18030', 'meddialog', 'consultations-gb.txt', iconv.encode(read('meddialog/consultations.txt').toString('utf8'), 'gb18030'));
  add('hetmc', 'hetmc', 'sample.dialog', read('hetmc/sample.dialog'));
  add('hetmc-invalid-utf8', 'hetmc', 'invalid.dialog', read('malformed/invalid-utf8.dialog'));
  add('mie', 'mie', 'sample.json', read('mie/sample.json'));
  add('mie-gap', 'mie', 'gap.json', read('malformed/mie-gap.json'));
  add('mie-jsonl', 'mie', 'sample.jsonl', asJsonLines(read('mie/sample.json')));
  add('cmtmedqa', 'cmtmedqa', 'sample.json', read('cmtmedqa/sample.json'));
  add('cmtmedqa-broken', 'cmtmedqa', 'broken.json', read('malformed/broken-element.json'));
  add('cmtmedqa-jsonl', 'cmtmedqa', 'sample.jsonl', asJsonLines(read('cmtmedqa/sample.json')));
  add('toyhom-gb18030', 'toyhom', 'sample.csv', read('toyhom/sample.csv'));
  add('toyhom-utf8', 'toyhom', 'sample-utf8.csv', Buffer.from(iconv.decode(read('toyhom/sample.csv'), 'gb18030'), 'utf8'));
  add('toyhom-bad-rows', 'toyhom', 'bad-rows.csv', read('malformed/bad-rows.csv'));
  add('huatuo', 'huatuo', 'sample.json', read('huatuo/sample.json'));
  add('huatuo-truncated', 'huatuo', 'truncated.json', read('malformed/truncated-array.json'));
  add('huatuo-jsonl', 'huatuo', 'sample.jsonl', asJsonLines(read('huatuo/sample.json')));
  add('huatuo-gb18030', 'huatuo', 'sample-gb.json', iconv.encode(read('huatuo/sample.json').toString('utf8'), 'gb18030'));
  // Export variants: records in a wrapper object, history as role messages, UTF-16 without a mark.
  add('cmtmedqa-wrapped', 'cmtmedqa', 'wrapped.json', wrapped(read('cmtmedqa/sample.json')));
  add('cmtmedqa-messages', 'cmtmedqa', 'messages.json', asMessages(read('cmtmedqa/sample.json')));
  add('cmtmedqa-utf16le', 'cmtmedqa', 'sample-u16.json', iconv.encode(read('cmtmedqa/sample.json').toString('utf8'), 'utf-16le'));
  add('huatuo-wrapped', 'huatuo', 'wrapped.json', wrapped(read('huatuo/sample.json')));
  add('toyhom-utf16be', 'toyhom', 'sample-u16.csv', iconv.encode(iconv.decode(read('toyhom/sample.csv'), 'gb18030'), 'utf-16be'));
  return s;
}

export type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; at: number; mask: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; len: number }
  | { op: 'swapEncoding'; to: 'gb18030' | 'utf-8'; line: number; lines: number }
  | { op: 'nest'; at: number; depth: number; open: string; close: string }
  /** Deep nesting where a JSON value may stand: after the k-th ',' or '[' (as an element) or ':' (as a member). */
  | { op: 'nestValue'; nth: number; depth: number; open: string; close: string }
  | { op: 'control'; at: number; chars: string }
  | { op: 'bom'; line: number }
  | { op: 'huge'; at: number; unit: string; count: number }
  | { op: 'crlf' }
  | { op: 'duplicateLines'; line: number; lines: number };

const HOSTILE_CHARS = ['\u0000', '\u001b', '\u0007', '\u0085', '\u009b', '\r', '\t', '\u000b', '\u202e', '\u2066', '\u2069', '\u061c', '\u200e', '\u200f', '\ufeff', '\u{E0041}', '\u{E007F}', '\ufffd', '"', '\\', ',', '\n', '[', '{', '：', '护士：', 'id=', '\u3000'];
const NESTS: Array<[string, string]> = [['[', ']'], ['{"a":', '}'], ['[{"x":', '}]']];
const HUGE_UNITS = ['a.', '1(头', '<b ', ' ', '头 ', 'QQ\u2003', '&a', '(', '"', '\\', ',', '头', '[', '{"a":', 'x@', '本回答仅供参考'];

/** At most this many bytes a 'huge' mutation inserts. */
export const MAX_HUGE_BYTES = 300 * 1024;

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('swapEncoding' as const), to: fc.constantFrom('gb18030' as const, 'utf-8' as const), line: fc.nat(), lines: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 4000 }), shape: fc.constantFrom(...NESTS) }).map(
    ({ at, depth, shape }): Mutation => ({ op: 'nest', at, depth, open: shape[0], close: shape[1] }),
  ),
  fc.record({ op: fc.constant('nestValue' as const), nth: fc.nat(), depth: fc.integer({ min: 50, max: 4000 }), shape: fc.constantFrom(...NESTS) }).map(
    ({ nth, depth, shape }): Mutation => ({ op: 'nestValue', nth, depth, open: shape[0], close: shape[1] }),
  ),
  fc.record({ op: fc.constant('control' as const), at: fc.nat(), chars: fc.array(fc.constantFrom(...HOSTILE_CHARS), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) }),
  fc.record({ op: fc.constant('bom' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('huge' as const), at: fc.nat(), unit: fc.constantFrom(...HUGE_UNITS), count: fc.integer({ min: 1000, max: 100_000 }) }),
  fc.record({ op: fc.constant('crlf' as const) }),
  fc.record({ op: fc.constant('duplicateLines' as const), line: fc.nat(), lines: fc.integer({ min: 1, max: 30 }) }),
);

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

function lineStarts(b: Buffer): number[] {
  const starts = [0];
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) if (i + 1 < b.length) starts.push(i + 1);
  return starts;
}

/** Applies one mutation; positions are taken modulo the current length. */
export function mutate(b: Buffer, m: Mutation): Buffer {
  const pos = (at: number) => (b.length === 0 ? 0 : at % (b.length + 1));
  switch (m.op) {
    case 'truncate':
      return b.subarray(0, pos(m.at));
    case 'flip': {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[m.at % b.length] ^= m.mask;
      return c;
    }
    case 'insert': {
      const p = pos(m.at);
      return Buffer.concat([b.subarray(0, p), Buffer.from(m.bytes), b.subarray(p)]);
    }
    case 'delete': {
      const p = pos(m.at);
      return Buffer.concat([b.subarray(0, p), b.subarray(Math.min(b.length, p + m.len))]);
    }
    case 'swapEncoding': {
      const starts = lineStarts(b);
      const a = starts[m.line % starts.length];
      const e = starts[(m.line % starts.length) + m.lines] ?? b.length;
      const part = b.subarray(a, e);
      const swapped = m.to === 'gb18030' ? iconv.encode(part.toString('utf8'), 'gb18030') : Buffer.from(iconv.decode(part, 'gb18030'), 'utf8');
      return Buffer.concat([b.subarray(0, a), swapped, b.subarray(e)]);
    }
    case 'nest': {
      const p = pos(m.at);
      return Buffer.concat([b.subarray(0, p), Buffer.from(m.open.repeat(m.depth) + (m.open.endsWith(':') ? '1' : '') + m.close.repeat(m.depth)), b.subarray(p)]);
    }
    case 'nestValue': {
      const at: number[] = [];
      for (let i = 0; i < b.length; i++) if (b[i] === 44 || b[i] === 91 || b[i] === 58) at.push(i);
      if (at.length === 0) return b;
      const p = at[m.nth % at.length];
      const deep = m.open.repeat(m.depth) + (m.open.endsWith(':') ? '1' : '') + m.close.repeat(m.depth);
      const ins = b[p] === 58 ? `${deep}, "zz":` : `${deep},`;
      return Buffer.concat([b.subarray(0, p + 1), Buffer.from(ins), b.subarray(p + 1)]);
    }
    case 'control': {
      const p = pos(m.at);
      return Buffer.concat([b.subarray(0, p), Buffer.from(m.chars, 'utf8'), b.subarray(p)]);
    }
    case 'bom': {
      const starts = lineStarts(b);
      const p = starts[m.line % starts.length];
      return Buffer.concat([b.subarray(0, p), Buffer.from([0xef, 0xbb, 0xbf]), b.subarray(p)]);
    }
    case 'huge': {
      const p = pos(m.at);
      const unit = Buffer.from(m.unit, 'utf8');
      const count = Math.min(m.count, Math.floor(MAX_HUGE_BYTES / unit.length));
      return Buffer.concat([b.subarray(0, p), Buffer.alloc(unit.length * count, unit), b.subarray(p)]);
    }
    case 'crlf':
      return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    case 'duplicateLines': {
      const starts = lineStarts(b);
      const a = starts[m.line % starts.length];
      const e = starts[(m.line % starts.length) + m.lines] ?? b.length;
      return Buffer.concat([b.subarray(0, e), b.subarray(a, e), b.subarray(e)]);
    }
  }
}

export function applyAll(b: Buffer, ms: Mutation[]): Buffer {
  let out = b;
  for (const m of ms) out = mutate(out, m);
  return out;
}

export interface RunOutcome {
  ok: boolean;
  /** 'crash' (something threw), 'hang' (over the time budget), 'accounting', 'output' (directory invariants). */
  failure?: 'crash' | 'hang' | 'accounting' | 'output';
  detail?: string;
  ms: number;
  bytes: number;
  dialoguesIn?: number;
}

/** Time a run may take: generous, but proportional to the input (a hang is far beyond it). */
export function budgetMs(bytes: number): number {
  return 10_000 + Math.ceil(bytes / 1024) * 50;
}

/** Characters that must never reach a shard (normalise strips them). */
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\udb40[\udc00-\udc7f]/;

/** Every string inside a parsed JSON value (iteratively). */
function stringsOf(v: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) stack.push(...x);
    else if (x && typeof x === 'object') stack.push(...Object.values(x));
  }
  return out;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function walk(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** The output directory invariants; returns the first problem, or undefined. */
export function checkOutputDir(outDir: string, manifest: Manifest, rejectsTotal: number, recordsAccepted: number): string | undefined {
  const listed = new Set<string>();
  let records = 0;
  for (const s of manifest.shards) {
    const file = path.join(outDir, s.path);
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch {
      return `manifest lists ${s.path}, which does not exist`;
    }
    if (sha256(buf) !== s.sha256) return `${s.path}: sha256 differs from the manifest`;
    listed.add(s.path);
    if (s.annotations) listed.add(s.annotations.path);
    if (s.path.endsWith('.jsonl.gz')) {
      const lines = gunzipSync(buf).toString('utf8').split('\n').filter(Boolean);
      records += lines.length;
      for (const l of lines) {
        if (stringsOf(JSON.parse(l)).some((t) => FORBIDDEN.test(t))) return `${s.path}: a control, bidi or tag character reached a record`;
      }
    } else records += s.records;
  }
  if (records !== manifest.counts.records) return `shards hold ${records} records, the manifest counts ${manifest.counts.records}`;
  if (records !== recordsAccepted) return `shards hold ${records} records, the report accepted ${recordsAccepted}`;
  for (const f of walk(outDir)) {
    if ((f.startsWith('shards/') || f.startsWith('annotations/')) && !listed.has(f)) return `${f} is in the output but not in the manifest`;
    if (/\.(tmp|partial)$|\/\.tmp|^\.tmp/.test(f)) return `${f}: a temporary file was left behind`;
  }
  let rejectLines: string[];
  try {
    rejectLines = readFileSync(path.join(outDir, 'rejects', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return 'rejects/rejects.jsonl is missing';
  }
  if (rejectLines.length !== rejectsTotal) return `rejects.jsonl has ${rejectLines.length} lines, the report counts ${rejectsTotal}`;
  for (const l of rejectLines) JSON.parse(l);
  return undefined;
}

/** What the importer yields on its own (the accounting's "in"), and the generic scanners on the same bytes. */
async function importerCount(format: FileFormat, file: string, bytes: Buffer): Promise<number> {
  async function* chunks(size: number) {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  let n = 0;
  for await (const _ of importers[format]({ file, bytes: chunks(4093), encoding: 'auto' })) n++;
  if (format === 'toyhom') for await (const _ of csvRows(decodeText(chunks(65536), 'auto'))) void _;
  else if (format === 'mie' || format === 'cmtmedqa' || format === 'huatuo') for await (const _ of jsonArrayElements(decodeText(chunks(65536), 'auto'))) void _;
  return n;
}

export interface RunOptions {
  /** Dialogues per batch (small values exercise batching). */
  batchSize?: number;
  /** Keep the working directory (for a failure's reproduction). */
  keep?: boolean;
}

/** Runs one mutated input through the pipeline and checks it. */
export async function runOne(seed: Seed, bytes: Buffer, opts: RunOptions = {}): Promise<RunOutcome> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmt-fuzz-'));
  const t0 = performance.now();
  const done = (o: Omit<RunOutcome, 'ms' | 'bytes'>): RunOutcome => {
    const ms = performance.now() - t0;
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    if (o.ok && ms > budgetMs(bytes.length)) return { ok: false, failure: 'hang', detail: `took ${Math.round(ms)} ms, budget ${budgetMs(bytes.length)} ms`, ms, bytes: bytes.length };
    return { ...o, ms, bytes: bytes.length };
  };
  try {
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', seed.file), bytes);
    const expectedIn = await importerCount(seed.format, `in/${seed.file}`, bytes);
    const config = parsePipeline({
      name: 'fuzz',
      sources: [{ format: seed.format, path: `in/${seed.file}` }],
      executor: { batchSize: opts.batchSize ?? 16 },
      shard: { maxRecordsPerShard: 5 },
    });
    const pipeline = { config, baseDir: dir, file: path.join(dir, 'fuzz.yaml'), configHash: configHash(config) };
    const outDir = path.join(dir, 'out');
    const res = await openRunResources(pipeline, silentLogger);
    let run;
    try {
      run = await runLocal({ pipeline, outDir, logger: silentLogger, ...res });
    } finally {
      await res.close();
    }
    const { report, manifest } = run;
    if (!report.dialogues.closes || !report.records.closes) {
      return done({ ok: false, failure: 'accounting', detail: `dialogues ${JSON.stringify(report.dialogues)} records ${JSON.stringify(report.records)}` });
    }
    if (report.dialogues.in !== expectedIn) {
      return done({ ok: false, failure: 'accounting', detail: `the importer yields ${expectedIn} inputs, the report counts ${report.dialogues.in} in` });
    }
    const problem = checkOutputDir(outDir, manifest, report.rejects.total, report.records.accepted);
    if (problem) return done({ ok: false, failure: 'output', detail: problem });
    statSync(path.join(outDir, 'manifest.json'));
    return done({ ok: true, dialoguesIn: report.dialogues.in });
  } catch (e) {
    return done({ ok: false, failure: 'crash', detail: (e as Error).stack ?? String(e) });
  }
}
