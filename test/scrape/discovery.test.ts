import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ImportItem } from '../../src/sources/types.js';
import { discoverLinks } from '../../src/scrape/discover.js';
import { ADAPTERS } from '../../src/scrape/adapters/index.js';
import { scrapeSource } from '../../src/scrape/source.js';
import { startServerThread, type LoggedRequest, type RemoteServer } from './server.js';

let tmp: string;
const servers: RemoteServer[] = [];
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cmt-discover-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(tmp, { recursive: true, force: true });
});

function config(over: Record<string, unknown>): ScrapeSourceConfig {
  return SourceConfig.parse({ format: 'scrape', site: 'auto', requestsPerSecond: 50, perHostConcurrency: 2, maxRetries: 0, timeoutMs: 2000, ...over }) as ScrapeSourceConfig;
}
async function collect(cfg: ScrapeSourceConfig): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  for await (const i of scrapeSource(cfg, { logger: silentLogger })) out.push(i);
  return out;
}
const describeItem = (i: ImportItem) => `${new URL(i.kind === 'dialogue' ? i.dialogue.origin.url! : i.reject.origin.url!).pathname} ${i.kind === 'dialogue' ? `dialogue:${i.dialogue.turns.length}` : i.reject.reason}`;
const paths = (log: LoggedRequest[]) => log.map((r) => r.path.split('?')[0]);

describe('discovery from seed list pages', () => {
  it('a seed list page nested too deep to read is a parse.layout_unrecognised reject with the reason (parse5 took 11 s for 30,000 nested divs, growing with the square of the depth), and the other seed is still followed', async () => {
    const site = await startServerThread('hostileList');
    servers.push(site);
    const t = performance.now();
    const items = await collect(config({ seeds: [`${site.origin}/zixun/list.html`, `${site.origin}/zixun/list2.html`], allowHosts: [`127.0.0.1:${site.port}`], rawStore: path.join(tmp, 'hostile') }));
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(items.map(describeItem)).toEqual(['/zixun/list.html parse.layout_unrecognised', '/flow/q-1.html dialogue:4']);
    const r = items[0].kind === 'reject' ? items[0].reject : undefined;
    expect(r?.detail).toBe('list page not read for links: markup nested deeper than 512 elements (browsers stop nesting there): not a page a layout reads');
    expect(r?.evidence).toMatchObject({ listPage: true, rawKey: expect.stringMatching(/^blobs\//) });
  });

  it('extracts the links an adapter reads, resolved, without fragments or duplicates', () => {
    const html = '<a href="/flow/a.html#x">a</a><a href="b.html">b</a><a href="/flow/a.html">dup</a><a href="/zixun/list9.html">l</a><a href="javascript:x()">j</a><a href="/about">n</a>';
    expect(discoverLinks(html, 'http://127.0.0.1:1/flow/index.html', ADAPTERS).map((l) => [l.url.href, l.kind, l.adapter.name])).toEqual([
      ['http://127.0.0.1:1/flow/a.html', 'question', 'haodf'],
      ['http://127.0.0.1:1/flow/b.html', 'question', 'haodf'],
      ['http://127.0.0.1:1/zixun/list9.html', 'list', 'haodf'],
    ]);
  });

  it('follows list pages within maxDepth through robots.txt and the allow-list; every discovered page is accounted for, in queue order', async () => {
    const site = await startServerThread('crawl', { extra: 4 });
    servers.push(site);
    const items = await collect(config({ seeds: [`${site.origin}/zixun/list.html`], allowHosts: [`127.0.0.1:${site.port}`], maxDepth: 2, rawStore: path.join(tmp, 'a') }));
    expect(items.map(describeItem)).toEqual([
      '/flow/q-1.html dialogue:4',
      '/flow/q-2.html dialogue:4',
      '/flow/q-3.html dialogue:4',
      '/flow/private/p.html scrape.robots_disallowed',
      '/flow/q-4.html dialogue:4',
      '/flow/q-5.html dialogue:4',
      '/flow/q-6.html dialogue:4',
      '/flow/q-7.html dialogue:4',
      '/flow/q-8.html dialogue:4',
    ]);
    expect(items.map((i) => (i.kind === 'dialogue' ? i.dialogue.origin.position : i.reject.origin.position))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const log = paths(await site.log());
    expect(log.filter((p) => p === '/robots.txt')).toHaveLength(1);
    for (const p of ['/zixun/list.html', '/zixun/list2.html', '/zixun/list3.html', '/flow/q-1.html']) expect(log.filter((x) => x === p)).toHaveLength(1);
    // Too deep (list3's link), robots-disallowed, off the allow-list, or read by no adapter: never requested.
    for (const p of ['/flow/q-deep.html', '/flow/private/p.html', '/about.html']) expect(log).not.toContain(p);
  });

  it('stops at maxPages: later question pages are scrape.crawl_limit rejects, later list pages are not fetched', async () => {
    const site = await startServerThread('crawl', { extra: 4 });
    servers.push(site);
    const items = await collect(config({ seeds: [`${site.origin}/zixun/list.html`], allowHosts: [`127.0.0.1:${site.port}`], maxPages: 3, rawStore: path.join(tmp, 'b') }));
    expect(items.map(describeItem)).toEqual(['/flow/q-1.html dialogue:4', '/flow/q-2.html dialogue:4', '/flow/q-3.html scrape.crawl_limit', '/flow/private/p.html scrape.crawl_limit', '/flow/q-4.html scrape.crawl_limit']);
    const rej = items[4];
    expect(rej.kind === 'reject' && rej.reject.evidence).toMatchObject({ maxPages: 3, depth: 1 });
    const log = paths(await site.log());
    expect(log).not.toContain('/zixun/list2.html');
    expect(log).not.toContain('/flow/q-3.html');
    expect(log.filter((p) => p.startsWith('/flow/') || p.startsWith('/zixun/'))).toHaveLength(3);
  });

  it('rejects a seed it cannot fetch like any URL', async () => {
    const site = await startServerThread('crawl', { extra: 0 });
    servers.push(site);
    const items = await collect(config({ seeds: [`${site.origin}/zixun/missing.html`, 'https://www.haodf.com/zixun/list.html'], allowHosts: [`127.0.0.1:${site.port}`], rawStore: path.join(tmp, 'c') }));
    expect(items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'))).toEqual(['scrape.http_error', 'scrape.host_not_allowed']);
  });
});
