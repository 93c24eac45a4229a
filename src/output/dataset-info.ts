/**
 * dataset_info.json for LLaMA-Factory: one entry per split, so a training config can say
 * `dataset_dir: <out dir>` and `dataset: <pipeline>_train`.
 *
 * LLaMA-Factory's `file_name` loader picks the builder from the file extension and refuses
 * `.gz`, so gzipped JSONL shards are registered through `script_url: "."`: LLaMA-Factory then
 * calls `datasets.load_dataset("<out dir>", split=…)`, which reads the `configs:` block of the
 * dataset card (README.md, written beside it) listing every shard per split. Parquet shards are
 * alone in shards/<split>/ (sidecars live under annotations/), so they use `file_name` directly.
 */
import type { Manifest, SplitName } from '../../schemas/manifest.js';

const ALPACA_COLUMNS = { prompt: 'instruction', query: 'input', response: 'output', history: 'history' };
const SHAREGPT = {
  columns: { messages: 'messages' },
  tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
};

export function datasetInfo(manifest: Manifest): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const splits = [...new Set(manifest.shards.map((s) => s.split))] as SplitName[];
  for (const split of splits) {
    const name = `${manifest.pipeline}_${split}`;
    if (manifest.format === 'parquet') {
      out[name] = { file_name: `shards/${split}`, formatting: 'alpaca', columns: ALPACA_COLUMNS };
    } else if (manifest.format === 'sharegpt') {
      out[name] = { script_url: '.', split, formatting: 'sharegpt', ...SHAREGPT };
    } else {
      out[name] = { script_url: '.', split, formatting: 'alpaca', columns: ALPACA_COLUMNS };
    }
  }
  return out;
}

export function renderDatasetInfo(manifest: Manifest): string {
  return `${JSON.stringify(datasetInfo(manifest), null, 2)}\n`;
}
