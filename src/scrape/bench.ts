/**
 * Adapter throughput for `npm run bench`: pages parsed per second per site adapter and per layout
 * (generation), pure parse over HTML already decoded in memory (no network, no raw store, no charset
 * work in the timed loop). Pages: the committed fixtures/html/<site>/ files that the adapter reads
 * as a consultation (a profile page is not one), plus the real saved haodf page from ../shared/data
 * when it is there (reported as "haodf (real page)").
 * Must not: fetch anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADAPTERS, isUnrecognised, type SiteAdapter } from './adapters/index.js';
import { decodeHtml } from './charset.js';

export interface LayoutBench {
  layout: string;
  pages: number;
  pagesPerSec: number;
}

export interface AdapterBench {
  adapter: string;
  pages: number;
  /** Bytes of decoded HTML per page (mean). */
  bytesPerPage: number;
  iterations: number;
  ms: number;
  pagesPerSec: number;
  layouts: LayoutBench[];
}

/** The URL a fixture file stands for (the chunyu page-id check and source ids depend on it). */
function sampleUrl(site: string, file: string): string {
  const base = file.replace(/\.s?html?$/, '');
  switch (site) {
    case 'chunyu':
      return `https://www.chunyuyisheng.com/pc/qa/${base.replace(/^qa_/, '')}/`;
    case 'xywy':
      return `http://club.xywy.com/question/20180712/${base.replace(/^question_\d+_/, '')}.htm`;
    case '120ask':
      return `https://www.120ask.com/question/${base.replace(/^question_/, '')}.htm`;
    default:
      return `https://www.${site}.com/flow/${base}.html`;
  }
}

interface Page {
  html: string;
  url: string;
  layout: string;
}

function time(adapter: SiteAdapter, pages: Page[], iterations: number): number {
  for (let i = 0; i < Math.min(20, iterations); i++) for (const p of pages) adapter.parse(p.html, p.url);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) for (const p of pages) adapter.parse(p.html, p.url);
  return performance.now() - t0;
}

/**
 * Parse each adapter's sample pages `iterations` times (after a short warm-up) and report pages/s,
 * for all its pages and for each layout's pages. `root` is the repository root (default: cwd).
 */
export function benchAdapters(iterations = 200, root = process.cwd()): AdapterBench[] {
  const out: AdapterBench[] = [];
  const run = (label: string, adapter: SiteAdapter, files: Array<{ html: string; url: string }>) => {
    const pages: Page[] = [];
    for (const f of files) {
      const r = adapter.parse(f.html, f.url);
      if (!isUnrecognised(r)) pages.push({ ...f, layout: r.layout ?? adapter.name });
    }
    if (pages.length === 0) return;
    const ms = time(adapter, pages, iterations);
    const layouts: LayoutBench[] = [];
    for (const layout of [...new Set(pages.map((p) => p.layout))].sort()) {
      const mine = pages.filter((p) => p.layout === layout);
      const lms = time(adapter, mine, iterations);
      layouts.push({ layout, pages: mine.length, pagesPerSec: Math.round(((iterations * mine.length) / lms) * 1000) });
    }
    out.push({
      adapter: label,
      pages: pages.length,
      bytesPerPage: Math.round(pages.reduce((s, p) => s + Buffer.byteLength(p.html), 0) / pages.length),
      iterations,
      ms: Math.round(ms),
      pagesPerSec: Math.round(((iterations * pages.length) / ms) * 1000),
      layouts,
    });
  };
  for (const adapter of ADAPTERS) {
    const dir = path.join(root, 'fixtures', 'html', adapter.name);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.s?html?$/.test(f)).sort() : [];
    run(adapter.name, adapter, files.map((f) => ({ html: decodeOrThrow(path.join(dir, f)), url: sampleUrl(adapter.name, f) })));
  }
  const real = path.resolve(root, '..', 'shared', 'data', 'html', 'haodf', 'haodf_flow_page_2020.html');
  const haodf = ADAPTERS.find((a) => a.name === 'haodf');
  if (haodf && existsSync(real)) run('haodf (real page)', haodf, [{ html: decodeOrThrow(real), url: 'https://www.haodf.com/flow/menzhen_pr_6481987203_8888362349.html' }]);
  return out;
}

function decodeOrThrow(file: string): string {
  const d = decodeHtml(readFileSync(file));
  if (!d.ok) throw new Error(`cannot decode ${file}: ${d.detail}`);
  return d.text;
}
