/**
 * The pipeline YAML: sources, stage settings, graph, output. Defaults live here and nowhere else.
 * Environment is used only for connection strings and secrets (REDIS_URL, NEO4J_*).
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { FileSourceFormat, ShardFormat, SourceFormat } from './formats.js';

const Policy = z.enum(['reject', 'flag', 'ignore']);

const FileSource = z.strictObject({
  /** requeue: JSON lines written by `cmtmedqa rejects requeue` (rejected inputs, to process again). */
  format: FileSourceFormat,
  /** File path or glob, relative to the pipeline file's directory. */
  path: z.string().min(1),
  /** 'auto' sniffs UTF-8 (with or without BOM) vs GB18030. */
  encoding: z.enum(['auto', 'utf-8', 'gb18030', 'gbk']).default('auto'),
  /** Read at most this many dialogues from the source (0 = all). */
  limit: z.number().int().nonnegative().max(1_000_000_000).default(0),
  /** Department of dialogues that name none, where the file's domain is known (MIE is cardiology: 心血管内科); mapped through the taxonomy. */
  department: z.string().min(1).optional(),
});

const ScrapeSource = z.strictObject({
  format: z.literal('scrape'),
  site: z.string().min(1),
  urls: z.array(z.string().url()).optional(),
  urlFile: z.string().optional(),
  allowHosts: z.array(z.string().min(1)).min(1),
  userAgent: z.string().default('cmtmedqa/0.1 (+https://github.com/cmtmedqa/cmtmedqa; research dataset builder)'),
  perHostConcurrency: z.number().int().positive().max(64).default(2),
  requestsPerSecond: z.number().positive().max(1000).default(1),
  maxRetries: z.number().int().nonnegative().max(100).default(3),
  timeoutMs: z.number().int().positive().max(600_000).default(15000),
  maxBodyBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(5 * 1024 * 1024),
  maxRedirects: z.number().int().nonnegative().max(50).default(5),
  /** The longest robots.txt Crawl-delay obeyed (seconds); a host asking for more has its URLs refused (scrape.crawl_delay_too_long). */
  maxCrawlDelaySec: z.number().nonnegative().max(3600).default(60),
  rawStore: z.string().default('.cache/raw'),
  /** Discovery: list pages to read links from; links matching the site's question/list URL patterns on allowed hosts are followed. */
  seeds: z.array(z.string().url()).optional(),
  /** Discovery: list-page hops from a seed (a seed is depth 0; its links depth 1 …). */
  maxDepth: z.number().int().nonnegative().max(20).default(2),
  /** Discovery: pages fetched at most (seeds, list pages and question pages); a question page found beyond it is a `scrape.crawl_limit` reject. */
  maxPages: z.number().int().positive().max(10_000_000).default(1000),
  /** Re-parse every page the raw store holds instead of fetching (`cmtmedqa scrape reparse`); urls/seeds are ignored. */
  reparse: z.boolean().default(false),
});

export const SourceConfig = z.discriminatedUnion('format', [FileSource, ScrapeSource]);
export type SourceConfig = z.infer<typeof SourceConfig>;
export type FileSourceConfig = z.infer<typeof FileSource>;
export type ScrapeSourceConfig = z.infer<typeof ScrapeSource>;

export const NormaliseConfig = z.strictObject({
  toSimplified: z.boolean().default(true),
  scrubPii: z.boolean().default(true),
  mergeTurns: z.boolean().default(true),
  /** Split MedDialog follow-up visits (several Dialogue sections under one id) into separate dialogues. */
  splitVisits: z.boolean().default(true),
  /** Keep one copy of a title the opening patient turn repeats (title + body joined by the source site; src/stages/normalise/title-echo.ts). */
  dropTitleEcho: z.boolean().default(true),
});

export const SplitConfig = z.strictObject({
  /** Max history rounds before the final (instruction, output) pair; CMtMedQA has at most 10 rounds in all. */
  maxRounds: z.number().int().positive().max(1000).default(10),
  /** Max characters of one record (history + instruction + output); older rounds are dropped to fit. */
  maxChars: z.number().int().positive().max(10_000_000).default(4096),
  /**
   * chunks: the dialogue is cut into consecutive windows of rounds, one record each (its last round is
   * instruction/output, the rest history), as CMtMedQA has one record per dialogue;
   * every_answer: one record per doctor answer, with the preceding rounds as history (overlapping).
   */
  windows: z.enum(['chunks', 'every_answer']).default('chunks'),
  /** Minimum rounds (patient+doctor pairs) a dialogue needs. */
  minRounds: z.number().int().positive().max(1000).default(1),
  /** Include single-turn Q/A sources (Toyhom, Huatuo, safety prompts) as one-round records. */
  includeSingleTurn: z.boolean().default(true),
  /** cate1/cate2 when a source has no department and none can be inferred. */
  defaultCate1: z.string().default('未分类'),
  defaultCate2: z.string().default('未分类'),
  /**
   * A round whose doctor answer is only thanks or courtesy (谢谢→不客气, 好的→好的, 祝您早日康复,
   * "还有其他问题吗") never ends a record: reject → it stays history of a later record, and the
   * rounds no record takes become a `split.pleasantry_only` reject; keep → such rounds may end records.
   */
  pleasantryOnly: z.enum(['reject', 'keep']).default('reject'),
  /** Minimum meaningful characters (Han, letters, digits; not punctuation or placeholders) of a record's output; shorter answers do not end a record (`split.thin_output`). 0 = off. */
  minOutputChars: z.number().int().nonnegative().max(100_000).default(6),
  /** Minimum meaningful characters of a record's instruction ("吗", "嗯" end no record: `split.thin_instruction`). 0 = off. */
  minInstructionChars: z.number().int().nonnegative().max(100_000).default(3),
  /**
   * A short patient reply to the doctor's question (有接触史吗 → 没有 → the doctor's conclusion) may
   * end a record though it is under minInstructionChars, when the record holds the question (the
   * round before it) as history: the answer that follows an inquiry is what proactive-inquiry
   * training wants. false: such rounds are thin instructions like any other.
   */
  inquiryReplies: z.boolean().default(true),
  /**
   * A short patient turn that acknowledges or replies (好的, 嗯, 是啊, 您好, 不累; not a lone 吗) may end
   * a record though it is under minInstructionChars, when the record holds earlier rounds as history
   * and the doctor's answer is substantive (8+ meaningful characters, under half courtesy, no
   * 不客气 opening, no service plug such as 评价/关注/咨询我). false: such rounds are thin instructions.
   */
  contextualInstructions: z.boolean().default(true),
  /**
   * A short answer to a question in the instruction (几分钟 → 五分钟以上, 推荐什么药 → a drug name, and a
   * yes such as 是的/可以的/没事 to a yes/no question) may end a record though it is under
   * minOutputChars or courtesy-only; not a greeting reply, a presence reply (在的), 不清楚, an echo of
   * the question, nor in a lone extracted Q/A (singleTurn, e.g. Huatuo's 推荐药有些什么 → 抗生素 templates).
   * false: such answers are split.thin_output / split.pleasantry_only.
   */
  shortAnswers: z.boolean().default(true),
  /** Continuation windows (a record not starting at the dialogue's first round) carry the first round (the case description and its answer) as history[0], as CMtMedQA records open with the case. */
  carryDescription: z.boolean().default(true),
});

const QualityPolicy = z.enum(['reject', 'flag', 'off']);

export const QualityConfig = z.strictObject({
  /**
   * Machine-spun (synonym-substituted) text, scored by the project's own character language model
   * and spin lexicon (src/stages/quality/): reject → `quality.machine_spun` reject, flag → the
   * reason in annotations.flags, off → not scored.
   */
  policy: QualityPolicy.default('reject'),
  /** Per source format, overriding `policy` (e.g. `{ huatuo: flag }`). */
  sources: z.partialRecord(SourceFormat, QualityPolicy).default({}),
  /** Score (spin-lexicon weight per 100 meaningful characters, plus the LM term) at or above which a record with ≥ 1 lexicon weight is machine-spun (README "Quality scoring"). */
  threshold: z.number().positive().max(1000).default(0.25),
  /**
   * A whole file is machine-spun when at least `fileShare` of its first `fileSample` dialogues
   * score as spun by themselves (at least 20 of them scored): then every record of the file is
   * (a spinning tool rewrites a whole dump, and the lexicon knows only some of its substitutions).
   * fileSample 0: no file-level decision.
   */
  fileSample: z.number().int().nonnegative().max(100_000).default(200),
  fileShare: z.number().positive().max(1).default(0.5),
  /**
   * Advertising (src/stages/quality/advertising.ts): a record that markets a hospital, product or
   * branded therapy or solicits contact scores at or above `threshold` → `quality.advertising`
   * reject (flag → annotations.flags; off → not scored). Precise, far from complete: README
   * "Advertising" has the figures on test/eval/advertising.
   */
  advertising: z.strictObject({
    policy: QualityPolicy.default('reject'),
    threshold: z.number().positive().max(100).default(3),
  }).prefault({}),
  /**
   * Texts a dump cut at a fixed length (src/stages/quality/length-cap.ts): when a file's turns of
   * one role pile up at one length and stop mid-sentence there (Huatuo26M's test file: questions
   * cut at 57, 110 and 255 characters), each record with such a turn → `quality.truncated` reject
   * (flag → annotations.flags; off → not looked for). The caps are read off the file's first
   * `sample` dialogues (held before the first goes on; 0: none looked for).
   */
  truncation: z.strictObject({
    policy: QualityPolicy.default('reject'),
    sample: z.number().int().nonnegative().max(100_000).default(5000),
  }).prefault({}),
});

export const DedupConfig = z.strictObject({
  exact: z.boolean().default(true),
  near: z.strictObject({
    enabled: z.boolean().default(false),
    /** Character shingle length. */
    ngram: z.number().int().positive().max(64).default(5),
    numPerm: z.number().int().positive().max(1024).default(128),
    /** numPerm must be a multiple of bands (rows per band = numPerm / bands). */
    bands: z.number().int().positive().max(1024).default(32),
    /** Estimated Jaccard at or above which a record is a near-duplicate. */
    threshold: z.number().min(0).max(1).default(0.8),
    /** Signature scheme: `oph` (one hash per shingle, densified) or `minhash` (numPerm hashes per shingle). */
    scheme: z.enum(['oph', 'minhash']).default('oph'),
    /** Persistent index file (local executor) so later runs do not re-add what earlier shards hold. Relative to the current directory, like `out`. */
    indexFile: z.string().optional(),
    /** Persistent index in Redis (REDIS_URL) under this key prefix, for deployments whose runs share no disk. At most one of indexFile / redisKey. */
    redisKey: z.string().min(1).optional(),
  }).refine((n) => n.numPerm % n.bands === 0, { path: ['bands'], message: 'numPerm must be a multiple of bands (e.g. numPerm 128, bands 32)' }).prefault({}),
});

export const KgConfig = z.union([
  z.strictObject({ snapshot: z.string().min(1) }),
  z.strictObject({ neo4j: z.strictObject({ uri: z.string().min(1), database: z.string().default('neo4j') }) }),
]);
export type KgConfig = z.infer<typeof KgConfig>;

export const ValidateConfig = z.strictObject({
  enabled: z.boolean().default(true),
  checks: z.strictObject({
    no_entity: Policy.default('flag'),
    drug_not_for_disease: Policy.default('flag'),
    unknown_drug: Policy.default('flag'),
    /** The doctor names a drug whose indications the graph knows too little of to judge (not a contradiction). */
    drug_indications_unknown: Policy.default('ignore'),
  }).prefault({}),
  /** A drug's indications count as known (so a mismatch is a contradiction) from this many listed diseases on. */
  minKnownIndications: z.number().int().positive().default(10),
  /** A drug can be contradicted only when its indications lie in at most this many first-level departments (a specific drug, not one prescribed everywhere). */
  maxDrugDepartments: z.number().int().positive().default(2),
  /** Fill missing cate1/cate2 from the departments the graph assigns to the dialogue's diseases. */
  inferDepartment: z.boolean().default(true),
  /** Records per graph round trip (Neo4j backend). */
  batchSize: z.number().int().positive().max(100_000).default(256),
});

export const TokenConfig = z.strictObject({
  /** Tokenizers to count with; the first drives filtering and shard balancing. */
  tokenizers: z.array(z.string()).default([]),
  /** Reject records longer than this many tokens (0 = no limit). */
  maxTokens: z.number().int().nonnegative().max(100_000_000).default(0),
});

export const ShardConfig = z.strictObject({
  ratios: z.strictObject({
    train: z.number().min(0).default(0.9),
    validation: z.number().min(0).default(0.05),
    test: z.number().min(0).default(0.05),
  }).refine((r) => r.train + r.validation + r.test > 0, { message: 'at least one split ratio must be above 0' }).prefault({}),
  /** Salt of the split hash: changing it reshuffles which dialogue lands in which split. */
  seed: z.string().default('cmtmedqa'),
  maxRecordsPerShard: z.number().int().positive().max(100_000_000).default(10000),
  /** Data-parallel ranks: shard count per split is a multiple of this, balanced by tokens. */
  ranks: z.number().int().positive().max(1024).default(1),
  format: ShardFormat.default('cmtmedqa'),
  /** Keep entity/inquiry annotations in a sidecar file per shard (annotations/<split>/part-NNNNN.jsonl.gz). */
  annotations: z.boolean().default(true),
  /**
   * gzip level of .jsonl.gz shards and sidecars (1 fastest … 9 smallest). Measured on the shared
   * corpora (bench "gzip level"): level 1 compresses about 3× faster than 6 for ~15 % larger files;
   * 9 is barely smaller than 6 and slower. The level is part of the output: same level, same bytes.
   */
  gzipLevel: z.number().int().min(1).max(9).default(6),
});

/** What the rejects file keeps of raw input (src/core/reject.ts rejectForOutput). */
export const RejectsConfig = z.strictObject({
  /** capped: import-level raw input kept (personal data scrubbed) up to maxRawChars, marked {truncated, bytes} when cut; drop: only its byte size. */
  rawInput: z.enum(['capped', 'drop']).default('capped'),
  maxRawChars: z.number().int().positive().default(2000),
});

export const ExecutorConfig = z.strictObject({
  /** Dialogues per batch (one BullMQ job carries one batch). */
  batchSize: z.number().int().positive().max(100_000).default(500),
  /** Worker threads of the local executor (stage jobs at once per BullMQ worker). */
  concurrency: z.number().int().positive().max(256).default(1),
  attempts: z.number().int().positive().max(100).default(3),
  /**
   * The heap may grow to 1 + heapGrowthPercent/100 times what survived V8's last full GC (0: V8's
   * own rule, up to 4×). Measured (bench "End to end"): at 100, peak RSS of the base pipeline
   * stays about flat from 1× to 10× input (V8's rule: about ×1.5) and the full pipeline's peak
   * is about 20 % lower, for a few percent more CPU. Process-wide; never changes the output.
   */
  heapGrowthPercent: z.number().int().min(0).max(1000).default(100),
});

/** A cron pattern as BullMQ's job schedulers parse it (cron-parser), checked at load. */
function cronProblem(cron: string, tz: string): string | undefined {
  try {
    CronExpressionParser.parse(cron, { tz }).next();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function validTz(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const ScheduleConfig = z.strictObject({
  cron: z.string().min(1).max(200),
  tz: z.string().default('UTC').refine(validTz, { message: 'not an IANA time zone (e.g. UTC, Asia/Shanghai)' }),
  /** Dated runs kept under <out>/runs/ (older ones are deleted after each new run). */
  keep: z.number().int().min(1).max(1000).default(7),
}).superRefine((s, ctx) => {
  if (!validTz(s.tz)) return;
  const problem = cronProblem(s.cron, s.tz);
  if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: `not a cron pattern (${problem}); e.g. "0 3 * * *" (minute hour day month weekday)` });
});

export const Pipeline = z.strictObject({
  name: z.string().max(200).regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, underscore or dash').refine((n) => n !== '.' && n !== '..', { message: 'must not be "." or ".." (it names the output directory out/<name>)' }),
  description: z.string().optional(),
  sources: z.array(SourceConfig).min(1),
  normalise: NormaliseConfig.prefault({}),
  split: SplitConfig.prefault({}),
  quality: QualityConfig.prefault({}),
  dedup: DedupConfig.prefault({}),
  kg: KgConfig.optional(),
  validate: ValidateConfig.prefault({}),
  tokens: TokenConfig.prefault({}),
  shard: ShardConfig.prefault({}),
  rejects: RejectsConfig.prefault({}),
  executor: ExecutorConfig.prefault({}),
  schedule: ScheduleConfig.optional(),
  /** Output directory, relative to the current directory; `--out` overrides. */
  out: z.string().optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;
