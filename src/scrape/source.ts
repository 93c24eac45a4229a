/**
 * The scrape source: pipeline URLs in, ImportItems out in URL order, one per URL (a page with several
 * doctors' answer threads gives one dialogue per thread, origin.visit 0, 1 …): a RawDialogue
 * (origin.format 'scrape', origin.file = raw-store key of the body, origin.url, origin.sourceId = the
 * adapter's page id, origin.position = 1-based URL ordinal) or a Reject (stage 'scrape' for what kept
 * the page from being fetched, 'parse' for what kept it from being read). Each URL goes
 *   allow-list → robots.txt → fetch (limits, retries, redirects re-checked, conditional) → raw store
 *   → parse cache (body hash + adapter version) → charset → truncation → site adapter.
 * Pages are fetched concurrently (bounded) but items are yielded in URL order.
 * Must not: parse HTML itself (adapters do), or yield nothing for a URL. Failures of our own disk
 * (raw store) are errors that stop the run, not rejects.
 */
import { setMaxListeners } from 'node:events';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Origin } from '../../schemas/dialogue.js';
import type { ScrapeSourceConfig } from '../../schemas/pipeline.js';
import type { RejectReason, Stage } from '../../schemas/reject.js';
import { CmtError } from '../core/errors.js';
import { sha256Hex } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { makeReject } from '../core/reject.js';
import { rawDialogueId } from '../sources/id.js';
import type { ImportItem } from '../sources/types.js';
import { ADAPTERS, adapterByName, adapterForUrl, isUnrecognised, type ParsedPage, type SiteAdapter } from './adapters/index.js';
import { MarkupRefused } from './adapters/types.js';
import { charsetFromContentType, decodeHtml } from './charset.js';
import { Fetcher, type HopCheck, type HttpRequestFn, type RetryPolicy } from './fetcher.js';
import { LocalHostLimiter, type HostLimiter } from './rate-limit.js';
import { RawStore, type PageMeta } from './raw-store.js';
import { RobotsCache, type RobotsFetch } from './robots.js';
import { parseAllowHosts } from './ssrf.js';
import { classify, discoverLinks, type FoundLink } from './discover.js';

/** Stands in for a site adapter when a seed list page is on no site's URL patterns: it is only read for links. */
export const LIST_ONLY: SiteAdapter = { name: 'list', version: '1', match: () => false, parse: () => ({ unrecognised: 'a list page is read for links, not parsed' }) };

export interface ScrapeDeps {
  logger: Logger;
  /** Overrides cfg.rawStore. */
  rawStoreDir?: string;
  /** Clock for fetchedAt and HTTP-date Retry-After (default Date.now). */
  now?: () => number;
  /** The low-level HTTP request (default: undici `request` through the guarded agent). */
  fetchImpl?: HttpRequestFn;
  /** Directory the pipeline file sits in: cfg.urlFile is relative to it (default: cwd). */
  baseDir?: string;
  /** A shared per-host limiter (a distributed executor passes its Redis-backed one). */
  limiter?: HostLimiter;
  /** Site adapters to choose from (default: the registry). */
  adapters?: readonly SiteAdapter[];
  /** Backoff tuning (defaults: 1 s base, 30 s cap, Retry-After honoured up to 120 s). */
  retry?: Partial<RetryPolicy>;
  /** URLs in flight at once across all hosts (default 16); per-host limits apply inside this. */
  maxInFlight?: number;
  signal?: AbortSignal;
}

/** What the parse cache holds for one (body, charset hint, URL, adapter version). */
type ParseOutcome =
  | { kind: 'page'; page: ParsedPage; charset: string; by: string; declared?: string }
  | { kind: 'unrecognised'; reason: string }
  | { kind: 'login' | 'not_consultation' | 'page_mismatch' | 'gone' | 'blocked'; reason: string }
  | { kind: 'truncated'; detail: string }
  | { kind: 'charset'; detail: string; declared?: string; declaredIn?: string };

/** Not a fetch-time limit: robots.txt beyond this is ignored, as Google does (500 KiB). */
const ROBOTS_MAX_BYTES = 512 * 1024;

/** What a fetch gave: the stored page, or the reject that says why there is none. */
export type Fetched = { ok: true; meta: PageMeta; body: Buffer } | { ok: false; item: ImportItem };

/**
 * One scraper: allow-list, robots.txt, limiter, fetcher and raw store for a source. scrapeSource and
 * the BullMQ crawl workers both fetch through it, so every page goes the same way.
 */
export interface Scraper {
  store: RawStore;
  allow: ReturnType<typeof parseAllowHosts>;
  ctx: PageContext;
  /** Fetch (conditionally) and store one page; `position` goes into a reject's origin. */
  fetchPage(url: URL, adapter: SiteAdapter, position: number, raw?: string): Promise<Fetched>;
  close(): Promise<void>;
}

export function openScraper(cfg: ScrapeSourceConfig, deps: ScrapeDeps, signal: AbortSignal): Scraper {
  const logger = deps.logger.child({ stage: 'scrape', site: cfg.site });
  const now = deps.now ?? Date.now;
  const store = new RawStore(path.resolve(deps.rawStoreDir ?? cfg.rawStore));
  const allow = parseAllowHosts(cfg.allowHosts);
  const limiter = deps.limiter ?? new LocalHostLimiter({ requestsPerSecond: cfg.requestsPerSecond, concurrency: cfg.perHostConcurrency });
  const fetcher = new Fetcher({
    userAgent: cfg.userAgent,
    timeoutMs: cfg.timeoutMs,
    maxBodyBytes: cfg.maxBodyBytes,
    maxRedirects: cfg.maxRedirects,
    maxRetries: cfg.maxRetries,
    perHostConcurrency: cfg.perHostConcurrency,
    allow,
    limiter,
    logger,
    retry: deps.retry,
    now,
    request: deps.fetchImpl,
  });
  const fetchRobots: RobotsFetch = async (robotsUrl) => {
    const r = await fetcher.fetch(robotsUrl, { overflow: 'truncate', maxBodyBytes: ROBOTS_MAX_BYTES, signal });
    if (r.ok) return { kind: 'ok', status: r.status, body: r.body.toString('utf8') };
    const status = typeof r.evidence.status === 'number' ? r.evidence.status : undefined;
    if (r.reason === 'scrape.http_error' && status !== undefined && (status < 300 || status >= 400)) return { kind: 'status', status };
    if (r.reason === 'scrape.address_refused') return { kind: 'refused', detail: r.detail, evidence: r.evidence };
    if (r.reason === 'scrape.network_error') return { kind: 'unreachable', detail: r.detail };
    return { kind: 'not_followed', detail: r.detail };
  };
  const robots = new RobotsCache(fetchRobots, cfg.userAgent, logger, (host, ms) => {
    logger.info({ host, crawlDelayMs: ms }, 'robots.txt Crawl-delay raises the host interval');
    void limiter.setMinInterval(host, ms);
  }, cfg.maxCrawlDelaySec);
  const robotsHop: HopCheck = async (u) => {
    const d = await robots.check(u);
    if (d.allowed) return undefined;
    if (d.basis === 'address_refused') return { reason: 'scrape.address_refused', detail: d.detail ?? 'address refused', evidence: { ...d.evidence, url: u.href } };
    if (d.basis === 'crawl_delay_too_long') {
      return { reason: 'scrape.crawl_delay_too_long', detail: `${d.robotsUrl}: ${d.detail}`, evidence: { url: u.href, robotsUrl: d.robotsUrl, crawlDelaySec: d.crawlDelaySec, maxCrawlDelaySec: d.maxCrawlDelaySec } };
    }
    return {
      reason: 'scrape.robots_disallowed',
      detail: `${d.robotsUrl}: ${d.rule ?? 'disallowed'}`,
      evidence: { url: u.href, robotsUrl: d.robotsUrl, rule: d.rule, group: d.group, basis: d.basis, ...(d.status !== undefined ? { status: d.status } : {}) },
    };
  };
  const ctx: PageContext = { logger, store };

  async function fetchPage(url: URL, adapter: SiteAdapter, position: number, raw = url.href): Promise<Fetched> {
    const baseOrigin: Origin = { format: 'scrape', file: '', sourceId: raw, position, url: raw };
    const prev = await store.getMeta(url.href);
    const prevBody = prev ? await store.readBody(prev.key) : undefined;
    const conditional = prev && prevBody && (prev.etag || prev.lastModified) ? { etag: prev.etag, lastModified: prev.lastModified } : undefined;
    const res = await fetcher.fetch(url, { conditional, checkHop: robotsHop, isLoginUrl: (u) => adapter.isLoginUrl?.(u) ?? false, signal });
    if (!res.ok) return { ok: false, item: reject('scrape', res.reason, res.detail, baseOrigin, { url: raw }, { ...res.evidence, site: adapter.name }) };

    let meta: PageMeta;
    let body: Buffer;
    if (res.status === 304 && prev && prevBody) {
      // Not modified: the stored body is the page; only the fetch time moves.
      meta = { ...prev, fetchedAt: new Date(now()).toISOString() };
      body = prevBody;
      logger.debug({ url: url.href, key: prev.key }, 'not modified: reusing the stored body');
    } else {
      const { sha256, key } = await store.putBody(res.body);
      meta = {
        url: url.href,
        finalUrl: res.finalUrl,
        status: res.status,
        headers: res.headers,
        fetchedAt: new Date(now()).toISOString(),
        sha256,
        key,
        bytes: res.body.length,
      };
      if (res.headers.etag) meta.etag = res.headers.etag;
      if (res.headers['last-modified']) meta.lastModified = res.headers['last-modified'];
      body = res.body;
    }
    await store.putMeta(meta);
    return { ok: true, meta, body };
  }
  return { store, allow, ctx, fetchPage, close: () => fetcher.close() };
}

/** One unit of work: a listed URL, a seed list page, or a page discovery found. */
interface Work {
  raw: string;
  position: number;
  depth: number;
  /** listed: from urls/urlFile; seed/list: read for links; question: found by discovery. */
  kind: 'listed' | 'seed' | 'list' | 'question';
  adapter?: SiteAdapter;
}

/** A list page's outcome: the links found (appended to the queue in order when it is consumed). */
type WorkResult = { item?: ImportItem; items?: ImportItem[]; links?: FoundLink[] };

export async function* scrapeSource(cfg: ScrapeSourceConfig, deps: ScrapeDeps): AsyncGenerator<ImportItem> {
  const logger = deps.logger.child({ stage: 'scrape', site: cfg.site });
  const adapters = deps.adapters ?? ADAPTERS;
  const fixed = cfg.site === 'auto' ? undefined : adapterByName(cfg.site, adapters);
  if (cfg.site !== 'auto' && !fixed) {
    throw new CmtError('CMT_CONFIG_INVALID', `unknown scrape site ${JSON.stringify(cfg.site)}: use one of ${[...adapters.map((a) => a.name), 'auto'].join(', ')}`, { site: cfg.site });
  }
  if (cfg.reparse) {
    yield* reparseStored(cfg, deps);
    return;
  }
  if (!cfg.urls?.length && !cfg.urlFile && !cfg.seeds?.length) {
    throw new CmtError('CMT_CONFIG_INVALID', `scrape source for site ${cfg.site} has no urls, urlFile or seeds: list the pages to fetch, or list pages to discover them from`, { site: cfg.site });
  }
  const stop = new AbortController();
  // Every in-flight request and limiter wait listens on this one signal.
  setMaxListeners(0, stop.signal);
  const onOuterAbort = () => stop.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = stop.signal;
  const scraper = openScraper(cfg, deps, signal);
  const { ctx } = scraper;
  const discoveryAdapters = fixed ? [fixed] : adapters;

  async function processWork(w: Work): Promise<WorkResult> {
    const baseOrigin: Origin = { format: 'scrape', file: '', sourceId: w.raw, position: w.position, url: w.raw };
    let url: URL;
    try {
      url = new URL(w.raw);
    } catch {
      return { item: reject('scrape', 'scrape.host_not_allowed', `not an absolute URL: ${JSON.stringify(w.raw)}`, baseOrigin, { url: w.raw }) };
    }
    url.hash = '';
    const isListing = w.kind === 'seed' || w.kind === 'list';
    const adapter = w.adapter ?? fixed ?? adapterForUrl(url, adapters) ?? (isListing ? classify(url, adapters)?.adapter ?? LIST_ONLY : undefined);
    if (!adapter) {
      return { item: reject('parse', 'parse.layout_unrecognised', `no site adapter matches ${url.href} (site: auto); not fetched`, baseOrigin, { url: w.raw }, { url: url.href, adapters: adapters.map((a) => a.name) }) };
    }
    const got = await scraper.fetchPage(url, adapter, w.position, w.raw);
    if (!got.ok) return { item: got.item };
    if (isListing) {
      const dec = decodeHtml(got.body, got.meta.headers['content-type']);
      if (!dec.ok) return { item: reject('parse', 'parse.charset', dec.detail, { ...baseOrigin, file: got.meta.key }, { url: w.raw, rawKey: got.meta.key }, { url: w.raw, rawKey: got.meta.key, listPage: true }) };
      try {
        return { links: discoverLinks(dec.text, got.meta.finalUrl, discoveryAdapters) };
      } catch (e) {
        if (!(e instanceof MarkupRefused)) throw e;
        return { item: reject('parse', 'parse.layout_unrecognised', `list page not read for links: ${e.message}`, { ...baseOrigin, file: got.meta.key }, { url: w.raw, rawKey: got.meta.key }, { url: w.raw, rawKey: got.meta.key, listPage: true, reason: e.message }) };
      }
    }
    return { items: await parsePage(ctx, adapter, got.meta, got.body, w.position) };
  }

  // The work queue: listed URLs, then seeds; a list page's links join the end when that page is
  // consumed (in queue order), so the order of items does not depend on which fetch finished first.
  const maxInFlight = Math.max(1, deps.maxInFlight ?? 16);
  const listed = urlList(cfg, deps.baseDir ?? process.cwd())[Symbol.asyncIterator]();
  const queue: Work[] = [];
  const seen = new Set<string>();
  let listedDone = false;
  let position = 0;
  let pagesTaken = 0;
  const stats = { seeds: 0, listPages: 0, discovered: 0, overBudget: 0, tooDeep: 0, offList: 0, duplicates: 0 };
  for (const s of cfg.seeds ?? []) queue.push({ raw: s, position: 0, depth: 0, kind: 'seed' });
  const pending: Array<{ work: Work; result: Promise<WorkResult> }> = [];
  let next = 0; // index in `queue` of the next work not yet started
  const start = (w: Work) => {
    if (w.kind !== 'seed' && w.kind !== 'list') w.position = ++position;
    const result = w.kind === 'question' && w.position > 0 && (w as Work & { overBudget?: boolean }).overBudget
      ? Promise.resolve<WorkResult>({ item: reject('scrape', 'scrape.crawl_limit', `found by discovery after maxPages ${cfg.maxPages} pages were taken; not fetched`, { format: 'scrape', file: '', sourceId: w.raw, position: w.position, url: w.raw }, { url: w.raw }, { url: w.raw, maxPages: cfg.maxPages, depth: w.depth, site: w.adapter?.name }) })
      : processWork(w);
    result.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
    pending.push({ work: w, result });
  };
  const fill = async () => {
    while (pending.length < maxInFlight) {
      if (!listedDone) {
        const n = await listed.next();
        if (n.done) listedDone = true;
        else {
          const u = n.value;
          try {
            const h = new URL(u);
            h.hash = '';
            seen.add(h.href);
          } catch {
            /* rejected when processed */
          }
          pagesTaken++;
          start({ raw: u, position: 0, depth: 0, kind: 'listed' });
          continue;
        }
      }
      if (next >= queue.length) break;
      const w = queue[next++];
      if (w.kind === 'seed') {
        stats.seeds++;
        pagesTaken++;
        try {
          const h = new URL(w.raw);
          h.hash = '';
          seen.add(h.href);
        } catch {
          /* rejected when processed */
        }
      }
      start(w);
    }
  };
  const enqueueLinks = (from: Work, links: FoundLink[]) => {
    const depth = from.depth + 1;
    for (const l of links) {
      if (seen.has(l.url.href)) {
        stats.duplicates++;
        continue;
      }
      // Off the allow-list: not ours to crawl (ads, other sites); never a reject, only counted.
      if (!scraper.allow.hostAllowed(l.url)) {
        stats.offList++;
        continue;
      }
      if (depth > cfg.maxDepth) {
        stats.tooDeep++;
        continue;
      }
      seen.add(l.url.href);
      if (l.kind === 'list') {
        if (pagesTaken >= cfg.maxPages) {
          stats.overBudget++;
          continue;
        }
        pagesTaken++;
        stats.listPages++;
        queue.push({ raw: l.url.href, position: 0, depth, kind: 'list', adapter: l.adapter });
      } else {
        stats.discovered++;
        const over = pagesTaken >= cfg.maxPages;
        if (over) stats.overBudget++;
        else pagesTaken++;
        queue.push(Object.assign({ raw: l.url.href, position: 0, depth, kind: 'question' as const, adapter: l.adapter }, over ? { overBudget: true } : {}));
      }
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      const { work, result } = pending.shift()!;
      const r = await result;
      if (r.links) enqueueLinks(work, r.links);
      await fill();
      if (r.item) yield r.item;
      if (r.items) yield* r.items;
    }
    if (cfg.seeds?.length) logger.info({ ...stats, pages: pagesTaken, maxPages: cfg.maxPages, maxDepth: cfg.maxDepth }, 'discovery finished');
  } finally {
    stop.abort(new Error('scrape source closed'));
    deps.signal?.removeEventListener('abort', onOuterAbort);
    await Promise.allSettled(pending.map((p) => p.result));
    await scraper.close();
  }
}

/**
 * Re-parse what the raw store holds, without any network: every stored page, through the adapter
 * (cached outcomes are reused unless the adapter version changed). Positions are store order.
 */
export async function* reparseStored(cfg: Pick<ScrapeSourceConfig, 'site' | 'rawStore'>, deps: Pick<ScrapeDeps, 'logger' | 'rawStoreDir' | 'adapters'>): AsyncGenerator<ImportItem> {
  const logger = deps.logger.child({ stage: 'scrape', site: cfg.site, reparse: true });
  const adapters = deps.adapters ?? ADAPTERS;
  const fixed = cfg.site === 'auto' ? undefined : adapterByName(cfg.site, adapters);
  if (cfg.site !== 'auto' && !fixed) throw new CmtError('CMT_CONFIG_INVALID', `unknown scrape site ${JSON.stringify(cfg.site)}`, { site: cfg.site });
  const store = new RawStore(path.resolve(deps.rawStoreDir ?? cfg.rawStore));
  const ctx: PageContext = { logger, store };
  let position = 0;
  let lists = 0;
  let otherSites = 0;
  for await (const meta of store.metas()) {
    const at = new URL(meta.finalUrl);
    // List pages were read for links, not dialogues; pages of another site are not this run's.
    const found = classify(at, fixed ? [fixed] : adapters);
    if (found?.kind === 'list') {
      lists++;
      continue;
    }
    const own = fixed ? adapterForUrl(at, adapters) : undefined;
    if (own && own.name !== fixed!.name) {
      otherSites++;
      continue;
    }
    position++;
    const origin: Origin = { format: 'scrape', file: meta.key, sourceId: meta.url, position, url: meta.url };
    const adapter = fixed ?? adapterForUrl(at, adapters);
    const body = await store.readBody(meta.key);
    if (!adapter || !body) {
      yield reject('parse', 'parse.layout_unrecognised', !adapter ? `no site adapter matches ${meta.finalUrl}` : `raw-store blob ${meta.key} is missing`, origin, { url: meta.url, rawKey: meta.key }, { url: meta.url, rawKey: meta.key });
      continue;
    }
    yield* await parsePage(ctx, adapter, meta, body, position);
  }
  logger.info({ pages: position, listPagesSkipped: lists, otherSitesSkipped: otherSites }, 'raw store re-parsed');
}

export interface PageContext {
  logger: Logger;
  store: RawStore;
}

/** The page's items: one dialogue per answer thread (most pages: one), or one reject. */
export async function parsePage(ctx: PageContext, adapter: SiteAdapter, meta: PageMeta, body: Buffer, position: number): Promise<ImportItem[]> {
  const contentType = meta.headers['content-type'];
  // The outcome depends on the bytes, the header's charset and the URL the adapter sees.
  const cacheId = sha256Hex(`${meta.sha256}\n${charsetFromContentType(contentType) ?? ''}\n${meta.finalUrl}`);
  let outcome = await ctx.store.getParsed<ParseOutcome>(adapter.name, adapter.version, cacheId);
  if (outcome) {
    ctx.logger.debug({ url: meta.url, adapter: adapter.name, version: adapter.version }, 'parse cache hit');
  } else {
    outcome = parseFresh(ctx.logger, adapter, meta, body);
    await ctx.store.putParsed(adapter.name, adapter.version, cacheId, outcome);
  }

  const origin: Origin = { format: 'scrape', file: meta.key, sourceId: meta.url, position, url: meta.url };
  const input = { url: meta.url, rawKey: meta.key, sha256: meta.sha256 };
  const where = { url: meta.url, finalUrl: meta.finalUrl, rawKey: meta.key };
  switch (outcome.kind) {
    case 'charset':
      return [reject('parse', 'parse.charset', outcome.detail, origin, input, { ...where, declared: outcome.declared, declaredIn: outcome.declaredIn })];
    case 'truncated':
      return [reject('parse', 'parse.truncated', outcome.detail, origin, input, { ...where, bytes: meta.bytes })];
    case 'unrecognised':
      return [reject('parse', 'parse.layout_unrecognised', `${adapter.name} adapter: ${outcome.reason}`, origin, input, { ...where, site: adapter.name, adapter: adapter.name, version: adapter.version, reason: outcome.reason })];
    case 'login':
      return [reject('scrape', 'scrape.login_required', `${adapter.name}: ${outcome.reason}; the page needs a logged-in session`, origin, input, { ...where, site: adapter.name, reason: outcome.reason })];
    case 'blocked':
      return [reject('scrape', 'scrape.blocked', `${adapter.name}: ${outcome.reason}; fetch it again later, more slowly`, origin, input, { ...where, site: adapter.name, status: meta.status, reason: outcome.reason })];
    case 'not_consultation':
      return [reject('parse', 'parse.not_a_consultation', `${adapter.name}: ${outcome.reason}`, origin, input, { ...where, site: adapter.name, reason: outcome.reason })];
    case 'page_mismatch':
      return [reject('parse', 'parse.page_mismatch', `${adapter.name}: ${outcome.reason}`, origin, input, { ...where, site: adapter.name, reason: outcome.reason })];
    case 'gone':
      return [reject('parse', 'parse.page_gone', `${adapter.name}: ${outcome.reason}; the consultation is no longer on the site`, origin, input, { ...where, site: adapter.name, status: meta.status, reason: outcome.reason })];
    case 'page': {
      const p = outcome.page;
      // One dialogue per answer thread (xywy: one per answering doctor), visits 0, 1 … when several.
      const question = p.turns.slice(0, p.shared ?? 0);
      const threads = [{ turns: p.turns, placeholders: p.placeholders, singleTurn: p.singleTurn }, ...(p.threads ?? []).map((t) => ({ ...t, turns: [...question, ...t.turns] }))];
      return threads.map((t, visit) => {
        const o: Origin = { ...origin, sourceId: p.sourceId };
        if (threads.length > 1) o.visit = visit;
        if (p.layout) o.layout = p.layout;
        if (t.placeholders) o.placeholders = t.placeholders;
        const id = rawDialogueId({ format: 'scrape', file: adapter.name, sourceId: p.sourceId, position: o.position, visit: o.visit, turns: t.turns });
        const dialogue: Extract<ImportItem, { kind: 'dialogue' }>['dialogue'] = { id, origin: o, turns: t.turns };
        if (p.department !== undefined) dialogue.department = p.department;
        if (p.disease !== undefined) dialogue.disease = p.disease;
        if (p.title !== undefined) dialogue.title = p.title;
        if (p.description !== undefined) dialogue.description = p.description;
        if (t.singleTurn) dialogue.singleTurn = true;
        return { kind: 'dialogue', dialogue };
      });
    }
  }
}

function parseFresh(logger: Logger, adapter: SiteAdapter, meta: PageMeta, body: Buffer): ParseOutcome {
  const dec = decodeHtml(body, meta.headers['content-type']);
  if (!dec.ok) return { kind: 'charset', detail: dec.detail, declared: dec.declared, declaredIn: dec.declaredIn };
  if (dec.mismatch) logger.info({ url: meta.url, declared: dec.declared, declaredIn: dec.declaredIn, used: dec.charset }, 'declared charset contradicted by the bytes; decoded as sniffed');
  // A response cut short (server-side, with a matching Content-Length) ends before </body> and </html>;
  // parsing it would silently lose the last turns.
  if (!/<\/(html|body)\s*>/i.test(dec.text)) {
    return { kind: 'truncated', detail: `page ends without </body> or </html> after ${meta.bytes} bytes (truncated response)` };
  }
  let r;
  try {
    r = adapter.parse(dec.text, meta.finalUrl);
  } catch (e) {
    logger.error({ url: meta.url, adapter: adapter.name, err: e }, 'site adapter threw');
    return { kind: 'unrecognised', reason: `adapter error: ${(e as Error).message}` };
  }
  if (isUnrecognised(r)) {
    // A list page reached by a redirect from a question is that question gone, not a list asked for.
    const listPage = r.kind === 'not_consultation' && listUrl(adapter, meta.finalUrl);
    if ((r.kind === undefined || r.kind === 'layout' || listPage) && redirectedOffQuestion(adapter, meta)) {
      // A deleted question that sends the reader to the home or a list page is a soft 404 too.
      return { kind: 'gone', reason: `the question redirects to ${meta.finalUrl}, which is not a question page (soft 404); there: ${r.unrecognised}` };
    }
    return { kind: r.kind === undefined || r.kind === 'layout' ? 'unrecognised' : r.kind, reason: r.unrecognised };
  }
  return { kind: 'page', page: r, charset: dec.charset, by: dec.by, declared: dec.declared };
}

function listUrl(adapter: SiteAdapter, url: string): boolean {
  try {
    return adapter.isListUrl?.(new URL(url)) ?? false;
  } catch {
    return false;
  }
}

/** The URL asked for is one of the site's question pages, and the redirects ended on a page that is not. */
function redirectedOffQuestion(adapter: SiteAdapter, meta: PageMeta): boolean {
  if (!adapter.isQuestionUrl || meta.finalUrl === meta.url) return false;
  try {
    return adapter.isQuestionUrl(new URL(meta.url)) && !adapter.isQuestionUrl(new URL(meta.finalUrl));
  } catch {
    return false;
  }
}

function reject(stage: Stage, reason: RejectReason, detail: string, origin: Origin, input: unknown, evidence?: Record<string, unknown>): ImportItem {
  return { kind: 'reject', reject: makeReject({ stage, reason, detail, origin, input, evidence }) };
}

/** cfg.urls, then cfg.urlFile (one URL a line; blank lines and # comments skipped), streamed. */
async function* urlList(cfg: ScrapeSourceConfig, baseDir: string): AsyncGenerator<string> {
  for (const u of cfg.urls ?? []) yield u;
  if (!cfg.urlFile) return;
  const file = path.isAbsolute(cfg.urlFile) ? cfg.urlFile : path.join(baseDir, cfg.urlFile);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new CmtError('CMT_INPUT_NOT_FOUND', `scrape urlFile ${JSON.stringify(cfg.urlFile)} cannot be read (looked in ${baseDir})`, { urlFile: cfg.urlFile }, { cause: e });
  }
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    const t = line.trim();
    if (t && !t.startsWith('#')) yield t;
  }
}
