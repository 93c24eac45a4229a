/**
 * The local sites the scrape tests crawl, by name; each runs in its own worker thread
 * (startServerThread) so its request log has honest arrival times.
 */
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { sharedData } from '../support/services.js';
import { redirect, send, type Handler } from './server.js';

const HAODF = readFileSync('fixtures/html/haodf/menzhen_fx_1001_2001.html');
const LOGIN_WALL = readFileSync('fixtures/html/unknown/login_wall.html');
const NEWS = readFileSync('fixtures/html/unknown/news_page.html');
const PROFILE = readFileSync('fixtures/html/haodf/doctor_profile_fx.html');
const GARBAGE = Buffer.concat([Buffer.from('<html><head><meta charset="utf-8"></head><body>'), Buffer.from([0xff, 0x41, 0x80, 0xff, 0xfe, 0x81]), Buffer.from('</body></html>')]);

type Routes = Record<string, Handler>;

export const siteRoutes = {
  /** Must never see a request: URLs to it are refused before any connection. */
  forbidden: (): Routes => ({ '/robots.txt': send('', 'text/plain'), '/flow/x.html': send(HAODF) }),

  /** Every outcome a page can have, robots.txt with a Disallow and a Crawl-delay. */
  site: (p: Record<string, unknown>): Routes => {
    const chain: Routes = {};
    for (let i = 0; i < 6; i++) chain[`/flow/chain-${i}.html`] = redirect(`/flow/chain-${i + 1}.html`);
    const big = Buffer.alloc(300 * 1024, 'a');
    return {
      '/robots.txt': send(['User-agent: *', 'Disallow: /', '', 'User-agent: cmtmedqa', 'Disallow: /flow/private/', 'Allow: /flow/private/open-', 'Crawl-delay: 0.1', ''].join('\n'), 'text/plain'),
      '/flow/menzhen_fx_1001_2001.html': send(HAODF, 'text/html; charset=utf-8'),
      '/flow/menzhen_pr_6481987203_8888362349.html': send(readFileSync(sharedData('html', 'haodf', 'haodf_flow_page_2020.html')), 'text/html'),
      '/flow/gbk-declared-utf8.html': send(iconv.encode(HAODF.toString('utf8'), 'gbk'), 'text/html; charset=utf-8'),
      '/flow/utf8-declared-gbk.html': send(Buffer.from(HAODF.toString('utf8').replace('<meta charset="utf-8">', '<meta charset="gbk">')), 'text/html; charset=gbk'),
      '/flow/truncated.html': send(HAODF.subarray(0, Math.floor(HAODF.length * 0.6)), 'text/html; charset=utf-8'),
      '/flow/unknown.html': send(NEWS),
      '/flow/login-page.html': send(LOGIN_WALL),
      '/flow/needs-login.html': redirect('https://passport.haodf.com/user/login?from=%2Fflow%2Fneeds-login.html'),
      '/flow/profile.html': send(PROFILE),
      '/flow/wenda-2015.html': send(readFileSync('fixtures/html/haodf/wenda_fx_3001.htm'), 'text/html'),
      '/flow/bingcheng-2022.html': send(readFileSync('fixtures/html/haodf/bingcheng_fx_5001.html'), 'text/html; charset=utf-8'),
      '/flow/garbage.html': send(GARBAGE),
      '/flow/private/secret.html': send(HAODF),
      '/flow/private/open-1.html': send(HAODF),
      '/flow/loop-a.html': redirect('/flow/loop-b.html'),
      '/flow/loop-b.html': redirect('/flow/loop-a.html'),
      ...chain,
      '/flow/moved.html': redirect('/flow/menzhen_fx_1001_2001.html', 301),
      '/flow/out.html': redirect(`http://127.0.0.1:${p.forbiddenPort}/flow/x.html`),
      '/flow/big.html': send(big, 'text/html', { 'content-length': String(big.length) }),
      '/flow/big-chunked.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(16 * 1024, 'b');
        let n = 0;
        const write = () => {
          while (n < 16 && !res.destroyed) {
            n++;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          if (!res.destroyed) res.end();
        };
        write();
      },
      '/pc/qa/fxAbC123xyz/': send(readFileSync('fixtures/html/chunyu/qa_fxAbC123xyz.html'), 'text/html; charset=utf-8'),
      '/question/20180712/fx7654321.htm': send(readFileSync('fixtures/html/xywy/question_20180712_fx7654321.htm'), 'text/html'),
      '/question/fx70551.htm': send(readFileSync('fixtures/html/120ask/question_fx70551.htm'), 'text/html; charset=gbk'),
      '/flow/gzipped.html': send(zlib.gzipSync(HAODF), 'text/html; charset=utf-8', { 'content-encoding': 'gzip' }),
      '/flow/gzip-bomb.html': send(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)), 'text/html', { 'content-encoding': 'gzip' }),
    };
  },

  /**
   * A site to discover: list pages → question pages. /zixun/list.html links to q-1…q-4, a second list
   * page, a robots-disallowed page, a duplicate, an off-list host and a page no adapter reads;
   * list2 links to q-5…q-(4+extra) and list3 (depth 2), whose link q-deep is one hop too deep.
   */
  crawl: (p: Record<string, unknown>): Routes => {
    const extra = Number(p.extra ?? 4);
    const links = (hrefs: string[]) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>列表</title></head><body><ul>${hrefs.map((h, i) => `<li><a href="${h}">问题 ${i + 1}</a></li>`).join('')}</ul></body></html>`;
    const routes: Routes = {
      '/robots.txt': send('User-agent: *\nDisallow: /flow/private/\n', 'text/plain'),
      '/zixun/list.html': send(links(['/flow/q-1.html', 'q-2.html'.replace(/^/, '/flow/'), '/zixun/list2.html', '/flow/q-3.html#top', '/flow/private/p.html', '/flow/q-4.html', '/flow/q-1.html', 'https://example.com/flow/x.html', '/about.html', 'javascript:void(0)']), 'text/html; charset=utf-8'),
      '/zixun/list2.html': send(links([...Array.from({ length: extra }, (_, i) => `/flow/q-${5 + i}.html`), '/zixun/list3.html']), 'text/html; charset=utf-8'),
      '/zixun/list3.html': send(links(['/flow/q-deep.html']), 'text/html; charset=utf-8'),
      '/flow/private/p.html': send(HAODF),
      '/flow/q-deep.html': send(HAODF),
      '/about.html': send('<html><body>about</body></html>'),
    };
    for (let i = 1; i <= 4 + extra; i++) routes[`/flow/q-${i}.html`] = send(HAODF, 'text/html; charset=utf-8');
    return routes;
  },

  /** A list page nested too deep to read, beside a readable one; no robots.txt (404: allow all). */
  hostileList: (): Routes => ({
    '/zixun/list.html': send(`<html><body>${'<div>'.repeat(100_000)}<a href="/flow/q-1.html">q</a></body></html>`, 'text/html; charset=utf-8'),
    '/zixun/list2.html': send('<html><body><a href="/flow/q-1.html">q</a></body></html>', 'text/html; charset=utf-8'),
    '/flow/q-1.html': send(HAODF, 'text/html; charset=utf-8'),
  }),

  /** One page under many query strings; no robots.txt (404: allow all). */
  burst: (): Routes => ({ '/flow/p.html': send(HAODF) }),

  /** Fail-then-succeed pages with Retry-After, a page slower than the timeout, hard failures. */
  flaky: (): Routes => ({
    '/flow/retry-429.html': (req, res, hit) => {
      if (hit === 1) return void res.writeHead(429, { 'retry-after': '1' }).end();
      send(HAODF)(req, res, hit);
    },
    '/flow/retry-503-date.html': (req, res, hit) => {
      if (hit === 1) {
        // setHeader (not writeHead's object) so the logged responseHeaders hold the date we sent.
        res.setHeader('retry-after', new Date(Math.ceil((Date.now() + 1200) / 1000) * 1000).toUTCString());
        return void res.writeHead(503).end();
      }
      send(HAODF)(req, res, hit);
    },
    '/flow/slow.html': (req, res) => {
      const t = setTimeout(() => !res.destroyed && send(HAODF)(req, res, 0), 1500);
      res.on('close', () => clearTimeout(t));
    },
    '/flow/always-500.html': (_req, res) => void res.writeHead(500).end(),
    '/flow/retry-after-hour.html': (_req, res) => void res.writeHead(503, { 'retry-after': '3600' }).end(),
  }),

  /** robots.txt that always fails with 503 (disallow all) / 403 (allow all). */
  robotsDown: (): Routes => ({ '/robots.txt': (_req, res) => void res.writeHead(503).end(), '/flow/p.html': send(HAODF) }),
  robotsGone: (): Routes => ({ '/robots.txt': (_req, res) => void res.writeHead(403).end(), '/flow/p.html': send(HAODF) }),

  /** A page with validators that answers 304 to a matching If-None-Match, and one without validators. */
  cond: (): Routes => ({
    '/flow/etag.html': (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Mon, 02 Mar 2020 08:00:00 GMT' }).end(HAODF);
    },
    '/flow/same.html': send(HAODF, 'text/html; charset=utf-8'),
  }),
};
