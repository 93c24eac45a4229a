/**
 * Discovery and fetching in BullMQ workers: the distributed form of a scrape source with seeds.
 * One queue per crawl (`crawl.<crawlId>`), one job per URL (job id from the URL, so a URL found twice
 * is fetched once). A worker fetches through the same scraper as scrapeSource (allow-list, robots,
 * SSRF guard, raw store) with a RedisHostLimiter, so the per-host rate holds across all workers;
 * for a list page it adds the links it finds (within maxDepth; maxPages counted in Redis).
 * Every URL taken gets an outcome in Redis (fetched, or the reject); `crawlItems` turns the finished
 * crawl into ImportItems in the order the URLs were taken, parsing from the raw store.
 * Keys: <prefix>:crawl:<id>:seen (set of URLs), :seq (counter), :pages (counter), :outcomes (hash url → JSON).
 * Must not: parse pages in the worker (the parse is the coordinator's, from the raw store), or lose a
 * URL: a job that fails after its retries still records an outcome.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Origin } from '../../schemas/dialogue.js';
import type { ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { sha256Hex } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { makeReject } from '../core/reject.js';
import type { ImportItem } from '../sources/types.js';
import { bullConnection, openClient } from '../executors/bullmq/connection.js';
import { ADAPTERS, adapterByName, adapterForUrl, type SiteAdapter } from './adapters/index.js';
import { decodeHtml } from './charset.js';
import { discoverLinks } from './discover.js';
import { MarkupRefused } from './adapters/types.js';
import { RedisHostLimiter } from './redis-limiter.js';
import { LIST_ONLY, openScraper, parsePage, type ScrapeDeps } from './source.js';
import { RawStore } from './raw-store.js';
import path from 'node:path';

export interface CrawlJob {
  url: string;
  depth: number;
  kind: 'listed' | 'seed' | 'list' | 'question';
  site?: string;
  seq: number;
}

type Outcome = ({ seq: number; kind: CrawlJob['kind']; ok: true; site: string } | { seq: number; kind: CrawlJob['kind']; ok: false; item: ImportItem }) & { worker?: string };

export interface CrawlSetup {
  cfg: ScrapeSourceConfig;
  crawlId: string;
  redisUrl: string;
  /** Key prefix (default `cmt`). */
  prefix?: string;
}

const queueName = (id: string) => `crawl.${id}`;
const key = (s: CrawlSetup, k: string) => `${s.prefix ?? 'cmt'}:crawl:${s.crawlId}:${k}`;

/**
 * Take a URL: once per crawl, numbered, counted against maxPages (list and question pages alike).
 * Returns the seq, or 0 when already seen; -seq when over budget (recorded as scrape.crawl_limit).
 */
const TAKE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local seq = redis.call('INCR', KEYS[2])
local pages = redis.call('INCR', KEYS[3])
if pages > tonumber(ARGV[2]) then return -seq end
return seq
`;

async function take(redis: Redis, s: CrawlSetup, queue: Queue, job: Omit<CrawlJob, 'seq'>): Promise<void> {
  const r = Number(await redis.eval(TAKE, 3, key(s, 'seen'), key(s, 'seq'), key(s, 'pages'), job.url, s.cfg.maxPages));
  if (r === 0) return;
  if (r < 0) {
    const seq = -r;
    const origin: Origin = { format: 'scrape', file: '', sourceId: job.url, position: seq, url: job.url };
    const item: ImportItem = { kind: 'reject', reject: makeReject({ stage: 'scrape', reason: 'scrape.crawl_limit', detail: `found by discovery after maxPages ${s.cfg.maxPages} pages were taken; not fetched`, origin, input: { url: job.url }, evidence: { url: job.url, maxPages: s.cfg.maxPages, depth: job.depth } }) };
    await redis.hset(key(s, 'outcomes'), job.url, JSON.stringify({ seq, kind: job.kind, ok: false, item } satisfies Outcome));
    return;
  }
  await queue.add('page', { ...job, seq: r } satisfies CrawlJob, { jobId: `u-${sha256Hex(job.url).slice(0, 40)}`, attempts: 3, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: true, removeOnFail: true });
}

/** Enqueue the crawl's listed URLs and seeds (idempotent: a URL is taken once). */
export async function startCrawl(s: CrawlSetup): Promise<void> {
  const redis = await openClient(s.redisUrl, 'cmtmedqa-crawl');
  const queue = new Queue(queueName(s.crawlId), { connection: bullConnection(s.redisUrl), prefix: s.prefix ?? 'cmt' });
  try {
    for (const u of s.cfg.urls ?? []) await take(redis, s, queue, { url: u, depth: 0, kind: 'listed' });
    for (const u of s.cfg.seeds ?? []) await take(redis, s, queue, { url: u, depth: 0, kind: 'seed' });
  } finally {
    await queue.close();
    await redis.quit();
  }
}

export interface CrawlWorker {
  close(): Promise<void>;
}

/** A worker serving one crawl: `concurrency` pages at once, the host limits shared through Redis. */
export async function startCrawlWorker(s: CrawlSetup, o: { logger: Logger; concurrency?: number; adapters?: readonly SiteAdapter[]; retry?: ScrapeDeps['retry']; name?: string }): Promise<CrawlWorker> {
  const adapters = o.adapters ?? ADAPTERS;
  const fixed = s.cfg.site === 'auto' ? undefined : adapterByName(s.cfg.site, adapters);
  const redis = await openClient(s.redisUrl, o.name ?? 'cmtmedqa-crawl-worker');
  const limiter = new RedisHostLimiter(redis, { requestsPerSecond: s.cfg.requestsPerSecond, concurrency: s.cfg.perHostConcurrency, prefix: `${s.prefix ?? 'cmt'}:crawl:${s.crawlId}` });
  const stop = new AbortController();
  const scraper = openScraper(s.cfg, { logger: o.logger, limiter, retry: o.retry }, stop.signal);
  const queue = new Queue(queueName(s.crawlId), { connection: bullConnection(s.redisUrl), prefix: s.prefix ?? 'cmt' });
  const workerName = o.name ?? 'cmtmedqa-crawl-worker';
  const record = (url: string, out: Outcome) => redis.hset(key(s, 'outcomes'), url, JSON.stringify({ ...out, worker: workerName }));

  const worker = new Worker<CrawlJob>(
    queueName(s.crawlId),
    async (job: Job<CrawlJob>) => {
      const j = job.data;
      const url = new URL(j.url);
      url.hash = '';
      const listing = j.kind === 'seed' || j.kind === 'list';
      const adapter = (j.site ? adapterByName(j.site, adapters) : undefined) ?? fixed ?? adapterForUrl(url, adapters) ?? (listing ? LIST_ONLY : undefined);
      const origin: Origin = { format: 'scrape', file: '', sourceId: j.url, position: j.seq, url: j.url };
      if (!adapter) {
        await record(j.url, { seq: j.seq, kind: j.kind, ok: false, item: { kind: 'reject', reject: makeReject({ stage: 'parse', reason: 'parse.layout_unrecognised', detail: `no site adapter matches ${url.href} (site: auto); not fetched`, origin, input: { url: j.url } }) } });
        return;
      }
      const got = await scraper.fetchPage(url, adapter, j.seq, j.url);
      if (!got.ok) {
        await record(j.url, { seq: j.seq, kind: j.kind, ok: false, item: got.item });
        return;
      }
      if (j.kind === 'seed' || j.kind === 'list') {
        const dec = decodeHtml(got.body, got.meta.headers['content-type']);
        if (dec.ok) {
          let links: ReturnType<typeof discoverLinks>;
          try {
            links = discoverLinks(dec.text, got.meta.finalUrl, fixed ? [fixed] : adapters);
          } catch (e) {
            if (!(e instanceof MarkupRefused)) throw e;
            const detail = `list page not read for links: ${e.message}`;
            await record(j.url, { seq: j.seq, kind: j.kind, ok: false, item: { kind: 'reject', reject: makeReject({ stage: 'parse', reason: 'parse.layout_unrecognised', detail, origin: { ...origin, file: got.meta.key }, input: { url: j.url, rawKey: got.meta.key }, evidence: { url: j.url, rawKey: got.meta.key, listPage: true, reason: e.message } }) } });
            return;
          }
          for (const l of links) {
            if (!scraper.allow.hostAllowed(l.url) || j.depth + 1 > s.cfg.maxDepth) continue;
            await take(redis, s, queue, { url: l.url.href, depth: j.depth + 1, kind: l.kind, site: l.adapter.name });
          }
        }
      }
      await record(j.url, { seq: j.seq, kind: j.kind, ok: true, site: adapter.name });
    },
    { connection: bullConnection(s.redisUrl), prefix: s.prefix ?? 'cmt', concurrency: o.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => {
    // Out of attempts: the URL still gets an outcome (a network error), never a silent gap.
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const j = job.data;
    const origin: Origin = { format: 'scrape', file: '', sourceId: j.url, position: j.seq, url: j.url };
    void record(j.url, { seq: j.seq, kind: j.kind, ok: false, item: { kind: 'reject', reject: makeReject({ stage: 'scrape', reason: 'scrape.network_error', detail: `crawl job failed: ${err.message}`, origin, input: { url: j.url } }) } });
  });
  return {
    close: async () => {
      await worker.close();
      stop.abort(new Error('crawl worker closed'));
      await queue.close();
      await scraper.close();
      await redis.quit();
    },
  };
}

/** Resolves when the crawl's queue holds no job waiting, delayed or running. */
export async function waitForCrawl(s: CrawlSetup, pollMs = 100, signal?: AbortSignal): Promise<void> {
  const queue = new Queue(queueName(s.crawlId), { connection: bullConnection(s.redisUrl), prefix: s.prefix ?? 'cmt' });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await queue.close();
  }
}

/** The finished crawl as ImportItems, in the order URLs were taken; pages parsed from the raw store. */
export async function* crawlItems(s: CrawlSetup, o: { logger: Logger; adapters?: readonly SiteAdapter[]; rawStoreDir?: string }): AsyncGenerator<ImportItem> {
  const adapters = o.adapters ?? ADAPTERS;
  const redis = await openClient(s.redisUrl, 'cmtmedqa-crawl');
  try {
    const all = await redis.hgetall(key(s, 'outcomes'));
    const store = new RawStore(path.resolve(o.rawStoreDir ?? s.cfg.rawStore));
    const ctx = { logger: o.logger.child({ stage: 'scrape', crawl: s.crawlId }), store };
    const rows = Object.entries(all).map(([url, v]) => ({ url, out: JSON.parse(v) as Outcome })).sort((a, b) => a.out.seq - b.out.seq);
    for (const { url, out } of rows) {
      if (!out.ok) {
        yield out.item;
        continue;
      }
      if (out.kind === 'seed' || out.kind === 'list') continue; // read for links; not a dialogue
      const meta = await store.getMeta(url);
      const body = meta ? await store.readBody(meta.key) : undefined;
      const adapter = adapterByName(out.site, adapters);
      if (!meta || !body || !adapter) throw new Error(`crawl ${s.crawlId}: ${url} was fetched but its raw-store entry is missing`);
      yield* await parsePage(ctx, adapter, meta, body, out.seq);
    }
  } finally {
    await redis.quit();
  }
}

/** Removes the crawl's queue and keys. */
export async function dropCrawl(s: CrawlSetup): Promise<void> {
  const queue = new Queue(queueName(s.crawlId), { connection: bullConnection(s.redisUrl), prefix: s.prefix ?? 'cmt' });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const redis = await openClient(s.redisUrl, 'cmtmedqa-crawl');
  await redis.del(key(s, 'seen'), key(s, 'seq'), key(s, 'pages'), key(s, 'outcomes'));
  await redis.quit();
}

/** Which worker took each URL (for logs and tests): url → worker name. */
export async function crawlWorkersByUrl(s: CrawlSetup): Promise<Record<string, string>> {
  const redis = await openClient(s.redisUrl, 'cmtmedqa-crawl');
  try {
    const all = await redis.hgetall(key(s, 'outcomes'));
    return Object.fromEntries(Object.entries(all).map(([u, v]) => [u, (JSON.parse(v) as Outcome).worker ?? '']));
  } finally {
    await redis.quit();
  }
}
