/**
 * Loading a pipeline YAML: parse, validate with zod (errors name the field path and the file),
 * and hash the parts of the config that decide the output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Pipeline } from '../../schemas/pipeline.js';
import { CmtError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from '../core/ids.js';

export interface LoadedPipeline {
  config: Pipeline;
  /** Directory of the YAML file: source paths are relative to it. */
  baseDir: string;
  file: string;
  configHash: string;
}

export function parsePipeline(raw: unknown, file = '<inline>'): Pipeline {
  // Checks need a graph: `validate.checks` without `kg` would be skipped silently.
  const r = raw as { kg?: unknown; validate?: { checks?: unknown } } | null;
  if (r && typeof r === 'object' && r.validate && typeof r.validate === 'object' && r.validate.checks !== undefined && r.kg === undefined) {
    throw new CmtError('CMT_CONFIG_INVALID', `invalid pipeline ${file}:\n  - validate.checks: set without a \`kg:\` section, so no check could run; add \`kg: { snapshot: FILE }\` (or neo4j), or remove validate.checks`, { file, issues: [{ path: 'validate.checks', message: 'needs kg' }] });
  }
  const res = Pipeline.safeParse(raw);
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new CmtError('CMT_CONFIG_INVALID', `invalid pipeline ${file}:\n${lines.join('\n')}\nFix the field(s) above; the README's "Pipeline YAML" section lists every field.`, {
      file,
      issues: res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return res.data;
}

/** The output-deciding config: everything but where it goes, how it is executed and when. */
export function configHash(config: Pipeline): string {
  const { out: _out, executor: _executor, schedule: _schedule, description: _description, ...rest } = config;
  return sha256Hex(canonicalJson(rest));
}

export function loadPipeline(file: string): LoadedPipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `cannot read pipeline file ${file}: ${(e as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new CmtError('CMT_CONFIG_INVALID', `pipeline ${file} is not valid YAML: ${(e as Error).message}`, { file });
  }
  const config = parsePipeline(raw, file);
  return { config, baseDir: path.dirname(path.resolve(file)), file, configHash: configHash(config) };
}
