/**
 * Parquet shards (format `parquet`), written with hyparquet-writer in row groups so a shard is
 * never held whole in memory, and read back with hyparquet (verify, tests).
 *
 * The schema is fixed and mirrors the CMtMedQA JSON record, so `datasets`/pyarrow rows equal the
 * JSONL records field for field:
 *
 *   id          string (required)
 *   cate1       string (required)
 *   cate2       string (required)
 *   instruction string (required)
 *   input       string (required, may be empty)
 *   output      string (required)
 *   history     list<list<string>> (required; each inner list is one [question, answer] round)
 *
 * history is list<list<string>> rather than list<struct<q,a>> because LLaMA-Factory's alpaca
 * loader and the CMtMedQA JSON both use [q, a] pairs; pyarrow reads it as
 * `list<element: list<element: string not null> not null> not null`.
 * Bytes are deterministic: fixed row-group size, SNAPPY, no statistics, created_by without a
 * version or time.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ByteWriter, ParquetWriter, SchemaElement } from 'hyparquet-writer';
import type { CMtMedQARecord } from '../../schemas/record.js';
import type { SinkResult } from './sink.js';

export const PARQUET_ROW_GROUP = 1000;
export const PARQUET_CREATED_BY = 'cmtmedqa';

export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 7 },
  { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'cate1', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'cate2', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'instruction', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'input', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'output', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'history', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
];

/** What ParquetShardWriter writes through: a hyparquet Writer that streams each flushed row group to a file, hashing and counting bytes. */
interface StreamingWriter extends ByteWriter {
  bytes: number;
  flush(): Promise<void> | undefined;
  digest(): string;
}

type WriterLib = typeof import('hyparquet-writer');

/**
 * hyparquet-writer (and the hyparquet reader it imports) is loaded on the first Parquet shard:
 * a run writing JSONL shards never loads it. The subclass of its ByteWriter is made then.
 */
let lib: Promise<{ ParquetWriter: WriterLib['ParquetWriter']; StreamingWriter: new (file: WriteStream) => StreamingWriter }> | undefined;

function writerLib() {
  lib ??= import('hyparquet-writer').then(({ ByteWriter: Base, ParquetWriter: Writer }) => {
    class Streaming extends Base implements StreamingWriter {
      bytes = 0;
      private readonly hash: Hash = createHash('sha256');
      constructor(private readonly file: WriteStream) {
        super(1 << 20);
      }
      flush(): Promise<void> | undefined {
        if (this.index === 0) return undefined;
        const chunk = Buffer.from(new Uint8Array(this.buffer, 0, this.index)); // copy: the buffer is reused
        this.index = 0;
        this.hash.update(chunk);
        this.bytes += chunk.length;
        if (!this.file.write(chunk)) return once(this.file, 'drain').then(() => undefined);
        return undefined;
      }
      finish(): void {
        void this.flush();
      }
      digest(): string {
        return this.hash.digest('hex');
      }
    }
    return { ParquetWriter: Writer, StreamingWriter: Streaming };
  });
  return lib;
}

export class ParquetShardWriter {
  private rows: CMtMedQARecord[] = [];
  private readonly file: WriteStream;
  private out?: { writer: StreamingWriter; pq: ParquetWriter };
  private count = 0;

  constructor(readonly path: string, private readonly rowGroupSize = PARQUET_ROW_GROUP) {
    this.file = createWriteStream(path);
  }

  private async opened(): Promise<{ writer: StreamingWriter; pq: ParquetWriter }> {
    if (this.out) return this.out;
    const { ParquetWriter: Writer, StreamingWriter: Streaming } = await writerLib();
    const writer = new Streaming(this.file);
    this.out ??= { writer, pq: new Writer({ writer, schema: PARQUET_SCHEMA, statistics: false, createdBy: PARQUET_CREATED_BY }) };
    return this.out;
  }

  async write(r: CMtMedQARecord): Promise<void> {
    this.rows.push(r);
    this.count++;
    if (this.rows.length >= this.rowGroupSize) await this.flushGroup();
  }

  private async flushGroup(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    const { pq } = await this.opened();
    await pq.write({
      rowGroupSize: rows.length,
      columnData: [
        { name: 'id', data: rows.map((r) => r.id) },
        { name: 'cate1', data: rows.map((r) => r.cate1) },
        { name: 'cate2', data: rows.map((r) => r.cate2) },
        { name: 'instruction', data: rows.map((r) => r.instruction) },
        { name: 'input', data: rows.map((r) => r.input) },
        { name: 'output', data: rows.map((r) => r.output) },
        { name: 'history', data: rows.map((r) => r.history) },
      ],
    });
  }

  async close(): Promise<SinkResult> {
    await this.flushGroup();
    const { pq, writer } = await this.opened();
    await pq.finish();
    await writer.flush();
    const done = once(this.file, 'close');
    this.file.end();
    await done;
    return { path: this.path, bytes: writer.bytes, sha256: writer.digest(), lines: this.count };
  }
}

/** Reads a Parquet file's rows as plain objects, with its top-level column names in order. */
export async function readParquetRows(file: string): Promise<{ rows: Array<Record<string, unknown>>; columns: string[] }> {
  // The reader is loaded on first use: commands that never read parquet do not pay for it.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import('hyparquet');
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = await parquetReadObjects({ file: buf, metadata });
  return { rows, columns };
}

/** Reads a Parquet shard back as CMtMedQA records (field order as in the JSON schema). */
export async function readParquetRecords(file: string): Promise<CMtMedQARecord[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  return rows.map((o) => ({
    id: o.id as string,
    cate1: o.cate1 as string,
    cate2: o.cate2 as string,
    instruction: o.instruction as string,
    input: o.input as string,
    output: o.output as string,
    history: o.history as Array<[string, string]>,
  }));
}

/** Parquet write throughput for `npm run bench`: MB of output (and of JSON text in) per CPU second. */
export async function benchParquet(records: CMtMedQARecord[], file: string): Promise<{ records: number; bytes: number; jsonBytes: number; cpuSeconds: number; mbPerSecond: number; jsonMbPerSecond: number }> {
  const jsonBytes = records.reduce((a, r) => a + Buffer.byteLength(JSON.stringify(r)), 0);
  const t0 = process.cpuUsage();
  const w = new ParquetShardWriter(file);
  for (const r of records) await w.write(r);
  const res = await w.close();
  const t = process.cpuUsage(t0);
  const cpu = (t.user + t.system) / 1e6;
  return {
    records: records.length,
    bytes: res.bytes,
    jsonBytes,
    cpuSeconds: Math.round(cpu * 1000) / 1000,
    mbPerSecond: Math.round((res.bytes / 1e6 / cpu) * 10) / 10,
    jsonMbPerSecond: Math.round((jsonBytes / 1e6 / cpu) * 10) / 10,
  };
}
