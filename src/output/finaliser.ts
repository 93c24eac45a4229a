/**
 * The finalise step: runs once per run over the processed batches in `seq` order, whichever
 * executor produced them. It composes the parts of src/finish/:
 *  - the record gate (finish/gate.ts): exact dedup, then the filters (tokens, near-duplicates),
 *    first in run order kept; each reject goes to the rejects file in input order;
 *  - content clusters (finish/split-assign.ts CaseClusters) linking dialogues that must share a split;
 *  - the spill (finish/spill.ts): each kept record serialised once into its final shard and
 *    sidecar lines, with compact metadata kept here (dialogue, weight, position: ~36 bytes);
 *  - at finish, the decision step (finish/plan.ts: split per cluster, shards balanced by weight)
 *    over that metadata, the shard writer (finish/shard-writer.ts) copying the spilled lines into
 *    shards/<split>/part-NNNNN.<ext> and annotations/<split>/, and the artefacts
 *    (finish/artefacts.ts: manifest, dataset_info.json, pipeline.json, the card README.md).
 * Memory: the dedup indexes, one batch, and tens of bytes per kept record and per dialogue.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessedBatch } from '../../schemas/batch.js';
import type { Manifest } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import { rejectForOutput, rejectLine } from '../core/reject.js';
import { buildManifest, writeArtefacts } from '../finish/artefacts.js';
import { Column, IntIndex } from '../finish/columns.js';
import { duplicateOf, gateSteps, RecordGate, type GateStep } from '../finish/gate.js';
import { planShards, type FinishPlan, type ShardJob } from '../finish/plan.js';
import { writeShards, type ShardResult } from '../finish/shard-writer.js';
import { SpillWriter } from '../finish/spill.js';
import { CaseClusters, idKey } from '../finish/split-assign.js';
import { LineSink } from './sink.js';
import { RunStats, recordChars, type RejectSummary } from './stats.js';
import { caseKeyOf, casePrefixKeyOf, consultationKeyOf, pleasantryOf, preparedLine } from '../finish/precomputed.js';

/** A record check of the gate (finish/gate.ts GateStep), injected after exact dedup: token budget, near-duplicates … */
export type RecordFilter = GateStep;

export interface FinaliseOptions {
  config: Pipeline;
  outDir: string;
  configHash: string;
  graphVersion: string | null;
  filters?: RecordFilter[];
  /** Weight used to balance shards (tokens when a tokenizer is configured, else characters). */
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
  /** Writes one split's shard jobs (default: here, writeShards); the BullMQ executor hands them to workers. */
  writeShards?: (outDir: string, jobs: readonly ShardJob[]) => Promise<ShardResult[]>;
  /**
   * When it aborts, finish() stops before the next split's shards and before the artefacts: an
   * interrupted run's finish, left to run on while its partial output is removed, must not create
   * files there again (the next split's shard files did, and outlived the clean-up).
   */
  signal?: AbortSignal;
}

/**
 * The rejects of one batch in input order — each import reject where it stood among the
 * dialogues, each dialogue's rejects (stage order, then dedup/filter) where the dialogue stood —
 * so the rejects file is the same whatever the batch size or executor.
 */
export function inputOrder(pb: ProcessedBatch, late: Reject[]): Reject[] {
  const nImport = pb.inputs - pb.dialogueIds.length;
  const imports = pb.rejects.slice(0, nImport);
  const at = pb.rejectAt ?? imports.map(() => 0);
  const byDialogue = new Map<string, Reject[]>();
  const stray: Reject[] = [];
  for (const id of pb.dialogueIds) byDialogue.set(id, []);
  for (const r of [...pb.rejects.slice(nImport), ...late]) {
    const group = r.dialogueId !== undefined ? byDialogue.get(r.dialogueId) : undefined;
    if (group) group.push(r);
    else stray.push(r);
  }
  const out: Reject[] = [];
  let k = 0;
  pb.dialogueIds.forEach((id, i) => {
    while (k < imports.length && at[k] <= i) out.push(imports[k++]);
    const g = byDialogue.get(id);
    if (g) {
      for (const r of g) out.push(r);
      byDialogue.delete(id); // a repeated id is emitted once
    }
  });
  while (k < imports.length) out.push(imports[k++]);
  for (const r of stray) out.push(r);
  return out;
}



export class Finaliser {
  readonly stats = new RunStats();
  readonly gate: RecordGate;
  readonly clusters = new CaseClusters();
  /** Kept record (idKey of its id) → its dialogue's cluster index, to link a duplicate with what it duplicates. */
  private readonly recordCluster = new IntIndex();
  /** Per kept record in run order: dialogue index and weight (spill positions are in the spill). */
  private readonly dialogueOf = new Column(Int32Array);
  private readonly weightOf = new Column(Float64Array);
  private spill!: SpillWriter;
  /** Accepted records per source file (`format\tfile`), for the dataset card. */
  private readonly sources = new Map<string, number>();
  /** Sum of annotations.tokens per tokenizer over accepted records. */
  private readonly tokenTotals: Record<string, number> = {};
  private rejectSink!: LineSink;
  private readonly tmpDir: string;
  private opened = false;
  /**
   * Set by discard(): the run failed or was interrupted and its directory goes. A batch that
   * arrives later (an interrupt leaves the executor's feed running in the background) is refused:
   * it must neither reopen the files in a directory being removed nor write into closed ones.
   */
  private discarded = false;
  private nextSeq = 0;

  constructor(private readonly opts: FinaliseOptions) {
    this.tmpDir = path.join(opts.outDir, '.tmp');
    this.gate = new RecordGate(gateSteps(opts.config, opts.filters));
  }

  async open(): Promise<void> {
    // outDir is a fresh staged directory (src/output/out-dir.ts): the executors swap it into place
    // on success, so nothing earlier is deleted or mixed in here.
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(path.join(this.opts.outDir, 'rejects'), { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    this.rejectSink = new LineSink(path.join(this.opts.outDir, 'rejects', 'rejects.jsonl'));
    const shard = this.opts.config.shard;
    this.spill = new SpillWriter(path.join(this.tmpDir, 'spill.bin'), shard.format, shard.annotations);
    this.opened = true;
  }

  private async writeReject(r: Reject): Promise<void> {
    // A BullMQ worker already made the line and the summary (finish/precomputed.ts prepareRejects).
    const line = preparedLine(r);
    if (line !== undefined) {
      this.stats.addRejectSummary(r as unknown as RejectSummary);
      await this.rejectSink.write(line);
      return;
    }
    // Stats (report examples) see the reject as the file keeps it: raw input scrubbed and capped.
    const kept = rejectForOutput(r, this.opts.config.rejects);
    this.stats.addReject(kept);
    await this.rejectSink.write(rejectLine(kept));
  }

  /** The last origin's `format\tfile` (records arrive file by file: one string per file, not per record). */
  private lastSource?: { format: string; file: string; key: string };

  private sourceKey(o: RecordEnvelope['origin']): string {
    const last = this.lastSource;
    if (last && last.format === o.format && last.file === o.file) return last.key;
    this.lastSource = { format: o.format, file: o.file, key: `${o.format}\t${o.file}` };
    return this.lastSource.key;
  }

  /**
   * Batches must arrive in seq order 0, 1, 2 … (executors reorder before calling). Returns the
   * dialogues of the batch that kept a record and the rejects the gate added (dedup, filters), for
   * an executor that keeps its own books across batches (revalidate: one dialogue's records may
   * sit in several shards).
   */
  async addBatch(pb: ProcessedBatch): Promise<{ accepted: Set<string>; late: Reject[] }> {
    this.refuseIfStopped();
    if (!this.opened) await this.open();
    if (pb.seq !== this.nextSeq) throw new Error(`finaliser got batch ${pb.seq}, expected ${this.nextSeq}`);
    this.nextSeq++;
    const weight = this.opts.weight ?? recordChars;
    const lateRejects: Reject[] = [];
    const accepted = new Set<string>();
    this.stats.addInputs(pb.inputs, pb.records.length + pb.rejects.filter((r) => r.stage === 'validate' || r.stage === 'quality').length);
    this.stats.addScrape(pb.scrape);
    this.stats.addCleaning(pb.cleaning);
    for (const env of pb.records) {
      const c = this.clusters.dialogueByKey(idKey(env.dialogueId), () => consultationKeyOf(env));
      const ck = caseKeyOf(env);
      this.clusters.linkCaseKey(c, ck);
      this.clusters.linkOnly(c, casePrefixKeyOf(env), ck);
      const gone = this.gate.check(env);
      if (gone) {
        // A (near-)duplicate of a case description joins the cluster of the record it duplicates.
        const of = duplicateOf(gone);
        if (of !== undefined && ck >= 0) {
          const target = this.recordCluster.get(idKey(of));
          if (target >= 0) this.clusters.union(target, c);
        }
        lateRejects.push(gone);
        continue;
      }
      const w = weight(env);
      const spilled = this.spill.add(env);
      if (typeof spilled !== 'number') await spilled;
      this.dialogueOf.push(c);
      this.weightOf.push(w);
      this.recordCluster.set(idKey(env.record.id), c);
      // Without a weight of its own the weight is recordChars: the statistic reuses it.
      this.stats.addRecord(env, w, pleasantryOf(env), this.opts.weight ? recordChars(env) : w);
      const src = this.sourceKey(env.origin);
      this.sources.set(src, (this.sources.get(src) ?? 0) + 1);
      const toks = env.annotations.tokens;
      if (toks) for (const [k, v] of Object.entries(toks)) this.tokenTotals[k] = (this.tokenTotals[k] ?? 0) + v;
      accepted.add(env.dialogueId);
    }
    for (const r of inputOrder(pb, lateRejects)) await this.writeReject(r);
    this.stats.closeDialogues(pb, accepted, [...pb.rejects, ...lateRejects]);
    return { accepted, late: lateRejects };
  }

  /** The decision step over the kept records' metadata (split assignment and shard balancing). */
  private plan(spill: { path: string; offset: Float64Array; shardLen: Uint32Array; sidecarLen: Uint32Array }): FinishPlan {
    const cfg = this.opts.config;
    const plan = planShards(
      { dialogue: this.dialogueOf.view(), weight: this.weightOf.view(), offset: spill.offset, shardLen: spill.shardLen, sidecarLen: spill.sidecarLen },
      (d) => this.clusters.splitOf(d, cfg.shard.seed, cfg.shard.ratios),
      cfg.shard,
      [spill.path],
    );
    for (const sp of plan.splits) this.stats.addSplit(sp.split, sp.records, sp.weight);
    this.stats.splitClusters = { ...this.clusters.summary(), merges: this.clusters.merges };
    return plan;
  }

  /** Throws when the run was interrupted (opts.signal) or discarded: nothing more is written for it. */
  private refuseIfStopped(): void {
    if (this.opts.signal?.aborted) throw new Error('finaliser: the run was interrupted; no batch is added');
    if (this.discarded) throw new Error('finaliser: the run was discarded; no batch is added');
  }

  /** Closes what open() opened without finishing it (the run failed; its directory goes). Never throws. */
  async discard(): Promise<void> {
    this.discarded = true;
    if (!this.opened) return;
    this.opened = false;
    await Promise.all([this.rejectSink.discard(), this.spill.discard()]);
  }

  async finish(): Promise<Manifest> {
    this.refuseIfStopped();
    if (!this.opened) await this.open();
    await this.gate.close();
    const rejects = await this.rejectSink.close();
    const spill = await this.spill.close();
    if (spill.offset.length !== this.dialogueOf.length) throw new Error(`finaliser: spill holds ${spill.offset.length} records, expected ${this.dialogueOf.length}`);
    const plan = this.plan(spill);
    // One split at a time: each pass over the spill feeds that split's shards (2 × shards gzip streams open).
    const written: ShardResult[][] = [];
    const write = this.opts.writeShards ?? writeShards;
    const stopped = () => {
      if (this.opts.signal?.aborted) throw new Error('finish: the run was interrupted');
    };
    for (const sp of plan.splits) {
      stopped();
      written.push(await write(this.opts.outDir, sp.shards));
    }
    stopped();
    await rm(this.tmpDir, { recursive: true, force: true });
    const cfg = this.opts.config;
    const manifest = buildManifest({ config: cfg, configHash: this.opts.configHash, graphVersion: this.opts.graphVersion, tokenizer: this.opts.tokenizer ?? null, plan, written, rejects });
    await writeArtefacts(this.opts.outDir, { manifest, config: cfg, configHash: this.opts.configHash, stats: this.stats, sources: this.sources, tokenTotals: this.tokenTotals });
    return manifest;
  }
}
