/**
 * `cmtmedqa verify <out-dir>`: re-reads an output directory and checks it against its
 * manifest.json: every shard's and sidecar's byte size and sha256, record counts, every row
 * against its format's zod schema, unique record ids, no dialogue (nor source consultation) in
 * two splits, per-shard dialogue and token totals, split and run totals, the balance figures, the
 * rejects file, dataset_info.json and the card. It collects every mismatch instead of stopping at
 * the first. Read-only; used by the CLI, the end-to-end tests and the Python consumer test.
 */
import { existsSync } from 'node:fs';
import { fileDigest } from '../core/file-digest.js';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Manifest, type ShardEntry } from '../../schemas/manifest.js';
import { Pipeline } from '../../schemas/pipeline.js';
import type { CMtMedQARecord } from '../../schemas/record.js';
import { loadTokenizer, type TokenCounter } from '../tokens/registry.js';
import { rowSchema, type ShardFormat, type ShareGptRecord } from './formats.js';
import { readLines } from './lines.js';
import { PARQUET_SCHEMA, readParquetRows } from './parquet.js';
import { caseText, firstPatientTurn, MIN_CASE_CHARS } from '../finish/split-assign.js';
import { scheduledRunsHint } from './scheduled-runs.js';

export interface VerifySummary {
  shards: number;
  records: number;
  dialogues: number;
  tokens: number | null;
  /** Case descriptions (first patient turns of 12+ characters, compared after caseText) that stand in more than one split. */
  caseDescriptionsInTwoSplits: number;
  bySplit: Record<string, { shards: number; records: number; dialogues: number; tokens?: number }>;
  checks: string[];
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  summary: VerifySummary;
}

/** Rows reported per shard before the rest are only counted. */
const MAX_ROW_PROBLEMS = 5;

async function readJsonl(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of readLines(file)) out.push(JSON.parse(line));
  return out;
}

/** A ShareGPT row back as a record (for recounting tokens): the chat text is the same. */
export function fromShareGpt(r: ShareGptRecord): CMtMedQARecord {
  const m = r.messages;
  const history: Array<[string, string]> = [];
  for (let i = 0; i + 3 < m.length; i += 2) history.push([m[i].content, m[i + 1].content]);
  return { id: r.id, cate1: r.cate1, cate2: r.cate2, instruction: m[m.length - 2].content, input: '', output: m[m.length - 1].content, history };
}

interface SidecarLine {
  id: string;
  dialogueId: string;
  origin: { format: string; file: string; sourceId: string };
  annotations: { tokens?: Record<string, number> };
}

export async function verifyOutput(outDir: string): Promise<VerifyResult> {
  const problems: string[] = [];
  const checks: string[] = [];
  const summary: VerifySummary = { shards: 0, records: 0, dialogues: 0, tokens: null, caseDescriptionsInTwoSplits: 0, bySplit: {}, checks };
  const manifestPath = path.join(outDir, 'manifest.json');
  let manifest: Manifest;
  try {
    const parsed = Manifest.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => `manifest.json: ${i.path.join('.') || '(root)'}: ${i.message}`));
      return { ok: false, problems, summary };
    }
    manifest = parsed.data;
  } catch (e) {
    problems.push(`manifest.json: cannot read (${(e as Error).message})${scheduledRunsHint(outDir)}`);
    return { ok: false, problems, summary };
  }
  const format = manifest.format as ShardFormat;
  const schema = rowSchema(format);
  const tokenizer = manifest.tokenizer;
  let recounter: TokenCounter | undefined;

  const recordShard = new Map<string, string>();
  const dialogueSplit = new Map<string, string>();
  const consultationSplit = new Map<string, string>();
  /** caseText of each first patient turn → the first split it stood in ('' once seen in a second split). */
  const caseSplit = new Map<string, string>();
  const caseLeaks: string[] = [];
  const listed = new Set<string>();

  for (const s of manifest.shards) {
    summary.shards++;
    const split = (summary.bySplit[s.split] ??= { shards: 0, records: 0, dialogues: 0 });
    split.shards++;
    listed.add(s.path);
    const file = path.join(outDir, s.path);
    if (!existsSync(file)) {
      problems.push(`${s.path}: listed in manifest.json but missing`);
      continue;
    }
    const d = await fileDigest(file);
    if (d.bytes !== s.bytes) problems.push(`${s.path}: ${d.bytes} bytes, manifest says ${s.bytes}`);
    if (d.sha256 !== s.sha256) problems.push(`${s.path}: sha256 ${d.sha256} ≠ manifest ${s.sha256}`);

    let rows: unknown[];
    try {
      if (format === 'parquet') {
        const { rows: r, columns } = await readParquetRows(file);
        const want = PARQUET_SCHEMA.filter((e, i) => i > 0 && e.name !== 'list' && e.name !== 'element').map((e) => e.name);
        if (columns.join(',') !== want.join(',')) problems.push(`${s.path}: parquet columns [${columns.join(', ')}] ≠ [${want.join(', ')}]`);
        rows = r;
      } else rows = await readJsonl(file);
    } catch (e) {
      problems.push(`${s.path}: cannot be read as ${format === 'parquet' ? 'Parquet' : 'gzipped JSON lines'} (${(e as Error).message})`);
      continue;
    }
    if (rows.length !== s.records) problems.push(`${s.path}: ${rows.length} records, manifest says ${s.records}`);
    let bad = 0;
    const ids: string[] = [];
    const records: CMtMedQARecord[] = [];
    rows.forEach((row, i) => {
      const p = schema.safeParse(row);
      if (!p.success) {
        if (bad++ < MAX_ROW_PROBLEMS) problems.push(`${s.path}: record ${i + 1} does not match the ${format} schema: ${p.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        return;
      }
      const rec = format === 'sharegpt' ? fromShareGpt(p.data as ShareGptRecord) : (p.data as CMtMedQARecord);
      ids.push(rec.id);
      records.push(rec);
      const key = caseText(firstPatientTurn(rec));
      if (key.length >= MIN_CASE_CHARS) {
        const prev = caseSplit.get(key);
        if (prev === undefined) caseSplit.set(key, s.split);
        else if (prev !== '' && prev !== s.split) {
          caseSplit.set(key, '');
          caseLeaks.push(`${prev}/${s.split} (record ${rec.id})`);
        }
      }
      const prev = recordShard.get(rec.id);
      if (prev !== undefined) problems.push(`${s.path}: record id ${rec.id} also in ${prev}`);
      else recordShard.set(rec.id, s.path);
    });
    if (bad > MAX_ROW_PROBLEMS) problems.push(`${s.path}: … ${bad - MAX_ROW_PROBLEMS} more records do not match the schema`);
    split.records += rows.length;
    summary.records += rows.length;

    const shardTokens = await checkSidecar(outDir, s, ids, problems, { dialogueSplit, consultationSplit, tokenizer });
    let tokens = shardTokens;
    if (tokens === undefined && tokenizer && s.tokens !== undefined) {
      recounter ??= await loadTokenizer(tokenizer);
      tokens = records.reduce((a, r) => a + recounter!.countRecord(r), 0);
    }
    if (tokenizer) {
      if (s.tokens === undefined) problems.push(`${s.path}: manifest has a tokenizer (${tokenizer}) but no token total for the shard`);
      else if (tokens !== undefined && tokens !== s.tokens) problems.push(`${s.path}: ${tokens} ${tokenizer} tokens, manifest says ${s.tokens}`);
      if (s.tokens !== undefined) split.tokens = (split.tokens ?? 0) + s.tokens;
    }
  }
  checks.push('shard bytes and sha256', 'record counts', `every record against the ${format} schema`, 'unique record ids');
  summary.caseDescriptionsInTwoSplits = caseLeaks.length;
  if (caseLeaks.length) problems.push(`${caseLeaks.length} case description(s) (first patient turns of ${MIN_CASE_CHARS}+ characters) stand in two splits, e.g. ${caseLeaks.slice(0, 3).join('; ')}`);
  checks.push(`${caseLeaks.length} case descriptions in two splits`);

  // Dialogues per split: distinct dialogue ids over its shards' sidecars.
  if (manifest.shards.every((s) => s.annotations)) {
    const perSplit = new Map<string, number>();
    for (const sp of dialogueSplit.values()) perSplit.set(sp, (perSplit.get(sp) ?? 0) + 1);
    for (const [split, c] of Object.entries(manifest.counts.bySplit)) {
      const n = perSplit.get(split) ?? 0;
      if (n !== c.dialogues) problems.push(`split ${split}: ${n} distinct dialogues in its sidecars, manifest says ${c.dialogues}`);
      if (summary.bySplit[split]) summary.bySplit[split].dialogues = n;
    }
    summary.dialogues = dialogueSplit.size;
    checks.push('sidecars: bytes, sha256, ids in shard order', 'no dialogue or source consultation in two splits', 'dialogue counts');
  } else checks.push('split disjointness NOT checked (no annotation sidecars)');

  // Split and run totals.
  for (const [split, c] of Object.entries(manifest.counts.bySplit)) {
    const got = summary.bySplit[split] ?? { shards: 0, records: 0, dialogues: 0 };
    if (got.records !== c.records) problems.push(`split ${split}: shards hold ${got.records} records, manifest counts.bySplit says ${c.records}`);
    if (tokenizer && c.records > 0 && got.tokens !== c.tokens) problems.push(`split ${split}: shard token totals sum to ${got.tokens}, manifest counts.bySplit says ${c.tokens}`);
    const loads = manifest.shards.filter((s) => s.split === split).map((s) => s.tokens ?? 0);
    if (tokenizer && loads.length > 0 && manifest.imbalance?.[split] !== undefined) {
      const sum = loads.reduce((a, b) => a + b, 0);
      const imb = sum === 0 ? 0 : Math.max(...loads) / (sum / loads.length) - 1;
      if (Math.abs(imb - manifest.imbalance[split]) > 1e-5) problems.push(`split ${split}: token imbalance of the shards is ${imb.toFixed(6)}, manifest says ${manifest.imbalance[split]}`);
    }
  }
  const total = manifest.shards.reduce((a, s) => a + s.records, 0);
  if (total !== manifest.counts.records) problems.push(`manifest counts.records ${manifest.counts.records} ≠ sum over shards ${total}`);
  if (summary.records !== manifest.counts.records) problems.push(`shards hold ${summary.records} records, manifest counts.records says ${manifest.counts.records}`);
  if (tokenizer) summary.tokens = Object.values(summary.bySplit).reduce((a, s) => a + (s.tokens ?? 0), 0);
  checks.push('split and run totals', ...(tokenizer ? [`${tokenizer} token totals and imbalance`] : []));

  // Files under shards/ and annotations/ that the manifest does not list.
  for (const s of manifest.shards) if (s.annotations) listed.add(s.annotations.path);
  for (const top of ['shards', 'annotations']) {
    for (const rel of await listFiles(outDir, top)) if (!listed.has(rel)) problems.push(`${rel}: not listed in manifest.json`);
  }

  // Rejects.
  const rejFile = path.join(outDir, manifest.rejects.path);
  if (!existsSync(rejFile)) problems.push(`${manifest.rejects.path}: missing`);
  else {
    const d = await fileDigest(rejFile);
    if (d.sha256 !== manifest.rejects.sha256) problems.push(`${manifest.rejects.path}: sha256 ${d.sha256} ≠ manifest ${manifest.rejects.sha256}`);
    let n = 0;
    for await (const _ of readLines(rejFile)) n++;
    if (n !== manifest.rejects.records) problems.push(`${manifest.rejects.path}: ${n} rejects, manifest says ${manifest.rejects.records}`);
  }
  checks.push('rejects file');

  // dataset_info.json and the card.
  const infoFile = path.join(outDir, 'dataset_info.json');
  if (!existsSync(infoFile)) problems.push('dataset_info.json: missing');
  else {
    try {
      const info = JSON.parse(await readFile(infoFile, 'utf8')) as Record<string, { file_name?: string; script_url?: string }>;
      for (const [name, e] of Object.entries(info)) {
        // Paths are relative to dataset_dir, the folder holding this output as <pipeline>/ (dataset-info.ts).
        const target = e.file_name ?? e.script_url;
        const parts = (target ?? '').split('/');
        const inside = parts[0] === manifest.pipeline ? path.join(outDir, ...parts.slice(1)) : undefined;
        if (!target || !inside || !existsSync(inside)) problems.push(`dataset_info.json: ${name} points at ${target ?? 'nothing'}, which is not this output (expected ${manifest.pipeline}/…, relative to the folder holding it)`);
      }
    } catch (e) {
      problems.push(`dataset_info.json: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!existsSync(path.join(outDir, 'README.md'))) problems.push('README.md (dataset card): missing');
  checks.push('dataset_info.json and README.md');
  await checkPipelineJson(outDir, manifest, problems);
  checks.push('pipeline.json');

  return { ok: problems.length === 0, problems, summary };
}

/**
 * pipeline.json, the resolved config that revalidate and explain read back: present, JSON, a
 * valid config, and its configHash the manifest's.
 */
async function checkPipelineJson(outDir: string, manifest: Manifest, problems: string[]): Promise<void> {
  const file = path.join(outDir, 'pipeline.json');
  if (!existsSync(file)) {
    problems.push('pipeline.json: missing');
    return;
  }
  let p: { configHash?: unknown; config?: unknown };
  try {
    p = JSON.parse(await readFile(file, 'utf8')) as typeof p;
  } catch (e) {
    problems.push(`pipeline.json: not valid JSON (${(e as Error).message})`);
    return;
  }
  const config = Pipeline.safeParse(p?.config);
  if (!config.success) {
    problems.push(`pipeline.json: not a valid pipeline config: ${config.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return;
  }
  // Not the hash of the config itself: revalidate keeps its source's hash over the checks it overrode.
  if (p.configHash !== manifest.configHash) problems.push(`pipeline.json: config hash ${String(p.configHash)} ≠ manifest ${manifest.configHash}`);
}

async function checkSidecar(
  outDir: string,
  s: ShardEntry,
  ids: string[],
  problems: string[],
  acc: { dialogueSplit: Map<string, string>; consultationSplit: Map<string, string>; tokenizer: string | null },
): Promise<number | undefined> {
  if (!s.annotations) return undefined;
  const file = path.join(outDir, s.annotations.path);
  if (!existsSync(file)) {
    problems.push(`${s.annotations.path}: listed in manifest.json but missing`);
    return undefined;
  }
  const d = await fileDigest(file);
  if (d.bytes !== s.annotations.bytes) problems.push(`${s.annotations.path}: ${d.bytes} bytes, manifest says ${s.annotations.bytes}`);
  if (d.sha256 !== s.annotations.sha256) problems.push(`${s.annotations.path}: sha256 ${d.sha256} ≠ manifest ${s.annotations.sha256}`);
  let lines: SidecarLine[];
  try {
    lines = (await readJsonl(file)) as SidecarLine[];
  } catch (e) {
    problems.push(`${s.annotations.path}: cannot be read as gzipped JSON lines (${(e as Error).message})`);
    return undefined;
  }
  if (lines.length !== ids.length) problems.push(`${s.annotations.path}: ${lines.length} lines for ${ids.length} records in ${s.path}`);
  else {
    const off = lines.findIndex((l, i) => l.id !== ids[i]);
    if (off >= 0) problems.push(`${s.annotations.path}: line ${off + 1} is record ${lines[off].id}, the shard's record ${off + 1} is ${ids[off]}`);
  }
  const dialogues = new Set<string>();
  let tokens = 0;
  let tokenless = 0;
  for (const l of lines) {
    dialogues.add(l.dialogueId);
    const prev = acc.dialogueSplit.get(l.dialogueId);
    if (prev !== undefined && prev !== s.split) problems.push(`dialogue ${l.dialogueId} is in split ${prev} and in split ${s.split} (${s.path})`);
    else acc.dialogueSplit.set(l.dialogueId, s.split);
    if (l.origin) {
      const key = `${l.origin.format}\u0000${path.basename(l.origin.file)}\u0000${l.origin.sourceId}`;
      const p2 = acc.consultationSplit.get(key);
      if (p2 !== undefined && p2 !== s.split) problems.push(`source consultation ${l.origin.format}:${path.basename(l.origin.file)}#${l.origin.sourceId} is in split ${p2} and in split ${s.split} (${s.path})`);
      else acc.consultationSplit.set(key, s.split);
    }
    if (acc.tokenizer) {
      const t = l.annotations?.tokens?.[acc.tokenizer];
      if (t === undefined) tokenless++;
      else tokens += t;
    }
  }
  if (dialogues.size !== s.dialogues) problems.push(`${s.path}: ${dialogues.size} distinct dialogues in its sidecar, manifest says ${s.dialogues}`);
  if (acc.tokenizer && tokenless > 0) {
    problems.push(`${s.annotations.path}: ${tokenless} records without a ${acc.tokenizer} token count`);
    return undefined;
  }
  return acc.tokenizer ? tokens : undefined;
}

async function listFiles(outDir: string, top: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    let entries;
    try {
      entries = await readdir(path.join(outDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk(top);
  return out.sort();
}

/** One-paragraph human summary of a passing verify. */
export function formatSummary(outDir: string, r: VerifyResult): string {
  const s = r.summary;
  const splits = Object.entries(s.bySplit).map(([k, v]) => `${k} ${v.records} records / ${v.dialogues} dialogues in ${v.shards} shard(s)${v.tokens !== undefined ? ` / ${v.tokens} tokens` : ''}`);
  return [`${outDir}: OK — ${s.shards} shards, ${s.records} records, ${s.dialogues} dialogues${s.tokens !== null ? `, ${s.tokens} tokens` : ''}`, ...splits.map((x) => `  ${x}`), `  checked: ${s.checks.join('; ')}`].join('\n');
}

