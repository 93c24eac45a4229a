/** Building reject records: one place computes their deterministic id. */
import type { Origin } from '../../schemas/dialogue.js';
import { RejectLineInput, type Reject, type RejectReason, type Stage } from '../../schemas/reject.js';
import { scrubPii } from '../stages/normalise/pii.js';
import { contentId } from './ids.js';

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
  const id = args.id ?? rejectId(stage, reason, origin, input);
  const r: Reject = { id, stage, reason, detail, origin, input };
  if (dialogueId !== undefined) r.dialogueId = dialogueId;
  if (evidence !== undefined) r.evidence = evidence;
  return r;
}

/** The deterministic id of a reject: a content hash of its stage, reason, origin and input. */
export function rejectId(stage: Stage, reason: RejectReason, origin: Origin, input: unknown): string {
  return contentId({ stage, reason, origin, input });
}

/** A reject as one line of rejects.jsonl: its input in the one on-disk shape (RejectLineInput). */
export function rejectLine(r: Reject): string {
  const input: RejectLineInput = typeof r.input === 'string' ? { kind: 'text', value: r.input } : { kind: 'json', value: JSON.stringify(r.input ?? null) };
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
