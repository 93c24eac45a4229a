/**
 * The contract every stage follows: records in, records and rejects out, one context object
 * with everything the stage may use (config, graph handle, logger). No I/O of its own.
 */
import type { Logger } from '../core/logger.js';
import type { Pipeline } from '../../schemas/pipeline.js';
import type { Reject } from '../../schemas/reject.js';
import type { GraphPort } from '../kg/port.js';
import type { TokenCounter } from '../tokens/registry.js';

export interface StageContext {
  config: Pipeline;
  logger: Logger;
  /** The graph, when the pipeline has a `kg` section (validate stage). */
  graph?: GraphPort;
  /** Tokenizers of `tokens.tokenizers`, when set: records are counted per batch (in parallel workers). */
  tokenizers?: TokenCounter[];
}

export interface StageResult<T> {
  out: T[];
  rejects: Reject[];
}

export type Stage<I, O> = (input: I[], ctx: StageContext) => StageResult<O> | Promise<StageResult<O>>;
