import { describe, it, expect } from '@jest/globals';
import { decide, parseRobots, policyFor, productToken } from '../../src/scrape/robots.js';

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
