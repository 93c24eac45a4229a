/** Jest global teardown: stop only the services this test run started (see test/support/services.ts). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const marker = path.join(process.cwd(), '.cache', 'services', `started-by-${process.pid}`);
  if (!existsSync(marker)) return;
  const scripts = new Set(readFileSync(marker, 'utf8').split('\n').filter(Boolean));
  rmSync(marker, { force: true });
  if (process.env.CMT_KEEP_SERVICES) return;
  for (const script of scripts) {
    try {
      execFileSync('bash', [path.join(process.cwd(), 'scripts', script), 'stop'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      /* best effort: the next start reuses or replaces a stale server */
    }
  }
}
