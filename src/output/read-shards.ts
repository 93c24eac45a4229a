/**
 * Reading an output directory back: its manifest and config, and each shard's records joined
 * with their annotation sidecar (dialogue id, origin, annotations), in shard order.
 * A file that is missing, cut short, not JSON, or (checkShardFiles) not the bytes its manifest
 * lists is CMT_OUTPUT_INVALID naming it, never a stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { sha256File } from '../core/file-digest.js';
import path from 'node:path';
import { z } from 'zod';
import { Manifest, type ShardEntry } from '../../schemas/manifest.js';
import { Pipeline } from '../../schemas/pipeline.js';
import { RecordEnvelope, type CMtMedQARecord } from '../../schemas/record.js';
import { CmtError } from '../core/errors.js';
import { ShareGptRecord } from './formats.js';
import { readLines } from './lines.js';
import { readParquetRecords } from './parquet.js';
import { scheduledRunsHint } from './scheduled-runs.js';
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
  if (!existsSync(mf)) throw new CmtError('CMT_INPUT_NOT_FOUND', `${outDir} has no manifest.json${scheduledRunsHint(outDir) || ': pass the output directory of a run'}`, { outDir });
  if (!existsSync(pj)) throw new CmtError('CMT_INPUT_NOT_FOUND', `${outDir} has no pipeline.json (written by every run since v0.1): re-run the pipeline once`, { outDir });
  const manifest = Manifest.safeParse(readJsonFile(outDir, 'manifest.json'));
  if (!manifest.success) throw damagedOutput(outDir, 'manifest.json', `not a run's manifest: ${zodSummary(manifest.error)}`, manifest.error);
  const p = PipelineJson.safeParse(readJsonFile(outDir, 'pipeline.json'));
  if (!p.success) throw damagedOutput(outDir, 'pipeline.json', `not the resolved config a run writes: ${zodSummary(p.error)}`, p.error);
  const config = Pipeline.safeParse(p.data.config);
  if (!config.success) throw damagedOutput(outDir, 'pipeline.json', `its config is not a valid pipeline: ${zodSummary(config.error)}`, config.error);
  return { outDir, manifest: manifest.data, config: config.data, configHash: p.data.configHash };
}

/** pipeline.json as a run writes it: the config hash and the resolved config. */
const PipelineJson = z.object({ configHash: z.string(), config: z.unknown() });

/** The first issues of a zod error, as `path: message`. */
function zodSummary(e: z.ZodError): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** A JSON file of an output; unreadable or not JSON is CMT_OUTPUT_INVALID naming it. */
function readJsonFile(outDir: string, rel: string): unknown {
  try {
    return JSON.parse(readFileSync(path.join(outDir, rel), 'utf8')) as unknown;
  } catch (e) {
    throw damagedOutput(outDir, rel, e instanceof SyntaxError ? `not JSON: ${e.message}` : (e as Error).message, e);
  }
}

/** A file of an output that cannot be used as it is: what is wrong and what to do. */
export function damagedOutput(outDir: string, rel: string, why: string, cause?: unknown): CmtError {
  return new CmtError('CMT_OUTPUT_INVALID', `${rel} in ${outDir} cannot be used (${why}): the output is damaged or was changed after its run; run \`cmtmedqa verify ${outDir}\`, and re-run its pipeline`, { outDir, file: rel }, { cause });
}

function whyUnreadable(e: unknown): string {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'listed in manifest.json but missing' : (e as Error).message;
}

/** The JSON lines of `rel` (plain or gzipped) in an output; a read or parse failure names the file. */
export async function* outputJsonLines(outDir: string, rel: string): AsyncGenerator<unknown> {
  let n = 0;
  try {
    for await (const line of readLines(path.join(outDir, rel))) {
      n++;
      yield JSON.parse(line) as unknown;
    }
  } catch (e) {
    throw damagedOutput(outDir, rel, e instanceof SyntaxError ? `line ${n + 1} is not JSON: ${e.message}` : whyUnreadable(e), e);
  }
}

/**
 * Checks that every shard and sidecar of `entries` holds the bytes its manifest lists (sha256), so
 * an output edited or damaged after its run is refused before anything is built from it.
 */
export async function checkShardFiles(out: OutputDir, entries: ShardEntry[]): Promise<void> {
  for (const e of entries) {
    for (const f of [{ path: e.path, sha256: e.sha256 }, ...(e.annotations ? [e.annotations] : [])]) {
      let got: string;
      try {
        got = await sha256File(path.join(out.outDir, f.path));
      } catch (err) {
        throw damagedOutput(out.outDir, f.path, whyUnreadable(err), err);
      }
      if (got !== f.sha256) throw damagedOutput(out.outDir, f.path, `sha256 ${got} ≠ manifest ${f.sha256}`);
    }
  }
}

async function shardRecords(outDir: string, entry: ShardEntry, format: Manifest['format']): Promise<CMtMedQARecord[]> {
  if (format === 'parquet') {
    try {
      return await readParquetRecords(path.join(outDir, entry.path));
    } catch (e) {
      throw damagedOutput(outDir, entry.path, whyUnreadable(e), e);
    }
  }
  const out: CMtMedQARecord[] = [];
  for await (const v of outputJsonLines(outDir, entry.path)) {
    if (format !== 'sharegpt') out.push(v as CMtMedQARecord);
    else {
      const r = ShareGptRecord.safeParse(v);
      if (!r.success) throw damagedOutput(outDir, entry.path, `row ${out.length + 1} is not a ShareGPT record`);
      out.push(fromShareGpt(r.data));
    }
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
  for await (const line of outputJsonLines(out.outDir, entry.annotations.path)) {
    const side = line as { id: string; dialogueId: string; origin: unknown; annotations: unknown };
    const record = records[i++];
    if (!record || record.id !== side.id) {
      throw new CmtError('CMT_OUTPUT_INVALID', `${entry.path} and its sidecar disagree at line ${i} (record ${record?.id}, sidecar ${side.id}): run cmtmedqa verify`, { shard: entry.path });
    }
    envs.push(RecordEnvelope.parse({ record, dialogueId: side.dialogueId, origin: side.origin, annotations: side.annotations }));
  }
  if (i !== records.length) throw new CmtError('CMT_OUTPUT_INVALID', `${entry.path}: ${records.length} records but ${i} sidecar lines`, { shard: entry.path });
  return envs;
}
