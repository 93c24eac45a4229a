/** Building reject records: one place computes their deterministic id. */
import type { Origin } from '../../schemas/dialogue.js';
import type { Reject, RejectReason, Stage } from '../../schemas/reject.js';
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
