/**
 * report.html: the run report for people, one self-contained file (inline SVG and CSS, no script,
 * no network) that opens from disk. Charts are SVG drawn by svg-charts.ts (bars, histograms, the
 * grouped funnel); no charting library is loaded. It reads only the RunReport.
 */
import type { Manifest } from '../../schemas/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reject.js';
import type { RunReport } from './report.js';
import { binBuckets, groupedBars, horizontalBars, verticalBars } from './svg-charts.js';
import { escapeHtml as esc } from './html.js';

const FONT = 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';


/** A chart: its SVG when it has data, else the sentence shown in its place. */
interface Chart { id: string; title: string; note?: string; svg?: string; empty: string }

function histogram(title: string, buckets: Array<[number, number]>, unit: string, discrete = false): string | undefined {
  const data = binBuckets(buckets, discrete);
  return data.length ? verticalBars(data, { label: title, xTitle: unit, yTitle: 'records' }) : undefined;
}

function bars(title: string, counts: Record<string, number>, label: string, limit = 30, color = '#4c78a8'): string | undefined {
  const data = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([key, n]) => ({ label: key, value: n }));
  return data.length ? horizontalBars(data, { label: title, yTitle: label, color }) : undefined;
}

const FUNNEL_STEPS = [['in', 'in'], ['normalised', 'normalised'], ['split', 'split'], ['validated', 'validated'], ['deduplicated', 'deduplicated'], ['inShards', 'in shards']] as const;

function funnel(r: RunReport): string | undefined {
  const series = Object.entries(r.bySource.funnel).map(([source, row]) => ({ name: source, values: FUNNEL_STEPS.map(([k]) => row[k]) }));
  return series.length ? groupedBars(FUNNEL_STEPS.map(([, s]) => s), series, { label: 'Dialogues per source at each step', yTitle: 'dialogues' }) : undefined;
}

function charts(r: RunReport): Chart[] {
  const out: Chart[] = [
    { id: 'rounds', title: 'Rounds per record', svg: histogram('Rounds (patient + doctor) per record', r.histograms.roundsPerRecord, 'rounds', true), empty: 'no accepted records' },
    { id: 'chars', title: 'Characters per record', svg: histogram('Characters per record', r.histograms.charsPerRecord, 'characters'), empty: 'no accepted records' },
  ];
  for (const [tok, b] of Object.entries(r.histograms.tokensPerRecord)) {
    out.push({ id: `tokens-${tok}`, title: `Tokens per record (${tok})`, svg: histogram(`Tokens per record (${tok})`, b, 'tokens'), empty: 'no token counts' });
  }
  if (!Object.keys(r.histograms.tokensPerRecord).length) out.push({ id: 'tokens', title: 'Tokens per record', empty: 'no tokenizer configured (tokens.tokenizers)' });
  out.push(
    { id: 'funnel', title: 'Per-source funnel', note: 'in → normalised → split → validated → deduplicated → in shards (a dialogue counts at the step where its deciding reject happened)', svg: funnel(r), empty: 'no input' },
    { id: 'reject-reasons', title: 'Rejects by reason', svg: bars('Rejects by reason', r.rejects.byReason, 'reason', 40, '#e45756'), empty: 'no rejects' },
    { id: 'reject-sources', title: 'Rejects by source', svg: bars('Rejects by source', r.bySource.rejects, 'source', 40, '#f58518'), empty: 'no rejects' },
    { id: 'departments', title: 'Departments (cate1)', svg: bars('Accepted records by department (cate1)', r.categories, 'cate1', 30, '#54a24b'), empty: 'no accepted records' },
    { id: 'flags', title: 'Quality flags', svg: bars('Flagged records by check', r.entities.flagsByReason, 'flag', 30, '#b279a2'), empty: r.graphVersion ? 'no record was flagged' : 'validation against a graph was off (no kg section)' },
  );
  return out;
}

function table(head: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

export async function renderReportHtml(r: RunReport, manifest: Manifest): Promise<string> {
  const figures: string[] = [];
  for (const c of charts(r)) {
    const body = c.svg ?? `<p class="empty">${esc(c.empty)}</p>`;
    figures.push(`<figure class="chart" id="chart-${esc(c.id)}" data-chart="${esc(c.id)}"><figcaption>${esc(c.title)}${c.note ? ` <small>${esc(c.note)}</small>` : ''}</figcaption>\n${body}\n</figure>`);
  }
  const acc = [
    `dialogues: <b>${r.dialogues.in} in = ${r.dialogues.accepted} accepted + ${r.dialogues.rejected} rejected</b>${r.dialogues.unaccounted ? ` (+ ${r.dialogues.unaccounted} UNACCOUNTED)` : ''} → ${r.dialogues.closes ? '<span class="ok">closes</span>' : '<span class="bad">DOES NOT CLOSE</span>'}`,
    `records: <b>${r.records.produced} produced = ${r.records.accepted} accepted + ${r.records.rejected} rejected</b> → ${r.records.closes ? '<span class="ok">closes</span>' : '<span class="bad">DOES NOT CLOSE</span>'}`,
    `shards: ${manifest.shards.length} files, ${manifest.counts.records} records`,
  ];
  const splits = table(['split', 'records', 'dialogues', 'tokens'], Object.entries(r.splits).map(([k, v]) => [k, v.records, v.dialogues, v.tokens ?? '–']), [1, 2, 3]);
  const funnelTable = table(['source', 'in', 'normalised', 'split', 'validated', 'deduplicated', 'in shards'],
    Object.entries(r.bySource.funnel).map(([k, f]) => [k, f.in, f.normalised, f.split, f.validated, f.deduplicated, f.inShards]), [1, 2, 3, 4, 5, 6]);
  const reasons = new Set([...Object.keys(r.rejects.byReason), ...Object.keys(r.dialogues.rejectedByReason)]);
  const reasonTable = table(['reason', 'rejects', 'dialogues lost', 'what it means'],
    [...reasons].map((k) => [k, r.rejects.byReason[k] ?? 0, r.dialogues.rejectedByReason[k] ?? 0, REJECT_REASONS[k as RejectReason] ?? '']), [1, 2]);
  const examples = Object.entries(r.rejectExamples).map(([reason, ex]) =>
    `<section class="examples" data-reason="${esc(reason)}"><h3><code>${esc(reason)}</code> <small>${esc(REJECT_REASONS[reason as RejectReason] ?? '')}</small></h3>\n` +
    ex.map((e) => `<details><summary><code>${esc(e.id.slice(0, 16))}</code> ${esc(e.source)} — ${esc(e.detail)}</summary>` +
      `<p>explain: <code>npx cmtmedqa explain &lt;out&gt; ${esc(e.dialogueId ?? e.id)}</code></p><pre>${esc(e.input)}</pre></details>`).join('\n') + '</section>').join('\n');
  const ml = (x: string) => esc(x);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>cmtmedqa report: ${ml(r.pipeline)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:${FONT};margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9rem}.ok{color:#2a7d2a;font-weight:600}.bad{color:#b00;font-weight:700}
.grid{display:flex;flex-wrap:wrap;gap:1.5rem}figure.chart{margin:0;padding:.5rem;border:1px solid #eee;border-radius:6px;background:#fff}
figcaption{font-weight:600;margin-bottom:.3rem}figcaption small{font-weight:400;color:#666;display:block}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}td.n,th.n{text-align:right}
.empty{color:#888;font-style:italic}pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5rem;max-height:12rem;overflow:auto}
details{margin:.3rem 0}summary{cursor:pointer}
</style></head><body>
<h1>cmtmedqa run report: ${ml(r.pipeline)}</h1>
<p class="meta">executor ${ml(r.executor)} · config ${ml(r.configHash.slice(0, 12))} · graph ${ml(r.graphVersion ? r.graphVersion.slice(0, 12) : 'none')} · ${r.throughput.seconds} s · ${r.throughput.dialoguesPerSecond} dialogues/s</p>
<h2>Accounting</h2>
<ul id="accounting">${acc.map((a) => `<li>${a}</li>`).join('')}</ul>
${splits}
<h2>Charts</h2>
<div class="grid">
${figures.join('\n')}
</div>
<h2>Per-source funnel</h2>
${funnelTable}
<h2>Rejects by reason</h2>
${reasonTable}
<h2>Example rejects</h2>
${examples || '<p class="empty">no rejects</p>'}
</body></html>
`;
}
