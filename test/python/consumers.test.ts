import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import { tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope, finalise } from '../output/envelopes.js';

const VENV_PYTHON = path.resolve('.cache/venv/bin/python');

function venvPython(): string {
  if (!existsSync(VENV_PYTHON)) {
    throw new Error(`the Python consumer venv is missing (${VENV_PYTHON}): run \`bash scripts/python-env.sh\` (installs datasets and pyarrow into .cache/venv), then rerun the tests`);
  }
  return VENV_PYTHON;
}

interface PyResult {
  datasets: string;
  pyarrow: string;
  results: Array<{ dir: string; format: string; ok: boolean; errors: string[]; bySplit: Record<string, { records: number; tokens: number }>; loadedByCard: Record<string, number>; datasetInfoEntries: number }>;
}

describe('Python consumers (datasets, pyarrow) read the shards as the manifest says', () => {
  it('loads cmtmedqa, sharegpt and parquet outputs with matching counts, schema and token totals', async () => {
    const python = venvPython();
    const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));
    const dirs: Array<[string, Manifest]> = [];
    for (const format of ['cmtmedqa', 'sharegpt', 'parquet'] as const) {
      const out = tmpDir(`cmt-py-${format}-`);
      const { manifest } = await finalise({ tokens: { tokenizers: ['qwen3'] }, shard: { ranks: 2, maxRecordsPerShard: 150, format } }, envs, out);
      dirs.push([out, manifest]);
    }
    const cache = tmpDir('cmt-hf-');
    const res = spawnSync(python, ['test/python/check_output.py', ...dirs.map(([d]) => d)], {
      encoding: 'utf8',
      env: { ...process.env, HF_HOME: cache, HF_DATASETS_CACHE: path.join(cache, 'datasets'), HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1' },
      timeout: 300_000,
    });
    if (res.status !== 0 && !res.stdout) throw new Error(`check_output.py failed (${res.status}):\n${res.stderr}`);
    const py = JSON.parse(res.stdout) as PyResult;
    for (const r of py.results) expect([r.format, r.errors]).toEqual([r.format, []]);
    expect(res.status).toBe(0);
    for (const [i, [dir, manifest]] of dirs.entries()) {
      const r = py.results[i];
      expect(r.dir).toBe(dir);
      expect(r.format).toBe(manifest.format);
      for (const [split, c] of Object.entries(manifest.counts.bySplit)) {
        if (c.records === 0) continue;
        expect(r.bySplit[split]).toEqual({ records: c.records, tokens: c.tokens });
        expect(r.loadedByCard[split]).toBe(c.records);
      }
      expect(r.datasetInfoEntries).toBe(Object.values(manifest.counts.bySplit).filter((c) => c.records > 0).length);
      expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    }
  });
});
