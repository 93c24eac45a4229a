/**
 * Atomic, owned output directories. A run never writes into its target directly: it writes into a
 * fresh `<parent>/.<name>.partial-<hex>` beside it and, only when everything is written, swaps it
 * into place (two renames in one directory), so the previous good output survives any failure.
 * While it runs it holds `<parent>/.<name>.lock` (see src/core/lock.ts), so two runs into one
 * directory cannot interleave. The finished directory carries OWNER_MARKER listing what cmtmedqa
 * wrote; a target holding anything else, or the output of another pipeline's run, is refused unless
 * `force`; a mount point is refused always (it cannot be renamed).
 * Refused always (force or not): the names `.`/`..`, `/`, the current directory or a parent of it,
 * and a target that is or contains one of the run's inputs (all resolved through symlinks).
 * Must not: write into the target before commit, or delete anything outside target/partial/old.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { access, constants, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CmtError } from '../core/errors.js';
import { FileLock } from '../core/lock.js';

export const OWNER_MARKER = '.cmtmedqa-output.json';

/** What a run wrote before the marker existed: such a directory is still ours. */
const LEGACY_ENTRIES = new Set(['shards', 'annotations', 'rejects', 'manifest.json', 'report.json', 'report.md', 'dataset_info.json', 'README.md', 'pipeline.json', 'revalidate.json', '.tmp']);

export interface OutputGuard {
  /** Paths the run reads (files or directories): the target may not be one of them nor contain one. */
  inputs?: string[];
  /** Directories the run reads as a whole: the target may not lie inside one either. */
  inputDirs?: string[];
  /** Replace a target that holds files cmtmedqa did not write. */
  force?: boolean;
  /** What writes here, for the marker and messages (`run demo`, `revalidate`). */
  writer?: string;
}

/** `p` with every existing prefix resolved through symlinks (the rest appended as given). */
export function realish(p: string): string {
  let cur = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...rest);
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

function within(child: string, dir: string): boolean {
  const rel = path.relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

interface Marker {
  writtenBy: 'cmtmedqa';
  writer: string;
  /** The top-level names it wrote. */
  entries: string[];
  /**
   * Every file and folder below them (`shards/train/part-00000.jsonl.gz`), so a file added by hand
   * inside the output is foreign too. Absent in markers written before it was added: those are
   * compared by their top-level names only.
   */
  files?: string[];
}

/** Every file and folder under `dir` (not through symlinks), as `/`-joined paths relative to it, the marker left out. */
function treeOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (!rel && d.name === OWNER_MARKER) continue;
      out.push(r);
      if (d.isDirectory()) walk(path.join(abs, d.name), r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** The pipeline a writer (`run <name>`, `revalidate <name>`) wrote for; the writer itself when it names none. */
function pipelineOf(writer: string): string {
  const m = /^(?:run|revalidate) (.+)$/.exec(writer);
  return m ? m[1]! : writer;
}

function readMarker(dir: string): Marker | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, OWNER_MARKER), 'utf8')) as Partial<Marker>;
    if (m.writtenBy === 'cmtmedqa' && Array.isArray(m.entries)) return m as Marker;
  } catch {
    /* not ours */
  }
  return undefined;
}

/**
 * The cmtmedqa output that `file` would lie inside (at any depth), if any: its next run replaces
 * it whole, so a file of the user's (a requeue file, a graph snapshot) must not be written there.
 */
export function enclosingOutput(file: string): string | undefined {
  for (let up = path.dirname(realish(file)); path.dirname(up) !== up; up = path.dirname(up)) {
    if (existsSync(path.join(up, OWNER_MARKER)) && readMarker(up)) return up;
  }
  return undefined;
}

/** The entries of `dir` that cmtmedqa did not write (by its marker, or the legacy layout). */
export function foreignEntries(dir: string): string[] {
  const entries = readdirSync(dir).filter((e) => e !== OWNER_MARKER);
  if (entries.length === 0) return [];
  const marker = readMarker(dir);
  if (marker) {
    const ours = new Set(marker.entries);
    const foreign = entries.filter((e) => !ours.has(e));
    if (!Array.isArray(marker.files)) return foreign;
    // Below the top level: each path the marker does not list, not what lies under a foreign folder.
    const files = new Set(marker.files);
    for (const rel of treeOf(dir)) {
      if (!rel.includes('/') || files.has(rel)) continue;
      if (!foreign.some((f) => rel.startsWith(`${f}/`))) foreign.push(rel);
    }
    return foreign;
  }
  if (entries.includes('manifest.json') && entries.every((e) => LEGACY_ENTRIES.has(e))) return [];
  return entries;
}

/**
 * Checks a target before any work: refused names and places, inputs inside it, a file in its
 * place, a directory holding foreign files, an unwritable parent. Returns the resolved target.
 * No side effects.
 */
export function checkOutputTarget(target: string, g: OutputGuard = {}): string {
  const given = target.replace(/[\\/]+$/, '');
  const base = path.basename(given);
  if (given === '' || base === '.' || base === '..') {
    throw new CmtError('CMT_USAGE', `output directory ${JSON.stringify(target)} names the current or a parent directory; give a directory of its own (e.g. out/<name>)`, { target });
  }
  const abs = path.resolve(given);
  // A symlinked target is written through: the directory it points at is replaced.
  const final = existsSync(abs) && lstatSync(abs).isSymbolicLink() ? realish(abs) : path.join(realish(path.dirname(abs)), path.basename(abs));
  if (path.dirname(final) === final) throw new CmtError('CMT_USAGE', `output directory ${target} is the filesystem root; give a directory of its own`, { target });
  const cwd = realish(process.cwd());
  if (within(cwd, final)) {
    throw new CmtError('CMT_USAGE', `output directory ${target} resolves to ${final}, which is the current directory or a parent of it: a run replaces its output directory whole; give a directory of its own (e.g. out/<name>)`, { target, resolved: final });
  }
  for (const input of g.inputs ?? []) {
    const real = realish(input);
    if (within(real, final)) {
      throw new CmtError('CMT_USAGE', `output directory ${target} (${final}) holds this run's input ${input}: a run replaces its output directory whole, so it would delete what it reads; write elsewhere`, { target, input });
    }
  }
  for (const dir of g.inputDirs ?? []) {
    const real = realish(dir);
    if (within(final, real)) {
      throw new CmtError('CMT_USAGE', `output directory ${target} (${final}) lies inside this run's input ${dir}; write to a new directory beside it`, { target, input: dir });
    }
  }
  // Inside another output: that output's next run would find a foreign directory and replace it whole
  // (checked before the target's own files: a folder of that output is refused even with --force).
  const up = enclosingOutput(final);
  if (up) {
    throw new CmtError('CMT_USAGE', `output directory ${target} lies inside ${up}, the output of \`${readMarker(up)!.writer}\`, which its next run replaces whole; write beside it instead`, { target, inside: up });
  }
  if (existsSync(final)) {
    if (!statSync(final).isDirectory()) {
      throw new CmtError('CMT_USAGE', `output path ${target} is a file, not a directory; move it away or choose another output directory`, { target });
    }
    // --force replaces foreign files, but never a home directory or a project's working tree.
    const keep = ['.git', '.ssh'].find((e) => existsSync(path.join(final, e)));
    const precious = final === realish(os.homedir()) ? 'is the home directory' : keep ? `holds ${keep}` : undefined;
    if (precious) {
      throw new CmtError('CMT_USAGE', `output directory ${target} ${precious}: a run replaces its output directory whole, so it is never written, even with --force; give a directory of its own (e.g. ${path.join(target, 'out')})`, { target });
    }
    const foreign = foreignEntries(final);
    if (foreign.length && !g.force) {
      const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
      throw new CmtError('CMT_USAGE', `output directory ${target} holds files cmtmedqa did not write (${shown}); choose an empty or new directory, or pass --force to replace it whole`, { target, foreign: foreign.slice(0, 50) });
    }
    // Another pipeline's run (a copied YAML that kept its --out, a typo in the name) would replace
    // that pipeline's good output; rerunning the same pipeline, or revalidating, is the normal case.
    const previous = readMarker(final)?.writer;
    if (!g.force && previous && g.writer && previous !== g.writer && pipelineOf(previous) !== pipelineOf(g.writer)) {
      throw new CmtError('CMT_USAGE', `output directory ${target} holds the output of \`${previous}\`, and this is \`${g.writer}\`: a run replaces its output directory whole; choose another directory, or pass --force to replace it`, { target, previous, writer: g.writer });
    }
    // The swap renames the target: a mount point cannot be renamed (EBUSY after all the work).
    if (statSync(final).dev !== statSync(path.dirname(final)).dev) {
      throw new CmtError('CMT_USAGE', `output directory ${target} is a mount point, which a run cannot replace (it swaps the finished directory in by rename); write to a directory inside it, e.g. ${path.join(target, 'out')}`, { target });
    }
  }
  // The nearest existing ancestor must be a writable directory (the parent is created at open).
  let anc = path.dirname(final);
  while (!existsSync(anc)) anc = path.dirname(anc);
  if (!statSync(anc).isDirectory()) throw new CmtError('CMT_USAGE', `cannot create output directory ${target}: ${anc} is a file`, { target });
  return final;
}

/**
 * An output being written: `work` is where every writer writes; `commit` swaps it into `final`,
 * `abort` throws it away. Either ends the lock.
 */
export class StagedOutput {
  private done = false;

  private constructor(readonly final: string, readonly work: string, private readonly lock: FileLock, private readonly writer: string) {}

  static async open(target: string, g: OutputGuard = {}): Promise<StagedOutput> {
    let final = checkOutputTarget(target, g);
    const parent = path.dirname(final);
    const name = path.basename(final);
    try {
      await mkdir(parent, { recursive: true });
      await access(parent, constants.W_OK);
    } catch (e) {
      throw new CmtError('CMT_USAGE', `cannot write beside output directory ${target}: ${(e as Error).message}`, { target });
    }
    const lock = await FileLock.acquire(path.join(parent, `.${name}.lock`), `output directory ${final}`);
    try {
      // Under the lock: check again (another run may have just finished), then tidy what a
      // crashed run left: its partial directory, or an old output it had moved aside.
      final = checkOutputTarget(target, g);
      // A leftover that cannot be removed (read-only, busy) stays; it never blocks the run.
      for (const e of await readdir(parent)) {
        if (e.startsWith(`.${name}.partial-`)) await rm(path.join(parent, e), { recursive: true, force: true }).catch(() => {});
        else if (e.startsWith(`.${name}.old-`)) {
          if (!existsSync(final)) await rename(path.join(parent, e), final);
          else await rm(path.join(parent, e), { recursive: true, force: true }).catch(() => {});
        }
      }
      const work = path.join(parent, `.${name}.partial-${randomBytes(6).toString('hex')}`);
      await mkdir(work);
      return new StagedOutput(final, work, lock, g.writer ?? 'cmtmedqa');
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** Marks the work directory as ours and swaps it into place; the previous output is removed after. */
  async commit(): Promise<void> {
    if (this.done) throw new Error('output already committed or aborted');
    const entries = (await readdir(this.work)).filter((e) => e !== OWNER_MARKER).sort();
    const marker: Marker = { writtenBy: 'cmtmedqa', writer: this.writer, entries, files: treeOf(this.work) };
    await writeFile(path.join(this.work, OWNER_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    const parent = path.dirname(this.final);
    const old = path.join(parent, `.${path.basename(this.final)}.old-${randomBytes(6).toString('hex')}`);
    const hadOld = existsSync(this.final);
    try {
      if (hadOld) await rename(this.final, old);
      try {
        await rename(this.work, this.final);
      } catch (e) {
        if (hadOld) await rename(old, this.final);
        throw e;
      }
    } catch (e) {
      throw new CmtError('CMT_RUN_FAILED', `could not move the finished output into ${this.final}: ${(e as Error).message}; the previous output is unchanged (the output directory and its parent must be on one filesystem)`, { final: this.final });
    }
    this.done = true;
    try {
      // The new output is in place: a previous one that cannot be removed (read-only files, a
      // mount inside it) is left beside it for the user, and does not fail the run.
      if (hadOld) await rm(old, { recursive: true, force: true }).catch((e: Error) => (this.leftover = { path: old, error: e.message }));
    } finally {
      await this.lock.release();
    }
  }

  /** After commit: the previous output, moved aside, that could not be removed (the caller says so). */
  leftover?: { path: string; error: string };

  /** Removes the work directory; the target is untouched. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await rm(this.work, { recursive: true, force: true }).catch(() => {});
    await this.lock.release();
  }
}

/** Runs `write(workDir)` inside a staged output: committed when it resolves, aborted when it throws. */
export async function writeStaged<T>(target: string, g: OutputGuard, write: (out: StagedOutput) => Promise<T>): Promise<T> {
  const out = await StagedOutput.open(target, g);
  try {
    const res = await write(out);
    await out.commit();
    return res;
  } finally {
    await out.abort();
  }
}
