import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ParquetShardWriter, readParquetRecords, readParquetRows } from '../../src/output/parquet.js';
import { encodeRecord, toShareGpt } from '../../src/output/formats.js';
import { verifyOutput } from '../../src/output/verify.js';
import { sha256Hex } from '../../src/core/ids.js';
import { tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope, finalise } from './envelopes.js';

const records = cmtmedqaRecords();

describe('shard formats', () => {
  it('round-trips records through Parquet row groups field for field, with identical bytes on rewrite', async () => {
    const dir = tmpDir();
    const write = async (file: string) => {
      const w = new ParquetShardWriter(path.join(dir, file), 300);
      for (const r of records) await w.write(r);
      return w.close();
    };
    const a = await write('a.parquet');
    const b = await write('b.parquet');
    expect(a.lines).toBe(records.length);
    expect(a.sha256).toBe(sha256Hex(readFileSync(path.join(dir, 'a.parquet'))));
    expect(a.bytes).toBe(readFileSync(path.join(dir, 'a.parquet')).length);
    expect(b.sha256).toBe(a.sha256);
    expect(await readParquetRecords(path.join(dir, 'a.parquet'))).toEqual(records);
    const { columns } = await readParquetRows(path.join(dir, 'a.parquet'));
    expect(columns).toEqual(['id', 'cate1', 'cate2', 'instruction', 'input', 'output', 'history']);
  });

  it('encodes cmtmedqa rows with the test-set key order and ShareGPT rows as alternating messages', () => {
    const r = records.find((x) => x.history.length >= 2)!;
    expect(Object.keys(JSON.parse(encodeRecord(r, 'cmtmedqa')) as object)).toEqual(['id', 'cate1', 'cate2', 'instruction', 'input', 'output', 'history']);
    const s = toShareGpt({ ...r, input: '补充' });
    expect(s.messages.length).toBe(2 * (r.history.length + 1));
    expect(s.messages.map((m) => m.role).slice(0, 4)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(s.messages.at(-2)!.content).toBe(`${r.instruction}\n补充`);
    expect(JSON.parse(encodeRecord(r, 'sharegpt'))).toEqual(toShareGpt(r));
  });

  it.each(['parquet', 'sharegpt'] as const)('writes %s shards that verify passes, with dataset_info.json and the card', async (format) => {
    const out = tmpDir();
    const envs = records.slice(0, 600).map((r, i) => envelope(r, i));
    const { manifest } = await finalise({ tokens: { tokenizers: ['llama2'] }, shard: { ranks: 2, maxRecordsPerShard: 100, format } }, envs, out);
    expect(manifest.format).toBe(format);
    expect(manifest.shards.every((s) => s.path.endsWith(format === 'parquet' ? '.parquet' : '.jsonl.gz'))).toBe(true);
    const v = await verifyOutput(out);
    expect(v.problems).toEqual([]);
    expect(v.summary.records).toBe(600);
    const info = JSON.parse(readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(info.test_train.formatting).toBe(format === 'parquet' ? 'alpaca' : 'sharegpt');
    expect(format === 'parquet' ? info.test_train.file_name : info.test_train.script_url).toBe(format === 'parquet' ? 'test/shards/train' : 'test'); // relative to the folder holding the output (dataset_dir)
    if (format === 'sharegpt') expect(info.test_train.tags).toMatchObject({ user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' });
    const card = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain('configs:\n- config_name: default\n  data_files:\n  - split: train\n    path:\n    - "shards/train/part-00000');
    expect(card).toMatch(/\| cmtmedqa \| CMtMedQA_test\.json \| 600 \| SupritYoung\/Zhongjing.* \| Apache-2\.0 \|/);
  });
});
