import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/atomic-write.js';
import { tmpDir } from '../support/run.js';

describe('writeFileAtomic', () => {
  it('creates the folder, writes the file whole and replaces an earlier one, leaving nothing beside it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'a', 'b', 'result.json');
    await writeFileAtomic(file, '{"n":1}');
    await writeFileAtomic(file, Buffer.from('{"n":2}'));
    expect(readFileSync(file, 'utf8')).toBe('{"n":2}');
    expect(readdirSync(path.dirname(file))).toEqual(['result.json']);
  });

  it('rethrows a failed rename and removes its temp file', async () => {
    const dir = tmpDir();
    const taken = path.join(dir, 'taken');
    mkdirSync(path.join(taken, 'inside'), { recursive: true });
    await expect(writeFileAtomic(taken, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('gives concurrent writers of one file their own temp files (the last rename wins, whole)', async () => {
    const file = path.join(tmpDir(), 'same.txt');
    const bodies = Array.from({ length: 8 }, (_, i) => String(i).repeat(100_000));
    await Promise.all(bodies.map((b) => writeFileAtomic(file, b)));
    expect(bodies).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(path.dirname(file))).toEqual(['same.txt']);
  });
});
