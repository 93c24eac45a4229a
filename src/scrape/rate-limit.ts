/**
 * Per-host politeness: how many requests to one host may be in flight at once, and how far apart two
 * request starts must be. The fetcher sees only the HostLimiter interface, so a distributed executor can
 * swap in a shared limiter (a Redis-backed one: the interval as a GCRA key per host, leases as expiring
 * set members) without the fetcher changing.
 * Must not: know about URLs beyond the host key, or hold a concurrency slot for a request that has ended
 * (callers release their lease in a finally).
 */

export interface HostLease {
  /** Give the concurrency slot back. Idempotent. */
  release(): void;
}

export interface HostLimiter {
  /**
   * Wait for a concurrency slot on `host`, then for the host's next start time; resolve when the
   * request may start. Rejects with the signal's reason if aborted while waiting (nothing is held then).
   */
  acquire(host: string, signal?: AbortSignal): Promise<HostLease>;
  /** Raise the minimum gap between request starts on `host` (robots.txt Crawl-delay). Never lowers it. */
  setMinInterval(host: string, ms: number): void | Promise<void>;
  /** No request to `host` starts before `epochMs` (a 429/503 Retry-After applies to the whole host). */
  deferUntil(host: string, epochMs: number): void | Promise<void>;
}

export interface LocalLimiterOptions {
  requestsPerSecond: number;
  concurrency: number;
  /**
   * Extra spacing as a fraction of the interval (default 0.05). Starts are spaced by
   * max(1000/rps, Crawl-delay)·(1+margin) so that a server counting with its own clock never sees more
   * than the limit in any one-second window, even when one request reaches it up to ~50 ms later than
   * the next (a busy event loop, scheduling, a new connection).
   */
  margin?: number;
}

interface HostState {
  /** Minimum gap before the margin: 1000/rps, or a larger Crawl-delay. */
  floorMs: number;
  /** When the last request on this host actually started (Date.now()). */
  lastStart: number;
  /** No start before this (Retry-After). */
  notBefore: number;
  /** Starts are handed out one at a time, in arrival order. */
  gate: Promise<void>;
  inFlight: number;
  waiters: Array<() => void>;
}

/**
 * The in-process limiter: a FIFO semaphore per host, then a start gate that lets one request through
 * at least `interval` after the previous one actually started. Measuring from the actual start (not a
 * reserved slot) keeps the spacing even when the event loop stalls and several waiters wake late
 * together.
 */
export class LocalHostLimiter implements HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly baseMs: number;
  private readonly factor: number;

  constructor(private readonly opts: LocalLimiterOptions) {
    if (!(opts.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
    this.baseMs = 1000 / opts.requestsPerSecond;
    this.factor = 1 + (opts.margin ?? 0.05);
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = { floorMs: this.baseMs, lastStart: -Infinity, notBefore: 0, gate: Promise.resolve(), inFlight: 0, waiters: [] };
      this.hosts.set(host, s);
    }
    return s;
  }

  async acquire(host: string, signal?: AbortSignal): Promise<HostLease> {
    const s = this.state(host);
    await this.takeSlot(s, signal);
    let released = false;
    const lease: HostLease = {
      release: () => {
        if (released) return;
        released = true;
        s.inFlight--;
        s.waiters.shift()?.();
      },
    };
    try {
      const turn = s.gate.then(() => this.waitTurn(s, signal));
      s.gate = turn.catch(() => undefined);
      await turn;
      return lease;
    } catch (e) {
      lease.release();
      throw e;
    }
  }

  private async waitTurn(s: HostState, signal?: AbortSignal): Promise<void> {
    // Re-read the target after every sleep: a Crawl-delay or Retry-After may arrive meanwhile.
    for (;;) {
      signal?.throwIfAborted();
      const target = Math.max(s.lastStart + s.floorMs * this.factor, s.notBefore);
      const left = target - Date.now();
      if (left <= 0) break;
      await sleep(left, signal);
    }
    s.lastStart = Date.now();
  }

  private takeSlot(s: HostState, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (s.inFlight < this.opts.concurrency && s.waiters.length === 0) {
      s.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        s.inFlight++;
        resolve();
      };
      const onAbort = () => {
        const i = s.waiters.indexOf(grant);
        if (i >= 0) s.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      s.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setMinInterval(host: string, ms: number): void {
    const s = this.state(host);
    if (ms > s.floorMs) s.floorMs = ms;
  }

  deferUntil(host: string, epochMs: number): void {
    const s = this.state(host);
    s.notBefore = Math.max(s.notBefore, epochMs);
  }

  /** The current minimum gap between starts on `host`, margin included (for logs and tests). */
  intervalOf(host: string): number {
    return this.state(host).floorMs * this.factor;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, Math.ceil(ms)));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
