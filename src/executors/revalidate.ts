/**
 * Re-validation of existing output against the current graph: reads every shard (or one) with its
 * annotation sidecar, runs the validate stage again, and writes a NEW output directory (shards,
 * rejects, manifest with the new graph version) through the same Finaliser — never edits in place.
 * Records rejected by validation before are checked again too, so a graph fix can bring them back.
 * The change report accounts for every record: before − newly rejected + newly accepted − lost to
 * dedup (a record brought back that duplicates a kept one) = after. The new folder gets report.md
 * and report.html like any run, from the same run shell (src/pipeline/run.ts) as every executor. `checks` overrides the check policies of the original config.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordEnvelope } from '../../schemas/record.js';
import { CMtMedQARecord } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import { CmtError, isCmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { GraphPort } from '../kg/port.js';
import type { Finaliser, RecordFilter } from '../output/finaliser.js';
import { runPipeline, type Executor, type PipelineRun } from '../pipeline/run.js';
import { fromRejectLine } from '../core/reject.js';
import { readLines } from '../output/lines.js';
import { realish, StagedOutput } from '../output/out-dir.js';
import { checkShardFiles, damagedOutput, openOutputDir, readShardEnvelopes } from '../output/read-shards.js';
import { validate } from '../stages/validate/index.js';
import type { StageContext } from '../stages/types.js';

export interface RevalidateOptions {
  /** An output directory, or one shard file inside it. */
  target: string;
  outDir: string;
  graph: GraphPort;
  logger: Logger;
  filters?: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer?: string | null;
  batchSize?: number;
  /** Policies that replace the original config's (`--checks no_entity=reject`). */
  checks?: Partial<Record<string, 'reject' | 'flag' | 'ignore'>>;
  /** Replace an --out directory holding files cmtmedqa did not write. */
  force?: boolean;
  /** Aborted: stop before committing (CMT_INTERRUPTED), as a run does. */
  signal?: AbortSignal;
}

export interface RevalidateReport {
  source: string;
  outDir: string;
  graphVersion: { before: string | null; after: string };
  records: { before: number; after: number; checked: number };
  newlyRejected: { total: number; byReason: Record<string, number>; examples: Array<{ id: string; reason: string; detail: string }> };
  newlyAccepted: { total: number; byPreviousReason: Record<string, number>; ids: string[]; idsOmitted: number };
  /** Records lost to dedup/filters after revalidation (accepted by validate, then removed), by reason. */
  lostToDedup: { total: number; byReason: Record<string, number> };
  /** before − newlyRejected + newlyAccepted − lostToDedup = after. */
  balance: { equation: string; closes: boolean };
  /** The check policies used (after --checks). */
  checks: Record<string, string>;
  flags: { before: Record<string, number>; after: Record<string, number> };
  /** Shard files not re-validated (when one shard was named) are carried over unchanged into the new output. */
  scope: 'all' | string;
}

/** Stages in pipeline order: a dialogue's deciding reject is its earliest (as a run's first reject). */
const STAGE_ORDER = ['import', 'scrape', 'parse', 'normalise', 'split', 'quality', 'validate', 'dedup', 'filter', 'executor'];
const rank = (stage: string) => {
  const i = STAGE_ORDER.indexOf(stage);
  return i < 0 ? STAGE_ORDER.length : i;
};

/**
 * The dialogue accounting of the new output (report.json `dialogues`): every dialogue of the source
 * run (its records, its carried rejects) is accepted when one of its records is kept here, else
 * rejected by its earliest reject; import-level rejects stay inputs of their own. Kept here, not per
 * batch, because revalidate's batches are shards and one dialogue's records may sit in several.
 */
class DialogueBooks {
  private readonly dialogues = new Map<string, { format: string; accepted: boolean; reject?: { reason: string; stage: string } }>();
  private readonly importLevel: Array<{ format: string; accepted: false; reject: { reason: string; stage: string } }> = [];

  private of(id: string, format: string) {
    let d = this.dialogues.get(id);
    if (!d) this.dialogues.set(id, (d = { format, accepted: false }));
    return d;
  }

  record(env: RecordEnvelope): void {
    this.of(env.dialogueId, env.origin.format);
  }

  reject(r: Reject): void {
    if (!r.dialogueId) {
      if (rank(r.stage) <= rank('parse')) this.importLevel.push({ format: r.origin.format, accepted: false, reject: { reason: r.reason, stage: r.stage } });
      return;
    }
    const d = this.of(r.dialogueId, r.origin.format);
    if (!d.reject || rank(r.stage) < rank(d.reject.stage)) d.reject = { reason: r.reason, stage: r.stage };
  }

  accepted(ids: Iterable<string>): void {
    for (const id of ids) {
      const d = this.dialogues.get(id);
      if (d) d.accepted = true;
    }
  }

  outcomes() {
    return [...this.importLevel, ...this.dialogues.values()];
  }
}

function countFlags(envs: Iterable<RecordEnvelope>, into: Record<string, number>): void {
  for (const e of envs) for (const f of e.annotations.flags ?? []) into[f] = (into[f] ?? 0) + 1;
}

/** Fresh annotations for the validate stage: what it computes is dropped, the rest is kept. */
function forValidation(env: RecordEnvelope): RecordEnvelope {
  const { entities: _e, flags: _f, ...rest } = env.annotations;
  return { ...env, annotations: rest };
}

export async function revalidate(opts: RevalidateOptions): Promise<RevalidateReport> {
  const isShard = /\.(jsonl\.gz|parquet)$/.test(opts.target);
  const srcDir = isShard ? path.resolve(opts.target, '..', '..', '..') : path.resolve(opts.target);
  const src = openOutputDir(srcDir);
  const shardRel = isShard ? path.relative(srcDir, path.resolve(opts.target)).split(path.sep).join('/') : undefined;
  if (shardRel && !src.manifest.shards.some((s) => s.path === shardRel)) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `${opts.target} is not a shard of ${srcDir}/manifest.json`, { target: opts.target });
  }
  const listed = src.manifest.shards.reduce((a, e) => a + e.records, 0);
  if (listed !== src.manifest.counts.records) {
    throw new CmtError('CMT_OUTPUT_INVALID', `${srcDir}/manifest.json counts ${src.manifest.counts.records} record(s) but lists ${src.manifest.shards.length} shard(s) holding ${listed}: the output is damaged; run \`cmtmedqa verify ${srcDir}\`, and re-run its pipeline`, { srcDir });
  }
  // Every shard is read back into the new output: one edited or damaged since its run is refused
  // before any work, so an edit cannot pass on as verified output with ids that no longer fit it.
  await checkShardFiles(src, src.manifest.shards);
  // Rejects of other stages are carried over; earlier validate rejects get a second chance below.
  const carried: Reject[] = [];
  const retry: Array<{ env: RecordEnvelope; reason: string }> = [];
  const rejectsFile = path.join(srcDir, src.manifest.rejects.path);
  let lineNo = 0;
  try {
    for await (const line of readLines(rejectsFile)) {
      lineNo++;
      let r: Reject;
      try {
        r = fromRejectLine(JSON.parse(line)) as Reject;
      } catch (e) {
        throw new CmtError('CMT_OUTPUT_INVALID', `${rejectsFile} line ${lineNo} is not JSON (${(e as Error).message}): the output is damaged; re-run its pipeline`, { file: rejectsFile, line: lineNo });
      }
      const env = r.stage === 'validate' && !shardRel ? envelopeOf(r) : undefined;
      if (env) retry.push({ env, reason: r.reason });
      else carried.push(r);
    }
  } catch (e) {
    // A rejects file that is gone or unreadable (not a line that is not JSON: that is named above).
    if (isCmtError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw damagedOutput(srcDir, src.manifest.rejects.path, code === 'ENOENT' ? 'listed in manifest.json but missing' : (e as Error).message, e);
  }
  if (src.manifest.shards.length === 0 && retry.length === 0) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `${srcDir} has no shards and no validate rejects: there is nothing to re-validate`, { srcDir });
  }
  // Near-duplicate state belongs to ingestion; re-validation must not re-index the same records.
  const checks = { ...src.config.validate.checks, ...(opts.checks ?? {}) } as typeof src.config.validate.checks;
  const config = { ...src.config, validate: { ...src.config.validate, checks }, dedup: { ...src.config.dedup, near: { ...src.config.dedup.near, enabled: false } } };
  const ctx: StageContext = { config, logger: opts.logger.child({ executor: 'revalidate' }), graph: opts.graph };
  const after = await opts.graph.version();
  // A new directory, staged and swapped in on success; never the source, inside it or around it.
  const run: PipelineRun = {
    config, configHash: src.configHash, graphVersion: after, outDir: opts.outDir, logger: opts.logger,
    filters: opts.filters, weight: opts.weight, tokenizer: opts.tokenizer,
    stageOutput: () => StagedOutput.open(opts.outDir, { inputs: [realish(srcDir)], inputDirs: [realish(srcDir)], force: opts.force, writer: `revalidate ${src.config.name}` }),
    signal: opts.signal,
    force: opts.force,
  };
  const ex = revalidateExecutor(opts, { src, srcDir, shardRel, config, ctx, after, carried, retry });
  await runPipeline(run, ex);
  return ex.report;
}

interface Prepared {
  src: ReturnType<typeof openOutputDir>;
  srcDir: string;
  shardRel: string | undefined;
  config: RevalidateConfig;
  ctx: StageContext;
  after: string;
  carried: Reject[];
  retry: Array<{ env: RecordEnvelope; reason: string }>;
}

type RevalidateConfig = StageContext['config'];

function revalidateExecutor(opts: RevalidateOptions, p: Prepared): Executor & { report: RevalidateReport } {
  const { src, srcDir, shardRel, config, ctx, after, carried, retry } = p;
  const report: RevalidateReport = {
    source: srcDir, outDir: opts.outDir, graphVersion: { before: src.manifest.graphVersion, after },
    records: { before: src.manifest.counts.records, after: 0, checked: 0 },
    newlyRejected: { total: 0, byReason: {}, examples: [] },
    newlyAccepted: { total: 0, byPreviousReason: {}, ids: [], idsOmitted: 0 },
    lostToDedup: { total: 0, byReason: {} },
    balance: { equation: '', closes: false },
    checks: { ...config.validate.checks },
    flags: { before: {}, after: {} }, scope: shardRel ?? 'all',
  };
  const lateStages = ['dedup', 'filter'];
  const books = new DialogueBooks();
  let carriedLate: Record<string, number> = {};
  return {
    name: 'revalidate',
    report,
    async feed(fin: Finaliser) {
      let seq = 0;
      for (const r of carried) books.reject(r);
      await fin.addBatch({ seq: seq++, dialogueIds: [], inputs: 0, records: [], rejects: carried });
      // Carried dedup and filter rejects are records the source run produced (they arose in its
      // finish, from produced records): counted as produced here too, so the records balance closes.
      fin.stats.addInputs(0, carried.filter((r) => lateStages.includes(r.stage)).length);
      carriedLate = { ...fin.stats.rejectsByReason };
      const size = opts.batchSize ?? 500;
      const feed = async (envs: RecordEnvelope[], revalidateThem: boolean, previous?: Map<string, string>) => {
        for (let i = 0; i < envs.length; i += size) {
          const chunk = envs.slice(i, i + size);
          let out = chunk;
          let rejects: Reject[] = [];
          if (revalidateThem) {
            const res = await validate(chunk.map(forValidation), ctx);
            out = res.out;
            rejects = res.rejects;
            report.records.checked += chunk.length;
            const kept = new Set(out.map((e) => e.record.id));
            for (const r of rejects) {
              const id = (r.input as { record?: { id?: string }; id?: string }).record?.id ?? (r.input as { id?: string }).id ?? r.id;
              if (previous?.has(id)) continue; // was rejected before too
              report.newlyRejected.total++;
              report.newlyRejected.byReason[r.reason] = (report.newlyRejected.byReason[r.reason] ?? 0) + 1;
              if (report.newlyRejected.examples.length < 10) report.newlyRejected.examples.push({ id, reason: r.reason, detail: r.detail });
            }
            if (previous) {
              for (const e of out) {
                const was = previous.get(e.record.id);
                if (was && kept.has(e.record.id)) {
                  report.newlyAccepted.total++;
                  report.newlyAccepted.byPreviousReason[was] = (report.newlyAccepted.byPreviousReason[was] ?? 0) + 1;
                  if (report.newlyAccepted.ids.length < 50) report.newlyAccepted.ids.push(e.record.id);
                  else report.newlyAccepted.idsOmitted++;
                }
              }
            }
          }
          countFlags(out, report.flags.after);
          for (const e of chunk) books.record(e);
          for (const r of rejects) books.reject(r);
          const added = await fin.addBatch({ seq: seq++, dialogueIds: [], inputs: 0, records: out, rejects });
          books.accepted(added.accepted);
          for (const r of added.late) books.reject(r);
        }
      };
      for (const entry of src.manifest.shards) {
        const envs = await readShardEnvelopes(src, entry);
        countFlags(envs, report.flags.before);
        await feed(envs, !shardRel || entry.path === shardRel);
      }
      if (retry.length) await feed(retry.map((x) => x.env), true, new Map(retry.map((x) => [x.env.record.id, x.reason])));
      return { stageSeconds: {} };
    },
    async finished({ manifest, fin, workDir }) {
      fin.stats.setDialogues(books.outcomes());
      report.records.after = manifest.counts.records;
      for (const [reason, n] of Object.entries(fin.stats.rejectsByReason)) {
        if (!lateStages.includes(reason.split('.')[0])) continue;
        const lost = n - (carriedLate[reason] ?? 0);
        if (lost > 0) {
          report.lostToDedup.byReason[reason] = lost;
          report.lostToDedup.total += lost;
        }
      }
      const r = report;
      r.balance = {
        equation: `${r.records.before} before − ${r.newlyRejected.total} newly rejected + ${r.newlyAccepted.total} newly accepted − ${r.lostToDedup.total} lost to dedup = ${r.records.before - r.newlyRejected.total + r.newlyAccepted.total - r.lostToDedup.total} (after: ${r.records.after})`,
        closes: r.records.before - r.newlyRejected.total + r.newlyAccepted.total - r.lostToDedup.total === r.records.after,
      };
      await writeFile(path.join(workDir, 'revalidate.json'), `${JSON.stringify(report, null, 2)}\n`);
      return { revalidate: { source: srcDir, scope: r.scope, balance: r.balance } };
    },
  };
}

/** The record a validate reject held (validate rejects keep the envelope as input). */
function envelopeOf(r: Reject): RecordEnvelope | undefined {
  const input = r.input as Partial<RecordEnvelope> | undefined;
  if (!input || typeof input !== 'object' || !input.record) return undefined;
  if (!CMtMedQARecord.safeParse(input.record).success) return undefined;
  return {
    record: input.record as RecordEnvelope['record'],
    dialogueId: input.dialogueId ?? r.dialogueId ?? '',
    origin: input.origin ?? r.origin,
    annotations: { inquiryTurns: input.annotations?.inquiryTurns ?? [], outputIsInquiry: input.annotations?.outputIsInquiry ?? false, ...(input.annotations ?? {}) },
  };
}
