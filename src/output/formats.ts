/**
 * Shard record encodings. `cmtmedqa` is exactly the test set's schema, keys in its order.
 * Other trainer formats (ShareGPT messages, Parquet) plug in here.
 */
import type { CMtMedQARecord } from '../../schemas/record.js';

export type ShardFormat = 'cmtmedqa' | 'sharegpt' | 'parquet';

export function shardExtension(format: ShardFormat): string {
  return format === 'parquet' ? '.parquet' : '.jsonl.gz';
}

export function encodeRecord(r: CMtMedQARecord, format: ShardFormat): string {
  if (format === 'sharegpt') return JSON.stringify(toShareGpt(r));
  return JSON.stringify({ id: r.id, cate1: r.cate1, cate2: r.cate2, instruction: r.instruction, input: r.input, output: r.output, history: r.history });
}

export function toShareGpt(r: CMtMedQARecord): { id: string; cate1: string; cate2: string; messages: Array<{ role: 'user' | 'assistant'; content: string }> } {
  const messages: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (const [q, a] of r.history) messages.push({ role: 'user', content: q }, { role: 'assistant', content: a });
  messages.push({ role: 'user', content: r.input ? `${r.instruction}\n${r.input}` : r.instruction }, { role: 'assistant', content: r.output });
  return { id: r.id, cate1: r.cate1, cate2: r.cate2, messages };
}
