/**
 * What a run needs besides its config, opened once per process: the graph backend, the record
 * filters of the finalise step (near-duplicates, token budget) and the shard weight.
 */
import type { RecordEnvelope } from '../../schemas/record.js';
import type { Logger } from '../core/logger.js';
import type { GraphPort } from '../kg/port.js';
import type { RecordFilter } from '../output/finaliser.js';
import type { LoadedPipeline } from './config.js';

export interface RunResources {
  graph?: GraphPort;
  filters: RecordFilter[];
  weight?: (env: RecordEnvelope) => number;
  tokenizer: string | null;
  close(): Promise<void>;
}

export async function openRunResources(pipeline: LoadedPipeline, logger: Logger): Promise<RunResources> {
  void pipeline;
  void logger;
  return { filters: [], tokenizer: null, close: async () => {} };
}
