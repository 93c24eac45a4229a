/** Building reject records: one place computes their deterministic id. */
import type { Origin } from '../../schemas/dialogue.js';
import { RejectLineInput, type Reject, type RejectReason, type Stage } from '../../schemas/reject.js';
import { contentId } from './ids.js';

export function makeReject(args: {
  stage: Stage;
  reason: RejectReason;
  detail: string;
  origin: Origin;
  input: unknown;
  evidence?: unknown;
  dialogueId?: string;
}): Reject {
  const { stage, reason, detail, origin, input, evidence, dialogueId } = args;
  const id = contentId({ stage, reason, origin, input });
  const r: Reject = { id, stage, reason, detail, origin, input };
  if (dialogueId !== undefined) r.dialogueId = dialogueId;
  if (evidence !== undefined) r.evidence = evidence;
  return r;
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
