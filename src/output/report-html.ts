/**
 * report.html: the run report for people, one self-contained file (inline SVG and CSS, no script,
 * no network) that opens from disk. Charts are Vega-Lite specs rendered to SVG server-side by
 * Vega's headless view; this module is imported lazily (only when a report is written), so the
 * charting library never loads in workers or other commands. It reads only the RunReport.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Manifest } from '../../schemas/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reject.js';
import type { RunReport } from './report.js';

const FONT = 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const CONFIG = { font: FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } };

/** Renders one Vega-Lite spec to an SVG string (no DOM, no canvas). */
export async function chartSvg(spec: TopLevelSpec, withTitle = false): Promise<string> {
  const { title, ...rest } = spec as TopLevelSpec & { title?: unknown };
  const { spec: vg } = compile({ ...rest, ...(withTitle && title ? { title } : {}), config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, { logger: vega.logger(vega.Error) });
  const view = new vega.View(vega.parse(vg), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Chart { id: string; title: string; note?: string; spec?: TopLevelSpec; empty: string }

function histogram(title: string, buckets: Array<[number, number]>, unit: string, discrete = false): TopLevelSpec {
  const values = buckets.map(([value, count]) => ({ value, count }));
  return {
    width: 480, height: 180, title, data: { values },
    mark: { type: 'bar', tooltip: true, color: '#4c78a8' },
    encoding: discrete
      ? { x: { field: 'value', type: 'ordinal', title: unit }, y: { field: 'count', type: 'quantitative', title: 'records' } }
      : {
        x: { field: 'value', type: 'quantitative', bin: { maxbins: 40 }, title: unit },
        y: { aggregate: 'sum', field: 'count', type: 'quantitative', title: 'records' },
      },
  };
}

function bars(title: string, counts: Record<string, number>, label: string, limit = 30, color = '#4c78a8'): TopLevelSpec {
  const values = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, limit).map(([key, n]) => ({ key, n }));
  return {
    width: 420, height: { step: 18 }, title, data: { values },
    layer: [
      { mark: { type: 'bar', color }, encoding: { y: { field: 'key', type: 'nominal', sort: '-x', title: label }, x: { field: 'n', type: 'quantitative', title: 'count' } } },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y: { field: 'key', type: 'nominal', sort: '-x' }, x: { field: 'n', type: 'quantitative' }, text: { field: 'n' } } },
    ],
  } as TopLevelSpec;
}

const FUNNEL_STEPS = [['in', 'in'], ['normalised', 'normalised'], ['split', 'split'], ['validated', 'validated'], ['deduplicated', 'deduplicated'], ['inShards', 'in shards']] as const;

function funnel(r: RunReport): TopLevelSpec {
  const values: Array<{ source: string; step: string; order: number; dialogues: number }> = [];
  for (const [source, row] of Object.entries(r.bySource.funnel)) {
    FUNNEL_STEPS.forEach(([k, step], order) => values.push({ source, step, order, dialogues: row[k] }));
  }
  return {
    title: 'Dialogues per source at each step', data: { values },
    width: { step: 14 }, height: 220,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'source', type: 'nominal', title: null, axis: { labels: false, ticks: false } },
      y: { field: 'dialogues', type: 'quantitative' },
      color: { field: 'source', type: 'nominal', title: 'source' },
      column: { field: 'step', type: 'ordinal', sort: FUNNEL_STEPS.map(([, s]) => s), title: null, header: { labelFontSize: 11 } },
    },
  } as TopLevelSpec;
}

function charts(r: RunReport): Chart[] {
  const out: Chart[] = [
    { id: 'rounds', title: 'Rounds per record', spec: histogram('Rounds (patient + doctor) per record', r.histograms.roundsPerRecord, 'rounds', true), empty: 'no accepted records' },
    { id: 'chars', title: 'Characters per record', spec: histogram('Characters per record', r.histograms.charsPerRecord, 'characters'), empty: 'no accepted records' },
  ];
  for (const [tok, b] of Object.entries(r.histograms.tokensPerRecord)) {
    out.push({ id: `tokens-${tok}`, title: `Tokens per record (${tok})`, spec: histogram(`Tokens per record (${tok})`, b, 'tokens'), empty: 'no token counts' });
  }
  if (!Object.keys(r.histograms.tokensPerRecord).length) out.push({ id: 'tokens', title: 'Tokens per record', empty: 'no tokenizer configured (tokens.tokenizers)' });
  out.push(
    { id: 'funnel', title: 'Per-source funnel', note: 'in → normalised → split → validated → deduplicated → in shards (a dialogue counts at the step where its deciding reject happened)', spec: funnel(r), empty: 'no input' },
    { id: 'reject-reasons', title: 'Rejects by reason', spec: bars('Rejects by reason', r.rejects.byReason, 'reason', 40, '#e45756'), empty: 'no rejects' },
    { id: 'reject-sources', title: 'Rejects by source', spec: bars('Rejects by source', r.bySource.rejects, 'source', 40, '#f58518'), empty: 'no rejects' },
    { id: 'departments', title: 'Departments (cate1)', spec: bars('Accepted records by department (cate1)', r.categories, 'cate1', 30, '#54a24b'), empty: 'no accepted records' },
    { id: 'flags', title: 'Quality flags', spec: bars('Flagged records by check', r.entities.flagsByReason, 'flag', 30, '#b279a2'), empty: r.graphVersion ? 'no record was flagged' : 'validation against a graph was off (no kg section)' },
  );
  return out.map((c) => {
    const data = c.spec ? ((c.spec as { data?: { values?: unknown[] } }).data?.values ?? []) : [];
    return data.length ? c : { ...c, spec: undefined };
  });
}

function table(head: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

export async function renderReportHtml(r: RunReport, manifest: Manifest): Promise<string> {
  const figures: string[] = [];
  for (const c of charts(r)) {
    const body = c.spec ? await chartSvg(c.spec) : `<p class="empty">${esc(c.empty)}</p>`;
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
