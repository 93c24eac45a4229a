/** `cmtmedqa dashboard`: Bull Board over the BullMQ run queues, on 127.0.0.1:3030 by default. */
import type { Command } from 'commander';
import { createLogger } from '../core/logger.js';
import { redisUrl } from '../executors/bullmq/connection.js';
import { startDashboard } from '../executors/bullmq/dashboard.js';
import { DEFAULT_PREFIX } from '../executors/bullmq/keys.js';
import { positiveInt } from './worker.js';

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve Bull Board over the run queues (no authentication: keep it on 127.0.0.1 or behind a proxy)')
    .option('--port <port>', 'port', positiveInt('--port'), 3030)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, else redis://127.0.0.1:6390)')
    .option('--prefix <prefix>', 'key prefix of the queues', DEFAULT_PREFIX)
    .action(async (o: { port: number; host: string; redis?: string; prefix: string }) => {
      const logger = createLogger();
      const d = await startDashboard({ redisUrl: redisUrl(o.redis), prefix: o.prefix, port: o.port, host: o.host, logger });
      console.log(`cmtmedqa dashboard on ${d.url}`);
      const stop = () => void d.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
