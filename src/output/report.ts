/**
 * report.json (for scripts: the accounting equations, rejects by reason, histograms), report.md and
 * report.html (for people; charts rendered by report-html.ts).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reject.js';
import type { RunStats } from './stats.js';

export interface RunReport {
  pipeline: string;
  executor: string;
  configHash: string;
  graphVersion: string | null;
  dialogues: { in: number; accepted: number; rejected: number; unaccounted: number; rejectedByReason: Record<string, number>; closes: boolean };
  records: { produced: number; accepted: number; rejected: number; closes: boolean };
  rejects: { total: number; byReason: Record<string, number>; byStage: Record<string, number> };
  splits: Record<string, { records: number; dialogues: number; tokens?: number }>;
  distributions: { roundsPerRecord: unknown; charsPerRecord: unknown; weightPerRecord: unknown };
  categories: Record<string, number>;
  inquiry: { doctorTurns: number; inquiryTurns: number; ratio: number; outputInquiryRatio: number };
  entities: { recordsWithEntity: number; coverage: number; byType: Record<string, number>; perRecord: Record<string, number>; flagged: number; flagsByReason: Record<string, number>; inferredDepartment: number; mostNamed: Record<string, Array<{ name: string; mentions: number }>> };
  tokens: Record<string, { total: number; n: number; mean: number; min: number; p50: number; p90: number; p99: number; max: number }>;
  nearDuplicates: { count: number; examples: Array<{ id: string; duplicateOf: string; similarity: number; text: string }> };
  throughput: { seconds: number; dialoguesPerSecond: number; stageSeconds: Record<string, number> };
  /** What normalise scrubbed and removed: placeholders by type, hits per platform template. */
  cleaning: { placeholdersByType: Record<string, number>; templateHits: Record<string, number>; dialoguesWithTemplate: number; turnsEmptiedByTemplate: number; titleEchoesRemoved: number };
  /** The content clusters the splits are chosen by (shard/assign.ts CaseClusters). */
  splitClusters?: { dialogues: number; clusters: number; largest: number; merges: number };
  shards: number;
  /** Per source format: records, median rounds, pleasantry-only final outputs, share scored machine-spun (flagged or rejected), LM bits/char median. */
  sources: Record<string, { records: number; medianRounds: number; pleasantryOutputs: number; pleasantryShare: number; machineSpun: number; machineSpunShare: number; lmBitsP50: number | null }>;
  /** The histograms behind the distributions, [value, count] by value (what report.html plots). */
  histograms: { roundsPerRecord: Array<[number, number]>; charsPerRecord: Array<[number, number]>; tokensPerRecord: Record<string, Array<[number, number]>> };
  /** Rejects per source format, the per-source funnel and a few example rejects per reason. */
  bySource: { rejects: Record<string, number>; funnel: Record<string, FunnelRow> };
  rejectExamples: RunStats['rejectExamples'];
  /** Scrape sources only: pages per layout (a redesign is a spike of <site>/unrecognised), with raw-store keys to re-parse. */
  scrape?: { pagesByLayout: Record<string, number>; placeholdersDropped: number; unrecognisedRawKeys: Record<string, string[]> };
  extra?: Record<string, unknown>;
}

/** Dialogues of one source at each step: in → normalised → split → validated → deduplicated → in shards. */
export interface FunnelRow { in: number; normalised: number; split: number; validated: number; deduplicated: number; inShards: number }

function funnelRows(s: RunStats): Record<string, FunnelRow> {
  const out: Record<string, FunnelRow> = {};
  for (const [src, f] of Object.entries(s.funnel).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const normalised = f.in - f.lost.import - f.lost.normalise;
    const split = normalised - f.lost.split;
    const validated = split - f.lost.validate;
    out[src] = { in: f.in, normalised, split, validated, deduplicated: validated - f.lost.dedup, inShards: f.accepted };
  }
  return out;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function buildReport(args: { stats: RunStats; manifest: Manifest; executor: string; seconds: number; stageSeconds: Record<string, number>; extra?: Record<string, unknown> }): RunReport {
  const { stats: s, manifest } = args;
  const perRecord: Record<string, number> = {};
  for (const [t, n] of Object.entries(s.entitiesByType)) perRecord[t] = s.recordsAccepted ? round(n / s.recordsAccepted, 3) : 0;
  return {
    pipeline: manifest.pipeline,
    executor: args.executor,
    configHash: manifest.configHash,
    graphVersion: manifest.graphVersion,
    dialogues: {
      in: s.dialoguesIn,
      accepted: s.dialoguesAccepted,
      rejected: s.dialoguesRejected,
      unaccounted: s.dialoguesUnaccounted,
      rejectedByReason: sortObj(s.dialoguesRejectedByReason),
      closes: s.dialoguesUnaccounted === 0 && s.dialoguesIn === s.dialoguesAccepted + s.dialoguesRejected,
    },
    records: {
      produced: s.recordsProduced,
      accepted: s.recordsAccepted,
      rejected: s.recordsRejected,
      closes: s.recordsProduced === s.recordsAccepted + s.recordsRejected,
    },
    rejects: { total: Object.values(s.rejectsByReason).reduce((a, b) => a + b, 0), byReason: sortObj(s.rejectsByReason), byStage: sortObj(s.rejectsByStage) },
    splits: manifest.counts.bySplit,
    distributions: { roundsPerRecord: s.rounds.toJSON(), charsPerRecord: s.chars.toJSON(), weightPerRecord: s.weights.toJSON() },
    categories: sortObj(s.byCate1),
    inquiry: {
      doctorTurns: s.doctorTurns,
      inquiryTurns: s.inquiryTurns,
      ratio: s.doctorTurns ? round(s.inquiryTurns / s.doctorTurns) : 0,
      outputInquiryRatio: s.recordsAccepted ? round(s.outputInquiry / s.recordsAccepted) : 0,
    },
    entities: {
      recordsWithEntity: s.withEntity,
      coverage: s.recordsAccepted ? round(s.withEntity / s.recordsAccepted) : 0,
      byType: sortObj(s.entitiesByType),
      perRecord,
      flagged: s.flagged,
      flagsByReason: sortObj(s.flagsByReason),
      inferredDepartment: s.inferredDepartment,
      mostNamed: mostNamed(s.entityMentions),
    },
    tokens: Object.fromEntries([...s.tokens.entries()].map(([k, h]) => [k, { total: h.sum, ...h.toJSON() }])),
    nearDuplicates: { count: s.rejectsByReason['dedup.near_duplicate'] ?? 0, examples: s.nearDuplicateExamples },
    throughput: {
      seconds: round(args.seconds, 3),
      dialoguesPerSecond: args.seconds > 0 ? Math.round(s.dialoguesIn / args.seconds) : 0,
      stageSeconds: Object.fromEntries(Object.entries(args.stageSeconds).map(([k, v]) => [k, round(v, 3)])),
    },
    cleaning: cleaningOf(s.cleaning),
    ...(s.splitClusters ? { splitClusters: s.splitClusters } : {}),
    shards: manifest.shards.length,
    sources: Object.fromEntries(Object.entries(s.perSource).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => {
      const spun = v.spunFlagged + v.spunRejected;
      return [k, {
        records: v.records,
        medianRounds: v.rounds.quantile(0.5),
        pleasantryOutputs: v.pleasantryOutputs,
        pleasantryShare: v.records ? round(v.pleasantryOutputs / v.records) : 0,
        machineSpun: spun,
        machineSpunShare: v.records + v.spunRejected ? round(spun / (v.records + v.spunRejected)) : 0,
        lmBitsP50: v.lm.n ? v.lm.quantile(0.5) : null,
      }];
    })),
    histograms: {
      roundsPerRecord: s.rounds.buckets(),
      charsPerRecord: s.chars.buckets(),
      tokensPerRecord: Object.fromEntries([...s.tokens.entries()].map(([k, h]) => [k, h.buckets()])),
    },
    bySource: { rejects: sortObj(s.rejectsBySource), funnel: funnelRows(s) },
    rejectExamples: s.rejectExamples,
    ...(Object.keys(s.pagesByLayout).length ? { scrape: { pagesByLayout: sortObj(s.pagesByLayout), placeholdersDropped: s.placeholdersDropped, unrecognisedRawKeys: s.unrecognisedKeys } } : {}),
    ...(args.extra ? { extra: args.extra } : {}),
  };
}

function cleaningOf(c: Record<string, number>): RunReport['cleaning'] {
  const pick = (p: string) => sortObj(Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith(p)).map(([k, v]) => [k.slice(p.length), v])));
  return { placeholdersByType: pick('pii.'), templateHits: pick('template.'), dialoguesWithTemplate: c.dialogues_with_template ?? 0, turnsEmptiedByTemplate: c.turns_emptied_by_template ?? 0, titleEchoesRemoved: c.title_echoes_removed ?? 0 };
}

function sortObj(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export function renderMarkdown(r: RunReport, manifest: Manifest): string {
  const L: string[] = [];
  L.push(`# cmtmedqa run report: ${r.pipeline}`, '');
  L.push(`executor: ${r.executor} · config ${r.configHash.slice(0, 12)} · graph ${r.graphVersion ? r.graphVersion.slice(0, 12) : 'none'} · ${r.throughput.seconds} s · ${r.throughput.dialoguesPerSecond} dialogues/s`, '');
  L.push('## Accounting', '');
  L.push(`- dialogues: **${r.dialogues.in} in = ${r.dialogues.accepted} accepted + ${r.dialogues.rejected} rejected**${r.dialogues.unaccounted ? ` (+ ${r.dialogues.unaccounted} UNACCOUNTED)` : ''} → ${r.dialogues.closes ? 'closes' : 'DOES NOT CLOSE'}`);
  L.push(`- records: **${r.records.produced} produced = ${r.records.accepted} accepted + ${r.records.rejected} rejected** → ${r.records.closes ? 'closes' : 'DOES NOT CLOSE'}`);
  L.push(`- shards: ${manifest.shards.length} files, ${manifest.counts.records} records`, '');
  L.push('| split | records | dialogues | tokens |', '|---|---:|---:|---:|');
  for (const [k, v] of Object.entries(r.splits)) L.push(`| ${k} | ${v.records} | ${v.dialogues} | ${v.tokens ?? '–'} |`);
  L.push('', '## Rejects by reason', '', '| reason | rejects | dialogues lost | what it means |', '|---|---:|---:|---|');
  const reasons = new Set([...Object.keys(r.rejects.byReason), ...Object.keys(r.dialogues.rejectedByReason)]);
  for (const k of reasons) L.push(`| \`${k}\` | ${r.rejects.byReason[k] ?? 0} | ${r.dialogues.rejectedByReason[k] ?? 0} | ${REJECT_REASONS[k as RejectReason] ?? ''} |`);
  if (reasons.size === 0) L.push('| – | 0 | 0 | |');
  L.push('', '## Per source', '');
  L.push('Machine-spun share = records scored `quality.machine_spun` (flagged or rejected) over accepted + spun-rejected records; LM = the project\'s character trigram model, bits per character (median).', '');
  L.push('| source | records | median rounds | pleasantry-only final outputs | machine-spun | LM bits/char p50 |', '|---|---:|---:|---:|---:|---:|');
  for (const [k, v] of Object.entries(r.sources ?? {})) {
    L.push(`| ${k} | ${v.records} | ${v.medianRounds} | ${v.pleasantryOutputs} (${(v.pleasantryShare * 100).toFixed(2)}%) | ${v.machineSpun} (${(v.machineSpunShare * 100).toFixed(1)}%) | ${v.lmBitsP50 ?? '–'} |`);
  }
  if (r.scrape) {
    L.push('', '## Scraped pages by layout', '', '| layout | pages |', '|---|---:|');
    for (const [k, v] of Object.entries(r.scrape.pagesByLayout)) L.push(`| ${k} | ${v} |`);
    L.push('', `Placeholders dropped (images, audio, privacy notices): ${r.scrape.placeholdersDropped}.`);
    for (const [site, keys] of Object.entries(r.scrape.unrecognisedRawKeys)) {
      L.push(`Unrecognised ${site} pages (first ${keys.length} raw-store keys; fix the layout, then \`cmtmedqa scrape reparse <raw-store> --site ${site}\`): ${keys.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  L.push('', '## Turns and lengths', '');
  const d = r.distributions as Record<string, Record<string, number>>;
  L.push('| per record | mean | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  for (const [k, v] of Object.entries(d)) L.push(`| ${k} | ${v.mean} | ${v.p50} | ${v.p90} | ${v.p99} | ${v.max} |`);
  if (Object.keys(r.tokens).length) {
    L.push('', '## Tokens per record', '', '| tokenizer | total | mean | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const [k, v] of Object.entries(r.tokens)) L.push(`| ${k} | ${v.total} | ${v.mean} | ${v.p50} | ${v.p90} | ${v.p99} | ${v.max} |`);
    const imb = Object.entries(manifest.imbalance ?? {}).map(([k, v]) => `${k} ${(v * 100).toFixed(3)}%`).join(', ');
    if (imb) L.push('', `Shard token imbalance (max/mean − 1) over ${manifest.shards.length} shards: ${imb}.`);
  }
  L.push('', '## Personal data and platform boilerplate', '');
  const ph = Object.entries(r.cleaning.placeholdersByType);
  L.push(`- placeholders by type: ${ph.map(([k, v]) => `<${k}> ${v}`).join(', ') || 'none'}`);
  L.push(`- platform templates removed in ${r.cleaning.dialoguesWithTemplate} dialogue(s); ${r.cleaning.turnsEmptiedByTemplate} turn(s) left empty and dropped`);
  L.push(`- opening patient turns that repeated their own title (title and body joined by the site): ${r.cleaning.titleEchoesRemoved ?? 0}, one copy kept`);
  if (Object.keys(r.cleaning.templateHits).length) {
    L.push('', '| template | hits |', '|---|---:|');
    for (const [k, v] of Object.entries(r.cleaning.templateHits)) L.push(`| \`${k}\` | ${v} |`);
  }
  if (r.splitClusters) {
    const c = r.splitClusters;
    L.push('', `Splits are chosen per content cluster: ${c.dialogues} dialogues in ${c.clusters} clusters (largest ${c.largest}; ${c.merges} joined through a shared case description, consultation or duplicate).`);
  }
  L.push('', '## Near-duplicates', '');
  L.push(`- ${r.nearDuplicates.count} record(s) removed as near-duplicates${r.nearDuplicates.examples.length ? ', for example:' : ''}`);
  for (const e of r.nearDuplicates.examples) L.push(`  - \`${e.id}\` ≈ \`${e.duplicateOf}\` (similarity ${e.similarity.toFixed(3)}): ${e.text}`);
  L.push('', '## Proactive inquiry', '');
  L.push(`- ${r.inquiry.inquiryTurns} of ${r.inquiry.doctorTurns} doctor turns ask the patient something: ratio **${r.inquiry.ratio}**`);
  L.push(`- records whose output is an inquiry: ${r.inquiry.outputInquiryRatio}`, '');
  L.push('## Medical entities', '');
  if (r.graphVersion) {
    L.push(`- records with ≥1 entity: ${r.entities.recordsWithEntity} (${(r.entities.coverage * 100).toFixed(1)}%)`);
    L.push(`- entities per record by type: ${Object.entries(r.entities.perRecord).map(([k, v]) => `${k} ${v}`).join(', ') || '–'}`);
    L.push(`- flagged records: ${r.entities.flagged} (${Object.entries(r.entities.flagsByReason).map(([k, v]) => `${k} ${v}`).join(', ') || '–'})`);
    L.push(`- departments inferred from the graph: ${r.entities.inferredDepartment}`);
    const named = Object.entries(r.entities.mostNamed ?? {});
    if (named.length > 0) {
      L.push('- most named (mentions), by type:');
      for (const [type, list] of named) L.push(`  - ${type}: ${list.map((e) => `${e.name} ${e.mentions}`).join(', ')}`);
    }
  } else L.push('- validation against a graph was off (no `kg` section)');
  L.push('', '## Categories (cate1)', '');
  for (const [k, v] of Object.entries(r.categories).slice(0, 20)) L.push(`- ${k}: ${v}`);
  L.push('', '## Stage time (s)', '');
  for (const [k, v] of Object.entries(r.throughput.stageSeconds)) L.push(`- ${k}: ${v}`);
  L.push('');
  return L.join('\n');
}

export async function writeReport(outDir: string, report: RunReport, manifest: Manifest): Promise<void> {
  await writeFile(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(outDir, 'report.md'), renderMarkdown(report, manifest));
  // The charting library is loaded only here, when a report is written.
  const { renderReportHtml } = await import('./report-html.js');
  await writeFile(path.join(outDir, 'report.html'), await renderReportHtml(report, manifest));
}

/** Entities most mentioned, MOST_NAMED per type (count, then name), types in order. */
const MOST_NAMED = 10;
function mostNamed(mentions: Map<string, number>): Record<string, Array<{ name: string; mentions: number }>> {
  const byType = new Map<string, Array<{ name: string; mentions: number }>>();
  for (const [key, n] of mentions) {
    const cut = key.indexOf('\u0000');
    const type = key.slice(0, cut);
    let l = byType.get(type);
    if (!l) byType.set(type, (l = []));
    l.push({ name: key.slice(cut + 1), mentions: n });
  }
  const out: Record<string, Array<{ name: string; mentions: number }>> = {};
  for (const type of [...byType.keys()].sort()) {
    out[type] = byType.get(type)!.sort((a, b) => b.mentions - a.mentions || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, MOST_NAMED);
  }
  return out;
}
