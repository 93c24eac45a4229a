/**
 * A local HTTP server on 127.0.0.1 (random port) for the scrape tests: routes by path, and a log of
 * every request with the server's own arrival time, so politeness is measured where a site would
 * measure it. `startServerThread` runs it in a worker thread, so the arrival times are not skewed by
 * the scraper's own work on the test's event loop. Nothing in the scrape tests leaves this machine.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface LoggedRequest {
  /** Date.now() when the request line arrived. */
  t: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** What the handler answered (filled when the response finishes). */
  status?: number;
  responseHeaders?: Record<string, unknown>;
}

/** `hit` is the 1-based count of requests to this path so far (for fail-then-succeed routes). */
export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface TestServer {
  port: number;
  origin: string;
  log: LoggedRequest[];
  /** Requests to one path, in arrival order. */
  hits(path: string): LoggedRequest[];
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
  const log: LoggedRequest[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const entry: LoggedRequest = { t: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.responseHeaders = { ...res.getHeaders() };
    });
    const p = (req.url ?? '/').split('?')[0];
    const n = (counts.get(p) ?? 0) + 1;
    counts.set(p, n);
    const h = routes[p];
    if (!h) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    h(req, res, n);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    log,
    hits: (path) => log.filter((r) => r.path.split('?')[0] === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Send a body with a content type (and optional extra headers). */
export function send(body: string | Buffer, contentType = 'text/html', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, ...headers });
    res.end(body);
  };
}

export function redirect(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}

/** The largest number of logged requests inside any window of `ms` milliseconds [t, t+ms). */
export function maxInWindow(times: number[], ms = 1000): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    while (ts[i] - ts[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export interface RemoteServer {
  port: number;
  origin: string;
  /** The worker's request log so far. */
  log(): Promise<LoggedRequest[]>;
  close(): Promise<void>;
}

/** Start the routes `name` of site-routes.ts (built with `params`) in a worker thread. */
export async function startServerThread(name: string, params: Record<string, unknown> = {}): Promise<RemoteServer> {
  const worker = new Worker(new URL('./server-worker.js', import.meta.url), { workerData: { name, params } });
  const replies: Array<(value: unknown) => void> = [];
  const ready = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string; port?: number; log?: LoggedRequest[] }) => {
      if (m.type === 'ready') resolve(m.port!);
      else replies.shift()?.(m);
    });
  });
  const port = await ready;
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      replies.push(resolve as (v: unknown) => void);
      worker.postMessage(type);
    });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    log: async () => (await ask<{ log: LoggedRequest[] }>('log')).log,
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}
