/**
 * `cmtmedqa dashboard`: Bull Board over the BullMQ run queues and the rejects pages of finished
 * outputs, on 127.0.0.1:3030 by default; read-only unless --allow-actions.
 */
import type { Command } from 'commander';
import { CmtError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { redisUrl } from '../executors/bullmq/connection.js';
import { startDashboard } from '../executors/bullmq/dashboard.js';
import { DEFAULT_PREFIX } from '../executors/bullmq/keys.js';
import { rejectsRouter } from './rejects-page.js';
import { positiveInt } from './worker.js';

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve Bull Board over the run queues and a rejects browser at /rejects (no authentication: keep it on 127.0.0.1; read-only unless --allow-actions)')
    .option('--port <port>', 'port', (v: string) => {
      const n = positiveInt('--port')(v);
      if (n > 65535) throw new CmtError('CMT_USAGE', `--port must be at most 65535, not ${n}`);
      return n;
    }, 3030)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--redis <url>', 'Redis URL, redis://HOST:PORT[/DB] (default: REDIS_URL, else the one scripts/redis.sh started, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'key prefix of the queues', DEFAULT_PREFIX)
    .option('--out <dir...>', 'output directories (or folders of them) whose rejects /rejects shows', ['out'])
    .option('--allow-actions', "let Bull Board retry, promote, clean and delete jobs (off: read-only)")
    .option('--allow-host <host...>', 'more host names accepted in the Host header (a proxy name); localhost and the bound address always are')
    .option('--no-queues', 'no Redis: serve only the rejects pages')
    .action(async (o: { port: number; host: string; redis?: string; prefix: string; out: string[]; allowActions?: boolean; allowHost?: string[]; queues: boolean }) => {
      const logger = createLogger();
      const d = await startDashboard({
        redisUrl: redisUrl(o.redis), prefix: o.prefix, port: o.port, host: o.host, logger,
        allowActions: o.allowActions === true, allowHosts: o.allowHost ?? [], routes: rejectsRouter(o.out), queues: o.queues,
      });
      console.log(`cmtmedqa dashboard on ${d.url} (rejects: ${d.url}rejects${o.allowActions ? '; job actions ALLOWED' : '; read-only'})`);
      const stop = () => void d.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
