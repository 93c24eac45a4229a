import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { loadPipeline } from '../../src/pipeline/config.js';
import type { SourceConfig } from '../../schemas/pipeline.js';
import { OWNER_MARKER } from '../../src/output/out-dir.js';
import { batches, expandSource, sourceBatches, sourceItems } from '../../src/pipeline/read-sources.js';

const fx = path.resolve('fixtures/dialogues');

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('sourceBatches', () => {
  it('cuts exactly the batches batches(sourceItems) cuts: every format, rejects in place, limits, departments, any batch size', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmt-read-'));
    try {
      const file = path.join(dir, 'p.yaml');
      writeFileSync(file, [
        'name: read-sources',
        'sources:',
        `  - {format: huatuo, path: ${fx}/huatuo/sample.json, department: 内科}`,
        `  - {format: cmtmedqa, path: ${fx}/cmtmedqa/sample.json, limit: 3}`,
        `  - {format: toyhom, path: ${fx}/toyhom/sample.csv}`,
        `  - {format: meddialog, path: ${fx}/meddialog/consultations.txt, limit: 2}`,
        `  - {format: cmtmedqa, path: ${fx}/malformed/broken-element.json}`,
        `  - {format: huatuo, path: ${fx}/malformed/truncated-array.json}`,
        `  - {format: toyhom, path: ${fx}/malformed/bad-rows.csv}`,
        '',
      ].join('\n'));
      const { config, baseDir } = loadPipeline(file);
      const items = await collect(sourceItems(config, baseDir, silentLogger));
      expect(items.some((i) => i.kind === 'reject')).toBe(true);
      expect(items.some((i) => i.kind === 'dialogue' && i.dialogue.department === '内科')).toBe(true);
      for (const size of [1, 3, 7, 500]) {
        const want = await collect(batches(sourceItems(config, baseDir, silentLogger), size));
        const got = await collect(sourceBatches(config, baseDir, silentLogger, size));
        expect(got).toEqual(want);
        expect(got.reduce((a, b) => a + b.dialogues.length + b.rejects.length, 0)).toBe(items.length);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('expandSource', () => {
  it('does not read back an output directory a recursive glob reaches, but reads one the glob points into', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmt-glob-'));
    try {
      mkdirSync(path.join(dir, 'data', 'out', 'shards'), { recursive: true });
      copyFileSync(path.join(fx, 'cmtmedqa', 'sample.json'), path.join(dir, 'data', 'a.json'));
      for (const f of ['manifest.json', 'report.json', 'shards/x.json']) writeFileSync(path.join(dir, 'data', 'out', f), '{}');
      const src = { format: 'cmtmedqa', path: 'data/**/*.json' } as SourceConfig;
      // without the marker the folder is ordinary input
      expect((await expandSource(src, 0, dir)).map((f) => f.display)).toEqual(['data/a.json', 'data/out/manifest.json', 'data/out/report.json', 'data/out/shards/x.json']);
      writeFileSync(path.join(dir, 'data', 'out', OWNER_MARKER), JSON.stringify({ writtenBy: 'cmtmedqa', writer: 'run x', entries: [] }));
      expect((await expandSource(src, 0, dir)).map((f) => f.display)).toEqual(['data/a.json']);
      const into = { format: 'cmtmedqa', path: 'data/out/**/*.json' } as SourceConfig;
      expect((await expandSource(into, 0, dir)).map((f) => f.display)).toEqual(['data/out/manifest.json', 'data/out/report.json', 'data/out/shards/x.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('expandSource on a path that matches nothing', () => {
  it('names the folder it searched and whether it exists, for absolute and relative paths', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmt-nomatch-'));
    try {
      mkdirSync(path.join(dir, 'empty'));
      const src = (p: string) => ({ format: 'cmtmedqa', path: p }) as SourceConfig;
      const other = mkdtempSync(path.join(os.tmpdir(), 'cmt-base-'));
      // absolute glob: the folder is the glob's own, not the pipeline file's folder
      await expect(expandSource(src(path.join(dir, 'empty', '*.json')), 0, other)).rejects.toThrow(`no file in ${path.join(dir, 'empty')} matches it)`);
      await expect(expandSource(src(path.join(dir, 'missing', '*.json')), 1, other)).rejects.toThrow(`the folder ${path.join(dir, 'missing')} does not exist)`);
      // relative: taken from the pipeline file's folder, and the message says so
      await expect(expandSource(src('empty/**/*.json'), 3, dir)).rejects.toThrow(`no file in ${path.join(dir, 'empty')} matches it, relative to the pipeline file's folder ${dir}`);
      rmSync(other, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
