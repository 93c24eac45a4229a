/**
 * Adapter throughput for `npm run bench`: pages parsed per second per site adapter, pure parse over
 * HTML already decoded in memory (no network, no raw store, no charset work in the timed loop).
 * Pages: the committed fixtures/html/<site>/ files, plus the real saved haodf page from ../shared/data
 * when it is there (reported as "haodf (real page)").
 * Must not: fetch anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADAPTERS, isUnrecognised, type SiteAdapter } from './adapters/index.js';
import { decodeHtml } from './charset.js';

export interface AdapterBench {
  adapter: string;
  pages: number;
  /** Bytes of decoded HTML per page (mean). */
  bytesPerPage: number;
  iterations: number;
  ms: number;
  pagesPerSec: number;
}

const SAMPLE_URL: Record<string, string> = {
  haodf: 'https://www.haodf.com/flow/menzhen_bench.html',
  chunyu: 'https://www.chunyuyisheng.com/pc/qa/bench/',
  xywy: 'http://club.xywy.com/static/20160101/bench.htm',
  '120ask': 'https://www.120ask.com/question/bench.htm',
};

/**
 * Parse each adapter's sample pages `iterations` times (after a short warm-up) and report pages/s.
 * `root` is the repository root (default: cwd); the real haodf page is read from root/../shared/data.
 */
export function benchAdapters(iterations = 200, root = process.cwd()): AdapterBench[] {
  const out: AdapterBench[] = [];
  const run = (label: string, adapter: SiteAdapter, pages: string[]) => {
    if (pages.length === 0) return;
    const url = SAMPLE_URL[adapter.name] ?? 'https://example.invalid/';
    for (const html of pages) {
      const r = adapter.parse(html, url);
      if (isUnrecognised(r)) throw new Error(`bench page for ${label} is not recognised: ${r.unrecognised}`);
    }
    for (let i = 0; i < Math.min(20, iterations); i++) for (const html of pages) adapter.parse(html, url);
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) for (const html of pages) adapter.parse(html, url);
    const ms = performance.now() - t0;
    const n = iterations * pages.length;
    out.push({
      adapter: label,
      pages: pages.length,
      bytesPerPage: Math.round(pages.reduce((s, p) => s + Buffer.byteLength(p), 0) / pages.length),
      iterations,
      ms: Math.round(ms),
      pagesPerSec: Math.round((n / ms) * 1000),
    });
  };
  for (const adapter of ADAPTERS) {
    const dir = path.join(root, 'fixtures', 'html', adapter.name);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.html?$/.test(f)).sort() : [];
    run(adapter.name, adapter, files.map((f) => decodeOrThrow(path.join(dir, f))));
  }
  const real = path.resolve(root, '..', 'shared', 'data', 'html', 'haodf', 'haodf_flow_page_2020.html');
  const haodf = ADAPTERS.find((a) => a.name === 'haodf');
  if (haodf && existsSync(real)) run('haodf (real page)', haodf, [decodeOrThrow(real)]);
  return out;
}

function decodeOrThrow(file: string): string {
  const d = decodeHtml(readFileSync(file));
  if (!d.ok) throw new Error(`cannot decode ${file}: ${d.detail}`);
  return d.text;
}
