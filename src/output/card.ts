/**
 * The dataset card (README.md in the output directory): Hugging Face front matter whose
 * `configs:` lists every shard per split (so `datasets.load_dataset(<out dir>)` and LLaMA-Factory's
 * `script_url: "<pipeline>"` load exactly the shards), then sources and licences, counts, token and turn
 * distributions, the reject summary, graph version and config hash. Deterministic: no clock, no
 * host, no durations, so both executors write the same bytes.
 */
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reject.js';
import type { RunStats } from './stats.js';

interface KnownSource {
  format: string;
  file: string;
  source: string;
  licence: string;
  /** SPDX id when the licence is a standard one. */
  spdx?: string;
}

/** The public corpora this project is tested on, as listed in shared/data/MANIFEST.md. */
const KNOWN_SOURCES: KnownSource[] = [
  { format: 'cmtmedqa', file: 'CMtMedQA_test.json', source: 'SupritYoung/Zhongjing, data/CMtMedQA_test.json', licence: 'Apache-2.0', spdx: 'apache-2.0' },
  { format: 'huatuo', file: 'huatuo26M_test.json', source: 'SupritYoung/Zhongjing, data/huatuo26M_test.json (Huatuo-26M)', licence: 'Apache-2.0', spdx: 'apache-2.0' },
  { format: 'hetmc', file: 'train.dialog', source: 'cuhksz-nlp/HET-MC, sample_data/train.dialog (dialogues from chunyuyisheng.com)', licence: 'MIT', spdx: 'mit' },
  { format: 'toyhom', file: '样例_内科5000-6000.csv', source: 'Toyhom/Chinese-medical-dialogue-data (scraped from Chinese consultation sites)', licence: 'MIT', spdx: 'mit' },
  { format: 'meddialog', file: 'COVID-Dialogue-Dataset-Chinese.txt', source: 'UCSD-AI4H/COVID-Dialogue (MedDialog-CN, haodf.com)', licence: 'none in repo; its README: all copyrights of the data belong to Haodf.com' },
  { format: 'mie', file: 'dev.json', source: 'nlpir2020/MIE-ACL-2020, data/dev.json (chunyu cardiology)', licence: 'none in repo' },
];

export function sourceLicence(format: string, file: string): { source: string; licence: string; spdx?: string } {
  const base = path.basename(file);
  const k = KNOWN_SOURCES.find((s) => s.format === format && s.file === base);
  return k ? { source: k.source, licence: k.licence, spdx: k.spdx } : { source: file, licence: 'see source' };
}

export interface CardInput {
  manifest: Manifest;
  config: Pipeline;
  stats: RunStats;
  /** Accepted records per source file: key `${format}\t${file}`. */
  sources: Map<string, number>;
  /** Token counts per tokenizer name (sum over accepted records). */
  tokenTotals: Record<string, number>;
}

const yamlStr = (s: string) => JSON.stringify(s);

function frontMatter(inp: CardInput, licence: string): string[] {
  const m = inp.manifest;
  const L = ['---', 'language:', '- zh', `license: ${licence}`];
  if (licence === 'other') L.push('license_name: mixed (see Sources and licences)');
  L.push('task_categories:', '- text-generation', '- question-answering', 'tags:', '- medical', '- dialogue', '- cmtmedqa', `pretty_name: ${yamlStr(m.pipeline)}`);
  const splits = [...new Set(m.shards.map((s) => s.split))];
  if (splits.length > 0) {
    L.push('configs:', '- config_name: default', '  data_files:');
    for (const split of splits) {
      L.push(`  - split: ${split}`, '    path:');
      for (const s of m.shards.filter((x) => x.split === split)) L.push(`    - ${yamlStr(s.path)}`);
    }
  }
  L.push('---', '');
  return L;
}

export function renderCard(inp: CardInput): string {
  const { manifest: m, config: cfg, stats } = inp;
  const sources = [...inp.sources.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const lic = sources.map(([k]) => {
    const [format, file] = k.split('\t');
    return sourceLicence(format, file);
  });
  const spdx = new Set(lic.map((l) => l.spdx ?? 'other'));
  const licence = spdx.size === 1 ? [...spdx][0] : 'other';
  const L = frontMatter(inp, licence);
  L.push(`# ${m.pipeline}`, '');
  if (cfg.description) L.push(cfg.description, '');
  L.push(
    'CMtMedQA-style multi-turn Chinese doctor–patient dialogues for supervised fine-tuning, built by cmtmedqa.',
    `Format: \`${m.format}\`${m.format === 'parquet' ? ' (Parquet; columns id, cate1, cate2, instruction, input, output, history: list<list<string>>)' : m.format === 'sharegpt' ? ' (JSONL.gz; {id, cate1, cate2, messages: [{role, content}]})' : ' (JSONL.gz; exactly the CMtMedQA test-set schema {id, cate1, cate2, instruction, input, output, history: [[q, a], …]})'}.`,
    '',
    `- config hash: \`${m.configHash}\``,
    `- graph version: ${m.graphVersion ? `\`${m.graphVersion}\`` : 'none (no knowledge-graph validation)'}`,
    `- tokenizer (balancing${cfg.tokens.maxTokens ? `, max ${cfg.tokens.maxTokens} tokens` : ''}): ${m.tokenizer ?? 'none (shards balanced by characters)'}`,
    `- data-parallel ranks: ${cfg.shard.ranks} (shards per split are a multiple of it, balanced by ${m.tokenizer ? 'tokens' : 'characters'})`,
    '',
    '## Loading',
    '',
    '```python',
    'from datasets import load_dataset',
    `ds = load_dataset("path/to/this/directory")  # splits: ${[...new Set(m.shards.map((s) => s.split))].join(', ') || 'none'}`,
    '```',
    '',
    `LLaMA-Factory: the entries in dataset_info.json are relative to \`dataset_dir\` = the folder holding this one, which must be named \`${m.pipeline}\`: either \`dataset_dir: out\` as written, or copy this folder to LLaMA-Factory's \`data/${m.pipeline}/\` and merge dataset_info.json into \`data/dataset_info.json\`; then \`dataset: ${m.pipeline}_train\`.`,
    '',
    '## Sources and licences',
    '',
    '| format | file | records kept | source | licence |',
    '|---|---|---:|---|---|',
  );
  sources.forEach(([k, n], i) => {
    const [format, file] = k.split('\t');
    L.push(`| ${format} | ${path.basename(file)} | ${n} | ${lic[i].source} | ${lic[i].licence} |`);
  });
  if (sources.length === 0) L.push('| – | – | 0 | – | – |');
  L.push('', 'Licences of sources marked "none in repo" are unclear: check them before redistributing the data or models trained on it.', '');
  L.push('## Counts', '', '| split | shards | records | dialogues | tokens | token imbalance |', '|---|---:|---:|---:|---:|---:|');
  for (const [split, c] of Object.entries(m.counts.bySplit)) {
    const shards = m.shards.filter((s) => s.split === split).length;
    const imb = m.imbalance?.[split];
    L.push(`| ${split} | ${shards} | ${c.records} | ${c.dialogues} | ${c.tokens ?? '–'} | ${imb === undefined || shards === 0 ? '–' : `${(imb * 100).toFixed(2)}%`} |`);
  }
  L.push(`| total | ${m.shards.length} | ${m.counts.records} | ${m.counts.dialogues} | ${Object.values(m.counts.bySplit).reduce((a, c) => a + (c.tokens ?? 0), 0) || '–'} | |`, '');
  const totals = Object.entries(inp.tokenTotals);
  if (totals.length > 1) {
    L.push('Tokens of the kept records per tokenizer (chat-formatted): ' + totals.map(([k, v]) => `${k} ${v}`).join(', '), '');
  }
  L.push('## Distributions', '', '| per record | mean | min | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, h: ReturnType<RunStats['rounds']['toJSON']>) => L.push(`| ${label} | ${h.mean} | ${h.min} | ${h.p50} | ${h.p90} | ${h.p99} | ${h.max} |`);
  row('rounds (question–answer pairs)', stats.rounds.toJSON());
  row('characters', stats.chars.toJSON());
  row(m.tokenizer ? `tokens (${m.tokenizer})` : 'weight (characters)', stats.weights.toJSON());
  L.push('', '(character and token quantiles are bucketed to two significant digits)', '');
  L.push('## Rejects', '', `${m.rejects.records} rejects in \`${m.rejects.path}\` (\`cmtmedqa rejects stats <dir>\`).`, '', '| reason | count | meaning |', '|---|---:|---|');
  const byReason = Object.entries(stats.rejectsByReason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [k, v] of byReason) L.push(`| \`${k}\` | ${v} | ${REJECT_REASONS[k as RejectReason] ?? ''} |`);
  if (byReason.length === 0) L.push('| – | 0 | |');
  L.push('', '## Processing', '');
  L.push(`- exact duplicates removed: ${cfg.dedup.exact ? 'yes' : 'no'}`);
  const near = cfg.dedup.near;
  L.push(near.enabled
    ? `- near duplicates removed: MinHash over ${near.ngram}-character shingles, ${near.numPerm} permutations, ${near.bands} bands × ${near.numPerm / near.bands} rows, estimated Jaccard ≥ ${near.threshold}; the first record in run order is kept${near.indexFile || near.redisKey ? ', checked also against earlier runs (persistent index)' : ''}`
    : '- near duplicates removed: no');
  L.push(`- split: by source consultation (seed \`${cfg.shard.seed}\`, ratios train ${cfg.shard.ratios.train} / validation ${cfg.shard.ratios.validation} / test ${cfg.shard.ratios.test}); no consultation spans two splits`);
  L.push(`- records: ${cfg.split.windows === 'chunks' ? 'consecutive windows of' : 'one per doctor answer with up to'} ${cfg.split.maxRounds} rounds, at most ${cfg.split.maxChars} characters`);
  L.push('- integrity: manifest.json lists every file with its size and sha256; `cmtmedqa verify <dir>` re-checks everything', '');
  return L.join('\n');
}
