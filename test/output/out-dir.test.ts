import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { FileLock } from '../../src/core/lock.js';
import { checkOutputTarget, foreignEntries, OWNER_MARKER, StagedOutput } from '../../src/output/out-dir.js';
import { preflightRun } from '../../src/pipeline/preflight.js';
import { pipelineFrom, tmpDir } from '../support/run.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CmtError ? e.code : `raw ${(e as Error).message}`;
  }
  return undefined;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof CmtError ? e.code : `raw ${(e as Error).message}`;
  }
  return undefined;
}

/** A pid no process has: one that just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

async function writeOutput(target: string, files: Record<string, string>): Promise<void> {
  const out = await StagedOutput.open(target);
  for (const [k, v] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(out.work, k)), { recursive: true });
    writeFileSync(path.join(out.work, k), v);
  }
  await out.commit();
}

describe('staged output directories', () => {
  it('refuses ".", "..", the current directory, a parent of it and the filesystem root, even with force', () => {
    for (const t of ['.', '..', 'x/..', './', process.cwd(), path.dirname(process.cwd()), '/']) {
      expect([t, code(() => checkOutputTarget(t, { force: true }))]).toEqual([t, 'CMT_USAGE']);
    }
  });

  it('refuses an output that is or holds one of the inputs, also through a symlink', () => {
    const root = tmpDir();
    const src = path.join(root, 'src');
    mkdirSync(src);
    writeFileSync(path.join(src, 'data.json'), '[]');
    symlinkSync(src, path.join(root, 'link'));
    const guard = { inputs: [path.join(src, 'data.json')], inputDirs: [src], force: true };
    expect(code(() => checkOutputTarget(src, guard))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(root, guard))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(path.join(root, 'link'), guard))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(path.join(src, 'inside'), guard))).toBe('CMT_USAGE');
    expect(checkOutputTarget(path.join(root, 'fresh'), guard)).toBe(path.join(root, 'fresh'));
  });

  it('refuses a directory holding files it did not write unless forced, and a file in its place', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(code(() => checkOutputTarget(dir))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(dir, { force: true }))).toBeUndefined();
    const file = path.join(tmpDir(), 'f');
    writeFileSync(file, 'x');
    expect(code(() => checkOutputTarget(file, { force: true }))).toBe('CMT_USAGE');
    // an empty directory, and an output of a run from before the marker existed, are fine
    expect(code(() => checkOutputTarget(tmpDir()))).toBeUndefined();
    const legacy = tmpDir();
    for (const f of ['manifest.json', 'report.md', 'pipeline.json']) writeFileSync(path.join(legacy, f), '{}');
    expect(code(() => checkOutputTarget(legacy))).toBeUndefined();
  });

  it("refuses another pipeline's output unless forced; the same pipeline and revalidate replace it", async () => {
    const target = path.join(tmpDir(), 'out');
    const a = await StagedOutput.open(target, { writer: 'run alpha' });
    writeFileSync(path.join(a.work, 'manifest.json'), '{}');
    await a.commit();
    let message = '';
    try {
      checkOutputTarget(target, { writer: 'run beta' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/holds the output of `run alpha`, and this is `run beta`/);
    expect(code(() => checkOutputTarget(target, { writer: 'run beta', force: true }))).toBeUndefined();
    expect(code(() => checkOutputTarget(target, { writer: 'run alpha' }))).toBeUndefined();
    expect(code(() => checkOutputTarget(target, { writer: 'revalidate alpha' }))).toBeUndefined();
    // A revalidation of another pipeline's output, or a run into a revalidation of another pipeline, is refused too.
    expect(code(() => checkOutputTarget(target, { writer: 'revalidate beta' }))).toBe('CMT_USAGE');
    const r = await StagedOutput.open(target, { writer: 'revalidate alpha' });
    writeFileSync(path.join(r.work, 'manifest.json'), '{}');
    await r.commit();
    expect(code(() => checkOutputTarget(target, { writer: 'run beta' }))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(target, { writer: 'run alpha' }))).toBeUndefined();
    // Refused before any work: nothing was staged beside it.
    expect(await codeOf(StagedOutput.open(target, { writer: 'run beta' }))).toBe('CMT_USAGE');
    expect(readdirSync(path.dirname(target))).toEqual(['out']);
  });

  it('refuses a mount point as the output directory, even with force (it cannot be swapped by rename)', () => {
    let message = '';
    try {
      checkOutputTarget('/proc', { force: true });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is a mount point/);
  });

  it('replaces the previous output only on commit, keeps it on abort, and marks what it wrote', async () => {
    const target = path.join(tmpDir(), 'out');
    await writeOutput(target, { 'manifest.json': 'one', 'shards/a': 'A' });
    expect(JSON.parse(readFileSync(path.join(target, OWNER_MARKER), 'utf8')).entries).toEqual(['manifest.json', 'shards']);
    const failed = await StagedOutput.open(target);
    writeFileSync(path.join(failed.work, 'manifest.json'), 'half');
    expect(readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('one');
    await failed.abort();
    expect(readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('one');
    await writeOutput(target, { 'manifest.json': 'two' });
    expect(readdirSync(target).sort()).toEqual([OWNER_MARKER, 'manifest.json']);
    expect(readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('two');
    // a file added by hand afterwards makes the directory foreign again
    writeFileSync(path.join(target, 'mine.txt'), 'x');
    expect(await codeOf(StagedOutput.open(target))).toBe('CMT_USAGE');
    expect(readdirSync(path.dirname(target)).sort()).toEqual(['out']);
  });

  it('treats a file or folder added by hand anywhere inside the output (shards/train/mine.txt) as foreign, not only at its top level', async () => {
    // Before: only the top-level names were compared, so the next run deleted shards/train/notes.txt without a word.
    const target = path.join(tmpDir(), 'out');
    await writeOutput(target, { 'manifest.json': 'one', 'shards/train/part-00000.jsonl.gz': 'A', 'rejects/rejects.jsonl': '' });
    expect(code(() => checkOutputTarget(target))).toBeUndefined();
    writeFileSync(path.join(target, 'shards', 'train', 'notes.txt'), 'mine');
    let message = '';
    try {
      checkOutputTarget(target);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('holds files cmtmedqa did not write (shards/train/notes.txt)');
    expect(await codeOf(StagedOutput.open(target))).toBe('CMT_USAGE');
    expect(readFileSync(path.join(target, 'shards', 'train', 'notes.txt'), 'utf8')).toBe('mine');
    rmSync(path.join(target, 'shards', 'train', 'notes.txt'));
    mkdirSync(path.join(target, 'rejects', 'mine', 'deeper'), { recursive: true });
    expect(foreignEntries(target)).toEqual(['rejects/mine']);
    rmSync(path.join(target, 'rejects', 'mine'), { recursive: true });
    expect(foreignEntries(target)).toEqual([]);
    // --force still replaces it whole
    writeFileSync(path.join(target, 'shards', 'train', 'notes.txt'), 'mine');
    expect(code(() => checkOutputTarget(target, { force: true }))).toBeUndefined();
  });

  it('keeps reading a marker of an earlier version (top-level entries only) as before', async () => {
    const target = path.join(tmpDir(), 'out');
    await writeOutput(target, { 'manifest.json': 'one', 'shards/a': 'A' });
    writeFileSync(path.join(target, OWNER_MARKER), JSON.stringify({ writtenBy: 'cmtmedqa', writer: 'cmtmedqa', entries: ['manifest.json', 'shards'] }));
    writeFileSync(path.join(target, 'shards', 'b'), 'B');
    expect(foreignEntries(target)).toEqual([]);
    writeFileSync(path.join(target, 'mine.txt'), 'x');
    expect(foreignEntries(target)).toEqual(['mine.txt']);
  });

  it('lets only one writer at a time into a directory, with a code that says so', async () => {
    const target = path.join(tmpDir(), 'out');
    const a = await StagedOutput.open(target);
    expect(await codeOf(StagedOutput.open(target))).toBe('CMT_OUTPUT_LOCKED');
    await a.abort();
    const b = await StagedOutput.open(target);
    await b.commit();
    expect(existsSync(path.join(path.dirname(target), '.out.lock'))).toBe(false);
  });

  it('takes over the lock, partial directory and moved-aside output of a run that died', async () => {
    const parent = tmpDir();
    const target = path.join(parent, 'out');
    await writeOutput(target, { 'manifest.json': 'good' });
    // died mid-swap: the good output moved aside, its lock and partial directory left behind
    const { renameSync } = await import('node:fs');
    renameSync(target, path.join(parent, '.out.old-123'));
    mkdirSync(path.join(parent, '.out.partial-abc'));
    writeFileSync(path.join(parent, '.out.lock'), JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 't', since: 'then', what: 'x' }));
    const out = await StagedOutput.open(target);
    expect(readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('good');
    expect(readdirSync(parent).filter((e) => e.startsWith('.out.partial-'))).toEqual([path.basename(out.work)]);
    await out.abort();
    expect(readdirSync(parent).sort()).toEqual(['out']);
  });

  it('does not take over a live lock or one of another host', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.lock');
    writeFileSync(file, JSON.stringify({ pid: process.ppid, host: os.hostname(), token: 't', since: 'now', what: 'x' }));
    expect(await codeOf(FileLock.acquire(file, 'x'))).toBe('CMT_OUTPUT_LOCKED');
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', token: 't', since: 'now', what: 'x' }));
    expect(await codeOf(FileLock.acquire(file, 'x'))).toBe('CMT_OUTPUT_LOCKED');
    expect(JSON.parse(readFileSync(file, 'utf8')).host).toBe('elsewhere.example');
  });

  it('takes over a lock that names its own pid (a run before it with the same pid, as pid 1 in containers, is gone)', async () => {
    const file = path.join(tmpDir(), 'x.lock');
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'earlier', since: 'then', what: 'x' }));
    const lock = await FileLock.acquire(file, 'x');
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe(lock.info.token);
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('never writes a home directory, a git working tree or a folder holding .ssh, even with force', () => {
    const dir = path.join(tmpDir(), 'project');
    mkdirSync(path.join(dir, '.git'), { recursive: true });
    expect(code(() => checkOutputTarget(dir, { force: true }))).toBe('CMT_USAGE');
    const keys = path.join(tmpDir(), 'keys');
    mkdirSync(path.join(keys, '.ssh'), { recursive: true });
    expect(code(() => checkOutputTarget(keys, { force: true }))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(os.homedir(), { force: true }))).toBe('CMT_USAGE');
  });

  it('refuses an output inside another output (whose next run would replace it whole)', async () => {
    const outer = path.join(tmpDir(), 'outer');
    await writeOutput(outer, { 'manifest.json': '{}' });
    expect(code(() => checkOutputTarget(path.join(outer, 'inner')))).toBe('CMT_USAGE');
    expect(code(() => checkOutputTarget(path.join(outer, 'a', 'b')))).toBe('CMT_USAGE');
    // A folder of that output (its shards/): the message names the output around it, not --force,
    // which is refused too (before: "holds files cmtmedqa did not write … pass --force", then
    // with --force "lies inside …").
    const message = (force: boolean) => {
      try {
        checkOutputTarget(path.join(outer, 'shards'), { force });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    mkdirSync(path.join(outer, 'shards'));
    writeFileSync(path.join(outer, 'shards', 'part'), 'x');
    for (const force of [false, true]) {
      expect(message(force)).toContain(`lies inside ${realpathSync(outer)}`);
      expect(message(force)).not.toContain('--force');
    }
  });

  it('preflight says an output is locked by a live run before any slow work, and takes nothing', async () => {
    const parent = tmpDir();
    const target = path.join(parent, 'out');
    const lock = path.join(parent, '.out.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), token: 't', since: 'now', what: 'x' }));
    const p = pipelineFrom({ name: 'locked', sources: [{ format: 'hetmc', path: 'fixtures/dialogues/hetmc/sample.dialog' }] });
    expect(await codeOf(preflightRun(p, target))).toBe('CMT_OUTPUT_LOCKED');
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 't', since: 'then', what: 'x' }));
    expect(await codeOf(preflightRun(p, target))).toBeUndefined();
    expect(existsSync(lock)).toBe(true);
  });
});
