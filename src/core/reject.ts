/** Building reject records: one place computes their deterministic id. */
import type { Origin } from '../../schemas/dialogue.js';
import { RejectLineInput, type Reject, type RejectReason, type Stage } from '../../schemas/reject.js';
import { scrubPii } from '../stages/normalise/pii.js';
import { contentId, contentIdOfJson } from './ids.js';
import { isCMtMedQARecord, type CMtMedQARecord } from '../../schemas/record.js';

export function makeReject(args: {
  stage: Stage;
  reason: RejectReason;
  detail: string;
  origin: Origin;
  input: unknown;
  evidence?: unknown;
  dialogueId?: string;
  /** The id when already computed (by a worker, from the same stage, reason, origin and input). */
  id?: string;
}): Reject {
  const { stage, reason, detail, origin, input, evidence, dialogueId } = args;
  const id = args.id ?? rejectId(stage, reason, origin, input, true);
  const r: Reject = { id, stage, reason, detail, origin, input };
  if (dialogueId !== undefined) r.dialogueId = dialogueId;
  if (evidence !== undefined) r.evidence = evidence;
  return r;
}

/**
 * The deterministic id of a reject: a content hash of its stage, reason, origin and input.
 * `keepLine`: a record input's JSON.stringify is kept beside it for rejectLine (the reject about
 * to be written), made from the same pieces as the id's JSON instead of serialising it again.
 */
export function rejectId(stage: Stage, reason: RejectReason, origin: Origin, input: unknown, keepLine = false): string {
  const json = isCMtMedQARecord(input) ? recordRejectJson(stage, reason, origin, input, keepLine) : undefined;
  return json === undefined ? contentId({ stage, reason, origin, input }) : contentIdOfJson(json);
}

/** JSON.stringify(record) of records whose reject id was made with keepLine (read by rejectLine). */
const RECORD_LINE = new WeakMap<CMtMedQARecord, string>();

/** The keys of a record in the order the stages write them (JSON.stringify follows insertion order). */
const WRITTEN_ORDER = ['id', 'cate1', 'cate2', 'instruction', 'input', 'output', 'history'];

function inWrittenOrder(r: CMtMedQARecord): boolean {
  let i = 0;
  for (const k in r) if (k !== WRITTEN_ORDER[i++]) return false;
  return i === WRITTEN_ORDER.length;
}

/**
 * canonicalJson({ stage, reason, origin, input }) for a record's reject (the gate's duplicates,
 * tens of thousands per run), written in the canonical key order directly: the record's seven
 * keys and the top level are fixed, the origin's few scalar keys are sorted here. Undefined when
 * the origin holds anything but scalars (then canonicalJson does it, same bytes either way).
 * Records are plain data (JSON.parse or the stages' literals): no toJSON anywhere in them, which
 * JSON.stringify would call and canonicalJson would not.
 */
function recordRejectJson(stage: Stage, reason: RejectReason, origin: Origin, r: CMtMedQARecord, keepLine: boolean): string | undefined {
  const o = scalarObjectJson(origin);
  if (o === undefined) return undefined;
  // Each value serialised once; the id's JSON (sorted keys) and, with keepLine, the record's own
  // JSON.stringify (its key order, when it is the stages' order) are put together from them.
  const id = JSON.stringify(r.id);
  const cate1 = JSON.stringify(r.cate1);
  const cate2 = JSON.stringify(r.cate2);
  const instruction = JSON.stringify(r.instruction);
  const input = JSON.stringify(r.input);
  const output = JSON.stringify(r.output);
  const history = JSON.stringify(r.history);
  if (keepLine && inWrittenOrder(r)) {
    RECORD_LINE.set(r, `{"id":${id},"cate1":${cate1},"cate2":${cate2},"instruction":${instruction},"input":${input},"output":${output},"history":${history}}`);
  }
  const rec = `{"cate1":${cate1},"cate2":${cate2},"history":${history},"id":${id},"input":${input},"instruction":${instruction},"output":${output}}`;
  return `{"input":${rec},"origin":${o},"reason":${JSON.stringify(reason)},"stage":${JSON.stringify(stage)}}`;
}

/** canonicalJson of a plain object whose values are all strings, numbers, booleans or undefined (keys not array indexes), else undefined. */
function scalarObjectJson(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  const keys = sortedKeys(Object.keys(o));
  const obj = o as Record<string, unknown>;
  let out = '{';
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (k.length === 0 || (c >= 48 && c <= 57)) return undefined; // possibly an index key: ordered differently
    const v = obj[k];
    let s: string;
    if (v === undefined) continue;
    else if (typeof v === 'string') s = JSON.stringify(v);
    else if (typeof v === 'number') s = Number.isFinite(v) ? JSON.stringify(v) : 'null';
    else if (typeof v === 'boolean') s = v ? 'true' : 'false';
    else return undefined;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${s}`;
  }
  return `${out}}`;
}

/** The keys last sorted, and their sorted order: the origins of one run share a few key lists. */
let lastKeys: string[] = [];
let lastSorted: string[] = [];

/** `keys` sorted (the array itself may be returned sorted), reusing the last answer for the same list. */
function sortedKeys(keys: string[]): string[] {
  if (keys.length === lastKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length && same; i++) same = keys[i] === lastKeys[i];
    if (same) return lastSorted;
  }
  lastKeys = keys;
  lastSorted = [...keys].sort();
  return lastSorted;
}

/** A reject as one line of rejects.jsonl: its input in the one on-disk shape (RejectLineInput). */
export function rejectLine(r: Reject): string {
  const kept = typeof r.input === 'object' && r.input !== null ? RECORD_LINE.get(r.input as CMtMedQARecord) : undefined;
  if (kept !== undefined) RECORD_LINE.delete(r.input as CMtMedQARecord);
  const input: RejectLineInput = typeof r.input === 'string' ? { kind: 'text', value: r.input } : { kind: 'json', value: kept ?? JSON.stringify(r.input ?? null) };
  return JSON.stringify({ ...r, input });
}

/** The reject a line of rejects.jsonl holds, its input as the stage had it (files before RejectLineInput pass as they are). */
export function fromRejectLine(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const line = v as { input?: unknown };
  const enc = RejectLineInput.safeParse(line.input);
  if (!enc.success) return v;
  return { ...line, input: enc.data.kind === 'text' ? enc.data.value : (JSON.parse(enc.data.value) as unknown) };
}

/** How raw input is kept in the rejects file (`rejects:` in the pipeline YAML). */
export interface RejectOutputConfig {
  /** capped: import-level raw input kept up to maxRawChars, scrubbed and marked when cut; drop: only its size is kept. */
  rawInput: 'capped' | 'drop';
  maxRawChars: number;
}

const RAW_STAGES = new Set<Stage>(['import', 'scrape', 'parse']);

function scrubDeep(v: unknown): unknown {
  if (typeof v === 'string') return scrubPii(v);
  if (Array.isArray(v)) return v.map(scrubDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubDeep(x)]));
  return v;
}

/**
 * The reject as the rejects file keeps it. Only import-level rejects (import, scrape, parse) hold
 * raw input: scrubbed of personal data, cut to maxRawChars and marked {truncated, bytes, text}
 * when longer, or replaced by {dropped, bytes} under rawInput: drop. Rejects after normalise
 * already carry scrubbed text (normalise builds them so); executor rejects (a poisoned raw
 * dialogue) are scrubbed field by field and stay re-queueable. The id is not recomputed.
 */
export function rejectForOutput(r: Reject, cfg: RejectOutputConfig): Reject {
  if (r.stage === 'executor') return { ...r, input: scrubDeep(r.input) };
  if (!RAW_STAGES.has(r.stage) || r.input === undefined) return r;
  const text = typeof r.input === 'string' ? r.input : JSON.stringify(r.input);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (cfg.rawInput === 'drop') return { ...r, input: { dropped: true, bytes } };
  if (text.length <= cfg.maxRawChars) return { ...r, input: scrubDeep(r.input) };
  return { ...r, input: { truncated: true, bytes, text: scrubPii(text.slice(0, cfg.maxRawChars)) } };
}
