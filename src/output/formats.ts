/**
 * Shard record encodings (config `shard.format`) and their schemas, for writing and for verify:
 * - `cmtmedqa`: JSONL.gz, exactly the test set's schema, keys in its order;
 * - `sharegpt`: JSONL.gz, {id, cate1, cate2, messages: [{role: user|assistant, content}]};
 * - `parquet`: one Parquet file per shard, columns as the cmtmedqa record (see parquet.ts).
 */
import { z } from 'zod';
import { CMtMedQARecord } from '../../schemas/record.js';
import type { ShardFormat } from '../../schemas/formats.js';
import { LineSink, type SinkResult } from './sink.js';
import { ParquetShardWriter } from './parquet.js';

export type { ShardFormat } from '../../schemas/formats.js';

export function shardExtension(format: ShardFormat): string {
  return format === 'parquet' ? '.parquet' : '.jsonl.gz';
}

export function encodeRecord(r: CMtMedQARecord, format: ShardFormat): string {
  if (format === 'sharegpt') return JSON.stringify(toShareGpt(r));
  return JSON.stringify({ id: r.id, cate1: r.cate1, cate2: r.cate2, instruction: r.instruction, input: r.input, output: r.output, history: r.history });
}

export const ShareGptRecord = z.strictObject({
  id: z.string().min(1),
  cate1: z.string(),
  cate2: z.string(),
  messages: z.array(z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string().min(1) })).min(2),
});
export type ShareGptRecord = z.infer<typeof ShareGptRecord>;

export function toShareGpt(r: CMtMedQARecord): ShareGptRecord {
  const messages: ShareGptRecord['messages'] = [];
  for (const [q, a] of r.history) messages.push({ role: 'user', content: q }, { role: 'assistant', content: a });
  messages.push({ role: 'user', content: r.input ? `${r.instruction}\n${r.input}` : r.instruction }, { role: 'assistant', content: r.output });
  return { id: r.id, cate1: r.cate1, cate2: r.cate2, messages };
}

/** The zod schema one shard row must satisfy in a format. */
export function rowSchema(format: ShardFormat): z.ZodType {
  return format === 'sharegpt' ? ShareGptRecord : CMtMedQARecord;
}

/** Writes one shard file; records arrive in shard order. */
export interface ShardWriter {
  readonly path: string;
  write(r: CMtMedQARecord): Promise<void>;
  close(): Promise<SinkResult>;
}

class JsonlShardWriter implements ShardWriter {
  private readonly sink: LineSink;
  constructor(readonly path: string, private readonly format: ShardFormat, level: number) {
    this.sink = new LineSink(path, { gzip: true, level });
  }
  write(r: CMtMedQARecord): Promise<void> {
    return this.sink.write(encodeRecord(r, this.format));
  }
  close(): Promise<SinkResult> {
    return this.sink.close();
  }
}

export function openShardWriter(path: string, format: ShardFormat, gzipLevel = 6): ShardWriter {
  return format === 'parquet' ? new ParquetShardWriter(path) : new JsonlShardWriter(path, format, gzipLevel);
}
