import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tmpDir } from '../support/run.js';

const dist = (p: string) => pathToFileURL(path.join(process.cwd(), 'dist', p)).href;

/**
 * Runs an ES module snippet in a child process with a time limit: what it tests used to spin in
 * a loop of microtasks, which would freeze this test process (its timers included) for good.
 */
function inChild(code: string): { status: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, LOG_LEVEL: 'silent' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.signal === 'SIGTERM' };
}

describe('the spill of a discarded run', () => {
  it('refuses a record added after discard instead of spinning on the emptied buffer (an interrupt leaves the feed running while the run is cleaned up)', () => {
    const dir = tmpDir();
    const r = inChild(`
      import { SpillWriter } from ${JSON.stringify(dist('src/finish/spill.js'))};
      import { cmtmedqaRecords, envelope } from ${JSON.stringify(dist('test/output/envelopes.js'))};
      const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));
      const spill = new SpillWriter(${JSON.stringify(path.join(dir, 'spill.bin'))}, 'cmtmedqa', true);
      for (const e of envs.slice(0, 20)) await spill.add(e); // buffered, not yet flushed
      await spill.discard();
      try {
        await spill.add(envs[20]);
        console.log('added');
      } catch (e) {
        console.log('refused: ' + e.message);
      }
    `);
    expect(r.timedOut).toBe(false);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^refused: .*discarded/);
  });

  it('lets the finaliser refuse a batch that arrives after the run was discarded or interrupted', () => {
    const dir = tmpDir();
    const r = inChild(`
      import { Finaliser } from ${JSON.stringify(dist('src/output/finaliser.js'))};
      import { parsePipeline, configHash } from ${JSON.stringify(dist('src/pipeline/config.js'))};
      import { cmtmedqaRecords, envelope, batchesOf } from ${JSON.stringify(dist('test/output/envelopes.js'))};
      const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));
      const [b0, b1, b2] = batchesOf(envs, 20);
      const config = parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }] });
      const tryAdd = async (fin, b) => {
        try {
          await fin.addBatch(b);
          console.log('added');
        } catch (e) {
          console.log('refused: ' + e.message);
        }
      };
      const ac = new AbortController();
      const stopped = new Finaliser({ config, outDir: ${JSON.stringify(path.join(dir, 'a'))}, configHash: configHash(config), graphVersion: null, signal: ac.signal });
      await stopped.open();
      await stopped.addBatch(b0);
      ac.abort('SIGINT');
      await tryAdd(stopped, b1);
      await stopped.discard();
      const failed = new Finaliser({ config, outDir: ${JSON.stringify(path.join(dir, 'b'))}, configHash: configHash(config), graphVersion: null });
      await failed.open();
      await failed.addBatch(b0);
      await failed.discard();
      await tryAdd(failed, b1);
      await tryAdd(failed, b2);
    `);
    expect(r.timedOut).toBe(false);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^refused: .*interrupted/), expect.stringMatching(/^refused: .*discarded/), expect.stringMatching(/^refused: .*discarded/)]);
  });
});
