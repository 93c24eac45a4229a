import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ImportItem } from '../../src/sources/types.js';
import { crawlItems, crawlWorkersByUrl, dropCrawl, startCrawl, startCrawlWorker, waitForCrawl, type CrawlSetup } from '../../src/scrape/crawl-queue.js';
import { RedisHostLimiter } from '../../src/scrape/redis-limiter.js';
import { ensureRedis } from '../support/services.js';
import { maxInWindow, startServerThread, type RemoteServer } from './server.js';

let url: string;
let tmp: string;
let redis: Redis;
const servers: RemoteServer[] = [];
beforeAll(async () => {
  url = ensureRedis();
  redis = new Redis(url);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cmt-crawl-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await redis.quit();
  await rm(tmp, { recursive: true, force: true });
});

describe('RedisHostLimiter (real Redis)', () => {
  it('spaces starts on one host across two limiter instances and caps leases in flight', async () => {
    const prefix = `cmt-test:lim:${process.pid}:${Date.now()}`;
    const a = new RedisHostLimiter(redis, { requestsPerSecond: 50, concurrency: 2, prefix, margin: 0 });
    const other = redis.duplicate();
    const b = new RedisHostLimiter(other, { requestsPerSecond: 50, concurrency: 2, prefix, margin: 0 });
    const starts: number[] = [];
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const lease = await (i % 2 ? a : b).acquire('h:1');
        starts.push(Date.now());
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 60));
        inFlight--;
        lease.release();
      }),
    );
    starts.sort((x, y) => x - y);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    // 20 ms apart by Redis's clock; seen from the client, reply latency jitters on a loaded machine,
    // so each gap may look shorter, but none collapses to 0 and the whole span holds the rate.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(8);
    expect(starts[starts.length - 1] - starts[0]).toBeGreaterThanOrEqual(11 * 20 - 15);
    expect(peak).toBe(2);
    await b.setMinInterval('h:1', 100);
    const t0 = Date.now();
    (await a.acquire('h:1')).release();
    (await a.acquire('h:1')).release();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95); // the Crawl-delay one worker learnt holds for the other
    await other.quit();
  });
});

describe('discovery in two BullMQ crawl workers', () => {
  it('discovers list → question pages end to end, holding requestsPerSecond per host across both workers (server log)', async () => {
    const site = await startServerThread('crawl', { extra: 24 });
    servers.push(site);
    const cfg = SourceConfig.parse({
      format: 'scrape',
      site: 'auto',
      seeds: [`${site.origin}/zixun/list.html`],
      allowHosts: [`127.0.0.1:${site.port}`],
      requestsPerSecond: 10,
      perHostConcurrency: 2,
      maxRetries: 0,
      timeoutMs: 3000,
      maxDepth: 2,
      rawStore: path.join(tmp, 'raw'),
    }) as ScrapeSourceConfig;
    const setup: CrawlSetup = { cfg, crawlId: `t${process.pid}-${Date.now()}`, redisUrl: url, prefix: 'cmt-test' };
    const workers = [await startCrawlWorker(setup, { logger: silentLogger, concurrency: 4, name: 'w1' }), await startCrawlWorker(setup, { logger: silentLogger, concurrency: 4, name: 'w2' })];
    try {
      await startCrawl(setup);
      await waitForCrawl(setup);
      const items: ImportItem[] = [];
      for await (const i of crawlItems(setup, { logger: silentLogger })) items.push(i);

      // 4 + 24 question pages found, one robots-disallowed; the too-deep page never fetched.
      const outcome = (i: ImportItem) => (i.kind === 'dialogue' ? 'dialogue' : i.reject.reason);
      expect(items.filter((i) => outcome(i) === 'dialogue')).toHaveLength(28);
      expect(items.filter((i) => i.kind === 'reject').map(outcome)).toEqual(['scrape.robots_disallowed']);
      const positions = items.map((i) => (i.kind === 'dialogue' ? i.dialogue.origin.position : i.reject.origin.position));
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      for (const i of items) if (i.kind === 'dialogue') expect(i.dialogue.origin.layout).toBe('haodf/flow-2020');

      const log = await site.log();
      const pages = log.filter((r) => r.path !== '/robots.txt');
      expect(pages.map((r) => r.path)).not.toContain('/flow/q-deep.html');
      expect(pages).toHaveLength(3 + 28); // three list pages and every question page, each once
      expect(new Set(pages.map((r) => r.path)).size).toBe(pages.length);
      const times = log.map((r) => r.t);
      const perSecond = maxInWindow(times, 1000);
      const mean = ((times.length - 1) / (Math.max(...times) - Math.min(...times))) * 1000;
      // eslint-disable-next-line no-console
      console.log(`crawl: ${log.length} requests, max ${perSecond} in any 1 s window, mean ${mean.toFixed(2)} req/s per host (limit 10)`);
      expect(perSecond).toBeLessThanOrEqual(10);
      expect(perSecond).toBeGreaterThanOrEqual(7); // and it runs close to the limit
      const by = Object.values(await crawlWorkersByUrl(setup));
      expect(by.filter((w) => w === 'w1').length).toBeGreaterThan(3);
      expect(by.filter((w) => w === 'w2').length).toBeGreaterThan(3);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await dropCrawl(setup);
    }
  }, 60_000);
});
