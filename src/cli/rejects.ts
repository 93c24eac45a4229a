/** `cmtmedqa rejects list|show|stats <out-dir>`: inspect rejected records to fix rules. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { RawDialogue } from '../../schemas/dialogue.js';
import { REJECT_REASONS, Reject, Stage, type RejectReason } from '../../schemas/reject.js';
import { CmtError, systemError, writeFailureKind } from '../core/errors.js';
import { fromRejectLine } from '../core/reject.js';
import { readLines } from '../output/lines.js';
import { enclosingOutput, realish } from '../output/out-dir.js';
import { LineSink } from '../output/sink.js';
import { CLIPPED_INPUT_REASONS, requeueable } from '../sources/requeue.js';
import { positiveInt } from './bullmq-flags.js';
import { scheduledRunsHint } from '../output/scheduled-runs.js';

export interface RejectFilter {
  reason?: string;
  stage?: string;
  source?: string;
  /** A reject id, dialogue id or record id (prefix), or a source id (`102` or `meddialog:102`). */
  id?: string;
}

const CODES = Object.keys(REJECT_REASONS) as RejectReason[];

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The three names closest to a query by `distance` (ties by name), for a usage error's suggestion. */
function nearest<T extends string>(names: readonly T[], distance: (name: T) => number): T[] {
  return names.map((n) => [n, distance(n)] as const).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map((x) => x[0]);
}

/**
 * The reason codes a `--reason` names: the code itself; a stage prefix (`split`); a prefix of a
 * code (`dedup.exact` → dedup.exact_duplicate); or, without a dot, a prefix of any word of a code
 * (`duplicate`, `too_long`, `exact`). Anything else is a usage error that suggests the nearest codes.
 */
export function resolveReasons(q: string): RejectReason[] {
  const s = q.trim().toLowerCase();
  if ((CODES as string[]).includes(s)) return [s as RejectReason];
  let hit = CODES.filter((c) => c.startsWith(`${s}.`) || c.startsWith(s));
  if (!hit.length && !s.includes('.')) {
    hit = CODES.filter((c) => {
      const [, name] = c.split('.');
      return name.startsWith(s) || name.split('_').some((w, i, ws) => ws.slice(i).join('_').startsWith(s));
    });
  }
  if (hit.length) return hit;
  const near = nearest(CODES, (c) => Math.min(editDistance(s, c), editDistance(s, c.slice(0, s.length)) + 1, editDistance(s, c.split('.')[1])));
  throw new CmtError('CMT_USAGE', `no reject reason matches --reason ${q}; nearest: ${near.join(', ')} (cmtmedqa rejects stats lists the reasons of a run; schemas/reject.ts has them all)`, { reason: q });
}

/** The stage a `--stage` names (any case); anything else is a usage error that names the nearest stages. */
export function resolveStage(q: string): Stage {
  const s = q.trim().toLowerCase();
  const parsed = Stage.safeParse(s);
  if (parsed.success) return parsed.data;
  const near = nearest(Stage.options, (st) => Math.min(editDistance(s, st), editDistance(s, st.slice(0, s.length)) + 1));
  throw new CmtError('CMT_USAGE', `no stage is named --stage ${q}; nearest: ${near.join(', ')} (stages: ${Stage.options.join(', ')})`, { stage: q });
}

function idMatches(r: Reject, q: string): boolean {
  const pre = (id: unknown) => typeof id === 'string' && (id === q || (q.length >= 6 && id.startsWith(q)));
  const v = r.input as { id?: unknown; record?: { id?: unknown } } | null;
  const recordId = v && typeof v === 'object' ? (v.record?.id ?? v.id) : undefined;
  return pre(r.id) || pre(r.dialogueId) || pre(recordId) || r.origin.sourceId === q || `${r.origin.format}:${r.origin.sourceId}` === q;
}

/** A run's staging directory (src/output/out-dir.ts): `.<name>.partial-<hex>` beside its output. */
const PARTIAL_DIR = /^\.(.+)\.partial-[0-9a-f]{12}$/;

export function rejectsFile(outDir: string): string {
  // A killed run's staging directory holds a rejects file it had not finished (nor flushed):
  // read, it would say "0 rejects". Its output, beside it, is what to inspect.
  const partial = PARTIAL_DIR.exec(path.basename(path.resolve(outDir)));
  if (partial) {
    const final = path.join(path.dirname(path.resolve(outDir)), partial[1]!);
    throw new CmtError('CMT_USAGE', `${outDir} is the partial directory of a run into ${final} that did not finish (killed, or still running): its rejects file is incomplete; ${existsSync(final) ? `inspect ${final} (the last finished output), or ` : ''}run the pipeline again (its next run removes this directory)`, { outDir, final });
  }
  const direct = path.join(outDir, 'rejects', 'rejects.jsonl');
  if (existsSync(direct)) return direct;
  if (outDir.endsWith('.jsonl') && existsSync(outDir)) return outDir;
  throw new CmtError('CMT_INPUT_NOT_FOUND', `no rejects file under ${outDir} (expected ${direct})${scheduledRunsHint(outDir) || "; pass the run's output directory"}`, { outDir });
}

export function matches(r: Reject, f: RejectFilter, reasons: RejectReason[] | undefined = f.reason ? resolveReasons(f.reason) : undefined, stage: Stage | undefined = f.stage ? resolveStage(f.stage) : undefined): boolean {
  if (reasons && !reasons.includes(r.reason)) return false;
  if (f.id && !idMatches(r, f.id)) return false;
  if (stage && r.stage !== stage) return false;
  if (f.source && r.origin.format !== f.source && !r.origin.file.includes(f.source)) return false;
  return true;
}

export async function* readRejects(outDir: string, f: RejectFilter = {}): AsyncGenerator<Reject> {
  const reasons = f.reason ? resolveReasons(f.reason) : undefined;
  const stage = f.stage ? resolveStage(f.stage) : undefined;
  let n = 0;
  const file = rejectsFile(outDir);
  for await (const line of readLines(file)) {
    n++;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CmtError('CMT_OUTPUT_INVALID', `${file} line ${n} is not JSON (${(e as Error).message}); the rejects file is damaged: re-run the pipeline to rewrite it`, { file, line: n });
    }
    const r = Reject.safeParse(fromRejectLine(v));
    if (!r.success) throw new CmtError('CMT_OUTPUT_INVALID', `${file} line ${n} does not match the Reject schema (${r.error.issues[0]?.path.join('.') || '(root)'}: ${r.error.issues[0]?.message}); the rejects file is damaged: re-run the pipeline to rewrite it`, { file, line: n });
    if (matches(r.data, f, reasons, stage)) yield r.data;
  }
}

export async function rejectStats(outDir: string, f: RejectFilter = {}): Promise<{ total: number; byReason: Record<string, number>; byStage: Record<string, number>; bySource: Record<string, number> }> {
  const byReason: Record<string, number> = {};
  const byStage: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  let total = 0;
  for await (const r of readRejects(outDir, f)) {
    total++;
    byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    byStage[r.stage] = (byStage[r.stage] ?? 0) + 1;
    const src = `${r.origin.format}:${r.origin.file}`;
    bySource[src] = (bySource[src] ?? 0) + 1;
  }
  return { total, byReason, byStage, bySource };
}

function preview(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Writes the re-processable inputs of matching rejects as `requeue` JSON lines; returns counts.
 * `to` is written whole beside itself and renamed into place, and may not be the rejects file read.
 */
/** Whether `file` holds only requeue lines (RawDialogue JSON) in its first 64 KiB: a previous requeue file, safe to replace. */
function isRequeueFile(file: string): boolean {
  const fd = openSync(file, 'r');
  let head: string;
  try {
    const b = Buffer.alloc(1 << 16);
    head = b.subarray(0, readSync(fd, b, 0, b.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
  const lines = head.split('\n');
  if (lines.length > 1) lines.pop(); // possibly cut
  return lines.every((l) => {
    if (!l.trim()) return true;
    try {
      return RawDialogue.safeParse(JSON.parse(l)).success;
    } catch {
      return false;
    }
  });
}

/** A system error while writing `to` (a full disk, no permission) as CMT_RUN_FAILED saying what to do. */
function writeFailure(e: unknown, to: string): unknown {
  const sys = systemError(e);
  if (!sys) return e;
  const todo = writeFailureKind(sys.code) === 'space' ? `free space on the filesystem of ${path.dirname(path.resolve(to))} or write elsewhere` : 'check that this user can write there';
  const kept = existsSync(to) ? `${to} is unchanged` : `nothing was written to ${to}`;
  return new CmtError('CMT_RUN_FAILED', `could not write ${to}: ${sys.message}; ${todo}, and run again (${kept})`, { to, errno: sys.code }, { cause: e });
}

export async function requeueRejects(outDir: string, f: RejectFilter, to: string, force = false): Promise<RequeueResult> {
  const from = rejectsFile(outDir);
  if (realish(to) === realish(from)) {
    throw new CmtError('CMT_USAGE', `--to ${to} is the rejects file being read (${from}); write the requeue file elsewhere, e.g. /tmp/requeue.jsonl`, { to, from });
  }
  if (existsSync(to) && statSync(to).isDirectory()) throw new CmtError('CMT_USAGE', `--to ${to} is a directory; name a file, e.g. ${path.join(to, 'requeue.jsonl')}`, { to });
  if (!existsSync(path.dirname(path.resolve(to)))) throw new CmtError('CMT_USAGE', `--to ${to}: directory ${path.dirname(path.resolve(to))} does not exist; create it first`, { to });
  if (enclosingOutput(to)) {
    throw new CmtError('CMT_USAGE', `--to ${to} lies inside an output directory of cmtmedqa, which its next run replaces whole (and which would then hold a file it did not write); write the requeue file elsewhere, e.g. /tmp/requeue.jsonl`, { to });
  }
  if (existsSync(to) && !force && !isRequeueFile(to)) {
    throw new CmtError('CMT_USAGE', `--to ${to} exists and is not a requeue file (its lines are not dialogues that \`rejects requeue\` wrote); name a new file, or pass --force to replace it`, { to });
  }
  const tmp = `${to}.partial-${process.pid}`;
  try {
    const res = await writeRequeue(outDir, f, tmp);
    await rename(tmp, to);
    return res;
  } catch (e) {
    throw writeFailure(e, to);
  } finally {
    await rm(tmp, { force: true });
  }
}

export interface RequeueResult {
  written: number;
  notRequeueable: number;
  /** The rejects left out (their input is no dialogue or record, or a clipped one), by stage (by reason for CLIPPED_INPUT_REASONS). */
  notRequeueableByStage: Record<string, number>;
  byReason: Record<string, number>;
}

/** Why the rejects of a stage hold nothing to run again, and what to do instead. */
const NOT_REQUEUEABLE: Record<string, string> = {
  import: 'raw text: fix the source file and run it again',
  scrape: 'no page was read: fix the URL or the site settings and run it again',
  parse: 'a stored page: fix the site layout and run `cmtmedqa scrape reparse`',
  split: 'rounds no record takes, the tail of a dialogue: not a dialogue of their own',
  normalise: 'no turn was read from the source, whose speaker labels its importer does not know: fix the source file or the importer and run the file again',
  'normalise.too_long': 'its input is kept cut to the limit: raise split.maxChars and run its source file again',
};

async function writeRequeue(outDir: string, f: RejectFilter, to: string): Promise<RequeueResult> {
  const sink = new LineSink(to);
  const seen = new Set<string>();
  let written = 0;
  let notRequeueable = 0;
  const notRequeueableByStage: Record<string, number> = {};
  const byReason: Record<string, number> = {};
  try {
    for await (const r of readRejects(outDir, f)) {
      const d = requeueable(r);
      if (!d) {
        notRequeueable++;
        // By stage, or by reason where the reason alone says why (a clipped input).
        const key = CLIPPED_INPUT_REASONS.has(r.reason) ? r.reason : r.stage;
        notRequeueableByStage[key] = (notRequeueableByStage[key] ?? 0) + 1;
        continue;
      }
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      await sink.write(JSON.stringify(d));
      written++;
    }
  } finally {
    await sink.close();
  }
  return { written, notRequeueable, notRequeueableByStage, byReason };
}

export function registerRejectCommands(program: Command): void {
  const cmd = program.command('rejects').description('inspect rejected records of a run');
  const filters = (c: Command) =>
    c.option('--reason <reason>', 'reason code or prefix (e.g. split.no_doctor_turn, dedup)')
      .option('--stage <stage>', 'stage (import, normalise, split, validate, dedup, …)')
      .option('--source <source>', 'source format or part of the input file path')
      .option('--id <id>', 'a reject, dialogue or record id (prefix), or a source id (102 or meddialog:102)');

  filters(cmd.command('list <outDir>').description('one line per reject: id, reason, origin, detail'))
    .option('--limit <n>', 'at most n rejects', positiveInt('--limit'), 50)
    .option('--json', 'print full JSON lines instead')
    .action(async (outDir: string, o: RejectFilter & { limit: number; json?: boolean }) => {
      let n = 0;
      for await (const r of readRejects(outDir, o)) {
        if (n++ >= o.limit) continue; // keep counting: the last line says how many matched
        if (o.json) console.log(JSON.stringify(r));
        else console.log(`${r.id}  ${r.reason.padEnd(28)} ${r.origin.format}:${r.origin.file}#${r.origin.sourceId}  ${preview(r.detail, 100)}`);
      }
      if (n === 0) console.error(`no rejects match${o.reason ? ` (--reason ${o.reason} = ${resolveReasons(o.reason).join(', ')})` : ''}`);
      else {
        const line = `${Math.min(n, o.limit)} of ${n} matching rejects${n > o.limit ? ` (--limit ${n} shows all)` : ''}`;
        if (o.json) console.error(line);
        else console.log(line);
      }
    });

  cmd.command('show <outDir> <id>').description('one reject in full: detail, evidence, origin and the offending input')
    .action(async (outDir: string, id: string) => {
      // An empty id is a prefix of every id: it would show an arbitrary reject.
      if (!id.trim()) throw new CmtError('CMT_USAGE', 'rejects show needs an id: a reject, dialogue or record id (prefix), or a source id such as 102');
      // A reject id first; else every reject of the dialogue, record or source id given.
      let shown = 0;
      // A reject id or an unambiguous prefix of one; a prefix several share is a usage mistake.
      let exact: Reject | undefined;
      const prefixed: Reject[] = [];
      for await (const r of readRejects(outDir)) {
        if (r.id === id) {
          exact = r;
          break;
        }
        if (r.id.startsWith(id) && prefixed.push(r) > 5) break;
      }
      const one = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (one) {
        console.log(JSON.stringify(one, null, 2));
        return;
      }
      if (prefixed.length > 1) {
        throw new CmtError('CMT_USAGE', `${id} begins ${prefixed.length > 5 ? 'more than 5' : prefixed.length} reject ids (${prefixed.slice(0, 5).map((r) => r.id).join(', ')}${prefixed.length > 5 ? ', …' : ''}); give more of the id`, { id });
      }
      for await (const r of readRejects(outDir, { id })) {
        console.log(JSON.stringify(r, null, 2));
        shown++;
      }
      if (shown) return;
      console.error(`no reject with id ${id} (nor of a dialogue, record or source with that id); cmtmedqa explain ${outDir} ${id} tells an accepted dialogue's story`);
      process.exitCode = 1;
    });

  filters(cmd.command('requeue <outDir>').description('write the inputs of matching rejects as a `requeue` source, to run again after fixing a rule'))
    .requiredOption('--to <file>', 'JSON-lines file to write (use it as `{format: requeue, path: <file>}` in a pipeline)')
    .option('--force', 'replace a --to file that is not an earlier requeue file')
    .action(async (outDir: string, o: RejectFilter & { to: string; force?: boolean }) => {
      const s = await requeueRejects(outDir, o, o.to, o.force);
      const left = Object.entries(s.notRequeueableByStage).map(([stage, n]) => `${n} ${stage} (${NOT_REQUEUEABLE[stage] ?? 'no dialogue or record in its input'})`);
      console.log(`wrote ${s.written} dialogue(s) to ${o.to}${s.notRequeueable ? `; ${s.notRequeueable} reject(s) not requeued: ${left.join(', ')}` : ''}`);
      for (const [k, v] of Object.entries(s.byReason)) console.log(`  ${String(v).padStart(8)}  ${k}`);
      if (s.written > 0) console.log(`next: add  - { format: requeue, path: ${o.to} }  to a pipeline's sources and run it`);
      else if (s.notRequeueable > 0) console.log('next: nothing to run again from here: act on the rejects as said above');
      else console.log(`next: no reject matches these filters; \`cmtmedqa rejects stats ${outDir}\` lists the reasons and stages there are`);
    });

  // `rejects explain` is where a reader of rejects looks for a dialogue's story: it is
  // `cmtmedqa explain`, loaded only when run (so `rejects --help` stays light).
  cmd.command('explain <outDir> <id>').description('the same as `cmtmedqa explain <outDir> <id>`: the whole story of a reject\'s dialogue (or of any source, dialogue or record id)')
    .option('--json', 'print the story as JSON')
    .option('--width <n>', 'text width, at least 40 (default: the terminal, else 120)')
    .action(async (outDir: string, id: string, o: { json?: boolean; width?: string }) => {
      const { parseWidth, printExplain } = await import('./explain.js');
      await printExplain(outDir, id, { json: o.json, width: o.width === undefined ? undefined : parseWidth(o.width) });
    });

  filters(cmd.command('stats <outDir>').description('counts by reason, stage and source'))
    .option('--json', 'print JSON')
    .action(async (outDir: string, o: RejectFilter & { json?: boolean }) => {
      const s = await rejectStats(outDir, o);
      if (o.json) {
        console.log(JSON.stringify(s, null, 2));
        return;
      }
      console.log(`${s.total} rejects`);
      console.log('\nby reason:');
      for (const [k, v] of Object.entries(s.byReason).sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(8)}  ${k.padEnd(28)} ${REJECT_REASONS[k as RejectReason] ?? ''}`);
      console.log('\nby stage:');
      for (const [k, v] of Object.entries(s.byStage).sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(8)}  ${k}`);
      console.log('\nby source:');
      for (const [k, v] of Object.entries(s.bySource).sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(8)}  ${k}`);
    });
}
