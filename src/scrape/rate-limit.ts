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
   * Extra spacing as a fraction of the interval (default 0.02). Starts are spaced by 1000/rps·(1+margin)
   * so that a server counting with its own clock never sees more than rps requests in any one-second
   * window, even with a few milliseconds of network jitter between our clock and its.
   */
  margin?: number;
}

interface HostState {
  intervalMs: number;
  nextStart: number;
  inFlight: number;
  waiters: Array<() => void>;
}

/** The in-process limiter: an interval scheduler (a token bucket of depth 1) plus a FIFO semaphore per host. */
export class LocalHostLimiter implements HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly baseIntervalMs: number;

  constructor(private readonly opts: LocalLimiterOptions) {
    if (!(opts.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
    this.baseIntervalMs = (1000 / opts.requestsPerSecond) * (1 + (opts.margin ?? 0.02));
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) this.hosts.set(host, (s = { intervalMs: this.baseIntervalMs, nextStart: 0, inFlight: 0, waiters: [] }));
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
      // Reserve the next start time now (so concurrent acquirers queue behind each other), then wait for it.
      const now = Date.now();
      const start = Math.max(now, s.nextStart);
      s.nextStart = start + s.intervalMs;
      await sleepUntil(start, signal);
      return lease;
    } catch (e) {
      lease.release();
      throw e;
    }
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
    if (ms > s.intervalMs) {
      // A start already reserved with the old interval is pushed out to the new one.
      s.nextStart += ms - s.intervalMs;
      s.intervalMs = ms;
    }
  }

  deferUntil(host: string, epochMs: number): void {
    const s = this.state(host);
    s.nextStart = Math.max(s.nextStart, epochMs);
  }

  /** The current minimum gap between starts on `host` (for logs and tests). */
  intervalOf(host: string): number {
    return this.state(host).intervalMs;
  }
}

/** Sleep until Date.now() >= epochMs (timers may fire a millisecond early; loop until the clock agrees). */
export async function sleepUntil(epochMs: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const left = epochMs - Date.now();
    if (left <= 0) return;
    await sleep(left, signal);
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
