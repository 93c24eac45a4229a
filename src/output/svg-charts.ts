/**
 * The report's charts as plain SVG strings, drawn here: vertical bars (histograms), horizontal
 * ranked bars with their counts, and grouped bars (the per-source funnel). No charting library:
 * report.html is written at the end of every run, and Vega's parse + headless view cost about
 * 0.6 CPU-s per run (issue 13) for nine bar charts. Each chart is one `<svg>` with its size set,
 * its bars as `<rect>`s inside `<g class="mark-rect">` (one per bar, zero-height bars included),
 * axes and labels as text. Pure functions of their inputs.
 */
import { escapeHtml as esc } from './html.js';

const FONT = 'system-ui, &quot;Noto Sans CJK SC&quot;, &quot;Microsoft YaHei&quot;, sans-serif';
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

const r1 = (n: number) => Math.round(n * 10) / 10;
/** 12,345 and 0.25: thousands separators, at most two decimals (toLocaleString goes through ICU, slow per call). */
function fmtN(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const abs = Math.abs(n);
  const [int, frac] = (Number.isInteger(abs) ? abs.toFixed(0) : String(Math.round(abs * 100) / 100)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A step of 1, 2 or 5 × 10^k such that [0, max] takes at most `count` steps. */
export function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const raw = max / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** The nice step after s (1 → 2 → 5 → 10 … × 10^k). */
function nextNice(s: number): number {
  const p = 10 ** Math.floor(Math.log10(s) + 1e-9);
  const m = Math.round(s / p);
  return Number(((m < 2 ? 2 : m < 5 ? 5 : 10) * p).toPrecision(12));
}

/** Axis ticks 0, step, … covering max. */
function ticks(max: number, count = 5): number[] {
  const step = niceStep(max, count);
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2 && out.length < 50; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < max) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

/** A bar's length from its value: counts only (non-finite and negative values draw as 0). */
const barValue = (v: number) => (Number.isFinite(v) && v > 0 ? v : 0);

/** The label cut to about `width` pixels, with an ellipsis (the whole label stays in the bar's title). */
function fitLabel(s: string, width: number, size: number): string {
  if (textWidth(s, size) <= width) return s;
  let out = '';
  let w = textWidth('…', size);
  for (const ch of s) {
    const cw = textWidth(ch, size);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Approximate rendered width of a label (CJK characters are about twice as wide as Latin ones). */
function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += ch.codePointAt(0)! > 0x2e80 ? size : size * 0.58;
  return w;
}

function svgOpen(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="${esc(label)}" font-family="${FONT}" font-size="11">`;
}

/** The y axis (counts) of a vertical chart: ticks, grid lines and the title. */
function yAxis(x0: number, y0: number, h: number, max: number, title: string, width: number): string {
  const t = ticks(max);
  const top = t[t.length - 1] || 1;
  const labelW = Math.max(...t.map((v) => textWidth(fmtN(v), 11)));
  const parts = [`<g class="axis y">`];
  for (const v of t) {
    const y = r1(y0 + h - (v / top) * h);
    parts.push(`<line x1="${x0}" x2="${r1(x0 + width)}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${x0 - 4}" y="${y + 3}" text-anchor="end" fill="#555">${fmtN(v)}</text>`);
  }
  parts.push(`<text transform="translate(${r1(x0 - labelW - 12)},${r1(y0 + h / 2)}) rotate(-90)" text-anchor="middle" font-size="12" fill="#333">${esc(title)}</text>`, '</g>');
  return parts.join('');
}

export interface BarDatum { label: string; value: number; title?: string }

/**
 * Vertical bars, one per datum in order (a histogram's bins), x labels thinned to fit.
 * `xTitle` and `yTitle` name the axes.
 */
export function verticalBars(data: BarDatum[], opts: { width?: number; height?: number; xTitle: string; yTitle: string; color?: string; label: string }): string {
  const plotW = opts.width ?? 480;
  const plotH = opts.height ?? 180;
  const left = 64;
  const top = 10;
  const bottom = 46;
  const max = Math.max(1, ...data.map((d) => barValue(d.value)));
  const yTop = ticks(max).at(-1) || 1;
  const bw = plotW / Math.max(1, data.length);
  const W = left + plotW + 10;
  const H = top + plotH + bottom;
  const rects = data.map((d, i) => {
    const h = (barValue(d.value) / yTop) * plotH;
    return `<rect x="${r1(left + i * bw + 0.5)}" y="${r1(top + plotH - h)}" width="${r1(Math.max(0.5, bw - 1))}" height="${r1(h)}" fill="${opts.color ?? PALETTE[0]}"><title>${esc(d.title ?? `${d.label}: ${fmtN(d.value)}`)}</title></rect>`;
  });
  const every = Math.max(1, Math.ceil((data.length * 34) / plotW));
  const xl = data.map((d, i) => (i % every === 0 ? `<text x="${r1(left + (i + 0.5) * bw)}" y="${top + plotH + 14}" text-anchor="middle" fill="#555">${esc(d.label)}</text>` : '')).join('');
  return [
    svgOpen(W, H, opts.label),
    yAxis(left, top, plotH, max, opts.yTitle, plotW),
    `<g class="mark-rect">${rects.join('')}</g>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>`,
    `<g class="axis x">${xl}<text x="${r1(left + plotW / 2)}" y="${top + plotH + 36}" text-anchor="middle" font-size="12" fill="#333">${esc(opts.xTitle)}</text></g>`,
    '</svg>',
  ].join('\n');
}

/** Horizontal bars in the given order, each with its label on the left and its count at its end. */
export function horizontalBars(data: BarDatum[], opts: { width?: number; step?: number; label: string; yTitle: string; color?: string }): string {
  const plotW = opts.width ?? 420;
  const step = opts.step ?? 18;
  const LABEL_MAX = 260;
  const labelW = Math.min(LABEL_MAX, Math.max(40, ...data.map((d) => textWidth(d.label, 11)))) + 10;
  const left = labelW + 18;
  const top = 8;
  const plotH = step * data.length;
  const max = Math.max(1, ...data.map((d) => barValue(d.value)));
  const xTop = ticks(max).at(-1) || 1;
  const W = left + plotW + 60;
  const H = top + plotH + 40;
  const rows = data.map((d, i) => {
    const w = (barValue(d.value) / xTop) * plotW;
    const y = top + i * step;
    return {
      rect: `<rect x="${left}" y="${r1(y + 2)}" width="${r1(w)}" height="${step - 4}" fill="${opts.color ?? PALETTE[0]}"><title>${esc(`${d.label}: ${fmtN(d.value)}`)}</title></rect>`,
      text: `<text x="${left - 4}" y="${r1(y + step / 2 + 4)}" text-anchor="end" fill="#333">${esc(fitLabel(d.label, LABEL_MAX, 11))}</text><text x="${r1(left + w + 3)}" y="${r1(y + step / 2 + 4)}" font-size="10" fill="#333">${fmtN(d.value)}</text>`,
    };
  });
  const grid = ticks(max).map((v) => {
    const x = r1(left + (v / xTop) * plotW);
    return `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#eee"/><text x="${x}" y="${top + plotH + 14}" text-anchor="middle" fill="#555">${fmtN(v)}</text>`;
  });
  return [
    svgOpen(W, H, opts.label),
    `<g class="axis x">${grid.join('')}<text x="${r1(left + plotW / 2)}" y="${top + plotH + 32}" text-anchor="middle" font-size="12" fill="#333">count</text></g>`,
    `<g class="mark-rect">${rows.map((r) => r.rect).join('')}</g>`,
    `<g class="labels">${rows.map((r) => r.text).join('')}</g>`,
    `<text transform="translate(10,${r1(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="12" fill="#333">${esc(opts.yTitle)}</text>`,
    '</svg>',
  ].join('\n');
}

/**
 * Grouped bars: one group per step (in order), in each one bar per series (same colour in every
 * group), a legend of the series. Every (step, series) pair is a bar, zero included.
 */
export function groupedBars(steps: string[], series: Array<{ name: string; values: number[] }>, opts: { label: string; yTitle: string; height?: number; barWidth?: number }): string {
  const plotH = opts.height ?? 220;
  const bw = opts.barWidth ?? 14;
  const gap = 18;
  const groupW = Math.max(1, series.length) * bw;
  const left = 64;
  const top = 10;
  const slot = Math.max(groupW + gap, ...steps.map((s) => textWidth(s, 11) + 10));
  const plotW = steps.length * slot;
  const legendW = Math.max(60, ...series.map((s) => textWidth(s.name, 11) + 24));
  const W = left + plotW + legendW + 20;
  const H = top + plotH + 40;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map(barValue)));
  const yTop = ticks(max).at(-1) || 1;
  const rects: string[] = [];
  steps.forEach((step, g) => {
    series.forEach((s, k) => {
      const v = s.values[g] ?? 0;
      const h = (barValue(v) / yTop) * plotH;
      const x = left + g * slot + (slot - groupW) / 2 + k * bw;
      rects.push(`<rect x="${r1(x)}" y="${r1(top + plotH - h)}" width="${bw - 1}" height="${r1(h)}" fill="${PALETTE[k % PALETTE.length]}"><title>${esc(`${s.name} · ${step}: ${fmtN(v)}`)}</title></rect>`);
    });
  });
  const xl = steps.map((s, g) => `<text x="${r1(left + g * slot + slot / 2)}" y="${top + plotH + 16}" text-anchor="middle" fill="#333">${esc(s)}</text>`).join('');
  const legend = series.map((s, k) => `<rect x="${left + plotW + 14}" y="${top + 4 + k * 18}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/><text x="${left + plotW + 30}" y="${top + 14 + k * 18}" fill="#333">${esc(s.name)}</text>`).join('');
  return [
    svgOpen(W, H, opts.label),
    yAxis(left, top, plotH, max, opts.yTitle, plotW),
    `<g class="mark-rect">${rects.join('')}</g>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>`,
    `<g class="axis x">${xl}</g>`,
    `<g class="legend">${legend}</g>`,
    '</svg>',
  ].join('\n');
}

/**
 * Histogram bins from (value, count) buckets: discrete keeps one bar per value; otherwise the
 * values are binned into at most `maxBins` bins of a nice width (1, 2 or 5 × 10^k), as a
 * histogram's x axis is read.
 */
export function binBuckets(buckets: Array<[number, number]>, discrete: boolean, maxBins = 40): BarDatum[] {
  if (!buckets.length) return [];
  if (discrete) return [...buckets].sort((a, b) => a[0] - b[0]).map(([v, n]) => ({ label: fmtN(v), value: n }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const [v] of buckets) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const integers = buckets.every(([v]) => Number.isInteger(v));
  // The smallest nice step that puts [lo, hi] into at most maxBins bins (whole numbers for integer data).
  let step = Math.max(integers ? 1 : 0, niceStep(Math.max(1, hi - lo), maxBins));
  let start = Math.floor(lo / step) * step;
  while (Math.floor((hi - start) / step) + 1 > maxBins) {
    step = nextNice(step);
    start = Math.floor(lo / step) * step;
  }
  const bins = Math.max(1, Math.floor((hi - start) / step) + 1);
  const counts = new Array<number>(bins).fill(0);
  for (const [v, n] of buckets) counts[Math.min(bins - 1, Math.floor((v - start) / step))] += n;
  return counts.map((n, i) => {
    const a = Number((start + i * step).toPrecision(12));
    const b = Number((start + (i + 1) * step).toPrecision(12));
    return { label: fmtN(a), value: n, title: `${fmtN(a)}–${fmtN(b)}: ${fmtN(n)}` };
  });
}
