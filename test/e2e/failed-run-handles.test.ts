import { describe, expect, it } from '@jest/globals';
import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { runLocal } from '../../src/executors/local.js';
import type { RecordFilter } from '../../src/output/finaliser.js';
import { pipelineFrom, tmpDir } from '../support/run.js';

/** The files under `dir` this process holds open (Linux: /proc/self/fd). */
function openUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // closed between the listing and the read
    }
  }
  return out;
}

describe('a failed run leaves no file open', () => {
  it('closes the rejects file and the spill of every run that fails mid-way (a long-lived worker would run out of descriptors)', async () => {
    const parent = tmpDir();
    const outDir = path.join(parent, 'out');
    const pipeline = pipelineFrom({ name: 'handles', sources: [{ format: 'huatuo', path: 'fixtures/dialogues/huatuo/*.json' }] });
    for (let i = 0; i < 5; i++) {
      let seen = 0;
      const boom: RecordFilter = { name: 'boom', check: () => { if (++seen > 2) throw new Error('disk on fire'); return undefined; } };
      await expect(runLocal({ pipeline, outDir, logger: silentLogger, filters: [boom] })).rejects.toThrow('disk on fire');
    }
    // no gc: what the runs opened must have been closed by them, not by the collector
    expect(openUnder(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  });
});
