/**
 * The scrape source: pipeline URLs in, one ImportItem out per URL, in URL order: a RawDialogue
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
import { charsetFromContentType, decodeHtml } from './charset.js';
import { Fetcher, type HopCheck, type HttpRequestFn, type RetryPolicy } from './fetcher.js';
import { LocalHostLimiter, type HostLimiter } from './rate-limit.js';
import { RawStore, type PageMeta } from './raw-store.js';
import { RobotsCache, type RobotsFetch } from './robots.js';
import { parseAllowHosts } from './ssrf.js';

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
  | { kind: 'truncated'; detail: string }
  | { kind: 'charset'; detail: string; declared?: string; declaredIn?: string };

/** Not a fetch-time limit: robots.txt beyond this is ignored, as Google does (500 KiB). */
const ROBOTS_MAX_BYTES = 512 * 1024;

export async function* scrapeSource(cfg: ScrapeSourceConfig, deps: ScrapeDeps): AsyncGenerator<ImportItem> {
  const logger = deps.logger.child({ stage: 'scrape', site: cfg.site });
  const adapters = deps.adapters ?? ADAPTERS;
  const fixed = cfg.site === 'auto' ? undefined : adapterByName(cfg.site, adapters);
  if (cfg.site !== 'auto' && !fixed) {
    throw new CmtError('CMT_CONFIG_INVALID', `unknown scrape site ${JSON.stringify(cfg.site)}: use one of ${[...adapters.map((a) => a.name), 'auto'].join(', ')}`, { site: cfg.site });
  }
  if (!cfg.urls?.length && !cfg.urlFile) {
    throw new CmtError('CMT_CONFIG_INVALID', `scrape source for site ${cfg.site} has neither urls nor urlFile: list the pages to fetch`, { site: cfg.site });
  }
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
  const stop = new AbortController();
  // Every in-flight request and limiter wait listens on this one signal.
  setMaxListeners(0, stop.signal);
  const onOuterAbort = () => stop.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = stop.signal;

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

  async function processUrl(raw: string, position: number): Promise<ImportItem> {
    const baseOrigin: Origin = { format: 'scrape', file: '', sourceId: raw, position, url: raw };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return reject('scrape', 'scrape.host_not_allowed', `not an absolute URL: ${JSON.stringify(raw)}`, baseOrigin, { url: raw });
    }
    url.hash = '';
    const adapter = fixed ?? adapterForUrl(url, adapters);
    if (!adapter) {
      return reject('parse', 'parse.layout_unrecognised', `no site adapter matches ${url.href} (site: auto); not fetched`, baseOrigin, { url: raw }, { url: url.href, adapters: adapters.map((a) => a.name) });
    }
    const prev = await store.getMeta(url.href);
    const prevBody = prev ? await store.readBody(prev.key) : undefined;
    const conditional = prev && prevBody && (prev.etag || prev.lastModified) ? { etag: prev.etag, lastModified: prev.lastModified } : undefined;
    const res = await fetcher.fetch(url, { conditional, checkHop: robotsHop, signal });
    if (!res.ok) return reject('scrape', res.reason, res.detail, baseOrigin, { url: raw }, res.evidence);

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
    return parsePage(ctx, adapter, meta, body, position);
  }

  // Bounded look-ahead: up to maxInFlight URLs are being worked on while items leave in URL order.
  const maxInFlight = Math.max(1, deps.maxInFlight ?? 16);
  const urls = urlList(cfg, deps.baseDir ?? process.cwd())[Symbol.asyncIterator]();
  const pending: Array<Promise<ImportItem>> = [];
  let exhausted = false;
  let position = 0;
  const fill = async () => {
    while (!exhausted && pending.length < maxInFlight) {
      const n = await urls.next();
      if (n.done) {
        exhausted = true;
        break;
      }
      const p = processUrl(n.value, ++position);
      p.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
      pending.push(p);
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      const item = await pending.shift()!;
      await fill();
      yield item;
    }
  } finally {
    stop.abort(new Error('scrape source closed'));
    deps.signal?.removeEventListener('abort', onOuterAbort);
    await Promise.allSettled(pending);
    await fetcher.close();
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
  for await (const meta of store.metas()) {
    position++;
    const origin: Origin = { format: 'scrape', file: meta.key, sourceId: meta.url, position, url: meta.url };
    const adapter = fixed ?? adapterForUrl(new URL(meta.finalUrl), adapters);
    const body = await store.readBody(meta.key);
    if (!adapter || !body) {
      yield reject('parse', 'parse.layout_unrecognised', !adapter ? `no site adapter matches ${meta.finalUrl}` : `raw-store blob ${meta.key} is missing`, origin, { url: meta.url, rawKey: meta.key }, { url: meta.url, rawKey: meta.key });
      continue;
    }
    yield await parsePage(ctx, adapter, meta, body, position);
  }
}

interface PageContext {
  logger: Logger;
  store: RawStore;
}

async function parsePage(ctx: PageContext, adapter: SiteAdapter, meta: PageMeta, body: Buffer, position: number): Promise<ImportItem> {
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
      return reject('parse', 'parse.charset', outcome.detail, origin, input, { ...where, declared: outcome.declared, declaredIn: outcome.declaredIn });
    case 'truncated':
      return reject('parse', 'parse.truncated', outcome.detail, origin, input, { ...where, bytes: meta.bytes });
    case 'unrecognised':
      return reject('parse', 'parse.layout_unrecognised', `${adapter.name} adapter: ${outcome.reason}`, origin, input, { ...where, adapter: adapter.name, version: adapter.version, reason: outcome.reason });
    case 'page': {
      const p = outcome.page;
      origin.sourceId = p.sourceId;
      const id = rawDialogueId({ format: 'scrape', file: adapter.name, sourceId: p.sourceId, position: origin.position, turns: p.turns });
      const dialogue: Extract<ImportItem, { kind: 'dialogue' }>['dialogue'] = { id, origin, turns: p.turns };
      if (p.department !== undefined) dialogue.department = p.department;
      if (p.disease !== undefined) dialogue.disease = p.disease;
      if (p.title !== undefined) dialogue.title = p.title;
      if (p.description !== undefined) dialogue.description = p.description;
      if (p.singleTurn) dialogue.singleTurn = true;
      return { kind: 'dialogue', dialogue };
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
  if (isUnrecognised(r)) return { kind: 'unrecognised', reason: r.unrecognised };
  return { kind: 'page', page: r, charset: dec.charset, by: dec.by, declared: dec.declared };
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
