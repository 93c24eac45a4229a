/**
 * A BullMQ coordinator in its own process, for the test that kills one mid-run:
 *   node dist/test/executors/coordinator-child.js '<json options>'
 * Options: { pipeline, patch, outDir, redisUrl, prefix, runId, lockTtlMs }. Prints `coordinator started`
 * once its run is announced, and one JSON line with the manifest counts when it finishes.
 */
import { silentLogger } from '../../src/core/logger.js';
import { runBullmq } from '../../src/executors/bullmq/run.js';
import { openRunResources } from '../../src/pipeline/resources.js';
import { pipelineFile } from '../support/run.js';

const o = JSON.parse(process.argv[2]) as { pipeline: string; patch: Record<string, unknown>; outDir: string; redisUrl: string; prefix: string; runId: string; lockTtlMs: number };
console.log('coordinator started');
const pipeline = pipelineFile(o.pipeline, o.patch);
const resources = await openRunResources(pipeline, silentLogger);
const res = await runBullmq({
  pipeline,
  outDir: o.outDir,
  logger: silentLogger,
  ...resources,
  redisUrl: o.redisUrl,
  prefix: o.prefix,
  runId: o.runId,
  localWorkers: 0,
  lockTtlMs: o.lockTtlMs,
  workerTuning: { lockDuration: 1000, stalledInterval: 500 },
});
await resources.close();
console.log(JSON.stringify({ records: res.manifest.counts.records }));
process.exit(0);
