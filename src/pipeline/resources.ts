/**
 * What a run needs besides its config, opened once per run: the graph backend, the record
 * filters of the finalise step and the shard weight.
 *
 * Filters, in the order the finaliser applies them (after exact dedup):
 *  1. tokens (when `tokens.tokenizers` is set): counts each record with every tokenizer into
 *     annotations.tokens and rejects `filter.too_many_tokens` over `tokens.maxTokens`;
 *  2. dedup.near (when `dedup.near.enabled`): MinHash/LSH near-duplicates, with the index loaded
 *     from `indexFile` or Redis `redisKey` and saved back when the finaliser closes its filters.
 *     It is last because a record it lets through is remembered as kept.
 * Weight: the first tokenizer's count when one is set (the manifest's `tokenizer`), else the
 * finaliser's default (characters).
 */
import path from 'node:path';
import type { RecordEnvelope } from '../../schemas/record.js';
import { CmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { openGraph } from '../kg/open.js';
import type { GraphPort } from '../kg/port.js';
import type { RecordFilter } from '../output/finaliser.js';
import { NearDupFilter } from '../finish/dedup/near.js';
import { FileNearStore, RedisNearStore, type NearIndexStore } from '../finish/dedup/near-store.js';
import { TokenFilter } from '../tokens/filter.js';
import { canonicalTokenizer } from '../tokens/names.js';
import { loadTokenizer, type TokenCounter } from '../tokens/registry.js';
import type { LoadedPipeline } from './config.js';

export interface RunResources {
  graph?: GraphPort;
  /** Token counters for the per-batch stages (the finaliser reuses their counts). */
  tokenizers?: TokenCounter[];
  filters: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer: string | null;
  close(): Promise<void>;
}

export async function openRunResources(pipeline: LoadedPipeline, logger: Logger): Promise<RunResources> {
  const { config } = pipeline;
  const filters: RecordFilter[] = [];
  let weight: RunResources['weight'];
  let tokenizer: string | null = null;
  let tokenizers: TokenCounter[] | undefined;

  const names = [...new Set(config.tokens.tokenizers.map(canonicalTokenizer))];
  if (names.length > 0) {
    const counters = await Promise.all(names.map((n) => loadTokenizer(n)));
    const tf = new TokenFilter(counters, config.tokens.maxTokens);
    filters.push(tf);
    weight = tf.weight;
    tokenizer = tf.primary;
    tokenizers = tf.tokenizers;
  } else if (config.tokens.maxTokens > 0) {
    throw new CmtError('CMT_CONFIG_INVALID', `tokens.maxTokens is ${config.tokens.maxTokens} but tokens.tokenizers is empty: name the tokenizer to count with (e.g. tokenizers: [qwen3])`, { file: pipeline.file });
  }

  const near = config.dedup.near;
  let nearFilter: NearDupFilter | undefined;
  if (near.enabled) {
    if (near.indexFile && near.redisKey) {
      throw new CmtError('CMT_CONFIG_INVALID', 'dedup.near: set indexFile or redisKey, not both', { file: pipeline.file });
    }
    let store: NearIndexStore | undefined;
    if (near.indexFile) store = new FileNearStore(path.resolve(near.indexFile));
    else if (near.redisKey) {
      const { connectOrFail, createClient, redisUrl } = await import('../executors/bullmq/connection.js');
      const url = redisUrl();
      store = new RedisNearStore(await connectOrFail(createClient(url, 'cmtmedqa-near-index'), url), near.redisKey, true);
    }
    nearFilter = await NearDupFilter.open(near, store);
    filters.push(nearFilter);
    logger.info({ store: store?.describe ?? 'none (this run only)', loaded: nearFilter.loaded }, 'near-duplicate index opened');
  }

  // The graph for the validate stage: a snapshot file (embedded) or Neo4j, as the `kg` section says.
  let graph: GraphPort | undefined;
  if (config.kg) {
    graph = await openGraph(config.kg, pipeline.baseDir);
    logger.info({ kg: 'snapshot' in config.kg ? { snapshot: config.kg.snapshot } : { neo4j: config.kg.neo4j.uri }, version: await graph.version() }, 'graph opened');
  }

  return {
    graph,
    tokenizers,
    filters,
    weight,
    tokenizer,
    close: async () => {
      await graph?.close();
      if (!nearFilter) return;
      logger.debug({ checked: nearFilter.checked, rejected: nearFilter.rejected, indexed: nearFilter.index.size }, 'near-duplicate filter');
      await nearFilter.dispose();
    },
  };
}
