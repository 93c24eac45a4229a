/**
 * A local HTTP server on 127.0.0.1 (random port) for the scrape tests: routes by path, and a log of
 * every request with the server's own arrival time, so politeness is measured where a site would
 * measure it. Nothing in the scrape tests leaves this machine.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  /** Date.now() when the request line arrived. */
  t: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** What the handler answered (filled when the response finishes). */
  status?: number;
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
    res.on('finish', () => (entry.status = res.statusCode));
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
