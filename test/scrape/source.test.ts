import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ImportItem } from '../../src/sources/types.js';
import { haodfAdapter } from '../../src/scrape/adapters/index.js';
import type { SiteAdapter } from '../../src/scrape/adapters/index.js';
import { reparseStored, scrapeSource, type ScrapeDeps } from '../../src/scrape/source.js';
import { maxInWindow, startServerThread, type LoggedRequest, type RemoteServer } from './server.js';

const HAODF = readFileSync('fixtures/html/haodf/menzhen_fx_1001_2001.html');
const FAST_RETRY = { baseMs: 40, maxMs: 200, maxRetryAfterMs: 5000 };

let tmp: string;
const servers: RemoteServer[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cmt-scrape-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(tmp, { recursive: true, force: true });
});

/** A local site in its own worker thread (see site-routes.ts). */
async function site(name: string, params: Record<string, unknown> = {}): Promise<RemoteServer> {
  const s = await startServerThread(name, params);
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
const evidenceOf = (i: ImportItem) => (i.kind === 'reject' ? i.reject.evidence : undefined);
const hits = (log: LoggedRequest[], p: string) => log.filter((r) => r.path.split('?')[0] === p);

describe('scrapeSource against a local site', () => {
  let main: RemoteServer;
  let forbidden: RemoteServer;
  let items: ImportItem[];
  /** Every item, a page's further answer threads (xywy: another doctor's answer, origin.visit ≥ 1) included. */
  let all: ImportItem[];
  let urls: string[];
  let expected: string[];
  let log: LoggedRequest[];
  const rawStore = () => path.join(tmp, 'site');

  beforeAll(async () => {
    forbidden = await site('forbidden');
    main = await site('site', { forbiddenPort: forbidden.port });
    const o = main.origin;
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
      [`${o}/question/20180712/fx7654321.htm`, 'dialogue:4'],
      [`${o}/question/fx70551.htm`, 'dialogue:2'],
      [`${o}/flow/gzipped.html`, 'dialogue:4'],
      [`${o}/flow/gzip-bomb.html`, 'scrape.too_large'],
      [`${o}/no-adapter-matches`, 'parse.layout_unrecognised'],
      [`http://127.0.0.1:${forbidden.port}/flow/x.html`, 'scrape.host_not_allowed'],
      [`http://localhost:${forbidden.port}/flow/x.html`, 'scrape.address_refused'],
      ['http://169.254.169.254/flow/x.html', 'scrape.address_refused'],
      ['https://www.haodf.com/flow/menzhen_pr_1_2.html', 'scrape.host_not_allowed'],
      [`${o}/flow/login-page.html`, 'scrape.login_required'],
      [`${o}/flow/needs-login.html`, 'scrape.login_required'],
      [`${o}/flow/profile.html`, 'parse.not_a_consultation'],
      [`${o}/flow/wenda-2015.html`, 'dialogue:6'],
      [`${o}/flow/bingcheng-2022.html`, 'dialogue:6'],
    ];
    urls = table.map(([u]) => u);
    expected = table.map(([, e]) => e);
    all = await collect(config({ urls, allowHosts: [`127.0.0.1:${main.port}`, 'localhost', '169.254.169.254'], maxBodyBytes: 128 * 1024, rawStore: rawStore() }));
    items = all.filter((i) => i.kind !== 'dialogue' || !i.dialogue.origin.visit);
    log = await main.log();
  });

  it('accounts for every URL, in order: a dialogue or its exact reject reason', () => {
    expect(items.map(outcome)).toEqual(expected);
    // The xywy and 120ask pages' second doctors are dialogues of their own, right after the first, at the same position.
    const more = all.filter((i) => !items.includes(i));
    expect(more.map((i) => (i.kind === 'dialogue' ? [i.dialogue.origin.position, i.dialogue.origin.visit, outcome(i)] : []))).toEqual([[18, 1, 'dialogue:2'], [19, 1, 'dialogue:2']]);
    expect(all.indexOf(more[0])).toBe(all.indexOf(items[17]) + 1);
    expect(all.indexOf(more[1])).toBe(all.indexOf(items[18]) + 1);
    expect(items.map((i) => (i.kind === 'dialogue' ? i.dialogue.origin.position : i.reject.origin.position))).toEqual(urls.map((_, i) => i + 1));
    for (const i of items) if (i.kind === 'reject') expect(i.reject.stage).toBe(i.reject.reason.split('.')[0]);
  });

  it('yields RawDialogues whose origin points into the raw store', () => {
    const first = items[0];
    if (first.kind !== 'dialogue') throw new Error('expected a dialogue');
    const o = first.dialogue.origin;
    expect(o).toEqual({ format: 'scrape', file: expect.stringMatching(/^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/), sourceId: 'menzhen_fx_1001_2001', position: 1, url: urls[0], layout: 'haodf/flow-2020', placeholders: 1 });
    expect(readFileSync(path.join(rawStore(), o.file)).equals(HAODF)).toBe(true);
    expect(first.dialogue).toMatchObject({ department: '消化内科', disease: '胃胀反酸', title: '反复胃胀、反酸两个月 饭后胃胀反酸怎么办' });
  });

  it('parses the real haodf page served locally into 5 turns with the right roles', () => {
    expect(turnsOf(items[1]).map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '患者', '医生']);
    expect(turnsOf(items[1])[4].text).toBe('是的');
  });

  it('decodes by the bytes when the declared charset is wrong, either way, and undoes gzip', () => {
    expect(turnsOf(items[2])).toEqual(turnsOf(items[0]));
    expect(turnsOf(items[3])).toEqual(turnsOf(items[0]));
    expect(turnsOf(items[19])).toEqual(turnsOf(items[0]));
    expect(turnsOf(items[17])[0].text.startsWith('这半年吃完饭胃里有烧灼感')).toBe(true);
    expect(turnsOf(items[18])[1].text.startsWith('病情分析：')).toBe(true);
  });

  it('puts the deciding rule, URL and raw-store key in reject evidence', () => {
    expect(evidenceOf(items[7])).toMatchObject({ rule: 'Disallow: /flow/private/', group: 'cmtmedqa', robotsUrl: `${main.origin}/robots.txt` });
    expect(hits(log, '/flow/private/secret.html')).toHaveLength(0);
    expect(evidenceOf(items[5])).toMatchObject({ url: urls[5], rawKey: expect.stringMatching(/^blobs\//), site: 'haodf', adapter: 'haodf', reason: 'no haodf layout matches (tried zzx-2015, flow-2020, bingcheng-2022)' });
    expect(evidenceOf(items[9])).toMatchObject({ loop: true, redirects: [`${main.origin}/flow/loop-b.html`, `${main.origin}/flow/loop-a.html`] });
    expect(evidenceOf(items[10])).toMatchObject({ loop: false });
    expect(hits(log, '/flow/chain-3.html')).toHaveLength(1);
    expect(hits(log, '/flow/chain-4.html')).toHaveLength(0);
    expect(evidenceOf(items[13])).toMatchObject({ declared: true, bytes: 300 * 1024, maxBodyBytes: 128 * 1024 });
    expect(evidenceOf(items[14])).toMatchObject({ declared: false, maxBodyBytes: 128 * 1024 });
    expect(evidenceOf(items[23])).toMatchObject({ url: urls[23], range: 'loopback' });
    expect(evidenceOf(items[24])).toMatchObject({ address: '169.254.169.254', range: 'link-local' });
  });

  it('records the layout that read each page in origin, and counts dropped placeholders', () => {
    const layoutOf = (i: ImportItem) => (i.kind === 'dialogue' ? i.dialogue.origin.layout : undefined);
    expect(layoutOf(items[0])).toBe('haodf/flow-2020');
    expect(layoutOf(items[16])).toBe('chunyu/block-right');
    expect(layoutOf(items[17])).toBe('xywy/club-2016');
    expect(layoutOf(items[18])).toBe('120ask/ask-2015');
    expect(layoutOf(items[29])).toBe('haodf/zzx-2015');
    expect(layoutOf(items[30])).toBe('haodf/bingcheng-2022');
    expect(items[0].kind === 'dialogue' && items[0].dialogue.origin.placeholders).toBe(1);
    expect(items[30].kind === 'dialogue' && items[30].dialogue.origin.placeholders).toBe(2);
  });

  it('ends a login wall as scrape.login_required, never fetching the login host, and a profile as parse.not_a_consultation', () => {
    expect(evidenceOf(items[27])).toMatchObject({ status: 302, location: 'https://passport.haodf.com/user/login?from=%2Fflow%2Fneeds-login.html' });
    expect(items[27].kind === 'reject' && items[27].reject.detail).toMatch(/redirects to a login page/);
    expect(evidenceOf(items[26])).toMatchObject({ site: 'haodf', reason: 'a login page is served instead of the consultation', rawKey: expect.stringMatching(/^blobs\//) });
    expect(evidenceOf(items[28])).toMatchObject({ site: 'haodf', reason: 'a doctor profile page, not a consultation' });
  });

  it('fetches robots.txt once, then spaces requests by its Crawl-delay, measured by the server', () => {
    expect(hits(log, '/robots.txt')).toHaveLength(1);
    expect(log[0].path).toBe('/robots.txt');
    const pages = log.slice(1).map((r) => r.t);
    // Crawl-delay 0.1 s: at most 10 starts in any second (the rate alone would allow 20) …
    expect(maxInWindow(log.map((r) => r.t))).toBeLessThanOrEqual(10);
    // … and on average at least 100 ms apart (single gaps may shrink by scheduling jitter on a busy machine).
    expect((pages[pages.length - 1] - pages[0]) / (pages.length - 1)).toBeGreaterThanOrEqual(100);
    for (const r of log) expect(r.headers['user-agent']).toMatch(/^cmtmedqa\/0\.1 /);
  });

  it('refuses hosts off the allow-list and private addresses without connecting', async () => {
    expect(await forbidden.log()).toEqual([]);
  });
});

describe('scrapeSource politeness and retries', () => {
  it('never starts more requests per second on a host than requestsPerSecond, measured by the server', async () => {
    const burst = await site('burst');
    const urls = Array.from({ length: 40 }, (_, i) => `${burst.origin}/flow/p.html?n=${i}`);
    const items = await collect(config({ site: 'haodf', urls, allowHosts: [`127.0.0.1:${burst.port}`], perHostConcurrency: 4, rawStore: path.join(tmp, 'burst') }));
    expect(items.map(outcome)).toEqual(urls.map(() => 'dialogue:4'));
    const log = await burst.log();
    expect(log).toHaveLength(41); // robots.txt (404: allow all) + 40 pages
    const times = log.map((r) => r.t);
    expect(maxInWindow(times)).toBeLessThanOrEqual(20);
    expect(maxInWindow(times)).toBeGreaterThanOrEqual(15); // and it does run close to the limit
  });

  it('retries 429/503 after their Retry-After (seconds or HTTP-date), times out slow pages and gives up', async () => {
    const flaky = await site('flaky');
    const paths = ['/flow/retry-429.html', '/flow/retry-503-date.html', '/flow/slow.html', '/flow/always-500.html', '/flow/retry-after-hour.html'];
    const items = await collect(
      config({ site: 'haodf', urls: paths.map((p) => flaky.origin + p), allowHosts: [`127.0.0.1:${flaky.port}`], maxRetries: 2, timeoutMs: 300, rawStore: path.join(tmp, 'flaky') }),
    );
    expect(items.map(outcome)).toEqual(['dialogue:4', 'dialogue:4', 'scrape.network_error', 'scrape.http_error', 'scrape.http_error']);

    const log = await flaky.log();
    const h429 = hits(log, '/flow/retry-429.html');
    expect(h429.map((r) => r.status)).toEqual([429, 200]);
    expect(h429[1].t - h429[0].t).toBeGreaterThanOrEqual(1000);
    const h503 = hits(log, '/flow/retry-503-date.html');
    expect(h503.map((r) => r.status)).toEqual([503, 200]);
    expect(h503[1].t).toBeGreaterThanOrEqual(Date.parse(String(h503[0].responseHeaders?.['retry-after'])));
    expect(hits(log, '/flow/slow.html')).toHaveLength(3);
    expect(hits(log, '/flow/always-500.html')).toHaveLength(3);
    expect(hits(log, '/flow/retry-after-hour.html')).toHaveLength(1);
    expect(evidenceOf(items[4])).toMatchObject({ status: 503, retryAfterMs: 3_600_000 });
  });

  it('treats a robots.txt that keeps failing with 5xx as disallow-all, and a 4xx one as allow-all', async () => {
    const down = await site('robotsDown');
    const gone = await site('robotsGone');
    const items = await collect(
      config({ site: 'haodf', urls: [`${down.origin}/flow/p.html`, `${gone.origin}/flow/p.html`], allowHosts: [`127.0.0.1:${down.port}`, `127.0.0.1:${gone.port}`], rawStore: path.join(tmp, 'robots') }),
    );
    expect(items.map(outcome)).toEqual(['scrape.robots_disallowed', 'dialogue:4']);
    expect(evidenceOf(items[0])).toMatchObject({ basis: 'robots_unavailable', rule: '(robots.txt unavailable: HTTP 503) disallow all' });
    expect(hits(await down.log(), '/flow/p.html')).toHaveLength(0);
  });
});

describe('scrapeSource re-runs', () => {
  it('re-fetches conditionally, reuses the stored body on 304, and parses nothing twice', async () => {
    const cond = await site('cond');
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
    const log = await cond.log();
    const etagHits = hits(log, '/flow/etag.html');
    expect(etagHits.map((r) => r.status)).toEqual([200, 304]);
    expect(etagHits[1].headers['if-none-match']).toBe('"v1"');
    expect(etagHits[1].headers['if-modified-since']).toBe('Mon, 02 Mar 2020 08:00:00 GMT');
    expect(hits(log, '/flow/same.html')[1].headers['if-none-match']).toBeUndefined();

    // A new adapter version re-parses from the raw store, with no request at all.
    const reparsed: ImportItem[] = [];
    for await (const i of reparseStored({ site: 'haodf', rawStore: store }, { logger: silentLogger, adapters: [{ ...counting, version: `${haodfAdapter.version}-next` }] })) reparsed.push(i);
    expect(reparsed.map(outcome)).toEqual(['dialogue:4', 'dialogue:4']);
    expect(parses).toBe(4);
    expect((await cond.log()).length).toBe(log.length);
    expect(existsSync(path.join(store, 'parsed', `haodf@${haodfAdapter.version}-next`))).toBe(true);
  });
});
