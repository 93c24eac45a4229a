import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SourceConfig, type ScrapeSourceConfig } from '../../schemas/pipeline.js';
import { silentLogger } from '../../src/core/logger.js';
import * as robotsModule from '../../src/scrape/robots.js';
import { decide, parseRobots, policyFor, productToken } from '../../src/scrape/robots.js';
import { scrapeSource } from '../../src/scrape/source.js';
import type { ImportItem } from '../../src/sources/types.js';

const u = (p: string) => new URL(`https://www.example.com${p}`);

describe('robots.txt parsing and matching', () => {
  const text = [
    '# comment line',
    'Sitemap: https://www.example.com/sitemap.xml',
    'Disallow: /ignored-before-any-group',
    '',
    'User-agent: *',
    'Disallow: /',
    '',
    'User-agent: CMTMedQA',
    'User-agent: otherbot',
    'Disallow: /flow/private/   # trailing comment',
    'Allow: /flow/private/open-',
    'Disallow: /*.php$',
    'Disallow: /search*q=',
    'Allow: /same',
    'Disallow: /same',
    'Disallow:',
    'Crawl-delay: 0.5',
    '',
    'User-agent: cmtmedqa',
    'Disallow: /second-group/',
    'Crawl-delay: 2',
  ].join('\r\n');
  const file = parseRobots(text);
  const policy = policyFor(file, productToken('cmtmedqa/0.1 (+https://github.com/cmtmedqa/cmtmedqa; research dataset builder)'));

  it('takes the product token of our User-Agent, lower-cased', () => {
    expect(productToken('cmtmedqa/0.1 (+https://x)')).toBe('cmtmedqa');
    expect(productToken('Googlebot-News')).toBe('googlebot-news');
  });

  it('combines every group naming our token (case-insensitively) and ignores the * group then', () => {
    expect(policy.group).toBe('cmtmedqa');
    expect(policy.rules.map((r) => `${r.allow ? 'Allow' : 'Disallow'}: ${r.pattern}`)).toEqual([
      'Disallow: /flow/private/',
      'Allow: /flow/private/open-',
      'Disallow: /*.php$',
      'Disallow: /search*q=',
      'Allow: /same',
      'Disallow: /same',
      'Disallow: /second-group/',
    ]);
    expect(decide(policy, u('/flow/page.html'))).toEqual({ allowed: true });
  });

  it('uses the longest matching rule, Allow winning a tie', () => {
    expect(decide(policy, u('/flow/private/secret.html'))).toEqual({ allowed: false, rule: 'Disallow: /flow/private/' });
    expect(decide(policy, u('/flow/private/open-1.html'))).toEqual({ allowed: true, rule: 'Allow: /flow/private/open-' });
    expect(decide(policy, u('/same/x'))).toEqual({ allowed: true, rule: 'Allow: /same' });
  });

  it('supports * anywhere and $ as an end anchor, matching the query too', () => {
    expect(decide(policy, u('/a/b/index.php')).allowed).toBe(false);
    expect(decide(policy, u('/a/b/index.php?x=1')).allowed).toBe(true);
    expect(decide(policy, u('/search/results?page=2&q=x'))).toEqual({ allowed: false, rule: 'Disallow: /search*q=' });
  });

  it('takes the largest Crawl-delay of the combined groups', () => {
    expect(policy.crawlDelaySec).toBe(2);
  });

  it('falls back to the * group, then to allowing everything', () => {
    const star = policyFor(file, 'somebot');
    expect(star.group).toBe('*');
    expect(decide(star, u('/anything'))).toEqual({ allowed: false, rule: 'Disallow: /' });
    expect(decide(star, u('/robots.txt'))).toEqual({ allowed: true });
    expect(policyFor(parseRobots('User-agent: otherbot\nDisallow: /\n'), 'cmtmedqa')).toEqual({ group: '', rules: [] });
  });

  it('compares percent-encoded and raw non-ASCII paths alike', () => {
    const p = policyFor(parseRobots('User-agent: *\nDisallow: /科室/\n'), 'cmtmedqa');
    expect(decide(p, u('/%e7%a7%91%e5%ae%a4/x')).allowed).toBe(false);
    expect(decide(p, u('/科室/x')).allowed).toBe(false);
  });
});

describe('robots.txt hostile input (issue 9)', () => {
  const { compilePattern, matchPattern, RobotsCache } = robotsModule;

  it('matches `Disallow: /**********X` without backtracking: a long URL is checked in milliseconds', () => {
    const p = policyFor(parseRobots('User-agent: *\nDisallow: /**********X\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b$\n'), 'cmtmedqa');
    const long = u('/' + 'a'.repeat(5000));
    const t = performance.now();
    for (let k = 0; k < 200; k++) expect(decide(p, long).allowed).toBe(true);
    expect(performance.now() - t).toBeLessThan(2000); // 10 stars took 37 s per check as a regex
    expect(decide(p, u('/' + 'a'.repeat(5000) + 'X')).allowed).toBe(false);
    expect(decide(p, u('/' + 'a'.repeat(5000) + 'b')).allowed).toBe(false);
    expect(decide(p, u('/' + 'a'.repeat(5000) + 'bc')).allowed).toBe(true);
  });

  it.each<[string, string, boolean]>([
    ['/fish', '/fish', true],
    ['/fish', '/fish.html', true],
    ['/fish', '/Fish', false],
    ['/fish$', '/fish', true],
    ['/fish$', '/fish/', false],
    ['/*.php', '/index.php', true],
    ['/*.php', '/folder/any.php.file.html', true],
    ['/*.php$', '/filename.php', true],
    ['/*.php$', '/filename.php?parameters', false],
    ['/*.php$', '/filename.php/', false],
    ['/fish*.php', '/fish.php', true],
    ['/fish*.php', '/fishheads/catfish.php?parameters', true],
    ['/fish*.php', '/Fish.PHP', false],
    ['/a*b*c', '/abc', true],
    ['/a*b*c', '/acb', false],
    ['/a*b$', '/ab', true],
    ['/a*b$', '/abb', true],
    ['/a*b$', '/aba', false],
    ['/a*ab$', '/ab', false],
    ['/a*ab$', '/aab', true],
    ['/**', '/', true],
    ['/$x', '/$x', true],
    ['*', '/anything', true],
  ])('pattern %s on %s: %s (RFC 9309 / Google examples)', (pattern, path, expected) => {
    expect(matchPattern(compilePattern(pattern), path)).toBe(expected);
  });

  it('ignores NaN, empty and negative Crawl-delay values, keeps huge ones so the cap can refuse them', () => {
    const delay = (v: string) => policyFor(parseRobots(`User-agent: *\nCrawl-delay: ${v}\n`), 'x').crawlDelaySec;
    expect(delay('abc')).toBeUndefined();
    expect(delay('')).toBeUndefined();
    expect(delay('-5')).toBeUndefined();
    expect(delay('NaN')).toBeUndefined();
    expect(delay('1e12')).toBe(1e12);
    expect(delay('1e999')).toBe(Infinity);
    expect(delay('2.5')).toBe(2.5);
  });

  function cache(body: string, max?: number) {
    const delays: Array<[string, number]> = [];
    const c = new RobotsCache(async () => ({ kind: 'ok', status: 200, body }), 'cmtmedqa/0.1', silentLogger, (host, ms) => delays.push([host, ms]), max);
    return { c, delays };
  }

  it.each(['3600', '1e12', '1e999', '61'])('refuses every URL of a host whose Crawl-delay is %s (above the 60 s default cap), never waiting for it', async (v) => {
    const { c, delays } = cache(`User-agent: *\nCrawl-delay: ${v}\nAllow: /\n`);
    const d = await c.check(u('/flow/a.html'));
    expect(d).toMatchObject({ allowed: false, basis: 'crawl_delay_too_long', crawlDelaySec: Number(v), maxCrawlDelaySec: 60 });
    expect((await c.check(u('/robots-ok.html'))).allowed).toBe(false);
    expect(delays).toEqual([]);
  });

  it('obeys a Crawl-delay up to the cap, passing it on in milliseconds', async () => {
    const { c, delays } = cache('User-agent: *\nCrawl-delay: 60\n');
    expect((await c.check(u('/a'))).allowed).toBe(true);
    expect(delays).toEqual([['www.example.com', 60_000]]);
    const low = cache('User-agent: *\nCrawl-delay: 5\n', 2);
    expect(await low.c.check(u('/a'))).toMatchObject({ allowed: false, basis: 'crawl_delay_too_long', maxCrawlDelaySec: 2 });
  });

  it('turns a too-long Crawl-delay into scrape.crawl_delay_too_long rejects in the scrape source, without fetching the pages', async () => {
    const requested: string[] = [];
    const fetchImpl = async (url: URL) => {
      requested.push(url.pathname);
      const body = Buffer.from(url.pathname === '/robots.txt' ? 'User-agent: *\nCrawl-delay: 3600\n' : '<html></html>');
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/plain' },
        body: Object.assign((async function* () { yield body; })(), { destroy: () => undefined }),
      };
    };
    const cfg = SourceConfig.parse({ format: 'scrape', site: 'haodf', urls: ['http://127.0.0.1:9/flow/a.html', 'http://127.0.0.1:9/flow/b.html'], allowHosts: ['127.0.0.1:9'], rawStore: mkdtempSync(path.join(os.tmpdir(), 'cmt-robots-')) }) as ScrapeSourceConfig;
    expect(cfg.maxCrawlDelaySec).toBe(60);
    const items: ImportItem[] = [];
    for await (const item of scrapeSource(cfg, { logger: silentLogger, fetchImpl: fetchImpl as never })) items.push(item);
    expect(items.map((i) => (i.kind === 'reject' ? i.reject.reason : 'dialogue'))).toEqual(['scrape.crawl_delay_too_long', 'scrape.crawl_delay_too_long']);
    expect(items[0].kind === 'reject' && items[0].reject.evidence).toMatchObject({ crawlDelaySec: 3600, maxCrawlDelaySec: 60 });
    expect(requested).toEqual(['/robots.txt']);
    rmSync(cfg.rawStore, { recursive: true, force: true });
  });

  it('rejects a maxCrawlDelaySec above an hour at config load', () => {
    expect(SourceConfig.safeParse({ format: 'scrape', site: 'haodf', urls: ['http://x.example/'], allowHosts: ['x.example'], maxCrawlDelaySec: 1e12 }).success).toBe(false);
  });
});
