import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope, finalise } from '../output/envelopes.js';

/** The venvs of scripts/python-env.sh: the current `datasets` pin, and 4.0.0 / 3.6.0 (what LLaMA-Factory allows). */
const VENVS: Array<[string, string]> = [
  ['4.4.1', '.cache/venv'],
  ['4.0.0', '.cache/venv-datasets-4.0.0'],
  ['3.6.0', '.cache/venv-datasets-3.6.0'],
];

function venvPython(dir: string): string {
  const py = path.resolve(dir, 'bin', 'python');
  if (!existsSync(py)) {
    throw new Error(`the Python consumer venv is missing (${py}): run \`bash scripts/python-env.sh\` (installs datasets and pyarrow into .cache/venv*), then rerun the tests`);
  }
  return py;
}

interface PyResult {
  datasets: string;
  pyarrow: string;
  results: Array<{ dir: string; format: string; ok: boolean; errors: string[]; bySplit: Record<string, { records: number; tokens: number }>; loadedByCard: Record<string, number>; datasetInfoEntries: number }>;
}

describe.each(VENVS)('Python consumers (datasets %s, pyarrow) read the shards as the manifest says', (version, venv) => {
  it('loads cmtmedqa, sharegpt and parquet outputs with matching counts, schema and token totals, every dataset_info entry copied into a LLaMA-Factory data folder, and the rejects', async () => {
    const python = venvPython(venv);
    const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));
    const dirs: Array<[string, Manifest]> = [];
    for (const format of ['cmtmedqa', 'sharegpt', 'parquet'] as const) {
      const out = tmpDir(`cmt-py-${format}-`);
      const { manifest } = await finalise({ tokens: { tokenizers: ['qwen3'] }, shard: { ranks: 2, maxRecordsPerShard: 150, format } }, envs, out);
      dirs.push([out, manifest]);
    }
    // The demo: rejects of every stage (raw text, parsed values, dialogues, records) in one file.
    await demoSnapshot();
    const demo = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    expect(demo.manifest.rejects.records).toBeGreaterThan(0);
    dirs.push([demo.outDir, demo.manifest]);
    const cache = tmpDir('cmt-hf-');
    const res = spawnSync(python, ['test/python/check_output.py', ...dirs.map(([d]) => d)], {
      encoding: 'utf8',
      env: { ...process.env, HF_HOME: cache, HF_DATASETS_CACHE: path.join(cache, 'datasets'), HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1' },
      timeout: 300_000,
    });
    if (res.status !== 0 && !res.stdout) throw new Error(`check_output.py failed (${res.status}):\n${res.stderr}`);
    const py = JSON.parse(res.stdout) as PyResult;
    expect(py.datasets).toBe(version);
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
