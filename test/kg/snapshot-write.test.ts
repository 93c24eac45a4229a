import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importGraph } from '../../src/kg/import/index.js';
import { writeSnapshot } from '../../src/kg/snapshot.js';
import { tmpDir } from '../support/run.js';

describe('writing a graph snapshot', () => {
  it('leaves no temporary file beside the target when the write or rename fails', async () => {
    const imported = await importGraph({ paths: ['fixtures/kg/xywy'] });
    const dir = tmpDir();
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep.txt'), 'not a snapshot');
    await expect(writeSnapshot(target, imported)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });
});
