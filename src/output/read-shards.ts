/**
 * Reading an output directory back: its manifest and config, and each shard's records joined
 * with their annotation sidecar (dialogue id, origin, annotations), in shard order.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Manifest, type ShardEntry } from '../../schemas/manifest.js';
import { Pipeline } from '../../schemas/pipeline.js';
import { RecordEnvelope, type CMtMedQARecord } from '../../schemas/record.js';
import { CmtError } from '../core/errors.js';
import { ShareGptRecord } from './formats.js';
import { readLines } from './lines.js';
import { readParquetRecords } from './parquet.js';
import { fromShareGpt } from './verify.js';

export interface OutputDir {
  outDir: string;
  manifest: Manifest;
  config: Pipeline;
  configHash: string;
}

export function openOutputDir(outDir: string): OutputDir {
  const mf = path.join(outDir, 'manifest.json');
  const pj = path.join(outDir, 'pipeline.json');
  if (!existsSync(mf)) throw new CmtError('CMT_INPUT_NOT_FOUND', `${outDir} has no manifest.json: pass the output directory of a run`, { outDir });
  if (!existsSync(pj)) throw new CmtError('CMT_INPUT_NOT_FOUND', `${outDir} has no pipeline.json (written by every run since v0.1): re-run the pipeline once`, { outDir });
  const manifest = Manifest.parse(JSON.parse(readFileSync(mf, 'utf8')));
  const p = JSON.parse(readFileSync(pj, 'utf8')) as { configHash: string; config: unknown };
  return { outDir, manifest, config: Pipeline.parse(p.config), configHash: p.configHash };
}

async function shardRecords(outDir: string, entry: ShardEntry, format: Manifest['format']): Promise<CMtMedQARecord[]> {
  const file = path.join(outDir, entry.path);
  if (format === 'parquet') return readParquetRecords(file);
  const out: CMtMedQARecord[] = [];
  for await (const line of readLines(file)) {
    const v = JSON.parse(line) as unknown;
    out.push(format === 'sharegpt' ? fromShareGpt(ShareGptRecord.parse(v)) : (v as CMtMedQARecord));
  }
  return out;
}

/** One shard's records as envelopes (needs the annotation sidecar for origin and dialogue id). */
export async function readShardEnvelopes(out: OutputDir, entry: ShardEntry): Promise<RecordEnvelope[]> {
  if (!entry.annotations) {
    throw new CmtError('CMT_OUTPUT_INVALID', `${entry.path} has no annotation sidecar (shard.annotations was false): its records' origins are unknown`, { shard: entry.path });
  }
  const records = await shardRecords(out.outDir, entry, out.manifest.format);
  const envs: RecordEnvelope[] = [];
  let i = 0;
  for await (const line of readLines(path.join(out.outDir, entry.annotations.path))) {
    const side = JSON.parse(line) as { id: string; dialogueId: string; origin: unknown; annotations: unknown };
    const record = records[i++];
    if (!record || record.id !== side.id) {
      throw new CmtError('CMT_OUTPUT_INVALID', `${entry.path} and its sidecar disagree at line ${i} (record ${record?.id}, sidecar ${side.id}): run cmtmedqa verify`, { shard: entry.path });
    }
    envs.push(RecordEnvelope.parse({ record, dialogueId: side.dialogueId, origin: side.origin, annotations: side.annotations }));
  }
  if (i !== records.length) throw new CmtError('CMT_OUTPUT_INVALID', `${entry.path}: ${records.length} records but ${i} sidecar lines`, { shard: entry.path });
  return envs;
}
