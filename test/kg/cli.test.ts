import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runKg } from '../support/kg-cli.js';
import { snapshotWriteFailure } from '../../src/kg/snapshot.js';

const run = runKg;

describe('kg commands', () => {
  const origWrite = process.stderr.write.bind(process.stderr);
  afterEach(() => {
    process.stderr.write = origWrite;
  });
  const quiet = () => {
    process.stderr.write = (() => true) as typeof process.stderr.write;
  };

  it('imports the fixture into a snapshot and prints its counts and version', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kg-cli-')), 'g.kg.json.gz');
    const imp = await run(['kg', 'import', 'fixtures/kg/xywy', '--dict', 'fixtures/kg/dict', '--no-curated', '--snapshot', file]);
    expect(imp.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(imp.out).toMatch(/dropped\s+person_name\s+1 values/);
    expect(imp.out).toMatch(/^version: [0-9a-f]{64}$/m);
    const stats = await run(['kg', 'stats', '--snapshot', file]);
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/Disease\s+97/);
    expect(stats.out).toMatch(/has_symptom\s+248/);
    expect(stats.out.match(/^version: .*$/m)![0]).toBe(imp.out.match(/^version: .*$/m)![0]);
  });

  it('says what to do when the snapshot cannot be written (a file where its folder should be; a full disk), and keeps the previous one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-cli-'));
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const imp = await run(['kg', 'import', 'fixtures/kg/xywy', '--dict', 'fixtures/kg/dict', '--no-curated', '--snapshot', path.join(blocker, 'g.kg.json.gz')]);
    expect(imp.code).not.toBe(0);
    expect(imp.err).toMatch(/error CMT_RUN_FAILED: cannot write graph snapshot .*not-a-dir\/g\.kg\.json\.gz: .*is a file where a folder must be .*name another --snapshot \(nothing was written/);
    expect(imp.err).not.toMatch(/check the command's arguments/);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const old = path.join(dir, 'old.kg.json.gz');
    writeFileSync(old, 'previous');
    const e = snapshotWriteFailure(full, old) as Error & { code: string };
    expect(e.code).toBe('CMT_RUN_FAILED');
    expect(e.message).toMatch(/free space on the filesystem of .* and import again \(the previous snapshot .*old\.kg\.json\.gz is unchanged\)/);
    const plain = new Error('not a system error');
    expect(snapshotWriteFailure(plain, old)).toBe(plain);
  });

  it('merges triples and the curated facts into one graph and shows counts by source', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kg-cli-')), 'm.kg.json.gz');
    const imp = await run(['kg', 'import', 'fixtures/kg/xywy', '--dict', 'fixtures/kg/dict', '--triples', 'fixtures/kg/triples/graph.csv', '--snapshot', file]);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/triples: bad_row 1, inverse 3, mapped 6, unmapped 2/);
    const stats = await run(['kg', 'stats', '--snapshot', file]);
    expect(stats.out).toMatch(/by source:/);
    expect(stats.out).toMatch(/^\s+triples\s+\d+ nodes\s+6 relations$/m);
    expect(stats.out).toMatch(/^\s+curated\s+\d+ nodes/m);
    expect(stats.out).toMatch(/^\s+xywy\s+\d+ nodes\s+\d+ relations$/m);
  });

  it('exits 2 on bad usage: no backend, two backends, unknown format', async () => {
    quiet();
    expect((await run(['kg', 'import', 'fixtures/kg/xywy'])).code).toBe(2);
    expect((await run(['kg', 'stats', '--snapshot', 'a', '--neo4j', 'bolt://x'])).code).toBe(2);
    expect((await run(['kg', 'import', 'x', '--format', 'csv', '--snapshot', 'y'])).code).toBe(2);
    expect((await run(['kg', 'import'])).code).toBe(2);
  });

  it('exits 1 when the input is missing', async () => {
    quiet();
    expect((await run(['kg', 'import', 'no/such/dir', '--snapshot', path.join(tmpdir(), 'x.gz')])).code).toBe(1);
  });

  it('prints errors as the other commands do: error, the code, the message', async () => {
    const usage = await run(['kg', 'import', 'fixtures/kg/xywy']);
    const missing = await run(['kg', 'import', 'no/such/dir', '--snapshot', path.join(tmpdir(), 'x.gz')]);
    expect(usage.err).toMatch(/^error CMT_USAGE: \S/);
    expect(missing.err).toMatch(/^error CMT_INPUT_NOT_FOUND: \S/);
  });
});
