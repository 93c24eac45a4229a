import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CmtError } from '../../src/core/errors.js';
import { OWNER_MARKER } from '../../src/output/out-dir.js';
import { loadPipeline } from '../../src/pipeline/config.js';
import { snapshotFiles, tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');
const HETMC = path.resolve('fixtures/dialogues/hetmc/sample.dialog');

function cmtmedqa(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A pipeline YAML in `dir` reading the HET-MC fixture; `extra` is appended as YAML lines. */
function yaml(dir: string, name: string, extra = ''): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nsources:\n  - { format: hetmc, path: ${JSON.stringify(HETMC)} }\n${extra}`);
  return file;
}

/** Exit 2, the field or path named, and no stack trace. */
function expectUsage(r: ReturnType<typeof cmtmedqa>, ...named: string[]): void {
  expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(named[0])]);
  for (const n of named) expect(r.stderr).toContain(n);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('the command line refuses operator mistakes before doing any work', () => {
  it('exits 2 naming both sources when two sources read the same file (its dialogues would count as accepted twice)', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    const both = path.join(dir, 'both.yaml');
    const glob = path.join(path.dirname(HETMC), '*.dialog');
    writeFileSync(both, `name: both\nsources:\n  - { format: hetmc, path: ${JSON.stringify(glob)} }\n  - { format: hetmc, path: ${JSON.stringify(HETMC)} }\n`);
    expectUsage(cmtmedqa(['run', both, '--out', out]), 'sources[1].path', 'sources[0]', HETMC);
    expect(existsSync(out)).toBe(false);
  });

  it('does not write into the current directory for `name: ..`, `--out .` or `--out` at a directory of other files; --force replaces the latter', () => {
    const cwd = tmpDir();
    mkdirSync(path.join(cwd, 'shards'));
    writeFileSync(path.join(cwd, 'shards', 'keep.txt'), 'mine');
    writeFileSync(path.join(cwd, 'README.md'), 'my readme');
    const before = snapshotFiles(cwd);
    expectUsage(cmtmedqa(['run', yaml(cwd, '..')], cwd), 'name');
    const p = yaml(cwd, 'p');
    expectUsage(cmtmedqa(['run', p, '--out', '.'], cwd), 'current');
    expectUsage(cmtmedqa(['run', p, '--out', 'shards/..'], cwd), 'current');
    expect(snapshotFiles(cwd, (rel) => !rel.endsWith('.yaml'))).toEqual(before);

    const other = path.join(tmpDir(), 'theirs');
    mkdirSync(other);
    writeFileSync(path.join(other, 'notes.txt'), 'not cmtmedqa');
    expectUsage(cmtmedqa(['run', p, '--out', other], cwd), 'did not write', '--force');
    expect(readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('not cmtmedqa');
    const forced = cmtmedqa(['run', p, '--out', other, '--force'], cwd);
    expect(forced.status).toBe(0);
    expect(existsSync(path.join(other, 'notes.txt'))).toBe(false);
    expect(existsSync(path.join(other, OWNER_MARKER))).toBe(true);
    expect(cmtmedqa(['verify', other]).status).toBe(0);
    // its own output is rewritten without --force
    expect(cmtmedqa(['run', p, '--out', other], cwd).status).toBe(0);
  });

  it('exits 2 naming the field for limits checked at load: ranks, numPerm, bands, cron; and for a directory as input', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    expectUsage(cmtmedqa(['run', yaml(dir, 'ranks', 'shard: { ranks: 300000 }\n'), '--out', out]), 'shard.ranks');
    // the rest in-process (the same loader; CMT_CONFIG_INVALID is what exits 2)
    const load = (name: string, extra: string) => {
      try {
        loadPipeline(yaml(dir, name, extra));
      } catch (e) {
        return [(e as CmtError).code, (e as Error).message];
      }
      return ['loaded'];
    };
    expect(load('perm', 'dedup: { near: { enabled: true, numPerm: 100000000 } }\n')).toEqual(['CMT_CONFIG_INVALID', expect.stringContaining('dedup.near.numPerm')]);
    expect(load('bands', 'dedup: { near: { enabled: true, numPerm: 100, bands: 32 } }\n')).toEqual(['CMT_CONFIG_INVALID', expect.stringContaining('dedup.near.bands: numPerm must be a multiple of bands')]);
    expect(load('cron', 'schedule: { cron: "61 * * * *" }\n')).toEqual(['CMT_CONFIG_INVALID', expect.stringContaining('schedule.cron')]);
    expect(load('tz', 'schedule: { cron: "0 3 * * *", tz: Mars/Olympus }\n')).toEqual(['CMT_CONFIG_INVALID', expect.stringContaining('schedule.tz')]);
    expect(load('okcron', 'schedule: { cron: "0 3 * * *", tz: Asia/Shanghai }\n')).toEqual(['loaded']);
    const asDir = path.join(dir, 'dir.yaml');
    writeFileSync(asDir, `name: d\nsources:\n  - { format: hetmc, path: ${JSON.stringify(path.dirname(HETMC))} }\n`);
    expectUsage(cmtmedqa(['run', asDir, '--out', out]), 'sources[0].path', 'is a directory');
    expect(existsSync(out)).toBe(false);
  });
});

describe('rejects commands on a damaged or self-overwriting rejects file', () => {
  let outDir: string;
  beforeAll(() => {
    const dir = tmpDir();
    outDir = path.join(dir, 'out');
    const p = yaml(dir, 'rej', 'split: { minRounds: 3 }\n');
    expect(cmtmedqa(['run', p, '--out', outDir]).status).toBe(0);
  });

  it('tells a reject\'s story with `rejects explain`, as `explain` does', () => {
    const first = JSON.parse(readFileSync(path.join(outDir, 'rejects', 'rejects.jsonl'), 'utf8').split('\n')[0]!) as { id: string };
    const alias = cmtmedqa(['rejects', 'explain', outDir, first.id, '--width', '100']);
    const direct = cmtmedqa(['explain', outDir, first.id, '--width', '100']);
    expect(alias.status).toBe(0);
    expect(alias.stdout).toContain('REJECTED');
    expect(alias.stdout).toBe(direct.stdout);
    expect(cmtmedqa(['rejects', 'explain', outDir, first.id, '--json']).stdout).toBe(cmtmedqa(['explain', outDir, first.id, '--json']).stdout);
    expectUsage(cmtmedqa(['rejects', 'explain', outDir, first.id, '--width', '10']), 'at least 40');
  });

  it('refuses `requeue --to` the rejects file it reads and leaves it whole', () => {
    const file = path.join(outDir, 'rejects', 'rejects.jsonl');
    const before = readFileSync(file);
    expect(before.length).toBeGreaterThan(0);
    expectUsage(cmtmedqa(['rejects', 'requeue', outDir, '--to', file]), 'being read');
    expectUsage(cmtmedqa(['rejects', 'requeue', outDir, '--to', path.join(outDir, 'rejects', '..', 'rejects', 'rejects.jsonl')]), 'being read');
    expect(readFileSync(file).equals(before)).toBe(true);
    const to = path.join(tmpDir(), 'requeue.jsonl');
    const ok = cmtmedqa(['rejects', 'requeue', outDir, '--to', to]);
    expect(ok.status).toBe(0);
    expect(readFileSync(to, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });

  it('names the file and line of a line that is not JSON, without a stack trace', () => {
    const copy = path.join(tmpDir(), 'copy');
    mkdirSync(path.join(copy, 'rejects'), { recursive: true });
    const file = path.join(copy, 'rejects', 'rejects.jsonl');
    const good = readFileSync(path.join(outDir, 'rejects', 'rejects.jsonl'), 'utf8');
    const n = good.trim().split('\n').length;
    writeFileSync(file, good);
    appendFileSync(file, '{"id": "cut-off\n');
    for (const cmd of [['stats', copy], ['list', copy], ['show', copy, 'nope']]) {
      const r = cmtmedqa(['rejects', ...cmd]);
      expect([cmd[0], r.status]).toEqual([cmd[0], 1]);
      expect(r.stderr).toContain(`${file} line ${n + 1} is not JSON`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("exits 2 for commander's own usage errors (no argument, an unknown option or command) and 0 for help", () => {
    for (const args of [['run'], ['verify'], ['run', 'x.yaml', '--bogus'], ['nosuch']]) {
      const r = cmtmedqa(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(cmtmedqa(['run', '--help']).status).toBe(0);
    expect(cmtmedqa(['--version']).status).toBe(0);
  });

  it('gives commander\'s usage errors the code CMT_USAGE and names the help that shows the right arguments', () => {
    const cases: Array<[string[], string, string]> = [
      [['run'], "error CMT_USAGE: missing required argument 'pipeline'", 'see `cmtmedqa run --help` for its arguments and options'],
      [['run', 'x.yaml', '--exectuor', 'bullmq'], "error CMT_USAGE: unknown option '--exectuor'", 'see `cmtmedqa run --help`'],
      [['rejects', 'list'], "error CMT_USAGE: missing required argument 'outDir'", 'see `cmtmedqa rejects list --help`'],
      [['rejects', 'frob', 'out'], "error CMT_USAGE: unknown command 'frob'", 'see `cmtmedqa rejects --help` for its commands'],
      [['nosuch'], "error CMT_USAGE: unknown command 'nosuch'", 'see `cmtmedqa --help` for the commands'],
    ];
    for (const [args, message, hint] of cases) {
      const r = cmtmedqa(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(hint);
    }
    expect(cmtmedqa(['run', 'x.yaml', '--exectuor', 'bullmq']).stderr).toContain('Did you mean --executor?');
  });

  it('ends quietly with 0 when its output pipe closes early (`rejects list … | head -1`)', () => {
    // 3,000 copies of one Q/A: 2,999 exact-duplicate rejects, far more lines than a pipe buffer holds.
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    const input = path.join(dir, 'same.json');
    writeFileSync(input, JSON.stringify(Array.from({ length: 3000 }, () => ({ instruction: ['孩子发烧三天了，需要去医院吗？'], input: '', output: ['持续发热三天建议到医院查血常规，多喝水，注意观察精神状态。'] }))));
    const file = path.join(dir, 'pipe.yaml');
    writeFileSync(file, `name: pipe\nsources:\n  - { format: huatuo, path: ${JSON.stringify(input)} }\n`);
    expect(cmtmedqa(['run', file, '--out', out]).status).toBe(0);
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} rejects list ${JSON.stringify(out)} | head -c 1 >/dev/null; echo "rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8' });
    expect(r.stderr).toContain('rc=0');
    expect(r.stderr).not.toContain('EPIPE');
    // A reject-id prefix thousands of rejects share is refused, not answered with the first of them.
    const show = cmtmedqa(['rejects', 'show', out, '0']);
    expect([show.status, show.stderr]).toEqual([2, expect.stringContaining('reject ids')]);
  });
});
