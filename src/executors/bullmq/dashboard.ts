/**
 * Bull Board over the run queues: every run in the runs set (its stage queues and its finalise
 * queue) and the schedule queue, re-read every few seconds as runs come and go. Binds to 127.0.0.1
 * unless told otherwise: the board can retry, promote and delete jobs and has no authentication.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
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
}

export interface Dashboard {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
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
  const adapterOf = (q: Queue, description: string) => new BullMQAdapter(q, { description, delimiter: '.' });
  const board = createBullBoard({ queues: [adapterOf(queue(SCHEDULE_QUEUE), 'scheduled pipeline runs')], serverAdapter });
  let shown = '';

  const refresh = async () => {
    const names: Array<[string, string]> = [[SCHEDULE_QUEUE, 'scheduled pipeline runs']];
    for (const runId of (await client.smembers(runsKey(prefix))).sort()) {
      const keys = new RunKeys(prefix, runId);
      const rec = await new RunStore(client, keys).record().catch(() => undefined);
      if (!rec) continue;
      for (const s of [...rec.stages, 'finalise'] as QueueStage[]) names.push([keys.queue(s), `${rec.pipeline.config.name}: ${s}`]);
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

  const app = express();
  app.use('/', serverAdapter.getRouter() as express.Router);
  const host = o.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(o.port ?? 3030, host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
  o.logger.info({ url }, 'dashboard listening');
  return {
    url,
    server,
    async close() {
      clearInterval(timer);
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Keep-alive connections (browsers, Bull Board's polling) would hold close() open.
      server.closeAllConnections();
      await closed;
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
      await client.quit().catch(() => client.disconnect());
    },
  };
}
