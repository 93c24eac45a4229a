/**
 * The record gate of the finish step: every check that decides, in run order, whether an
 * accepted record is kept: exact duplicates, then the injected filters (token budget, then
 * near-duplicates: dedup/near.ts must be last, because a record it lets through is remembered as
 * kept). One place, one order; the first step that objects turns the record into a reject.
 *
 * Exact dedup is a step like the others (`dedup.exact` in the config adds it); the near-duplicate
 * step and the token step are opened with the run's resources (src/pipeline/resources.ts) and
 * handed in as `filters`.
 */
import type { Pipeline } from '../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Reject, RejectReason, Stage } from '../../schemas/reject.js';
import { makeReject } from '../core/reject.js';
import { ExactIndex } from './dedup/exact.js';
import { rejectIdOf } from './precomputed.js';

/** What a step says about a record it rejects. */
export interface GateHit {
  stage: Stage;
  reason: RejectReason;
  detail: string;
  evidence?: unknown;
}

/** A record check applied in run order (exact and near duplicates, token budget …). */
export interface GateStep {
  name: string;
  /** Returns a reject description when the record must go, else undefined. May remember the record. */
  check(env: RecordEnvelope): GateHit | undefined;
  /** Called once at the end (persist an index …). */
  close?(): Promise<void>;
}

/** Exact duplicates (dedup/exact.ts): the first in run order is kept. */
export class ExactDedupStep implements GateStep {
  readonly name = 'dedup.exact';
  readonly index = new ExactIndex();
  check(env: RecordEnvelope): GateHit | undefined {
    const of = this.index.check(env);
    if (of === undefined) return undefined;
    return { stage: 'dedup', reason: 'dedup.exact_duplicate', detail: `identical to record ${of}`, evidence: { duplicateOf: of, similarity: 1 } };
  }
}

/** The gate's steps for a config: exact dedup when `dedup.exact`, then the filters in their order. */
export function gateSteps(config: Pipeline, filters: readonly GateStep[] = []): GateStep[] {
  return [...(config.dedup.exact ? [new ExactDedupStep()] : []), ...filters];
}

export class RecordGate {
  constructor(readonly steps: readonly GateStep[]) {}

  /** The reject for a record that must go (the first step that objects), else undefined (kept). */
  check(env: RecordEnvelope): Reject | undefined {
    for (const s of this.steps) {
      const hit = s.check(env);
      if (hit) return makeReject({ ...hit, origin: env.origin, dialogueId: env.dialogueId, input: env.record, id: rejectIdOf(env, hit.stage, hit.reason) });
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const s of this.steps) await s.close?.();
  }
}

/** The record a (near-)duplicate reject points at, if any. */
export function duplicateOf(r: Reject): string | undefined {
  const of = (r.evidence as { duplicateOf?: unknown } | undefined)?.duplicateOf;
  return typeof of === 'string' ? of : undefined;
}
