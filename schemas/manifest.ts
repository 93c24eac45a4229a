/** manifest.json: every shard with its counts and checksum, plus what the run was made from. */
import { z } from 'zod';
import { ShardFormat } from './formats.js';

export const SplitName = z.enum(['train', 'validation', 'test']);
export type SplitName = z.infer<typeof SplitName>;

export const ShardEntry = z.object({
  split: SplitName,
  /** Path relative to the output directory. */
  path: z.string(),
  records: z.number().int().nonnegative(),
  dialogues: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokens: z.number().int().nonnegative().optional(),
  annotations: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() }).optional(),
});
export type ShardEntry = z.infer<typeof ShardEntry>;

export const Manifest = z.object({
  schemaVersion: z.literal(1),
  pipeline: z.string(),
  format: ShardFormat,
  configHash: z.string(),
  graphVersion: z.string().nullable(),
  /** The tokenizer whose counts balance the shards and fill ShardEntry.tokens / bySplit.tokens. */
  tokenizer: z.string().nullable(),
  /** Every tokenizer counted per record (annotations.tokens in the sidecars); the first is `tokenizer`. */
  tokenizers: z.array(z.string()).optional(),
  counts: z.object({
    records: z.number().int().nonnegative(),
    dialogues: z.number().int().nonnegative(),
    bySplit: z.record(z.string(), z.object({ records: z.number().int(), dialogues: z.number().int(), tokens: z.number().int().optional() })),
  }),
  /** Balance of the shard weights (tokens when a tokenizer is set, else characters) per split: max/mean − 1. */
  imbalance: z.record(z.string(), z.number()).optional(),
  shards: z.array(ShardEntry),
  rejects: z.object({ path: z.string(), records: z.number().int(), sha256: z.string() }),
});
export type Manifest = z.infer<typeof Manifest>;
