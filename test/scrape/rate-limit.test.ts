import { describe, it, expect } from '@jest/globals';
import { LocalHostLimiter } from '../../src/scrape/rate-limit.js';

describe('LocalHostLimiter', () => {
  it('spaces starts on one host by the interval and keeps hosts independent', async () => {
    const limiter = new LocalHostLimiter({ requestsPerSecond: 50, concurrency: 10, margin: 0 });
    const starts: Record<string, number[]> = { a: [], b: [] };
    await Promise.all(
      ['a', 'a', 'a', 'a', 'b', 'b'].map(async (host) => {
        const lease = await limiter.acquire(host);
        starts[host].push(Date.now());
        lease.release();
      }),
    );
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]);
    for (const g of gaps(starts.a)) expect(g).toBeGreaterThanOrEqual(19);
    expect(starts.b[0] - starts.a[0]).toBeLessThan(40); // b does not queue behind a's 4 starts (≥ 60 ms)
  });

  it('never has more than `concurrency` leases out on a host', async () => {
    const limiter = new LocalHostLimiter({ requestsPerSecond: 1000, concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lease = await limiter.acquire('h');
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        lease.release();
      }),
    );
    expect(peak).toBe(2);
  });

  it('raises the interval for a Crawl-delay and holds the host until a Retry-After time', async () => {
    const limiter = new LocalHostLimiter({ requestsPerSecond: 100, concurrency: 1 });
    limiter.setMinInterval('h', 60);
    limiter.setMinInterval('h', 5); // never lowers
    expect(limiter.intervalOf('h')).toBeCloseTo(63); // 60 ms plus the 5 % margin
    const until = Date.now() + 80;
    limiter.deferUntil('h', until);
    (await limiter.acquire('h')).release();
    expect(Date.now()).toBeGreaterThanOrEqual(until);
  });

  it('gives the slot back when a waiter is aborted', async () => {
    const limiter = new LocalHostLimiter({ requestsPerSecond: 1000, concurrency: 1 });
    const first = await limiter.acquire('h');
    const ac = new AbortController();
    const waiting = limiter.acquire('h', ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    first.release();
    (await limiter.acquire('h')).release();
  });
});
