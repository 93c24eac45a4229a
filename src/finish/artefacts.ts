/**
 * The artefacts of a finished run besides shards and rejects: the manifest (built from the plan
 * and the written shards), dataset_info.json, the resolved config (pipeline.json) and the dataset
 * card (README.md). Pure rendering plus writes; every executor writes the same bytes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest, ShardEntry } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import { renderCard } from '../output/card.js';
import { renderDatasetInfo } from '../output/dataset-info.js';
import type { RunStats } from '../output/stats.js';
import type { SinkResult } from '../output/sink.js';
import { canonicalTokenizer } from '../tokens/names.js';
import type { FinishPlan } from './plan.js';
import type { ShardResult } from './shard-writer.js';

export interface ManifestInput {
  config: Pipeline;
  configHash: string;
  graphVersion: string | null;
  /** The balancing tokenizer (null: shards balanced by characters). */
  tokenizer: string | null;
  plan: FinishPlan;
  /** Per split in plan order, the results of its shard jobs in job order. */
  written: ShardResult[][];
  rejects: SinkResult;
}

export function buildManifest(inp: ManifestInput): Manifest {
  const cfg = inp.config;
  const shards: ShardEntry[] = [];
  const imbalance: Record<string, number> = {};
  const bySplit: Manifest['counts']['bySplit'] = {};
  inp.plan.splits.forEach((sp, s) => {
    bySplit[sp.split] = { records: sp.records, dialogues: sp.dialogues };
    if (sp.shards.length === 0) return; // a split with no record has no files (but an empty run's train split: plan.ts)
    sp.shards.forEach((job, i) => {
      const res = inp.written[s][i];
      const entry: ShardEntry = { split: sp.split, path: res.path, records: job.records, dialogues: job.dialogues, bytes: res.bytes, sha256: res.sha256 };
      if (inp.tokenizer) entry.tokens = job.load;
      if (res.sidecar) entry.annotations = { path: res.sidecar.path, bytes: res.sidecar.bytes, sha256: res.sidecar.sha256 };
      shards.push(entry);
    });
    imbalance[sp.split] = sp.imbalance;
    if (inp.tokenizer) bySplit[sp.split].tokens = sp.weight;
  });
  return {
    schemaVersion: 1,
    pipeline: cfg.name,
    format: cfg.shard.format,
    configHash: inp.configHash,
    graphVersion: inp.graphVersion,
    tokenizer: inp.tokenizer,
    ...(cfg.tokens.tokenizers.length ? { tokenizers: cfg.tokens.tokenizers.map(canonicalTokenizer) } : {}),
    counts: {
      records: shards.reduce((a, s) => a + s.records, 0),
      dialogues: Object.values(bySplit).reduce((a, s) => a + s.dialogues, 0),
      bySplit,
    },
    imbalance,
    shards,
    rejects: { path: 'rejects/rejects.jsonl', records: inp.rejects.lines, sha256: inp.rejects.sha256 },
  };
}

export async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface ArtefactInput {
  manifest: Manifest;
  config: Pipeline;
  configHash: string;
  stats: RunStats;
  /** Accepted records per source file (`format\tfile`), for the card. */
  sources: Map<string, number>;
  /** Sum of annotations.tokens per tokenizer over accepted records. */
  tokenTotals: Record<string, number>;
}

/** dataset_info.json, pipeline.json and README.md (the manifest itself is written by the executor, last). */
export async function writeArtefacts(outDir: string, a: ArtefactInput): Promise<void> {
  await writeFile(path.join(outDir, 'dataset_info.json'), renderDatasetInfo(a.manifest));
  // The resolved config, so the output can be re-validated or re-made without its YAML; without
  // what does not decide the output (where it went, how it was executed), like the config hash.
  const { out: _out, executor: _executor, ...decides } = a.config;
  await writeFile(path.join(outDir, 'pipeline.json'), `${JSON.stringify({ configHash: a.configHash, config: decides }, null, 2)}\n`);
  await writeFile(path.join(outDir, 'README.md'), renderCard({ manifest: a.manifest, config: a.config, stats: a.stats, sources: a.sources, tokenTotals: a.tokenTotals }));
}
