/** Worker-thread entry for startServerThread: serves one route set from site-routes.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { siteRoutes } from './site-routes.js';
import { startServer } from './server.js';

const { name, params } = workerData as { name: keyof typeof siteRoutes; params: Record<string, unknown> };
const server = await startServer(siteRoutes[name](params));
parentPort!.on('message', async (m: string) => {
  if (m === 'log') parentPort!.postMessage({ type: 'log', log: server.log });
  if (m === 'close') {
    await server.close();
    parentPort!.postMessage({ type: 'closed' });
  }
});
parentPort!.postMessage({ type: 'ready', port: server.port });
