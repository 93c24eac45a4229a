import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { ShardJob } from '../../src/finish/plan.js';
import { writeShards as realWriteShards } from '../../src/finish/shard-writer.js';
import { snapshotFiles, tmpDir } from '../support/run.js';
import { verifyOutput } from '../../src/output/verify.js';
import { cmtmedqaRecords, envelope, finalise } from './envelopes.js';

const envs = cmtmedqaRecords().map((r, i) => envelope(r, i));

describe('finaliser with near-duplicate removal and tokens', () => {
  it('accepts the same records when the same data is ingested again against the persistent index, and rejects a new near-copy of one of them', async () => {
    const index = path.join(tmpDir(), 'near.idx');
    const cfg = { dedup: { near: { enabled: true, indexFile: index } }, tokens: { tokenizers: ['llama2'] } };
    const first = await finalise(cfg, envs, tmpDir());
    expect(first.manifest.counts.records).toBeGreaterThan(990);
    const size = readFileSync(index).length;
    const second = await finalise(cfg, envs, tmpDir());
    // A record never counts as a near-duplicate of its own entry from the earlier run.
    expect(second.manifest.counts.records).toBe(first.manifest.counts.records);
    expect(second.fin.stats.rejectsByReason).toEqual(first.fin.stats.rejectsByReason);
    expect(readFileSync(index).length).toBe(size); // nothing indexed twice
    // A different record (new id) that near-copies one the first run kept is still caught.
    const [a] = cmtmedqaRecords();
    const copy = { ...a, id: 'edited-copy', output: `${a.output}谢谢` };
    const third = await finalise(cfg, [envelope(copy, 0)], tmpDir());
    expect(third.manifest.counts.records).toBe(0);
    expect(third.fin.stats.rejectsByReason).toEqual({ 'dedup.near_duplicate': 1 });
  });

  it('keeps the first of two near-identical records and records the evidence', async () => {
    const out = tmpDir();
    const [a] = cmtmedqaRecords();
    const b = { ...a, id: 'edited', output: `${a.output}谢谢` };
    await finalise({ dedup: { near: { enabled: true } } }, [envelope(a, 0), envelope(b, 1)], out);
    const rejects = readFileSync(path.join(out, 'rejects', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rejects.map((r) => [r.reason, (r.evidence as { duplicateOf: string }).duplicateOf])).toEqual([['dedup.near_duplicate', a.id]]);
    const sim = (rejects[0].evidence as { similarity: number }).similarity;
    expect(sim).toBeGreaterThanOrEqual(0.8);
    expect(sim).toBeLessThan(1);
  });

  it('rejects records over tokens.maxTokens and annotates every kept record with its counts', async () => {
    const out = tmpDir();
    const { manifest, fin } = await finalise({ tokens: { tokenizers: ['llama2', 'cl100k_base'], maxTokens: 1500 } }, envs, out);
    expect(manifest.tokenizers).toEqual(['llama2', 'cl100k_base']);
    expect(fin.stats.rejectsByReason['filter.too_many_tokens']).toBeGreaterThan(0);
    const v = await verifyOutput(out);
    expect(v.problems).toEqual([]);
    expect(fin.stats.weights.max).toBeLessThanOrEqual(1500);
  });

  it('writes byte-identical shards, sidecars, card and dataset_info.json when run twice', async () => {
    const cfg = { dedup: { near: { enabled: true } }, tokens: { tokenizers: ['qwen3'] }, shard: { ranks: 4, maxRecordsPerShard: 100, format: 'parquet' } };
    const a = tmpDir();
    const b = tmpDir();
    await finalise(cfg, envs, a);
    await finalise(cfg, envs, b);
    const fa = snapshotFiles(a);
    const fb = snapshotFiles(b);
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    expect([...fa.keys()]).toEqual(expect.arrayContaining(['README.md', 'dataset_info.json', 'manifest.json']));
    for (const [k, v] of fa) expect([k, fb.get(k)!.equals(v)]).toEqual([k, true]);
  });
});

describe('finaliser interrupted while it writes shards', () => {
  it('stops before the next split\'s shards and before the artefacts, so nothing is created after the clean-up', async () => {
    const out = tmpDir();
    const ac = new AbortController();
    const written: string[] = [];
    const writeShards = async (dir: string, jobs: readonly ShardJob[]) => {
      written.push(jobs[0]?.split ?? '');
      ac.abort('SIGINT'); // the signal arrives while the first split is being written
      return realWriteShards(dir, jobs);
    };
    await expect(finalise({}, envs, out, { signal: ac.signal, writeShards })).rejects.toThrow('interrupted');
    // Before: the other splits were written after the run's partial output had been removed.
    expect(written).toEqual(['train']);
    expect(existsSync(path.join(out, 'shards', 'validation'))).toBe(false);
    expect(existsSync(path.join(out, 'dataset_info.json'))).toBe(false);
  });
});
