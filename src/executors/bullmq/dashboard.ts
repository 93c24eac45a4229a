/**
 * Bull Board over the run queues: every run in the runs set (its stage queues and its finalise
 * queue) and the schedule queue, re-read every few seconds as runs come and go. Binds to 127.0.0.1
 * unless told otherwise and has no authentication, so: read-only unless `allowActions` (Bull
 * Board's own read-only mode, and every non-GET request refused), and only requests whose Host
 * header names this machine (or an allowed host) are served, against DNS rebinding.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import { CmtError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { openClient, openQueue } from './connection.js';
import { DEFAULT_PREFIX, RunKeys, runsKey, SCHEDULE_QUEUE, type QueueStage } from './keys.js';
import { RunStore } from './store.js';

export interface DashboardOptions {
  redisUrl: string;
  prefix?: string;
  port?: number;
  host?: string;
  logger: Logger;
  /** How often the list of run queues is refreshed (ms, default 3000). */
  refreshMs?: number;
  /** Let Bull Board retry, promote, clean and delete jobs (default: read-only). */
  allowActions?: boolean;
  /** Host names besides localhost, 127.0.0.1, ::1 and the bound address that may be in the Host header. */
  allowHosts?: string[];
  /** More read-only pages (the rejects pages), mounted before Bull Board. */
  routes?: express.Router;
  /** false: no Redis, no Bull Board (only `routes`). */
  queues?: boolean;
}

/** The host name of a Host header (`a.b:3030` → `a.b`, `[::1]:3030` → `::1`), lower-cased. */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const i = h.lastIndexOf(':');
  return i >= 0 && h.indexOf(':') === i ? h.slice(0, i) : h;
}

export interface Dashboard {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const host = o.host ?? '127.0.0.1';
  const app = express();
  const allowed = new Set(['localhost', '127.0.0.1', '::1', host.toLowerCase(), ...(o.allowHosts ?? []).map((h) => h.toLowerCase())]);
  app.use((req, res, next) => {
    if (!allowed.has(hostName(req.headers.host))) {
      res.status(421).type('text').send(`Host ${req.headers.host ?? '(none)'} is not served here (allowed: ${[...allowed].join(', ')}; add one with --allow-host)\n`);
      return;
    }
    if (!o.allowActions && req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).type('text').send('the dashboard is read-only: start it with --allow-actions to retry, promote, clean or delete jobs\n');
      return;
    }
    next();
  });
  if (o.routes) app.use(o.routes);
  if (o.queues === false) {
    app.get('/', (_req, res) => res.redirect('/rejects'));
    return listen(app, host, o, async () => {});
  }
  const client = await openClient(o.redisUrl, 'cmtmedqa-dashboard');
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = openQueue(name, { redisUrl: o.redisUrl, prefix, logger: o.logger, readOnly: true });
      queues.set(name, q);
    }
    return q;
  };
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  const readOnlyMode = !o.allowActions;
  const adapterOf = (q: Queue, description: string) => new BullMQAdapter(q, { description, delimiter: '.', readOnlyMode, allowRetries: !readOnlyMode });
  const board = createBullBoard({ queues: [adapterOf(queue(SCHEDULE_QUEUE), 'scheduled pipeline runs')], serverAdapter });
  let shown = '';

  const refresh = async () => {
    const names: Array<[string, string]> = [[SCHEDULE_QUEUE, 'scheduled pipeline runs']];
    for (const runId of (await client.smembers(runsKey(prefix))).sort()) {
      const keys = new RunKeys(prefix, runId);
      const rec = await new RunStore(client, keys).record().catch(() => undefined);
      if (!rec) continue;
      for (const s of ['import', ...rec.stages, 'finalise', 'shard'] as QueueStage[]) names.push([keys.queue(s), `${rec.pipeline.config.name}: ${s}`]);
    }
    const sig = names.map((n) => n[0]).join('|');
    if (sig === shown) return;
    shown = sig;
    board.replaceQueues(names.map(([n, d]) => adapterOf(queue(n), d)));
    for (const [n, q] of queues) {
      if (!names.some(([m]) => m === n)) {
        queues.delete(n);
        void q.close().catch(() => {});
      }
    }
  };
  await refresh();
  const timer = setInterval(() => {
    refresh().catch((e: unknown) => o.logger.warn({ err: e }, 'dashboard refresh failed'));
  }, o.refreshMs ?? 3000);

  app.use('/', serverAdapter.getRouter() as express.Router);
  return listen(app, host, o, async () => {
    clearInterval(timer);
    await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
    await client.quit().catch(() => client.disconnect());
  });
}

/** Why the dashboard cannot listen, and what to do. */
function listenFailure(e: Error, host: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const at = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new CmtError('CMT_USAGE', `${at} is already in use (another dashboard?): stop it or choose another --port`, { host, port }, { cause: e });
  if (code === 'EADDRNOTAVAIL') return new CmtError('CMT_USAGE', `cannot bind ${at}: ${host} is not an address of this machine; give one with --host (default 127.0.0.1)`, { host, port }, { cause: e });
  if (code === 'EACCES') return new CmtError('CMT_USAGE', `not allowed to bind ${at} (ports below 1024 need privileges): choose another --port`, { host, port }, { cause: e });
  return e;
}

async function listen(app: express.Express, host: string, o: DashboardOptions, release: () => Promise<void>): Promise<Dashboard> {
  const port = o.port ?? 3030;
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      // Express 5 calls back on a failed listen too, with the error (then address() is null).
      const s = app.listen(port, host, (err?: Error) => (err ? reject(listenFailure(err, host, port)) : resolve(s)));
    });
  } catch (e) {
    await release(); // the Redis client and queues opened for Bull Board would keep the process alive
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
  o.logger.info({ url, allowActions: o.allowActions === true }, 'dashboard listening');
  return {
    url,
    server,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Keep-alive connections (browsers, Bull Board's polling) would hold close() open.
      server.closeAllConnections();
      await closed;
      await release();
    },
  };
}
