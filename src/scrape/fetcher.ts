/**
 * HTTP for the scraper: one GET per URL through undici with keep-alive, per-host limits (HostLimiter),
 * gzip/deflate/br bodies decoded (the raw store keeps the decoded entity),
 * retries with exponential backoff and jitter on network errors, 408, 429 and 5xx (honouring
 * Retry-After in seconds or as an HTTP-date), a timeout per attempt (headers and body), a body-size cap,
 * conditional requests, and redirects followed by hand so that every hop is checked against the
 * allow-list, the address rules and (through `checkHop`) robots.txt.
 * Must not: parse pages, touch the raw store, or connect anywhere the allow-list/address rules refuse
 * (the connector enforces that at connect time, see ssrf.ts).
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from '../core/logger.js';
import type { RejectReason } from '../../schemas/reject.js';
import type { HostLimiter } from './rate-limit.js';
import { sleep } from './rate-limit.js';
import { findAddressRefused, guardedConnector, normaliseHost, portOf, refuseAddress, type AllowList } from './ssrf.js';
import net from 'node:net';
import zlib from 'node:zlib';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown; dump?(opts?: { limit: number }): Promise<void> };
}

export interface HttpRequestInit {
  method: 'GET';
  headers: Record<string, string>;
  signal: AbortSignal;
  dispatcher: Dispatcher;
  headersTimeout: number;
  bodyTimeout: number;
}

/** The low-level request function (undici's `request` by default); injectable for other transports. */
export type HttpRequestFn = (url: URL, init: HttpRequestInit) => Promise<HttpResponse>;

export interface RetryPolicy {
  /** First backoff step; attempt n waits about baseMs·2ⁿ (half fixed, half random). */
  baseMs: number;
  /** Ceiling of one backoff step. */
  maxMs: number;
  /** A Retry-After longer than this is not waited for: the URL fails with its status. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 30_000, maxRetryAfterMs: 120_000 };

export interface FetcherOptions {
  userAgent: string;
  timeoutMs: number;
  maxBodyBytes: number;
  maxRedirects: number;
  maxRetries: number;
  perHostConcurrency: number;
  allow: AllowList;
  limiter: HostLimiter;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
  request?: HttpRequestFn;
}

export type ScrapeReason = Extract<RejectReason, `scrape.${string}`>;

export type FetchOutcome =
  | {
      ok: true;
      /** 2xx, or 304 when a conditional request found the stored copy current. */
      status: number;
      url: string;
      finalUrl: string;
      headers: Record<string, string>;
      body: Buffer;
      truncated: boolean;
      attempts: number;
      redirects: string[];
    }
  | { ok: false; reason: ScrapeReason; detail: string; evidence: Record<string, unknown> };

export type HopCheck = (url: URL) => Promise<{ reason: ScrapeReason; detail: string; evidence: Record<string, unknown> } | undefined>;

export interface FetchOptions {
  conditional?: { etag?: string; lastModified?: string };
  /** Does a redirect to this URL mean "log in first"? (checked before the allow-list: the login host is usually off it) */
  isLoginUrl?: (url: URL) => boolean;
  /** Extra per-hop check (robots.txt for page fetches), run after the allow-list check, before any request. */
  checkHop?: HopCheck;
  /** 'truncate' keeps the first maxBodyBytes instead of failing (robots.txt: Google reads the first 500 KiB). */
  overflow?: 'reject' | 'truncate';
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer; truncated: boolean }
  | { kind: 'too_large'; bytes: number; declared: boolean }
  | { kind: 'refused'; detail: string; evidence: Record<string, unknown> }
  | { kind: 'error'; code: string; message: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class Fetcher {
  private readonly agent: Agent;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly doRequest: HttpRequestFn;

  constructor(private readonly opts: FetcherOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.agent = new Agent({
      connections: opts.perHostConcurrency,
      keepAliveTimeout: 10_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: guardedConnector(opts.allow, { timeout: opts.timeoutMs }),
    });
    this.doRequest = opts.request ?? ((url, init) => request(url, init) as unknown as Promise<HttpResponse>);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The allow-list and IP-literal address checks, done before anything touches the network. */
  precheck(url: URL): { reason: ScrapeReason; detail: string; evidence: Record<string, unknown> } | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { reason: 'scrape.host_not_allowed', detail: `only http and https URLs are fetched, not ${url.protocol}`, evidence: { url: url.href } };
    }
    if (!this.opts.allow.hostAllowed(url)) {
      return {
        reason: 'scrape.host_not_allowed',
        detail: `${url.host} is not on allowHosts`,
        evidence: { url: url.href, host: url.host, allowHosts: this.opts.allow.entries.map((e) => (e.port ? `${e.host}:${e.port}` : e.host)) },
      };
    }
    const host = normaliseHost(url.hostname);
    if (net.isIP(host)) {
      const refused = refuseAddress(this.opts.allow, host, portOf(url), host);
      if (refused) return { reason: 'scrape.address_refused', detail: refused.message, evidence: { url: url.href, address: refused.address, range: refused.range } };
    }
    return undefined;
  }

  async fetch(start: URL, options: FetchOptions = {}): Promise<FetchOutcome> {
    const visited = new Set<string>([start.href]);
    const redirects: string[] = [];
    let url = start;
    let attempts = 0;
    for (;;) {
      const pre = this.precheck(url) ?? (await options.checkHop?.(url));
      if (pre) return { ok: false, ...pre, evidence: { ...pre.evidence, ...(redirects.length ? { redirectedFrom: start.href, redirects } : {}) } };

      const res = await this.withRetries(url, options);
      attempts += res.attempts;
      if (!res.ok) return res.outcome;
      const a = res.attempt;
      const location = a.headers['location'];
      if (REDIRECTS.has(a.status) && location) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ok: false, reason: 'scrape.http_error', detail: `redirect to an invalid Location: ${location}`, evidence: { url: url.href, status: a.status, location } };
        }
        next.hash = '';
        // A redirect to the site's login host or page is a login wall, not a host error or a layout.
        if (options.isLoginUrl?.(next)) {
          return { ok: false, reason: 'scrape.login_required', detail: `${url.href} redirects to a login page (${next.href}); the page needs a logged-in session`, evidence: { url: start.href, status: a.status, location: next.href, redirects: [...redirects, next.href] } };
        }
        if (visited.has(next.href)) {
          return { ok: false, reason: 'scrape.redirect_limit', detail: `redirect loop: ${url.href} → ${next.href} was already visited`, evidence: { url: start.href, redirects: [...redirects, next.href], loop: true } };
        }
        if (redirects.length >= this.opts.maxRedirects) {
          return { ok: false, reason: 'scrape.redirect_limit', detail: `more than ${this.opts.maxRedirects} redirects`, evidence: { url: start.href, redirects: [...redirects, next.href], loop: false } };
        }
        this.opts.logger.debug({ from: url.href, to: next.href, status: a.status }, 'following redirect');
        redirects.push(next.href);
        visited.add(next.href);
        url = next;
        continue;
      }
      if ((a.status >= 200 && a.status < 300) || (a.status === 304 && options.conditional)) {
        return { ok: true, status: a.status, url: start.href, finalUrl: url.href, headers: a.headers, body: a.body, truncated: a.truncated, attempts, redirects };
      }
      return { ok: false, reason: 'scrape.http_error', detail: `HTTP ${a.status} from ${url.href}`, evidence: { url: url.href, status: a.status, attempts, ...(redirects.length ? { redirects } : {}) } };
    }
  }

  private async withRetries(
    url: URL,
    options: FetchOptions,
  ): Promise<{ ok: true; attempt: Extract<Attempt, { kind: 'response' }>; attempts: number } | { ok: false; outcome: FetchOutcome & { ok: false }; attempts: number }> {
    const host = url.host;
    for (let attempt = 0; ; attempt++) {
      const lease = await this.opts.limiter.acquire(host, options.signal);
      let a: Attempt;
      try {
        a = await this.once(url, options);
      } finally {
        lease.release();
      }
      const attempts = attempt + 1;
      if (a.kind === 'refused') return { ok: false, attempts, outcome: { ok: false, reason: 'scrape.address_refused', detail: a.detail, evidence: a.evidence } };
      if (a.kind === 'too_large') {
        return {
          ok: false,
          attempts,
          outcome: { ok: false, reason: 'scrape.too_large', detail: a.declared ? `Content-Length ${a.bytes} > maxBodyBytes ${this.cap(options)}; not downloaded` : `body passed maxBodyBytes ${this.cap(options)}; stopped reading at ${a.bytes} bytes`, evidence: { url: url.href, bytes: a.bytes, maxBodyBytes: this.cap(options), declared: a.declared } },
        };
      }
      const retryable = a.kind === 'error' || a.status === 408 || a.status === 429 || a.status >= 500;
      if (!retryable) return { ok: true, attempt: a as Extract<Attempt, { kind: 'response' }>, attempts };

      const retryAfterMs = a.kind === 'response' ? this.retryAfterMs(a.headers['retry-after']) : undefined;
      const giveUp = attempt >= this.opts.maxRetries || (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs);
      if (giveUp) {
        if (a.kind === 'error') {
          return { ok: false, attempts, outcome: { ok: false, reason: 'scrape.network_error', detail: `${a.code}: ${a.message} (after ${attempts} attempts)`, evidence: { url: url.href, code: a.code, attempts } } };
        }
        return {
          ok: false,
          attempts,
          outcome: { ok: false, reason: 'scrape.http_error', detail: `HTTP ${a.status} from ${url.href} (after ${attempts} attempts)`, evidence: { url: url.href, status: a.status, attempts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) } },
        };
      }
      const step = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** attempt);
      const backoff = step / 2 + (this.random() * step) / 2;
      const delay = Math.max(backoff, retryAfterMs ?? 0);
      // The server's Retry-After speaks for the host, not for this URL: hold every request to it.
      if (retryAfterMs !== undefined) await this.opts.limiter.deferUntil(host, Date.now() + retryAfterMs);
      this.opts.logger.info(
        { url: url.href, attempt: attempts, status: a.kind === 'response' ? a.status : undefined, error: a.kind === 'error' ? a.code : undefined, retryAfterMs, delayMs: Math.round(delay) },
        'retrying request',
      );
      await sleep(delay, options.signal);
    }
  }

  private cap(options: FetchOptions): number {
    return options.maxBodyBytes ?? this.opts.maxBodyBytes;
  }

  /** Retry-After as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
  retryAfterMs(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v) * 1000;
    const t = Date.parse(v);
    if (Number.isNaN(t)) return undefined;
    return Math.max(0, t - this.now());
  }

  private async once(url: URL, options: FetchOptions): Promise<Attempt> {
    const headers: Record<string, string> = {
      'user-agent': this.opts.userAgent,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      'accept-language': 'zh-CN,zh;q=0.9',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (options.conditional?.etag) headers['if-none-match'] = options.conditional.etag;
    if (options.conditional?.lastModified) headers['if-modified-since'] = options.conditional.lastModified;
    const cap = this.cap(options);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(Object.assign(new Error(`no complete response within ${this.opts.timeoutMs} ms`), { code: 'CMT_SCRAPE_TIMEOUT' })), this.opts.timeoutMs);
    const onOuterAbort = () => ac.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const res = await this.doRequest(url, {
        method: 'GET',
        headers,
        signal: ac.signal,
        dispatcher: this.agent,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      const flat = flattenHeaders(res.headers);
      const status = res.statusCode;
      const declared = Number(flat['content-length']);
      const wantBody = (status >= 200 && status < 300) || status === 304;
      if (!wantBody) {
        // Error and redirect bodies are not kept; read a little so the connection can be reused.
        await discard(res.body);
        return { kind: 'response', status, headers: flat, body: Buffer.alloc(0), truncated: false };
      }
      if (Number.isFinite(declared) && declared > cap && options.overflow !== 'truncate') {
        res.body.destroy();
        return { kind: 'too_large', bytes: declared, declared: true };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        if (size > cap) {
          if (options.overflow === 'truncate') {
            chunks.push(Buffer.from(chunk.subarray(0, chunk.byteLength - (size - cap))));
            truncated = true;
            res.body.destroy();
            break;
          }
          // Stop reading the moment the cap is passed: the rest is never downloaded.
          res.body.destroy();
          return { kind: 'too_large', bytes: size, declared: false };
        }
        chunks.push(Buffer.from(chunk));
      }
      let body: Buffer = Buffer.concat(chunks);
      const encoding = (flat['content-encoding'] ?? '').trim().toLowerCase();
      if (encoding && encoding !== 'identity' && body.length > 0) {
        const decoded = decompress(encoding, body, cap, truncated || options.overflow === 'truncate');
        if (decoded.kind === 'too_large') return { kind: 'too_large', bytes: decoded.bytes, declared: false };
        if (decoded.kind === 'error') return { kind: 'error', code: 'CMT_SCRAPE_BAD_ENCODING', message: decoded.message };
        body = decoded.body;
      }
      return { kind: 'response', status, headers: flat, body, truncated };
    } catch (err) {
      const refused = findAddressRefused(err);
      if (refused) return { kind: 'refused', detail: refused.message, evidence: { url: url.href, address: refused.address, range: refused.range } };
      if (options.signal?.aborted) throw options.signal.reason;
      const e = (ac.signal.aborted ? ac.signal.reason : err) as { code?: string; message?: string; cause?: { code?: string } };
      return { kind: 'error', code: e?.code ?? e?.cause?.code ?? 'UNKNOWN', message: e?.message ?? String(err) };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  }
}

/**
 * Undo Content-Encoding; the decoded size is capped too (a small gzip body can expand enormously).
 * `partial` accepts a cut-off stream (robots.txt read up to its cap).
 */
function decompress(encoding: string, body: Buffer, cap: number, partial: boolean): { kind: 'ok'; body: Buffer } | { kind: 'too_large'; bytes: number } | { kind: 'error'; message: string } {
  const opts = { maxOutputLength: cap, finishFlush: partial ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return { kind: 'ok', body: zlib.gunzipSync(body, opts) };
    if (encoding === 'deflate') return { kind: 'ok', body: zlib.inflateSync(body, opts) };
    if (encoding === 'br') return { kind: 'ok', body: zlib.brotliDecompressSync(body, { maxOutputLength: cap }) };
    return { kind: 'error', message: `unsupported Content-Encoding ${encoding}` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return { kind: 'too_large', bytes: cap + 1 };
    return { kind: 'error', message: `cannot decode ${encoding} body: ${err.message}` };
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const key = k.toLowerCase();
    if (v === undefined || key === 'set-cookie') continue; // cookies are not stored with the page
    out[key] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function discard(body: HttpResponse['body']): Promise<void> {
  try {
    if (body.dump) await body.dump({ limit: 64 * 1024 });
    else body.destroy();
  } catch {
    /* a body we are throwing away may fail to drain; the connection is simply not reused */
  }
}
