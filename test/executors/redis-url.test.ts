import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkedRedisUrl, openClient, withoutCredentials } from '../../src/executors/bullmq/connection.js';
import { demoSnapshot } from '../support/kg.js';
import { ensureRedis } from '../support/services.js';
import { tmpDir } from '../support/run.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('Redis URLs from --redis and REDIS_URL', () => {
  let url: string;
  beforeAll(async () => {
    url = ensureRedis();
    await demoSnapshot();
  });

  it('accepts redis:// and rediss:// with a port and an optional database number', () => {
    for (const ok of ['redis://127.0.0.1:6390', 'redis://127.0.0.1:6390/', 'redis://127.0.0.1:6390/3', 'rediss://user:pw@cache.local:6380/15', 'redis://localhost']) {
      expect(checkedRedisUrl(ok, '--redis')).toBe(ok);
    }
  });

  it.each([
    ['redis://127.0.0.1:notaport', 'does not parse as a URL'],
    ['http://127.0.0.1:6390', 'the scheme is http'],
    ['127.0.0.1:6390', 'it has no scheme'],
    ['redis://127.0.0.1:6390/queue', 'the path /queue is not a database number'],
  ])('refuses %s with CMT_USAGE naming where it came from', (bad, why) => {
    let err: unknown;
    try {
      checkedRedisUrl(bad, 'REDIS_URL');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CMT_USAGE' });
    expect(String((err as Error).message)).toContain(why);
    expect(String((err as Error).message)).toContain(`REDIS_URL ${JSON.stringify(bad)}`);
  });

  it('selects the database the URL names and refuses one the server does not have', async () => {
    const db3 = await openClient(`${url}/3`, 'test-db3');
    try {
      await db3.set('cmt-test:redis-url-db', 'three');
      const db0 = await openClient(url, 'test-db0');
      try {
        expect(await db0.get('cmt-test:redis-url-db')).toBeNull();
      } finally {
        db0.disconnect();
      }
      expect(await db3.get('cmt-test:redis-url-db')).toBe('three');
      await db3.del('cmt-test:redis-url-db');
    } finally {
      db3.disconnect();
    }
    // Before: ioredis emitted an error and went on in database 0, among another run's keys.
    await expect(openClient(`${url}/99`, 'test-db99', 5000)).rejects.toMatchObject({ code: 'CMT_USAGE', message: expect.stringContaining('has no database 99') });
  });

  it('a run given a bad --redis stops at once with exit 2 and writes no output', () => {
    const out = path.join(tmpDir('cmt-redis-url-'), 'out');
    const r = spawnSync(process.execPath, [cli, 'run', 'pipelines/demo.yaml', '--executor', 'bullmq', '--redis', url.replace(/^redis:/, 'http:'), '--out', out], {
      encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error CMT_USAGE: --redis');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(false);
  });
});

describe('Redis URLs in logs', () => {
  it('shows no user or password (REDIS_URL may carry them)', () => {
    expect(withoutCredentials('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://10.0.0.5:6379/2');
    expect(withoutCredentials('rediss://admin:s3cret@cache.example:6380')).toBe('rediss://cache.example:6380');
    expect(withoutCredentials('redis://127.0.0.1:6390')).toBe('redis://127.0.0.1:6390');
  });
});
