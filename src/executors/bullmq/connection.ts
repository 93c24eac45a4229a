/**
 * Redis connections for the BullMQ executor. The URL comes from an option or REDIS_URL (the only
 * environment the executor reads, as for every connection string). Long-lived clients (coordinator,
 * workers) wait through a Redis restart instead of failing commands; the first contact fails fast
 * with CMT_REDIS_UNREACHABLE and a message that says how to start Redis.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../core/logger.js';
import { CmtError } from '../../core/errors.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6390';

/**
 * Written by `scripts/redis.sh start` (the port it picked) into the checkout it belongs to, removed
 * by `stop`; found from the package, so the CLI run from another directory still finds it.
 */
export const REDIS_URL_FILE = fileURLToPath(new URL('../../../../.cache/services/redis/redis.url', import.meta.url));

/**
 * The Redis to talk to: --redis, else REDIS_URL, else the server scripts/redis.sh started for this
 * checkout (it picks another port when 6390 is busy and writes its URL to REDIS_URL_FILE), else 6390.
 */
export function redisUrl(explicit?: string): string {
  if (explicit ?? process.env.REDIS_URL) return checkedRedisUrl((explicit ?? process.env.REDIS_URL)!, explicit ? '--redis' : 'REDIS_URL');
  try {
    const url = readFileSync(REDIS_URL_FILE, 'utf8').trim();
    if (/^rediss?:\/\//.test(url)) return url;
  } catch {
    // no server started by the script here
  }
  return DEFAULT_REDIS_URL;
}

/**
 * `url` when it is a Redis URL (redis:// or rediss://, a numeric port, an optional /<database
 * number>), else CMT_USAGE naming where it came from: a typo must not surface as a stack trace or
 * as "cannot reach Redis".
 */
export function checkedRedisUrl(url: string, from: string): string {
  const bad = (why: string) => new CmtError('CMT_USAGE', `${from} ${JSON.stringify(url)} is not a Redis URL (${why}); write it as redis://HOST:PORT[/DB], e.g. ${DEFAULT_REDIS_URL}`, { url });
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw bad('it has no scheme: start it with redis://');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('it does not parse as a URL: check the host and that the port is a number');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`the scheme is ${u.protocol.replace(/:$/, '')}, not redis or rediss`);
  if (!/^(?:\/(?:\d{1,5})?)?$/.test(u.pathname)) throw bad(`the path ${u.pathname} is not a database number`);
  return url;
}

/** The database number a Redis URL names (/N), 0 when none. */
function databaseOf(url: string): number {
  try {
    const m = /^\/(\d+)$/.exec(new URL(url).pathname);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** ioredis options shared by our clients and BullMQ's: retry forever, never drop a queued command. */
function baseOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Reconnect quickly at first, then every 2 s: a restarted Redis is picked up within seconds.
    retryStrategy: (times) => Math.min(50 * times, 2000),
  };
}

/** Connection options for BullMQ Queues and Workers (they open their own clients from these). */
export function bullConnection(url: string): ConnectionOptions {
  return { url, ...baseOptions() } as ConnectionOptions;
}

/** A client for the executor's own keys (run record, results, Lua scripts). */
export function createClient(url: string, name = 'cmtmedqa'): Redis {
  return new Redis(url, { ...baseOptions(), connectionName: name, lazyConnect: true });
}

/** Connects and PINGs within `timeoutMs`, else throws CMT_REDIS_UNREACHABLE (and closes the client). */
export async function connectOrFail(client: Redis, url: string, timeoutMs = 5000): Promise<Redis> {
  let timer: NodeJS.Timeout | undefined;
  let lastError: unknown;
  const onError = (e: unknown) => {
    lastError = e;
  };
  client.on('error', onError);
  try {
    const ready = (async () => {
      if (client.status === 'wait') await client.connect();
      await client.ping();
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([ready, timeout]);
    ready.catch(() => {});
  } catch (e) {
    client.disconnect();
    const why = lastError instanceof Error ? lastError.message : e instanceof Error ? e.message : String(e);
    throw new CmtError('CMT_REDIS_UNREACHABLE', `cannot reach Redis at ${url} (${why}); start Redis with \`bash scripts/redis.sh start\` or set REDIS_URL / --redis`, { url }, { cause: e });
  } finally {
    if (timer) clearTimeout(timer);
    client.off('error', onError);
    // After the first contact, connection errors are retried; keep one listener so ioredis
    // does not print "Unhandled error event" while Redis restarts.
    if (client.listenerCount('error') === 0) client.on('error', () => {});
  }
  // ioredis selects the URL's database on connect and, when the server has no such database, only
  // emits an error and goes on in database 0: another run's keys. Ask again and refuse.
  const db = databaseOf(url);
  if (db > 0) {
    try {
      await client.select(db);
    } catch (e) {
      client.disconnect();
      throw new CmtError('CMT_USAGE', `Redis at ${url} has no database ${db} (${e instanceof Error ? e.message : String(e)}); use a database number below the server's "databases" setting (16 by default)`, { url }, { cause: e });
    }
  }
  return client;
}

/** createClient + connectOrFail. */
export async function openClient(url: string, name?: string, timeoutMs?: number): Promise<Redis> {
  return connectOrFail(createClient(url, name), url, timeoutMs);
}

/**
 * A BullMQ Queue with its connection errors logged (at most every 5 s) instead of printed by
 * BullMQ's fallback console.error while Redis is away. `readOnly` skips writing queue metadata
 * (status, dashboard).
 */
export function openQueue(name: string, o: { redisUrl: string; prefix: string; logger?: Logger; readOnly?: boolean }): Queue {
  const q = new Queue(name, { connection: bullConnection(o.redisUrl), prefix: o.prefix, ...(o.readOnly ? { skipMetasUpdate: true } : {}) });
  let last = 0;
  q.on('error', (err) => {
    if (Date.now() - last > 5000) o.logger?.warn({ err, queue: name }, 'queue connection error');
    last = Date.now();
  });
  return q;
}

/** A running outage watch (watchOutage): `stop` before closing the client on purpose. */
export interface OutageWatch {
  /** When the connection was lost (Date.now()), while it is; else undefined. */
  readonly downSince: number | undefined;
  stop(): void;
}

/**
 * Says, in the log, when a long-lived client loses Redis and when it is back. The clients retry
 * forever (a restarted Redis is picked up, the run goes on where it was), so without this a run
 * whose Redis went away is silent until it returns: it looks hung. While the connection is down
 * this warns at once and then every `everyMs` (CMT_REDIS_UNREACHABLE, how long, what to do), and
 * says how long it was down when the client is ready again.
 */
export function watchOutage(client: Redis, o: { url: string; logger: Logger; role: string; everyMs?: number }): OutageWatch {
  const url = withoutCredentials(o.url);
  let downSince: number | undefined;
  let lastError: string | undefined;
  let stopped = false;
  const advice = `the ${o.role} waits and goes on where it was once Redis answers again (start it with \`bash scripts/redis.sh start\`); Ctrl-C twice quits now, and the same command later resumes the run`;
  const warn = () => {
    if (downSince === undefined) return;
    const downSeconds = Math.round((Date.now() - downSince) / 1000);
    o.logger.warn({ code: 'CMT_REDIS_UNREACHABLE', url, downSeconds, lastError }, `Redis at ${url} unreachable for ${downSeconds} s${lastError ? ` (${lastError})` : ''}: ${advice}`);
  };
  const onError = (e: unknown) => {
    lastError = e instanceof Error ? e.message : String(e);
  };
  const onDown = () => {
    if (stopped || downSince !== undefined) return;
    downSince = Date.now();
    warn();
  };
  const onReady = () => {
    if (downSince === undefined) return;
    const downSeconds = Math.round((Date.now() - downSince) / 100) / 10;
    downSince = undefined;
    lastError = undefined;
    if (!stopped) o.logger.info({ url, downSeconds }, `Redis at ${url} answers again after ${downSeconds} s; the ${o.role} goes on`);
  };
  client.on('error', onError);
  client.on('close', onDown);
  client.on('ready', onReady);
  // everyMs 0 (or less): the loss and the return only, no repeats.
  const every = o.everyMs ?? 15_000;
  const timer = every > 0 ? setInterval(warn, every) : undefined;
  timer?.unref();
  return {
    get downSince() {
      return downSince;
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      client.off('error', onError);
      client.off('close', onDown);
      client.off('ready', onReady);
    },
  };
}

/** `url` without its user and password (REDIS_URL may carry them): what logs may show. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
