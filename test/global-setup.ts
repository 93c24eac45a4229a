/**
 * Jest global setup (npm test has already compiled everything into dist). Builds the demo graph
 * snapshot that pipelines/demo.yaml names, exactly as `npm start` does. Services (Redis, Neo4j)
 * are started lazily by the suites that need them (test/support/services.ts).
 */
import { demoSnapshot } from './support/kg.js';

export default async function globalSetup(): Promise<void> {
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  await demoSnapshot();
}
