/**
 * `cmtmedqa explain <out-dir> <id>`: one dialogue's whole story in a finished output — where it came
 * from, every stage it passed, its records with their split and shard, or its rejects with reason
 * and evidence, and for a duplicate the record that was kept, side by side. The id may be a source
 * id (`102` or `meddialog:102`), a dialogue id, a record id or a reject id (hex ids by prefix).
 * Reads the rejects file and the annotation sidecars only; never writes.
 */
import type { Command } from 'commander';
import type { Origin } from '../../schemas/dialogue.js';
import type { ShardEntry } from '../../schemas/manifest.js';
import type { CMtMedQARecord } from '../../schemas/record.js';
import { REJECT_REASONS, type Reject, type RejectReason } from '../../schemas/reject.js';
import { CmtError } from '../core/errors.js';
import { openOutputDir, outputJsonLines, readShardEnvelopes, type OutputDir } from '../output/read-shards.js';
import { readRejects } from './rejects.js';

export const STORY_STAGES = ['import', 'normalise', 'split', 'validate', 'dedup', 'shard'] as const;
export type StoryStage = (typeof STORY_STAGES)[number];

export interface StoryRecord {
  id: string;
  window?: number;
  split: string;
  shard: string;
  flags: string[];
  entities: number;
  tokens?: Record<string, number>;
  record?: CMtMedQARecord;
}

export interface StoryReject {
  reject: Reject;
  /** For a duplicate: the record that was kept instead (when it is in the shards). */
  kept?: StoryRecord;
}

export interface DialogueStory {
  /** Absent for an import-level reject (the input never became a dialogue). */
  dialogueId?: string;
  origin: Origin;
  outcome: 'accepted' | 'rejected';
  stages: Array<{ stage: StoryStage; status: 'passed' | 'rejected' | 'partly rejected' | 'not reached'; note: string }>;
  records: StoryRecord[];
  rejects: StoryReject[];
}

export interface Story {
  query: string;
  dialogues: DialogueStory[];
}

interface SidecarLine { id: string; dialogueId: string; origin: Origin; annotations: { flags?: string[]; entities?: unknown[]; tokens?: Record<string, number> } }

/** Ids may be given by a prefix: hex of 6+ digits, or any id-like string of 8+ characters (cmt-…). */
const isHex = (q: string) => /^[0-9a-f]{6,}$/.test(q) || /^[\w-]{8,}$/.test(q);
const idMatch = (id: string | undefined, q: string) => id !== undefined && (id === q || (isHex(q) && id.startsWith(q)));
const sourceMatch = (o: Origin, q: string) => o.sourceId === q || `${o.format}:${o.sourceId}` === q;
const inputRecordId = (r: Reject): string | undefined => {
  const v = r.input as { id?: unknown; record?: { id?: unknown } } | null;
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.record?.id === 'string') return v.record.id;
  return typeof v.id === 'string' ? v.id : undefined;
};
const stageSlot = (s: string): StoryStage => (s === 'scrape' || s === 'parse' ? 'import' : s === 'filter' || s === 'executor' ? 'dedup' : (s as StoryStage));

async function* sidecars(out: OutputDir): AsyncGenerator<{ side: SidecarLine; shard: ShardEntry }> {
  for (const shard of out.manifest.shards) {
    if (!shard.annotations) continue;
    for await (const side of outputJsonLines(out.outDir, shard.annotations.path)) yield { side: side as SidecarLine, shard };
  }
}

function storyRecord(side: SidecarLine, shard: ShardEntry): StoryRecord {
  return {
    id: side.id,
    ...(side.origin.window !== undefined ? { window: side.origin.window } : {}),
    split: shard.split,
    shard: shard.path,
    flags: side.annotations.flags ?? [],
    entities: side.annotations.entities?.length ?? 0,
    ...(side.annotations.tokens ? { tokens: side.annotations.tokens } : {}),
  };
}

/** Finds every dialogue the id names and tells its story. */
export async function explain(outDir: string, query: string): Promise<Story> {
  const q = query.trim();
  if (!q) throw new CmtError('CMT_USAGE', 'explain needs an id: a source id, dialogue id, record id or reject id');
  const out = openOutputDir(outDir);
  const withAnnotations = out.manifest.shards.every((s) => s.annotations);
  // Pass 1: which dialogues (or import-level inputs) does the id name?
  const dialogueIds = new Set<string>();
  const importRejects: Reject[] = [];
  for await (const r of readRejects(outDir)) {
    if (idMatch(r.id, q) || idMatch(r.dialogueId, q) || idMatch(inputRecordId(r), q) || sourceMatch(r.origin, q)) {
      if (r.dialogueId) dialogueIds.add(r.dialogueId);
      else importRejects.push(r);
    }
  }
  for await (const { side } of sidecars(out)) {
    if (idMatch(side.id, q) || idMatch(side.dialogueId, q) || sourceMatch(side.origin, q)) dialogueIds.add(side.dialogueId);
  }
  // Pass 2: everything about those dialogues, and the records duplicates point at.
  const rejects = new Map<string, Reject[]>();
  const records = new Map<string, StoryRecord[]>();
  const origins = new Map<string, Origin>();
  const keptIds = new Set<string>();
  for await (const r of readRejects(outDir)) {
    if (!r.dialogueId || !dialogueIds.has(r.dialogueId)) continue;
    (rejects.get(r.dialogueId) ?? rejects.set(r.dialogueId, []).get(r.dialogueId)!).push(r);
    if (!origins.has(r.dialogueId)) origins.set(r.dialogueId, r.origin);
    const of = (r.evidence as { duplicateOf?: unknown } | undefined)?.duplicateOf;
    if (typeof of === 'string') keptIds.add(of);
  }
  const kept = new Map<string, StoryRecord>();
  const wantShards = new Set<string>();
  for await (const { side, shard } of sidecars(out)) {
    if (dialogueIds.has(side.dialogueId)) {
      (records.get(side.dialogueId) ?? records.set(side.dialogueId, []).get(side.dialogueId)!).push(storyRecord(side, shard));
      origins.set(side.dialogueId, side.origin);
      wantShards.add(shard.path);
    }
    if (keptIds.has(side.id)) {
      kept.set(side.id, storyRecord(side, shard));
      wantShards.add(shard.path);
    }
  }
  // The records' text, from the shards that hold them.
  const texts = new Map<string, CMtMedQARecord>();
  for (const shard of out.manifest.shards) {
    if (!wantShards.has(shard.path)) continue;
    for (const env of await readShardEnvelopes(out, shard)) texts.set(env.record.id, env.record);
  }
  const stories: DialogueStory[] = [];
  for (const id of dialogueIds) {
    const recs = (records.get(id) ?? []).map((r) => ({ ...r, ...(texts.has(r.id) ? { record: texts.get(r.id) } : {}) }));
    const rjs = (rejects.get(id) ?? []).map((reject) => {
      const of = (reject.evidence as { duplicateOf?: unknown } | undefined)?.duplicateOf;
      const k = typeof of === 'string' ? kept.get(of) : undefined;
      return { reject, ...(k ? { kept: { ...k, ...(texts.has(k.id) ? { record: texts.get(k.id) } : {}) } } : {}) };
    });
    const { window: _w, ...origin } = origins.get(id)!;
    stories.push({ dialogueId: id, origin, outcome: recs.length ? 'accepted' : 'rejected', stages: stagesOf(recs, rjs.map((r) => r.reject), withAnnotations), records: recs, rejects: rjs });
  }
  for (const r of importRejects) {
    stories.push({ origin: r.origin, outcome: 'rejected', stages: stagesOf([], [r], withAnnotations), records: [], rejects: [{ reject: r }] });
  }
  stories.sort((a, b) => (a.origin.file < b.origin.file ? -1 : a.origin.file > b.origin.file ? 1 : a.origin.position - b.origin.position));
  return { query: q, dialogues: stories };
}

function stagesOf(recs: StoryRecord[], rjs: Reject[], withAnnotations: boolean): DialogueStory['stages'] {
  const bySlot = new Map<StoryStage, Reject[]>();
  for (const r of rjs) (bySlot.get(stageSlot(r.stage)) ?? bySlot.set(stageSlot(r.stage), []).get(stageSlot(r.stage))!).push(r);
  const out: DialogueStory['stages'] = [];
  let stopped = false;
  const nRecordsSplit = recs.length + rjs.filter((r) => ['validate', 'dedup'].includes(stageSlot(r.stage))).length;
  for (const stage of STORY_STAGES) {
    if (stopped) {
      out.push({ stage, status: 'not reached', note: '' });
      continue;
    }
    const here = bySlot.get(stage) ?? [];
    const reasons = [...new Set(here.map((r) => r.reason))].join(', ');
    if (here.length && (recs.length === 0 || stage === 'import' || stage === 'normalise')) {
      // Every record of the dialogue went here (or the dialogue as a whole did).
      const later = STORY_STAGES.slice(STORY_STAGES.indexOf(stage) + 1).some((s) => (bySlot.get(s) ?? []).length);
      out.push({ stage, status: later ? 'partly rejected' : 'rejected', note: `${here.length} reject(s): ${reasons}` });
      if (!later) stopped = true;
      continue;
    }
    if (here.length) {
      out.push({ stage, status: 'partly rejected', note: `${here.length} record(s) rejected: ${reasons}` });
      continue;
    }
    const note = stage === 'split' ? `${nRecordsSplit} record(s)`
      : stage === 'shard' ? (recs.length ? recs.map((r) => `${r.split}:${r.shard}`).filter((v, i, a) => a.indexOf(v) === i).join(', ') : withAnnotations ? '' : 'shard.annotations was off: records cannot be traced')
        : stage === 'validate' ? (recs.some((r) => r.flags.length) ? `flagged: ${[...new Set(recs.flatMap((r) => r.flags))].join(', ')}` : '')
          : '';
    out.push({ stage, status: 'passed', note });
  }
  return out;
}

// ---- text rendering ---------------------------------------------------------------------------

/** Display width: CJK and full-width characters take two columns. */
function cols(ch: string): number {
  const c = ch.codePointAt(0)!;
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || c >= 0x20000 ? 2 : 1;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let w = 0;
    for (const ch of para) {
      const cw = cols(ch);
      if (w + cw > width) {
        out.push(line);
        line = '';
        w = 0;
      }
      line += ch;
      w += cw;
    }
    out.push(line);
  }
  return out;
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - [...s].reduce((a, c) => a + cols(c), 0)));

export function recordLines(r: CMtMedQARecord): string[] {
  const L: string[] = [`[${r.cate1}/${r.cate2}] ${r.id}`];
  r.history.forEach(([p, d], i) => L.push(`患者${i + 1}: ${p}`, `医生${i + 1}: ${d}`));
  L.push(`患者: ${r.instruction}${r.input ? `\n${r.input}` : ''}`, `医生: ${r.output}`);
  return L;
}

function sideBySide(left: string[], right: string[], width: number): string[] {
  const w = Math.max(20, Math.floor((width - 3) / 2));
  const a = left.flatMap((l) => wrap(l, w));
  const b = right.flatMap((l) => wrap(l, w));
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(`${pad(a[i] ?? '', w)} │ ${b[i] ?? ''}`);
  return out;
}

const originLine = (o: Origin) => `${o.format} ${o.file} · source id ${o.sourceId} · entry #${o.position}${o.visit !== undefined ? ` · visit ${o.visit}` : ''}${o.url ? ` · ${o.url}` : ''}`;

export function renderStory(s: Story, width = 120): string {
  const L: string[] = [];
  if (!s.dialogues.length) return `nothing in this output matches ${s.query} (try a source id such as 102 or meddialog:102, a dialogue id, a record id or a reject id)\n`;
  if (s.dialogues.length > 1) L.push(`${s.dialogues.length} dialogues match ${s.query}`, '');
  for (const d of s.dialogues) {
    L.push(`dialogue ${d.dialogueId ?? '(none: rejected at import)'} — ${d.outcome.toUpperCase()}`);
    L.push(`  origin: ${originLine(d.origin)}`);
    L.push('  stages:');
    for (const st of d.stages) L.push(`    ${st.status === 'passed' ? '✓' : st.status === 'not reached' ? '·' : '✗'} ${st.stage.padEnd(10)} ${st.status}${st.note ? ` — ${st.note}` : ''}`);
    if (d.records.length) {
      L.push(`  records in shards (${d.records.length}):`);
      for (const r of d.records) {
        L.push(`    ${r.id}  window ${r.window ?? 0}  ${r.split}  ${r.shard}${r.flags.length ? `  flags: ${r.flags.join(', ')}` : ''}  entities ${r.entities}${r.tokens ? `  tokens ${Object.entries(r.tokens).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
        if (r.record) for (const line of recordLines(r.record)) L.push(...wrap(line, width - 6).map((x) => `      ${x}`));
      }
    }
    if (d.rejects.length) {
      L.push(`  rejects (${d.rejects.length}):`);
      for (const { reject: r, kept } of d.rejects) {
        L.push(`    ${r.id}  ${r.stage}  ${r.reason} — ${REJECT_REASONS[r.reason as RejectReason] ?? ''}`);
        L.push(`      detail: ${r.detail}`);
        if (r.origin.window !== undefined) L.push(`      window: ${r.origin.window}`);
        if (r.evidence !== undefined) L.push(`      evidence: ${JSON.stringify(r.evidence)}`);
        const of = (r.evidence as { duplicateOf?: unknown } | undefined)?.duplicateOf;
        const dup = r.input as CMtMedQARecord;
        if (typeof of === 'string') {
          if (kept?.record && dup && typeof dup === 'object' && 'output' in dup) {
            L.push(`      duplicate (this one, dropped)${' '.repeat(Math.max(1, Math.floor((width - 9) / 2) - 30))}│ kept: ${kept.split} ${kept.shard}`);
            L.push(...sideBySide(recordLines(dup), recordLines(kept.record), width - 6).map((x) => `      ${x}`));
          } else L.push(`      kept record ${of} is not in the shards of this output`);
        } else {
          const text = typeof r.input === 'string' ? r.input : JSON.stringify(r.input, null, 1);
          L.push('      input:', ...wrap(text.length > 2000 ? `${text.slice(0, 2000)}…` : text, width - 8).map((x) => `        ${x}`));
        }
      }
    }
    L.push('');
  }
  return L.join('\n');
}

/** --width: a whole number of columns, at least 40. */
export function parseWidth(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 40) throw new CmtError('CMT_USAGE', `--width must be a whole number of columns, at least 40, not ${JSON.stringify(v)}`);
  return n;
}

/** What `cmtmedqa explain` (and its alias `cmtmedqa rejects explain`) prints; exit 1 when no dialogue has that id. */
export async function printExplain(outDir: string, id: string, o: { json?: boolean; width?: number }): Promise<void> {
  const s = await explain(outDir, id);
  if (o.json) console.log(JSON.stringify(s, null, 2));
  else process.stdout.write(renderStory(s, o.width ?? process.stdout.columns ?? 120));
  if (!s.dialogues.length) process.exitCode = 1;
}

export function registerExplainCommand(program: Command): void {
  program
    .command('explain <outDir> <id>')
    .description("one dialogue's whole story: origin, every stage, its records (split, shard) or its rejects with evidence; id = source id, dialogue id, record id or reject id")
    .option('--json', 'print the story as JSON')
    .option('--width <n>', 'text width, at least 40 (default: the terminal, else 120)', parseWidth)
    .action(printExplain);
}
