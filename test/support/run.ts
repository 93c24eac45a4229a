/** Running a pipeline in-process for end-to-end tests, and reading its output back. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Manifest } from '../../schemas/manifest.js';
import { parse as parseYaml } from 'yaml';
import { silentLogger } from '../../src/core/logger.js';
import { fromRejectLine } from '../../src/core/reject.js';
import { runLocal, type RunResult } from '../../src/executors/local.js';
import { configHash, parsePipeline, type LoadedPipeline } from '../../src/pipeline/config.js';
import { openRunResources } from '../../src/pipeline/resources.js';

export function tmpDir(prefix = 'cmt-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A pipeline from an object; relative source paths resolve against the repo root. */
export function pipelineFrom(raw: Record<string, unknown>, baseDir = process.cwd()): LoadedPipeline {
  const config = parsePipeline(raw);
  return { config, baseDir, file: '<test>', configHash: configHash(config) };
}

/** Reads a pipeline YAML (the demo's graph snapshot must exist: see test/support/kg.ts demoSnapshot()). */
export function pipelineFile(file: string, patch: Record<string, unknown> = {}): LoadedPipeline {
  const raw = { ...(parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>), ...patch };
  return pipelineFrom(raw, path.dirname(path.resolve(file)));
}

export async function runPipeline(p: LoadedPipeline, outDir = tmpDir()): Promise<RunResult> {
  const res = await openRunResources(p, silentLogger);
  try {
    return await runLocal({ pipeline: p, outDir, logger: silentLogger, ...res });
  } finally {
    await res.close();
  }
}

export function readJsonlGz(file: string): unknown[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
}

export function readShards(outDir: string, manifest: Manifest): Array<{ split: string; record: Record<string, unknown> }> {
  const out: Array<{ split: string; record: Record<string, unknown> }> = [];
  for (const s of manifest.shards) for (const r of readJsonlGz(path.join(outDir, s.path))) out.push({ split: s.split, record: r as Record<string, unknown> });
  return out;
}

/** The rejects of an output, each input decoded from its on-disk shape ({kind, value}) back to what the stage had. */
export function readRejectLines(outDir: string): Array<Record<string, unknown>> {
  return readFileSync(path.join(outDir, 'rejects', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => fromRejectLine(JSON.parse(l)) as Record<string, unknown>);
}

/** Every file under dir, relative path → bytes (for byte-identity checks). */
export function snapshotFiles(dir: string, filter: (rel: string) => boolean = () => true): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const rel = path.relative(dir, p);
        if (filter(rel)) out.set(rel, readFileSync(p));
      }
    }
  };
  walk(dir);
  return out;
}
