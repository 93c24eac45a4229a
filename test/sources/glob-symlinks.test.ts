/**
 * Source globs and symlinks: a file the glob reaches by several paths (a directory symlink loop
 * dir/self -> dir, a second symlinked directory) is read once, under its first path in sorted
 * order, by the preflight, the local reader and the BullMQ work units alike.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { checkInputs } from '../../src/pipeline/preflight.js';
import { expandSource, sourceItems, workUnits } from '../../src/pipeline/read-sources.js';
import { silentLogger } from '../../src/core/logger.js';
import { pipelineFrom, tmpDir } from '../support/run.js';

const record = (id: string, q: string, a: string) => JSON.stringify({ id, cate1: '内科', cate2: '呼吸内科', instruction: q, input: '', output: a, history: [] });

function corpus(): string {
  const base = tmpDir('cmt-glob-');
  const dir = path.join(base, 'dir');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'a.json'), `[${record('a1', '咳嗽三天了', '多喝水')}]\n`);
  writeFileSync(path.join(dir, 'sub', 'b.json'), `[${record('b1', '头痛两天', '测一下血压')}]\n`);
  symlinkSync(dir, path.join(dir, 'self'));
  symlinkSync(path.join(dir, 'sub'), path.join(dir, 'also-sub'));
  return base;
}

describe('source globs through symlinked directories', () => {
  it('lists each real file once, under its first path in sorted order, despite a dir/self -> dir loop', async () => {
    const base = corpus();
    const p = pipelineFrom({ name: 'loop', sources: [{ format: 'cmtmedqa', path: 'dir/**/*.json' }] }, base);
    const files = await expandSource(p.config.sources[0], 0, base);
    expect(files.map((f) => f.display)).toEqual(['dir/a.json', 'dir/also-sub/b.json']);
    const units = await workUnits(p.config, base);
    expect(units.map((u) => u.file?.display)).toEqual(['dir/a.json', 'dir/also-sub/b.json']);
    await expect(checkInputs(p)).resolves.toBeUndefined();
  });

  it('reads each record once (no duplicate dialogues for dedup to reject)', async () => {
    const base = corpus();
    const p = pipelineFrom({ name: 'loop', sources: [{ format: 'cmtmedqa', path: 'dir/**/*.json' }] }, base);
    const ids: string[] = [];
    for await (const item of sourceItems(p.config, base, silentLogger)) {
      expect(item.kind).toBe('dialogue');
      if (item.kind === 'dialogue') ids.push(item.dialogue.origin.sourceId);
    }
    expect(ids).toEqual(['a1', 'b1']);
  });

  it('refuses two sources that name the same file, and lets a symlink under another name be read as its own input', async () => {
    const base = corpus();
    const twice = pipelineFrom({ name: 'twice', sources: [{ format: 'cmtmedqa', path: 'dir/sub/*.json' }, { format: 'cmtmedqa', path: 'dir/sub/*.json' }] }, base);
    const err = await checkInputs(twice).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CmtError);
    expect((err as CmtError).code).toBe('CMT_CONFIG_INVALID');
    expect((err as Error).message).toMatch(/which sources\[0\] already reads/);
    const linked = pipelineFrom({ name: 'linked', sources: [{ format: 'cmtmedqa', path: 'dir/sub/*.json' }, { format: 'cmtmedqa', path: 'dir/also-sub/*.json' }] }, base);
    await expect(checkInputs(linked)).resolves.toBeUndefined();
  });
});
