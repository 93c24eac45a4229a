/**
 * The finalise step: runs once per run over the processed batches in `seq` order, whichever
 * executor produced them. Removes duplicates (first in run order wins), applies record filters,
 * links dialogues into content clusters (shard/assign.ts CaseClusters), then (at finish) gives each
 * record its cluster's split, spills each split to disk, then writes shards balanced by token weight
 * (shards/<split>/part-NNNNN.<ext>, annotation sidecars under annotations/<split>/), the rejects
 * file, dataset_info.json and the dataset card README.md, and returns the manifest.
 * Memory: the dedup indexes, one batch, 16 bytes per accepted record for balancing, and the
 * cluster state (a few numbers per dialogue, case description and accepted record).
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessedBatch } from '../../schemas/batch.js';
import type { Manifest, ShardEntry, SplitName } from '../../schemas/manifest.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Reject, RejectReason, Stage } from '../../schemas/reject.js';
import { makeReject, rejectForOutput, rejectLine } from '../core/reject.js';
import { ExactIndex } from '../stages/dedup/exact.js';
import { canonicalTokenizer } from '../tokens/names.js';
import { CaseClusters, caseText, firstPatientTurn, MIN_CASE_CHARS, SPLITS, shardCount } from '../stages/shard/assign.js';
import { balanceLpt, imbalanceOf, WeightList } from './balance.js';
import { renderCard } from './card.js';
import { renderDatasetInfo } from './dataset-info.js';
import { openShardWriter, shardExtension } from './formats.js';
import { readLines } from './lines.js';
import { LineSink } from './sink.js';
import { RunStats, recordChars } from './stats.js';

/** A record check applied in run order after exact dedup (near-duplicates, token budget …). */
export interface RecordFilter {
  name: string;
  /** Returns a reject description when the record must go, else undefined. May remember the record. */
  check(env: RecordEnvelope): { stage: Stage; reason: RejectReason; detail: string; evidence?: unknown } | undefined;
  /** Called once at the end (persist an index …). */
  close?(): Promise<void>;
}

export interface FinaliseOptions {
  config: Pipeline;
  outDir: string;
  configHash: string;
  graphVersion: string | null;
  filters?: RecordFilter[];
  /** Weight used to balance shards (tokens when a tokenizer is configured, else characters). */
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
}

interface SpillLine {
  d: string;
  w: number;
  r: RecordEnvelope['record'];
  a: RecordEnvelope['annotations'];
  o: RecordEnvelope['origin'];
  /** Cluster (dialogue index in CaseClusters) in the run-wide spill; absent in the per-split spills. */
  c?: number;
}

/**
 * Dialogue ids as numbers for the distinct-dialogue counts: ids are hex content hashes, so their
 * first 52 bits are unique in practice, and a Set of numbers costs a fraction of a Set of strings.
 */
function idKey(id: string): number {
  const n = parseInt(id.slice(0, 13), 16);
  if (Number.isFinite(n) && /^[0-9a-f]{13}/.test(id)) return n;
  return parseInt(createHash('sha256').update(id).digest('hex').slice(0, 13), 16);
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
  private readonly exact = new ExactIndex();
  private readonly spills = new Map<SplitName, LineSink>();
  /** Every accepted record in run order, before its cluster (and so its split) is known. */
  private spillAll!: LineSink;
  readonly clusters = new CaseClusters();
  /** Accepted record (idKey) → its dialogue's cluster index, to link a duplicate with what it duplicates. */
  private readonly recordCluster = new Map<number, number>();
  private readonly splitDialogues = new Map<SplitName, Set<number>>();
  private readonly splitWeights = new Map<SplitName, WeightList>();
  /** Accepted records per source file (`format\tfile`), for the dataset card. */
  private readonly sources = new Map<string, number>();
  /** Sum of annotations.tokens per tokenizer over accepted records. */
  private readonly tokenTotals: Record<string, number> = {};
  private rejectSink!: LineSink;
  private readonly tmpDir: string;
  private opened = false;
  private nextSeq = 0;

  constructor(private readonly opts: FinaliseOptions) {
    this.tmpDir = path.join(opts.outDir, '.tmp');
  }

  async open(): Promise<void> {
    // outDir is a fresh staged directory (src/output/out-dir.ts): the executors swap it into place
    // on success, so nothing earlier is deleted or mixed in here.
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(path.join(this.opts.outDir, 'rejects'), { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    this.rejectSink = new LineSink(path.join(this.opts.outDir, 'rejects', 'rejects.jsonl'));
    this.spillAll = new LineSink(path.join(this.tmpDir, 'spill-all.jsonl'));
    for (const s of SPLITS) {
      this.spills.set(s, new LineSink(path.join(this.tmpDir, `spill-${s}.jsonl`)));
      this.splitDialogues.set(s, new Set());
      this.splitWeights.set(s, new WeightList());
    }
    this.opened = true;
  }

  private async writeReject(r: Reject): Promise<void> {
    // Stats (report examples) see the reject as the file keeps it: raw input scrubbed and capped.
    const kept = rejectForOutput(r, this.opts.config.rejects);
    this.stats.addReject(kept);
    await this.rejectSink.write(rejectLine(kept));
  }

  /** Batches must arrive in seq order 0, 1, 2 … (executors reorder before calling). */
  async addBatch(pb: ProcessedBatch): Promise<void> {
    if (!this.opened) await this.open();
    if (pb.seq !== this.nextSeq) throw new Error(`finaliser got batch ${pb.seq}, expected ${this.nextSeq}`);
    this.nextSeq++;
    const cfg = this.opts.config;
    const weight = this.opts.weight ?? recordChars;
    const lateRejects: Reject[] = [];
    const accepted = new Set<string>();
    this.stats.addInputs(pb.inputs, pb.records.length + pb.rejects.filter((r) => r.stage === 'validate' || r.stage === 'quality').length);
    this.stats.addScrape(pb.scrape);
    this.stats.addCleaning(pb.cleaning);
    for (const env of pb.records) {
      const c = this.clusters.dialogue(env.dialogueId, env.origin);
      const first = firstPatientTurn(env.record);
      this.clusters.linkCase(c, first);
      let gone: Reject | undefined;
      if (cfg.dedup.exact) {
        const of = this.exact.check(env);
        if (of !== undefined) {
          gone = makeReject({
            stage: 'dedup', reason: 'dedup.exact_duplicate', origin: env.origin, dialogueId: env.dialogueId, input: env.record,
            detail: `identical to record ${of}`, evidence: { duplicateOf: of, similarity: 1 },
          });
        }
      }
      if (!gone) {
        for (const f of this.opts.filters ?? []) {
          const hit = f.check(env);
          if (hit) {
            gone = makeReject({ ...hit, origin: env.origin, dialogueId: env.dialogueId, input: env.record });
            break;
          }
        }
      }
      if (gone) {
        // A (near-)duplicate of a case description joins the cluster of the record it duplicates.
        const of = (gone.evidence as { duplicateOf?: unknown } | undefined)?.duplicateOf;
        if (typeof of === 'string' && caseText(first).length >= MIN_CASE_CHARS) {
          const target = this.recordCluster.get(idKey(of));
          if (target !== undefined) this.clusters.union(target, c);
        }
        lateRejects.push(gone);
        continue;
      }
      const w = weight(env);
      const line: SpillLine = { d: env.dialogueId, w, r: env.record, a: env.annotations, o: env.origin, c };
      await this.spillAll.write(JSON.stringify(line));
      this.recordCluster.set(idKey(env.record.id), c);
      const src = `${env.origin.format}\t${env.origin.file}`;
      this.sources.set(src, (this.sources.get(src) ?? 0) + 1);
      const toks = env.annotations.tokens;
      if (toks) for (const [k, v] of Object.entries(toks)) this.tokenTotals[k] = (this.tokenTotals[k] ?? 0) + v;
      accepted.add(env.dialogueId);
    }
    for (const r of inputOrder(pb, lateRejects)) await this.writeReject(r);
    this.stats.closeDialogues(pb, accepted, [...pb.rejects, ...lateRejects]);
  }

  async finish(): Promise<Manifest> {
    if (!this.opened) await this.open();
    for (const f of this.opts.filters ?? []) await f.close?.();
    const rej = await this.rejectSink.close();
    const cfg = this.opts.config;
    await this.assignSplits();
    const shards: ShardEntry[] = [];
    const imbalance: Record<string, number> = {};
    const bySplit: Manifest['counts']['bySplit'] = {};
    for (const split of SPLITS) {
      const spill = await this.spills.get(split)!.close();
      const n = spill.lines;
      bySplit[split] = { records: n, dialogues: this.splitDialogues.get(split)!.size };
      if (n === 0) continue;
      const dir = path.join(this.opts.outDir, 'shards', split);
      await mkdir(dir, { recursive: true });
      const k = shardCount(n, cfg.shard.maxRecordsPerShard, cfg.shard.ranks);
      const ext = shardExtension(cfg.shard.format);
      const part = (i: number) => `part-${String(i).padStart(5, '0')}`;
      const writers = Array.from({ length: k }, (_, i) => openShardWriter(path.join(dir, `${part(i)}${ext}`), cfg.shard.format, cfg.shard.gzipLevel));
      let sidecars: LineSink[] | undefined;
      if (cfg.shard.annotations) {
        const adir = path.join(this.opts.outDir, 'annotations', split);
        await mkdir(adir, { recursive: true });
        sidecars = Array.from({ length: k }, (_, i) => new LineSink(path.join(adir, `${part(i)}.jsonl.gz`), { gzip: true, level: cfg.shard.gzipLevel }));
      }
      const dialoguesPer = Array.from({ length: k }, () => new Set<number>());
      const balance = balanceLpt(this.splitWeights.get(split)!.view(), k);
      let j = 0;
      for await (const line of readLines(spill.path)) {
        const s = JSON.parse(line) as SpillLine;
        const i = balance.assignment[j++];
        dialoguesPer[i].add(idKey(s.d));
        await writers[i].write(s.r);
        if (sidecars) await sidecars[i].write(JSON.stringify({ id: s.r.id, dialogueId: s.d, origin: s.o, annotations: s.a }));
      }
      if (j !== n) throw new Error(`finaliser: spill of ${split} has ${j} lines, expected ${n}`);
      for (let i = 0; i < k; i++) {
        const res = await writers[i].close();
        const entry: ShardEntry = {
          split,
          path: this.rel(res.path),
          records: balance.counts[i],
          dialogues: dialoguesPer[i].size,
          bytes: res.bytes,
          sha256: res.sha256,
        };
        if (this.opts.tokenizer) entry.tokens = balance.loads[i];
        if (sidecars) {
          const sc = await sidecars[i].close();
          entry.annotations = { path: this.rel(sc.path), bytes: sc.bytes, sha256: sc.sha256 };
        }
        shards.push(entry);
      }
      imbalance[split] = Math.round(imbalanceOf(balance.loads) * 1e6) / 1e6;
      if (this.opts.tokenizer) bySplit[split].tokens = balance.loads.reduce((a, b) => a + b, 0);
    }
    await rm(this.tmpDir, { recursive: true, force: true });
    const manifest: Manifest = {
      schemaVersion: 1,
      pipeline: cfg.name,
      format: cfg.shard.format,
      configHash: this.opts.configHash,
      graphVersion: this.opts.graphVersion,
      tokenizer: this.opts.tokenizer ?? null,
      ...(cfg.tokens.tokenizers.length ? { tokenizers: cfg.tokens.tokenizers.map(canonicalTokenizer) } : {}),
      counts: {
        records: shards.reduce((a, s) => a + s.records, 0),
        dialogues: Object.values(bySplit).reduce((a, s) => a + s.dialogues, 0),
        bySplit,
      },
      imbalance,
      shards,
      rejects: { path: 'rejects/rejects.jsonl', records: rej.lines, sha256: rej.sha256 },
    };
    await writeFile(path.join(this.opts.outDir, 'dataset_info.json'), renderDatasetInfo(manifest));
    // The resolved config, so the output can be re-validated or re-made without its YAML; without
    // what does not decide the output (where it went, how it was executed), like the config hash.
    const { out: _out, executor: _executor, ...decides } = cfg;
    await writeFile(path.join(this.opts.outDir, 'pipeline.json'), `${JSON.stringify({ configHash: this.opts.configHash, config: decides }, null, 2)}\n`);
    await writeFile(
      path.join(this.opts.outDir, 'README.md'),
      renderCard({ manifest, config: cfg, stats: this.stats, sources: this.sources, tokenTotals: this.tokenTotals }),
    );
    return manifest;
  }

  /** Second pass over the accepted records: each goes to its cluster's split, now that every link is known. */
  private async assignSplits(): Promise<void> {
    const cfg = this.opts.config;
    const all = await this.spillAll.close();
    for await (const text of readLines(all.path)) {
      const s = JSON.parse(text) as SpillLine;
      const split = this.clusters.splitOf(s.c!, cfg.shard.seed, cfg.shard.ratios);
      delete s.c;
      await this.spills.get(split)!.write(JSON.stringify(s));
      this.splitDialogues.get(split)!.add(idKey(s.d));
      this.splitWeights.get(split)!.push(s.w);
      this.stats.addRecord({ record: s.r, dialogueId: s.d, origin: s.o, annotations: s.a }, split, s.w);
    }
    await rm(all.path, { force: true });
    this.stats.splitClusters = { ...this.clusters.summary(), merges: this.clusters.merges };
  }

  private rel(p: string): string {
    return path.relative(this.opts.outDir, p).split(path.sep).join('/');
  }
}
