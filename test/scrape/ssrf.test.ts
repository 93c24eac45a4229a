import { describe, it, expect } from '@jest/globals';
import { forbiddenRange, parseAllowHosts, refuseAddress } from '../../src/scrape/ssrf.js';

describe('address rules', () => {
  it('refuses loopback, private, link-local (metadata), CGNAT, unique-local and IPv6 loopback', () => {
    const cases: Array<[string, string | undefined]> = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', undefined],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.254', 'cgnat'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fd12:3456::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'link-local'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['8.8.8.8', undefined],
      ['2001:4860:4860::8888', undefined],
      ['::ffff:8.8.8.8', undefined],
    ];
    for (const [ip, range] of cases) expect([ip, forbiddenRange(ip)]).toEqual([ip, range]);
  });

  it('matches allow-list entries by host, and by port where the entry names one', () => {
    const allow = parseAllowHosts(['www.haodf.com', '127.0.0.1:8080', '[::1]:9000', 'Example.COM.']);
    expect(allow.hostAllowed(new URL('https://www.haodf.com/flow/x.html'))).toBe(true);
    expect(allow.hostAllowed(new URL('http://www.haodf.com:8443/'))).toBe(true);
    expect(allow.hostAllowed(new URL('https://m.haodf.com/'))).toBe(false);
    expect(allow.hostAllowed(new URL('http://127.0.0.1:8080/'))).toBe(true);
    expect(allow.hostAllowed(new URL('http://127.0.0.1:8081/'))).toBe(false);
    expect(allow.hostAllowed(new URL('http://[::1]:9000/'))).toBe(true);
    expect(allow.hostAllowed(new URL('http://example.com/'))).toBe(true);
  });

  it('lets a forbidden address through only for an exact host:port entry', () => {
    const allow = parseAllowHosts(['127.0.0.1:8080', 'localhost', '169.254.169.254']);
    expect(refuseAddress(allow, '127.0.0.1', 8080, '127.0.0.1')).toBeUndefined();
    expect(refuseAddress(allow, '127.0.0.1', 8081, '127.0.0.1')?.range).toBe('loopback');
    expect(refuseAddress(allow, 'localhost', 8080, '127.0.0.1')?.range).toBe('loopback');
    expect(refuseAddress(allow, '169.254.169.254', 80, '169.254.169.254')?.range).toBe('link-local');
    expect(refuseAddress(allow, 'www.haodf.com', 443, '8.8.8.8')).toBeUndefined();
  });
});
