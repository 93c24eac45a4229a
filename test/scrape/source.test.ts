import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import zlib from 'node:zlib';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ImportItem } from '../../src/sources/types.js';
import { haodfAdapter } from '../../src/scrape/adapters/haodf.js';
import type { SiteAdapter } from '../../src/scrape/adapters/index.js';
import { reparseStored, scrapeSource, type ScrapeDeps } from '../../src/scrape/source.js';
import { sharedData } from '../support/services.js';
import { maxInWindow, redirect, send, startServer, type TestServer } from './server.js';

const HAODF = readFileSync('fixtures/html/haodf/menzhen_fx_1001_2001.html');
const REAL_HAODF = readFileSync(sharedData('html', 'haodf', 'haodf_flow_page_2020.html'));
const CHUNYU = readFileSync('fixtures/html/chunyu/qa_fxAbC123xyz.html');
const XYWY_GBK = readFileSync('fixtures/html/xywy/static_20160503_fx1234567.htm');
const ASK120_GBK = readFileSync('fixtures/html/120ask/question_fx70551.htm');
const LOGIN_WALL = readFileSync('fixtures/html/unknown/login_wall.html');
const FAST_RETRY = { baseMs: 40, maxMs: 200, maxRetryAfterMs: 5000 };

let tmp: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cmt-scrape-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(tmp, { recursive: true, force: true });
});

async function server(routes: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(routes);
  servers.push(s);
  return s;
}

function config(over: Record<string, unknown>): ScrapeSourceConfig {
  return SourceConfig.parse({
    format: 'scrape',
    site: 'auto',
    requestsPerSecond: 20,
    perHostConcurrency: 2,
    maxRetries: 1,
    timeoutMs: 2000,
    maxBodyBytes: 64 * 1024,
    maxRedirects: 3,
    ...over,
  }) as ScrapeSourceConfig;
}

async function collect(cfg: ScrapeSourceConfig, deps: Partial<ScrapeDeps> = {}): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  for await (const item of scrapeSource(cfg, { logger: silentLogger, retry: FAST_RETRY, ...deps })) out.push(item);
  return out;
}

/** "dialogue:<turns>" or the reject reason, per URL. */
const outcome = (i: ImportItem) => (i.kind === 'dialogue' ? `dialogue:${i.dialogue.turns.length}` : i.reject.reason);
const turnsOf = (i: ImportItem) => (i.kind === 'dialogue' ? i.dialogue.turns : []);

describe('scrapeSource against a local site', () => {
  let site: TestServer;
  let forbidden: TestServer;
  let items: ImportItem[];
  let urls: string[];
  let expected: string[];
  const rawStore = () => path.join(tmp, 'site');

  beforeAll(async () => {
    forbidden = await server({ '/flow/x.html': send(HAODF), '/robots.txt': send('', 'text/plain') });
    const chain: Record<string, ReturnType<typeof redirect>> = {};
    for (let i = 0; i < 6; i++) chain[`/flow/chain-${i}.html`] = redirect(`/flow/chain-${i + 1}.html`);
    const big = Buffer.alloc(300 * 1024, 'a');
    site = await server({
      '/robots.txt': send(
        ['User-agent: *', 'Disallow: /', '', 'User-agent: cmtmedqa', 'Disallow: /flow/private/', 'Allow: /flow/private/open-', 'Crawl-delay: 0.08', ''].join('\n'),
        'text/plain',
      ),
      '/flow/menzhen_fx_1001_2001.html': send(HAODF, 'text/html; charset=utf-8'),
      '/flow/menzhen_pr_6481987203_8888362349.html': send(REAL_HAODF, 'text/html'),
      '/flow/gbk-declared-utf8.html': send(iconv.encode(HAODF.toString('utf8'), 'gbk'), 'text/html; charset=utf-8'),
      '/flow/utf8-declared-gbk.html': send(Buffer.from(HAODF.toString('utf8').replace('<meta charset="utf-8">', '<meta charset="gbk">')), 'text/html; charset=gbk'),
      '/flow/truncated.html': send(HAODF.subarray(0, Math.floor(HAODF.length * 0.6)), 'text/html; charset=utf-8'),
      '/flow/unknown.html': send(LOGIN_WALL),
      '/flow/garbage.html': send(Buffer.concat([Buffer.from('<html><head><meta charset="utf-8"></head><body>'), Buffer.from([0xff, 0x41, 0x80, 0xff, 0xfe, 0x81]), Buffer.from('</body></html>')])),
      '/flow/private/secret.html': send(HAODF),
      '/flow/private/open-1.html': send(HAODF),
      '/flow/loop-a.html': redirect('/flow/loop-b.html'),
      '/flow/loop-b.html': redirect('/flow/loop-a.html'),
      ...chain,
      '/flow/moved.html': redirect('/flow/menzhen_fx_1001_2001.html', 301),
      '/flow/out.html': redirect(`http://127.0.0.1:${forbidden.port}/flow/x.html`),
      '/flow/big.html': send(big, 'text/html', { 'content-length': String(big.length) }),
      '/flow/big-chunked.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(16 * 1024, 'b');
        let n = 0;
        const write = () => {
          while (n < 16 && !res.destroyed) {
            n++;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          if (!res.destroyed) res.end();
        };
        write();
      },
      '/pc/qa/fxAbC123xyz/': send(CHUNYU, 'text/html; charset=utf-8'),
      '/static/20160503/fx1234567.htm': send(XYWY_GBK, 'text/html'),
      '/question/fx70551.htm': send(ASK120_GBK, 'text/html; charset=gbk'),
      '/flow/gzipped.html': send(zlib.gzipSync(HAODF), 'text/html; charset=utf-8', { 'content-encoding': 'gzip' }),
      '/flow/gzip-bomb.html': send(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)), 'text/html', { 'content-encoding': 'gzip' }),
    });
    const o = site.origin;
    const table: Array<[string, string]> = [
      [`${o}/flow/menzhen_fx_1001_2001.html`, 'dialogue:4'],
      [`${o}/flow/menzhen_pr_6481987203_8888362349.html`, 'dialogue:5'],
      [`${o}/flow/gbk-declared-utf8.html`, 'dialogue:4'],
      [`${o}/flow/utf8-declared-gbk.html`, 'dialogue:4'],
      [`${o}/flow/truncated.html`, 'parse.truncated'],
      [`${o}/flow/unknown.html`, 'parse.layout_unrecognised'],
      [`${o}/flow/garbage.html`, 'parse.charset'],
      [`${o}/flow/private/secret.html`, 'scrape.robots_disallowed'],
      [`${o}/flow/private/open-1.html`, 'dialogue:4'],
      [`${o}/flow/loop-a.html`, 'scrape.redirect_limit'],
      [`${o}/flow/chain-0.html`, 'scrape.redirect_limit'],
      [`${o}/flow/moved.html`, 'dialogue:4'],
      [`${o}/flow/out.html`, 'scrape.host_not_allowed'],
      [`${o}/flow/big.html`, 'scrape.too_large'],
      [`${o}/flow/big-chunked.html`, 'scrape.too_large'],
      [`${o}/flow/missing.html`, 'scrape.http_error'],
      [`${o}/pc/qa/fxAbC123xyz/`, 'dialogue:4'],
      [`${o}/static/20160503/fx1234567.htm`, 'dialogue:2'],
      [`${o}/question/fx70551.htm`, 'dialogue:2'],
      [`${o}/flow/gzipped.html`, 'dialogue:4'],
      [`${o}/flow/gzip-bomb.html`, 'scrape.too_large'],
      [`${o}/no-adapter-matches`, 'parse.layout_unrecognised'],
      [`http://127.0.0.1:${forbidden.port}/flow/x.html`, 'scrape.host_not_allowed'],
      [`http://localhost:${forbidden.port}/flow/x.html`, 'scrape.address_refused'],
      ['http://169.254.169.254/flow/x.html', 'scrape.address_refused'],
      ['https://www.haodf.com/flow/menzhen_pr_1_2.html', 'scrape.host_not_allowed'],
    ];
    urls = table.map(([u]) => u);
    expected = table.map(([, e]) => e);
    items = await collect(config({ urls, allowHosts: [`127.0.0.1:${site.port}`, 'localhost', '169.254.169.254'], maxBodyBytes: 128 * 1024, rawStore: rawStore() }));
  });

  it('accounts for every URL, in order: a dialogue or its exact reject reason', () => {
    expect(items.map(outcome)).toEqual(expected);
    expect(items.map((i) => (i.kind === 'dialogue' ? i.dialogue.origin.position : i.reject.origin.position))).toEqual(urls.map((_, i) => i + 1));
    for (const i of items) if (i.kind === 'reject') expect(i.reject.stage).toBe(i.reject.reason.split('.')[0]);
  });

  it('yields RawDialogues whose origin points into the raw store', () => {
    const first = items[0];
    if (first.kind !== 'dialogue') throw new Error('expected a dialogue');
    const o = first.dialogue.origin;
    expect(o).toEqual({ format: 'scrape', file: expect.stringMatching(/^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/), sourceId: 'menzhen_fx_1001_2001', position: 1, url: urls[0] });
    expect(readFileSync(path.join(rawStore(), o.file)).equals(HAODF)).toBe(true);
    expect(first.dialogue).toMatchObject({ department: '消化内科', disease: '胃胀反酸', title: '反复胃胀、反酸两个月 饭后胃胀反酸怎么办' });
  });

  it('parses the real haodf page served locally into 5 turns with the right roles', () => {
    expect(turnsOf(items[1]).map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '患者', '医生']);
    expect(turnsOf(items[1])[4].text).toBe('是的');
  });

  it('decodes by the bytes when the declared charset is wrong, either way', () => {
    expect(turnsOf(items[2])).toEqual(turnsOf(items[0]));
    expect(turnsOf(items[3])).toEqual(turnsOf(items[0]));
    expect(turnsOf(items[17])[0].text.startsWith('最近体检量血压150/95')).toBe(true);
    expect(turnsOf(items[18])[1].text.startsWith('病情分析：')).toBe(true);
  });

  it('puts the matching robots rule, URL and raw-store key in reject evidence', () => {
    const robots = items[7].kind === 'reject' ? items[7].reject : undefined;
    expect(robots?.evidence).toMatchObject({ rule: 'Disallow: /flow/private/', group: 'cmtmedqa', robotsUrl: `${site.origin}/robots.txt` });
    expect(site.hits('/flow/private/secret.html')).toHaveLength(0);
    const unknown = items[5].kind === 'reject' ? items[5].reject : undefined;
    expect(unknown?.evidence).toMatchObject({ url: urls[5], rawKey: expect.stringMatching(/^blobs\//), adapter: 'haodf', reason: 'no div.f-card turn cards: not a haodf consultation flow page' });
    const loop = items[9].kind === 'reject' ? items[9].reject : undefined;
    expect(loop?.evidence).toMatchObject({ loop: true, redirects: [`${site.origin}/flow/loop-b.html`, `${site.origin}/flow/loop-a.html`] });
    const chain = items[10].kind === 'reject' ? items[10].reject : undefined;
    expect(chain?.evidence).toMatchObject({ loop: false });
    expect(site.hits('/flow/chain-3.html')).toHaveLength(1);
    expect(site.hits('/flow/chain-4.html')).toHaveLength(0);
    const big = items[13].kind === 'reject' ? items[13].reject : undefined;
    expect(big?.evidence).toMatchObject({ declared: true, bytes: 300 * 1024, maxBodyBytes: 128 * 1024 });
    const chunked = items[14].kind === 'reject' ? items[14].reject : undefined;
    expect(chunked?.evidence).toMatchObject({ declared: false, maxBodyBytes: 128 * 1024 });
    const refused = items[23].kind === 'reject' ? items[23].reject : undefined;
    expect(refused?.evidence).toMatchObject({ url: urls[23], range: 'loopback' });
  });

  it('fetches robots.txt once, then spaces requests by its Crawl-delay and never exceeds the rate', () => {
    expect(site.hits('/robots.txt')).toHaveLength(1);
    expect(site.log[0].path).toBe('/robots.txt');
    const times = site.log.map((r) => r.t);
    expect(maxInWindow(times)).toBeLessThanOrEqual(20);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // robots.txt → first page: the Crawl-delay was not known when robots.txt was requested; the rate was.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    // Page to page: Crawl-delay 0.08 s (a few ms of jitter between our clock and the server's allowed).
    expect(Math.min(...gaps.slice(1))).toBeGreaterThanOrEqual(68);
    for (const r of site.log) expect(r.headers['user-agent']).toMatch(/^cmtmedqa\/0\.1 /);
  });

  it('refuses hosts off the allow-list and private addresses without connecting', () => {
    expect(forbidden.log).toEqual([]);
  });
});

describe('scrapeSource politeness and retries', () => {
  it('never starts more requests per second on a host than requestsPerSecond, measured by the server', async () => {
    const burst = await server({ '/flow/p.html': send(HAODF) });
    const urls = Array.from({ length: 40 }, (_, i) => `${burst.origin}/flow/p.html?n=${i}`);
    const items = await collect(config({ site: 'haodf', urls, allowHosts: [`127.0.0.1:${burst.port}`], perHostConcurrency: 4, rawStore: path.join(tmp, 'burst') }));
    expect(items.map(outcome)).toEqual(urls.map(() => 'dialogue:4'));
    const times = burst.log.map((r) => r.t);
    expect(burst.log).toHaveLength(41); // robots.txt (404: allow all) + 40 pages
    expect(maxInWindow(times)).toBeLessThanOrEqual(20);
    expect(maxInWindow(times)).toBeGreaterThanOrEqual(15); // and it does run close to the limit
  });

  it('retries 429/503 after their Retry-After (seconds or HTTP-date), times out slow pages and gives up', async () => {
    let retryDate = 0;
    const flaky = await server({
      '/flow/retry-429.html': (_req, res, hit) => {
        if (hit === 1) return void res.writeHead(429, { 'retry-after': '1' }).end();
        send(HAODF)(_req, res, hit);
      },
      '/flow/retry-503-date.html': (_req, res, hit) => {
        if (hit === 1) {
          retryDate = Math.ceil((Date.now() + 1200) / 1000) * 1000;
          return void res.writeHead(503, { 'retry-after': new Date(retryDate).toUTCString() }).end();
        }
        send(HAODF)(_req, res, hit);
      },
      '/flow/slow.html': (req, res) => {
        const t = setTimeout(() => !res.destroyed && send(HAODF)(req, res, 0), 1500);
        res.on('close', () => clearTimeout(t));
      },
      '/flow/always-500.html': (_req, res) => void res.writeHead(500).end(),
      '/flow/retry-after-hour.html': (_req, res) => void res.writeHead(503, { 'retry-after': '3600' }).end(),
    });
    const paths = ['/flow/retry-429.html', '/flow/retry-503-date.html', '/flow/slow.html', '/flow/always-500.html', '/flow/retry-after-hour.html'];
    const items = await collect(
      config({ site: 'haodf', urls: paths.map((p) => flaky.origin + p), allowHosts: [`127.0.0.1:${flaky.port}`], maxRetries: 2, timeoutMs: 300, rawStore: path.join(tmp, 'flaky') }),
    );
    expect(items.map(outcome)).toEqual(['dialogue:4', 'dialogue:4', 'scrape.network_error', 'scrape.http_error', 'scrape.http_error']);

    const h429 = flaky.hits('/flow/retry-429.html');
    expect(h429.map((r) => r.status)).toEqual([429, 200]);
    expect(h429[1].t - h429[0].t).toBeGreaterThanOrEqual(1000);
    const h503 = flaky.hits('/flow/retry-503-date.html');
    expect(h503.map((r) => r.status)).toEqual([503, 200]);
    expect(h503[1].t).toBeGreaterThanOrEqual(retryDate);
    expect(flaky.hits('/flow/slow.html')).toHaveLength(3);
    expect(flaky.hits('/flow/always-500.html')).toHaveLength(3);
    expect(flaky.hits('/flow/retry-after-hour.html')).toHaveLength(1);
    expect(items[4].kind === 'reject' && items[4].reject.evidence).toMatchObject({ status: 503, retryAfterMs: 3_600_000 });
  });

  it('treats a robots.txt that keeps failing with 5xx as disallow-all, and a 4xx one as allow-all', async () => {
    const down = await server({ '/robots.txt': (_req, res) => void res.writeHead(503).end(), '/flow/p.html': send(HAODF) });
    const gone = await server({ '/robots.txt': (_req, res) => void res.writeHead(403).end(), '/flow/p.html': send(HAODF) });
    const items = await collect(
      config({ site: 'haodf', urls: [`${down.origin}/flow/p.html`, `${gone.origin}/flow/p.html`], allowHosts: [`127.0.0.1:${down.port}`, `127.0.0.1:${gone.port}`], rawStore: path.join(tmp, 'robots') }),
    );
    expect(items.map(outcome)).toEqual(['scrape.robots_disallowed', 'dialogue:4']);
    expect(items[0].kind === 'reject' && items[0].reject.evidence).toMatchObject({ basis: 'robots_unavailable', rule: '(robots.txt unavailable: HTTP 503) disallow all' });
    expect(down.hits('/flow/p.html')).toHaveLength(0);
  });
});

describe('scrapeSource re-runs', () => {
  it('re-fetches conditionally, reuses the stored body on 304, and parses nothing twice', async () => {
    const cond = await server({
      '/flow/etag.html': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Mon, 02 Mar 2020 08:00:00 GMT' }).end(HAODF);
      },
      '/flow/same.html': send(HAODF, 'text/html; charset=utf-8'),
    });
    let parses = 0;
    const counting: SiteAdapter = { ...haodfAdapter, parse: (html, url) => (parses++, haodfAdapter.parse(html, url)) };
    const store = path.join(tmp, 'cond');
    const cfg = config({ site: 'haodf', urls: [`${cond.origin}/flow/etag.html`, `${cond.origin}/flow/same.html`], allowHosts: [`127.0.0.1:${cond.port}`], rawStore: store });

    const first = await collect(cfg, { adapters: [counting] });
    expect(first.map(outcome)).toEqual(['dialogue:4', 'dialogue:4']);
    expect(parses).toBe(2);

    const second = await collect(cfg, { adapters: [counting] });
    expect(parses).toBe(2); // no parse work on the re-run
    expect(second).toEqual(first);
    const etagHits = cond.hits('/flow/etag.html');
    expect(etagHits.map((r) => r.status)).toEqual([200, 304]);
    expect(etagHits[1].headers['if-none-match']).toBe('"v1"');
    expect(etagHits[1].headers['if-modified-since']).toBe('Mon, 02 Mar 2020 08:00:00 GMT');
    expect(cond.hits('/flow/same.html')[1].headers['if-none-match']).toBeUndefined();

    // A new adapter version re-parses from the raw store, with no request at all.
    const before = cond.log.length;
    const reparsed: ImportItem[] = [];
    for await (const i of reparseStored({ site: 'haodf', rawStore: store }, { logger: silentLogger, adapters: [{ ...counting, version: '2' }] })) reparsed.push(i);
    expect(reparsed.map(outcome)).toEqual(['dialogue:4', 'dialogue:4']);
    expect(parses).toBe(4);
    expect(cond.log.length).toBe(before);
    expect(existsSync(path.join(store, 'parsed', 'haodf@2'))).toBe(true);
  });
});
