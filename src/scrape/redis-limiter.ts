/**
 * The per-host limiter held in Redis, for scrapers in several processes (BullMQ crawl workers): the
 * same contract as LocalHostLimiter (HostLimiter), with the state in two keys per host:
 *   <prefix>:host:<host>          hash: last (start time, Redis clock ms), floor (min gap ms), notBefore
 *   <prefix>:host:<host>:leases   sorted set of lease tokens scored by expiry (in-flight requests)
 * One Lua script grants a start atomically only when a concurrency slot is free and the gap since the
 * last start (max(1000/rps, Crawl-delay)·(1+margin)) has passed, by Redis's own clock, so every worker
 * sees one sequence of starts per host. A lease of a crashed worker expires after `leaseTtlMs`.
 * Must not: hold a slot while waiting for the gap (slot and start are taken together).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sleep, type HostLease, type HostLimiter } from './rate-limit.js';

const ACQUIRE = `
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
local base = tonumber(ARGV[1])
local factor = tonumber(ARGV[2])
local conc = tonumber(ARGV[3])
local ttl = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= conc then return -1 end
local floor = tonumber(redis.call('HGET', KEYS[1], 'floor') or base)
if floor < base then floor = base end
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '-1000000000000')
local nb = tonumber(redis.call('HGET', KEYS[1], 'notBefore') or '0')
local target = math.max(last + floor * factor, nb)
if now < target then return math.ceil(target - now) end
redis.call('HSET', KEYS[1], 'last', now)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return 0
`;

const RAISE = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local v = tonumber(ARGV[2])
if v > cur then redis.call('HSET', KEYS[1], ARGV[1], v) end
redis.call('PEXPIRE', KEYS[1], 86400000)
return 0
`;

export interface RedisLimiterOptions {
  requestsPerSecond: number;
  concurrency: number;
  /** Key prefix (default `cmt:scrape`); workers of one crawl must share it. */
  prefix?: string;
  /** Extra spacing as a fraction of the interval (default 0.05, as LocalHostLimiter). */
  margin?: number;
  /** How long a lease lives if its holder never releases it (default 120 s). */
  leaseTtlMs?: number;
  /** Poll step while every slot is taken (default 15 ms). */
  pollMs?: number;
}

export class RedisHostLimiter implements HostLimiter {
  private readonly prefix: string;
  private readonly baseMs: number;
  private readonly factor: number;
  private readonly ttl: number;
  private readonly poll: number;

  constructor(private readonly redis: Redis, private readonly opts: RedisLimiterOptions) {
    if (!(opts.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
    this.prefix = opts.prefix ?? 'cmt:scrape';
    this.baseMs = 1000 / opts.requestsPerSecond;
    this.factor = 1 + (opts.margin ?? 0.05);
    this.ttl = opts.leaseTtlMs ?? 120_000;
    this.poll = opts.pollMs ?? 15;
  }

  private keys(host: string): [string, string] {
    const k = `${this.prefix}:host:${host}`;
    return [k, `${k}:leases`];
  }

  async acquire(host: string, signal?: AbortSignal): Promise<HostLease> {
    const [hash, leases] = this.keys(host);
    const token = randomUUID();
    for (;;) {
      signal?.throwIfAborted();
      const wait = Number(await this.redis.eval(ACQUIRE, 2, hash, leases, this.baseMs, this.factor, this.opts.concurrency, token, this.ttl));
      if (wait === 0) break;
      await sleep(wait < 0 ? this.poll : Math.min(wait, 1000), signal);
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.redis.zrem(leases, token).catch(() => undefined);
      },
    };
  }

  async setMinInterval(host: string, ms: number): Promise<void> {
    await this.redis.eval(RAISE, 1, this.keys(host)[0], 'floor', ms);
  }

  async deferUntil(host: string, epochMs: number): Promise<void> {
    await this.redis.eval(RAISE, 1, this.keys(host)[0], 'notBefore', Math.ceil(epochMs));
  }
}
