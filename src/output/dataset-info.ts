/**
 * dataset_info.json for LLaMA-Factory: one entry per split, so a training config can say
 * `dataset: <pipeline>_train`. Paths are relative to `dataset_dir` = the folder that holds the
 * output folder, which must be named after the pipeline: `out/` as written (`dataset_dir: out`),
 * or LLaMA-Factory's own `data/` once the output is copied (or linked) to `data/<pipeline>/` and
 * these entries are merged into `data/dataset_info.json` (its documented way to add a dataset).
 *
 * LLaMA-Factory's `file_name` loader picks the builder from the file extension and refuses
 * `.gz`, so gzipped JSONL shards are registered through `script_url: "<pipeline>"`: LLaMA-Factory
 * then calls `datasets.load_dataset("<dataset_dir>/<pipeline>", split=…)`, which reads the
 * `configs:` block of the dataset card (README.md in the output) listing every shard per split.
 * (`script_url: "."` would load the whole of `dataset_dir`, LLaMA-Factory's other datasets
 * included.) Parquet shards are alone in shards/<split>/ (sidecars live under annotations/), so
 * they use `file_name` directly.
 */
import type { Manifest, SplitName } from '../../schemas/manifest.js';

const ALPACA_COLUMNS = { prompt: 'instruction', query: 'input', response: 'output', history: 'history' };
const SHAREGPT = {
  columns: { messages: 'messages' },
  tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
};

export function datasetInfo(manifest: Manifest): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const splits = [...new Set(manifest.shards.map((s) => s.split))] as SplitName[];
  for (const split of splits) {
    const name = `${manifest.pipeline}_${split}`;
    const dir = manifest.pipeline;
    if (manifest.format === 'parquet') {
      out[name] = { file_name: `${dir}/shards/${split}`, formatting: 'alpaca', columns: ALPACA_COLUMNS };
    } else if (manifest.format === 'sharegpt') {
      out[name] = { script_url: dir, split, formatting: 'sharegpt', ...SHAREGPT };
    } else {
      out[name] = { script_url: dir, split, formatting: 'alpaca', columns: ALPACA_COLUMNS };
    }
  }
  return out;
}

export function renderDatasetInfo(manifest: Manifest): string {
  return `${JSON.stringify(datasetInfo(manifest), null, 2)}\n`;
}
