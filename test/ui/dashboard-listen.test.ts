import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rejectsRouter } from '../../src/cli/rejects-page.js';
import type { CmtError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { startDashboard, type Dashboard } from '../../src/executors/bullmq/dashboard.js';

const cli = path.join(process.cwd(), 'dist', 'src', 'cli', 'index.js');

describe('starting the dashboard', () => {
  let first: Dashboard | undefined;
  afterAll(async () => {
    await first?.close();
  });

  it('on a port already in use fails with CMT_USAGE naming the port and --port, not a TypeError', async () => {
    first = await startDashboard({ redisUrl: '', port: 0, logger: silentLogger, queues: false, routes: rejectsRouter([]) });
    const port = Number(new URL(first.url).port);
    const e = (await startDashboard({ redisUrl: '', port, logger: silentLogger, queues: false, routes: rejectsRouter([]) }).then(
      () => undefined,
      (x: unknown) => x,
    )) as CmtError;
    expect(e.code).toBe('CMT_USAGE');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('--port');
  });

  it('refuses a port above 65535 with exit 2', () => {
    const r = spawnSync(process.execPath, [cli, 'dashboard', '--no-queues', '--port', '99999'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--port');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
