/** Jest global teardown: stop the services the test run started (scripts keep their own state). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export default async function globalTeardown(): Promise<void> {
  if (process.env.CMT_KEEP_SERVICES) return;
  for (const script of ['redis.sh', 'neo4j.sh']) {
    const p = path.join(process.cwd(), 'scripts', script);
    if (!existsSync(p)) continue;
    try {
      execFileSync('bash', [p, 'stop'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      /* stopping is best effort; the next start reuses or replaces a stale server */
    }
  }
}
