/**
 * The near-duplicate record filter of the finalise step (a RecordFilter by shape): the first
 * record in run order is kept, a later one whose estimated Jaccard with a kept record reaches
 * `dedup.near.threshold` becomes a `dedup.near_duplicate` reject with evidence
 * { duplicateOf, similarity }. It must run last among the filters: a record it lets through is
 * remembered as kept, so nothing after it may still reject that record.
 */
import type { Pipeline } from '../../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../../schemas/record.js';
import type { RejectReason, Stage } from '../../../schemas/reject.js';
import { dedupText, NearDupIndex, type NearMatch } from './minhash.js';
import type { NearIndexStore } from './near-store.js';
import { nearSignatureOf } from '../precomputed.js';

export type NearConfig = Pipeline['dedup']['near'];

export class NearDupFilter {
  readonly name = 'dedup.near';
  /** Entries replayed from the store at open. */
  loaded = 0;
  checked = 0;
  rejected = 0;

  constructor(readonly index: NearDupIndex, private readonly store?: NearIndexStore) {}

  static async open(cfg: NearConfig, store?: NearIndexStore): Promise<NearDupFilter> {
    const f = new NearDupFilter(new NearDupIndex({ ngram: cfg.ngram, numPerm: cfg.numPerm, bands: cfg.bands, threshold: cfg.threshold, scheme: cfg.scheme }, store !== undefined), store);
    if (store) f.loaded = await store.load(f.index);
    return f;
  }

  match(env: RecordEnvelope): NearMatch | undefined {
    this.checked++;
    const sig = nearSignatureOf(env, this.index.hasher.numPerm);
    return sig ? this.index.checkSignature(env.record.id, sig) : this.index.check(env.record.id, dedupText(env.record));
  }

  check(env: RecordEnvelope): { stage: Stage; reason: RejectReason; detail: string; evidence: NearMatch } | undefined {
    const m = this.match(env);
    if (!m) return undefined;
    this.rejected++;
    return {
      stage: 'dedup',
      reason: 'dedup.near_duplicate',
      detail: `near-duplicate of record ${m.duplicateOf} (estimated Jaccard ${m.similarity} ≥ ${this.index.threshold})`,
      evidence: m,
    };
  }

  private closed = false;

  /** Persists this run's kept records (the finaliser calls it once, at finish). */
  async close(): Promise<void> {
    if (this.closed || !this.store) return;
    this.closed = true;
    await this.store.save(this.index);
    await this.store.close?.();
  }

  /** Releases the store without saving (a run that failed before finish persists nothing). */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store?.close?.();
  }
}
