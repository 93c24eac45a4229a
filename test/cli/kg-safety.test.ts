import { describe, it, expect, afterAll } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OWNER_MARKER } from '../../src/output/out-dir.js';
import { runKg } from '../support/kg-cli.js';

const run = runKg;

describe('kg import never overwrites what it reads', () => {
  const dirs: string[] = [];
  const work = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'kg-safe-'));
    dirs.push(d);
    cpSync('fixtures/kg', path.join(d, 'kg'), { recursive: true });
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a --snapshot that is one of the inputs (dump file, triples, dict) and leaves it intact', async () => {
    const d = work();
    const triples = path.join(d, 'kg', 'triples', 'graph.csv');
    const before = readFileSync(triples);
    const r = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--triples', triples, '--no-curated', '--snapshot', triples]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/would overwrite the input/);
    expect(readFileSync(triples).equals(before)).toBe(true);
  });

  it('refuses a --snapshot inside an input folder, also through a relative path', async () => {
    const d = work();
    const target = path.join(d, 'kg', 'xywy', 'graph.json.gz');
    const r = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', path.relative(process.cwd(), target)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/inside the input folder/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses to replace a file that is not a snapshot unless --force, and replaces a snapshot', async () => {
    const d = work();
    const target = path.join(d, 'notes.txt');
    writeFileSync(target, 'my notes\n');
    const r = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', target]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a graph snapshot/);
    expect(readFileSync(target, 'utf8')).toBe('my notes\n');
    const forced = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', target, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
    const again = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', target]);
    expect(again.code).toBe(0);
  });

  it('refuses a --snapshot inside a cmtmedqa output (whose next run replaces it whole, or refuses the output) and one that names a folder, before any work', async () => {
    const d = work();
    const out = path.join(d, 'out');
    mkdirSync(path.join(out, 'shards'), { recursive: true });
    writeFileSync(path.join(out, OWNER_MARKER), JSON.stringify({ writtenBy: 'cmtmedqa', writer: 'run x', entries: ['shards'], files: ['shards'] }));
    for (const target of [path.join(out, 'graph.json.gz'), path.join(out, 'shards', 'graph.json.gz')]) {
      const r = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', target]);
      expect([r.code, r.err]).toEqual([2, expect.stringContaining('inside the cmtmedqa output')]);
      expect(existsSync(target)).toBe(false);
    }
    // Before: the whole import ran, then failed with ENOENT on "<dir>/.<pid>-<hex>.tmp".
    const r = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', `${path.join(d, 'graphs')}/`]);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('names a folder')]);
    expect(r.out).not.toContain('nodes');
    // An existing folder named without the slash, with and without --force (the import ran first with --force).
    mkdirSync(path.join(d, 'graphs'));
    for (const extra of [[], ['--force']]) {
      const f = await run(['kg', 'import', path.join(d, 'kg', 'xywy'), '--no-curated', '--snapshot', path.join(d, 'graphs'), ...extra]);
      expect([f.code, f.err]).toEqual([2, expect.stringContaining('names a folder')]);
      expect(f.out).not.toContain('nodes');
    }
  });
});
