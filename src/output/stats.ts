/**
 * Run statistics gathered by the finaliser: the accounting equations (dialogues and records),
 * rejects by reason and stage, turn and length distributions, proactive-inquiry ratio.
 * Everything here is counts and fixed-size histograms: memory does not grow with input.
 */
import type { ProcessedBatch } from '../../schemas/batch.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import type { SplitName } from '../../schemas/manifest.js';
import { isPleasantry } from '../stages/split/pleasantry.js';

export class Histogram {
  readonly counts = new Map<number, number>();
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  constructor(private readonly bucket: (v: number) => number = (v) => v) {}
  add(v: number): void {
    const b = this.bucket(v);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    let acc = 0;
    const target = q * this.n;
    for (const k of keys) {
      acc += this.counts.get(k)!;
      if (acc >= target) return k;
    }
    return keys[keys.length - 1];
  }
  /** The histogram itself, [value, count] by value (values are bucketed, see lengthBucket): what report.html plots. */
  buckets(): Array<[number, number]> {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
  }
  toJSON(): { n: number; mean: number; min: number; p50: number; p90: number; p99: number; max: number } {
    return {
      n: this.n,
      mean: this.n ? Math.round((this.sum / this.n) * 100) / 100 : 0,
      min: this.n ? this.min : 0,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.n ? this.max : 0,
    };
  }
}

/** Character lengths bucketed to 2 significant digits so the histogram stays small. */
const lengthBucket = (v: number) => {
  if (v < 100) return v;
  const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
  return Math.round(v / p) * p;
};

/** Characters of every utterance of a record (the default shard weight, and the length statistic). */
export function recordChars(env: RecordEnvelope): number {
  const r = env.record;
  let n = r.instruction.length + r.input.length + r.output.length;
  for (const [q, a] of r.history) n += q.length + a.length;
  return n;
}

export interface SourceStats {
  records: number;
  rounds: Histogram;
  /** Accepted records whose output is only thanks or courtesy (split/pleasantry.ts). */
  pleasantryOutputs: number;
  /** quality.machine_spun: accepted with the flag, and rejected. */
  spunFlagged: number;
  spunRejected: number;
  /** Character-LM bits per character of scored records (0.1-bit buckets). */
  lm: Histogram;
}

const EXAMPLES_PER_REASON = 3;

const NEAR_EXAMPLES = 5;

/**
 * What the run statistics take from one reject (as the rejects file keeps it): tens of bytes, so a
 * BullMQ worker can send it instead of the reject. `example` (the report's example fields) and
 * `near` are filled only when asked for: the statistics keep the first few per reason, and a
 * worker asks for them for the first few of each reason in its batch, which include the run's first.
 */
export interface RejectSummary {
  id: string;
  stage: Reject['stage'];
  reason: Reject['reason'];
  origin: { format: string; file: string; sourceId: string };
  dialogueId?: string;
  /** parse.layout_unrecognised: the site and raw-store key of the page. */
  layout?: { site: string; rawKey: string };
  example?: { detail: string; input: string };
  near?: { id: string; duplicateOf: string; similarity: number; text: string };
}

export function rejectSummary(r: Reject, example: boolean, near: boolean): RejectSummary {
  const s: RejectSummary = { id: r.id, stage: r.stage, reason: r.reason, origin: { format: r.origin.format, file: r.origin.file, sourceId: r.origin.sourceId } };
  if (r.dialogueId !== undefined) s.dialogueId = r.dialogueId;
  if (near && r.reason === 'dedup.near_duplicate') {
    const ev = (r.evidence ?? {}) as { duplicateOf?: string; similarity?: number };
    const input = r.input as { id?: string; instruction?: string; output?: string };
    s.near = {
      id: input.id ?? r.id,
      duplicateOf: ev.duplicateOf ?? '',
      similarity: ev.similarity ?? 0,
      text: `${input.instruction ?? ''} → ${input.output ?? ''}`.replace(/\s+/g, ' ').slice(0, 80),
    };
  }
  if (r.reason === 'parse.layout_unrecognised') {
    const ev = (r.evidence ?? {}) as { site?: string; rawKey?: string };
    if (ev.site && ev.rawKey) s.layout = { site: ev.site, rawKey: ev.rawKey };
  }
  if (example) {
    const input = typeof r.input === 'string' ? r.input : JSON.stringify(r.input) ?? '';
    s.example = { detail: r.detail.slice(0, 300), input: input.length > 300 ? `${input.slice(0, 300)}…` : input };
  }
  return s;
}

/** The funnel's steps: a dialogue lost at import/scrape/parse never reached normalise, and so on. */
export const FUNNEL_STEPS = ['import', 'normalise', 'split', 'validate', 'dedup'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
function funnelStep(stage: string): FunnelStep {
  if (stage === 'import' || stage === 'scrape' || stage === 'parse') return 'import';
  if (stage === 'normalise' || stage === 'split' || stage === 'validate') return stage;
  if (stage === 'quality') return 'split'; // quality runs with split, before validate
  return 'dedup'; // dedup, filter, shard, executor: lost after validation
}

export class RunStats {
  dialoguesIn = 0;
  dialoguesAccepted = 0;
  dialoguesRejected = 0;
  /** Dialogues with no accepted record and no reject naming them: must stay 0. */
  dialoguesUnaccounted = 0;
  readonly dialoguesRejectedByReason: Record<string, number> = {};
  recordsProduced = 0;
  recordsAccepted = 0;
  recordsRejected = 0;
  readonly rejectsByReason: Record<string, number> = {};
  readonly rejectsByStage: Record<string, number> = {};
  readonly bySplit: Record<SplitName, { records: number; weight: number }> = {
    train: { records: 0, weight: 0 }, validation: { records: 0, weight: 0 }, test: { records: 0, weight: 0 },
  };
  readonly rounds = new Histogram();
  readonly chars = new Histogram(lengthBucket);
  readonly weights = new Histogram(lengthBucket);
  readonly byCate1: Record<string, number> = {};
  doctorTurns = 0;
  inquiryTurns = 0;
  outputInquiry = 0;
  withEntity = 0;
  readonly entitiesByType: Record<string, number> = {};
  /** Mentions per entity, keyed `type \0 name` (the report's most-named entities per type). */
  readonly entityMentions = new Map<string, number>();
  flagged = 0;
  readonly flagsByReason: Record<string, number> = {};
  inferredDepartment = 0;
  /** Token counts per tokenizer (from annotations.tokens). */
  readonly tokens = new Map<string, Histogram>();
  /** Per source format: accepted records, their rounds, pleasantry-only outputs, machine-spun share (report "Per source"). */
  readonly perSource: Record<string, SourceStats> = {};
  /** What normalise removed and replaced, summed over batches (normalise/index.ts CleaningCounts). */
  readonly cleaning: Record<string, number> = {};
  /** Content clusters that decide the splits (finish/split-assign.ts CaseClusters): set at finish. */
  splitClusters?: { dialogues: number; clusters: number; largest: number; merges: number };
  /** The first near-duplicate rejects, as examples for the report. */
  readonly nearDuplicateExamples: Array<{ id: string; duplicateOf: string; similarity: number; text: string }> = [];

  /** Rejects per source format (every reject, like rejectsByReason). */
  readonly rejectsBySource: Record<string, number> = {};
  /**
   * Per source format, dialogues (and import units) that reached each step: in, then how many
   * were lost at each stage (by the stage of the reject that decided the dialogue), and accepted.
   */
  readonly funnel: Record<string, { in: number; lost: Record<FunnelStep, number>; accepted: number }> = {};
  /** The first few rejects of each reason, for the report's examples. */
  readonly rejectExamples: Record<string, Array<{ id: string; stage: string; source: string; dialogueId?: string; detail: string; input: string }>> = {};

  private funnelOf(format: string) {
    return (this.funnel[format] ??= { in: 0, lost: { import: 0, normalise: 0, split: 0, validate: 0, dedup: 0 }, accepted: 0 });
  }

  /** Scraped pages per layout ("<site>/<generation>", "<site>/unrecognised"), placeholders dropped. */
  readonly pagesByLayout: Record<string, number> = {};
  placeholdersDropped = 0;
  /** Raw-store keys of the first unrecognised pages per site (to re-parse after a layout fix). */
  readonly unrecognisedKeys: Record<string, string[]> = {};

  addScrape(s: { layouts: Record<string, number>; placeholders: number } | undefined): void {
    if (!s) return;
    for (const [k, n] of Object.entries(s.layouts)) this.pagesByLayout[k] = (this.pagesByLayout[k] ?? 0) + n;
    this.placeholdersDropped += s.placeholders;
  }

  addCleaning(c: Record<string, number> | undefined): void {
    if (c) for (const [k, v] of Object.entries(c)) this.cleaning[k] = (this.cleaning[k] ?? 0) + v;
  }

  addInputs(inputs: number, recordsProduced: number): void {
    this.dialoguesIn += inputs;
    this.recordsProduced += recordsProduced;
  }

  private source(format: string): SourceStats {
    return (this.perSource[format] ??= { records: 0, rounds: new Histogram(), pleasantryOutputs: 0, spunFlagged: 0, spunRejected: 0, lm: new Histogram((v) => Math.round(v * 10) / 10) });
  }

  /** A reject as the rejects file keeps it (rejectForOutput): its summary, example fields only while the report still wants examples. */
  addReject(r: Reject): void {
    this.addRejectSummary(rejectSummary(r, (this.rejectExamples[r.reason]?.length ?? 0) < EXAMPLES_PER_REASON, this.nearDuplicateExamples.length < NEAR_EXAMPLES));
  }

  /** What addReject counts, from a reject's summary (a BullMQ worker sends summaries, not rejects). */
  addRejectSummary(r: RejectSummary): void {
    if (r.reason === 'quality.machine_spun') this.source(r.origin.format).spunRejected++;
    if (r.near && this.nearDuplicateExamples.length < NEAR_EXAMPLES) this.nearDuplicateExamples.push(r.near);
    if (r.layout) {
      const keys = (this.unrecognisedKeys[r.layout.site] ??= []);
      if (keys.length < 20) keys.push(r.layout.rawKey);
    }
    this.rejectsByReason[r.reason] = (this.rejectsByReason[r.reason] ?? 0) + 1;
    this.rejectsBySource[r.origin.format] = (this.rejectsBySource[r.origin.format] ?? 0) + 1;
    const ex = (this.rejectExamples[r.reason] ??= []);
    if (ex.length < EXAMPLES_PER_REASON) {
      if (!r.example) throw new Error(`reject ${r.id} (${r.reason}) came without its example fields while the report still wanted examples of that reason`);
      ex.push({
        id: r.id, stage: r.stage, source: `${r.origin.format}:${r.origin.file}#${r.origin.sourceId}`,
        ...(r.dialogueId ? { dialogueId: r.dialogueId } : {}),
        ...r.example,
      });
    }
    this.rejectsByStage[r.stage] = (this.rejectsByStage[r.stage] ?? 0) + 1;
    if (r.stage === 'quality' || r.stage === 'validate' || r.stage === 'dedup' || r.stage === 'filter') this.recordsRejected++;
  }

  /** Split totals, once the decision step has assigned the records (finish/plan.ts). */
  addSplit(split: SplitName, records: number, weight: number): void {
    this.bySplit[split].records += records;
    this.bySplit[split].weight += weight;
  }

  /** An accepted record, in run order (its split is counted by addSplit). */
  addRecord(env: RecordEnvelope, weight: number, pleasantry = isPleasantry(env.record.output), chars = recordChars(env)): void {
    this.recordsAccepted++;
    const r = env.record;
    this.rounds.add(r.history.length + 1);
    this.chars.add(chars);
    this.weights.add(weight);
    this.byCate1[r.cate1] = (this.byCate1[r.cate1] ?? 0) + 1;
    this.doctorTurns += r.history.length + 1;
    this.inquiryTurns += env.annotations.inquiryTurns.length;
    if (env.annotations.outputIsInquiry) this.outputInquiry++;
    const ents = env.annotations.entities;
    if (ents && ents.length > 0) {
      this.withEntity++;
      for (const e of ents) {
        this.entitiesByType[e.type] = (this.entitiesByType[e.type] ?? 0) + 1;
        const key = `${e.type}\u0000${e.name}`;
        this.entityMentions.set(key, (this.entityMentions.get(key) ?? 0) + 1);
      }
    }
    if (env.annotations.flags?.length) {
      this.flagged++;
      for (const f of env.annotations.flags) this.flagsByReason[f] = (this.flagsByReason[f] ?? 0) + 1;
    }
    if (env.annotations.inferredDepartment) this.inferredDepartment++;
    const src = this.source(env.origin.format);
    src.records++;
    src.rounds.add(r.history.length + 1);
    if (pleasantry) src.pleasantryOutputs++;
    if (env.annotations.flags?.includes('quality.machine_spun')) src.spunFlagged++;
    if (env.annotations.quality) src.lm.add(env.annotations.quality.lm);
    const tk = env.annotations.tokens;
    if (tk) {
      for (const [name, n] of Object.entries(tk)) {
        let h = this.tokens.get(name);
        if (!h) this.tokens.set(name, (h = new Histogram(lengthBucket)));
        h.add(n);
      }
    }
  }

  /**
   * Replaces the dialogue accounting with books kept across batches by the executor (revalidate,
   * whose batches are shards: one dialogue's records may sit in several). One outcome per input
   * unit: a dialogue, accepted or rejected by its deciding reject, or an import-level reject.
   */
  setDialogues(outcomes: Iterable<{ format: string; accepted: boolean; reject?: { reason: string; stage: string } }>): void {
    this.dialoguesIn = this.dialoguesAccepted = this.dialoguesRejected = this.dialoguesUnaccounted = 0;
    for (const k of Object.keys(this.dialoguesRejectedByReason)) delete this.dialoguesRejectedByReason[k];
    for (const k of Object.keys(this.funnel)) delete this.funnel[k];
    for (const o of outcomes) {
      this.dialoguesIn++;
      const f = this.funnelOf(o.format);
      f.in++;
      if (o.accepted) {
        this.dialoguesAccepted++;
        f.accepted++;
      } else if (o.reject) {
        this.dialoguesRejected++;
        this.dialoguesRejectedByReason[o.reject.reason] = (this.dialoguesRejectedByReason[o.reject.reason] ?? 0) + 1;
        f.lost[funnelStep(o.reject.stage)]++;
      } else {
        this.dialoguesUnaccounted++;
      }
    }
  }

  /** Per batch: each dialogue is accepted (≥1 record kept) or rejected, attributed to its first reject. */
  closeDialogues(pb: ProcessedBatch, accepted: Set<string>, rejects: Reject[]): void {
    const firstReject = new Map<string, Reject>();
    const firstDedupReject = new Map<string, Reject>();
    for (const r of rejects) {
      if (!r.dialogueId) continue;
      if (!firstReject.has(r.dialogueId)) firstReject.set(r.dialogueId, r);
      if (r.stage === 'dedup' && !firstDedupReject.has(r.dialogueId)) firstDedupReject.set(r.dialogueId, r);
    }
    const formatOf = new Map<string, string>();
    for (const env of pb.records) formatOf.set(env.dialogueId, env.origin.format);
    const seen = new Set<string>();
    for (const id of pb.dialogueIds) {
      // The same input read twice in one batch (a requeue file run beside its own sources) has one
      // id for both: the first holds the kept records, and a copy whose records dedup dropped is a
      // duplicate, not a second accepted dialogue.
      let copy = false;
      if (firstDedupReject.has(id) && accepted.has(id)) {
        copy = seen.has(id);
        seen.add(id);
      }
      if (accepted.has(id) && !copy) {
        this.dialoguesAccepted++;
        const f = this.funnelOf(formatOf.get(id) ?? 'unknown');
        f.in++;
        f.accepted++;
        continue;
      }
      const first = copy ? firstDedupReject.get(id) : firstReject.get(id);
      if (first === undefined) {
        this.dialoguesUnaccounted++;
        this.funnelOf(formatOf.get(id) ?? 'unknown').in++;
        continue;
      }
      const reason = first.reason;
      this.dialoguesRejected++;
      this.dialoguesRejectedByReason[reason] = (this.dialoguesRejectedByReason[reason] ?? 0) + 1;
      const f = this.funnelOf(first.origin.format);
      f.in++;
      f.lost[funnelStep(first.stage)]++;
    }
    // Import-level rejects are input units that never became a dialogue.
    const importRejects = pb.inputs - pb.dialogueIds.length;
    for (const r of pb.rejects.slice(0, Math.max(0, importRejects))) {
      const f = this.funnelOf(r.origin.format);
      f.in++;
      f.lost.import++;
    }
    for (const r of rejects) {
      if (r.stage === 'import' || r.stage === 'scrape' || r.stage === 'parse') {
        this.dialoguesRejectedByReason[r.reason] = (this.dialoguesRejectedByReason[r.reason] ?? 0) + 1;
      }
    }
    this.dialoguesRejected += importRejects;
  }
}
