/**
 * A worker thread of the local executor's pool (executor.concurrency > 1): opens the run's graph
 * and tokenizers once, then runs the same per-batch stages as the main thread (processBatch) on
 * the batches it is sent. Holds no stage logic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ImportBatch } from '../../schemas/batch.js';
import { Pipeline } from '../../schemas/pipeline.js';
import { createLogger } from '../core/logger.js';
import { openGraph } from '../kg/open.js';
import { processBatch } from '../pipeline/process.js';
import { emptyTimings, stageEnabled } from '../pipeline/stages.js';
import type { StageContext } from '../stages/types.js';
import { canonicalTokenizer } from '../tokens/names.js';
import { loadTokenizer } from '../tokens/registry.js';

interface Init {
  config: unknown;
  baseDir: string;
}

const { config: rawConfig, baseDir } = workerData as Init;
const config = Pipeline.parse(rawConfig);
const logger = createLogger().child({ executor: 'local', thread: true });
const graph = config.kg && stageEnabled('validate', config) ? await openGraph(config.kg, baseDir) : undefined;
const tokenizers = config.tokens.tokenizers.length
  ? await Promise.all([...new Set(config.tokens.tokenizers.map(canonicalTokenizer))].map((n) => loadTokenizer(n)))
  : undefined;
const ctx: StageContext = { config, logger, graph, tokenizers };

parentPort!.on('message', (msg: { batch?: ImportBatch; close?: boolean }) => {
  if (msg.close) {
    // With no graph (none configured, or validate disabled) there is nothing to close, but the
    // thread must still exit: the pool waits for it.
    void Promise.resolve(graph?.close()).catch(() => {}).finally(() => process.exit(0));
    return;
  }
  const timings = emptyTimings();
  processBatch(msg.batch!, ctx, timings).then(
    (result) => parentPort!.postMessage({ result, timings }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e), seq: msg.batch!.seq }),
  );
});
parentPort!.postMessage({ ready: true });
