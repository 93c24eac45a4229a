import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLocal } from '../../src/executors/local.js';
import { BatchPool } from '../../src/executors/local-pool.js';
import { runBullmq } from '../../src/executors/bullmq/run.js';
import { revalidate } from '../../src/executors/revalidate.js';
import { openSnapshot } from '../../src/kg/snapshot.js';
import type { RecordFilter } from '../../src/output/finaliser.js';
import { verifyOutput } from '../../src/output/verify.js';
import { openRunResources } from '../../src/pipeline/resources.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, pipelineFrom, runPipeline, snapshotFiles, tmpDir } from '../support/run.js';
import { ensureRedis, sharedData } from '../support/services.js';
import { dropPrefix, runBull, testPrefix } from '../executors/helpers.js';

const SOURCES = [
  { format: 'hetmc', path: 'fixtures/dialogues/hetmc/sample.dialog' },
  { format: 'huatuo', path: 'fixtures/dialogues/huatuo/*.json' },
  { format: 'toyhom', path: 'fixtures/dialogues/toyhom/sample.csv' },
];

function small(patch: Record<string, unknown> = {}) {
  return pipelineFrom({ name: 'safety', sources: SOURCES, ...patch });
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof CmtError ? e.code : `raw: ${(e as Error).message}`;
  }
  return undefined;
}

/** Everything the output holds but the report (its timings differ from run to run). */
const comparable = (dir: string) => snapshotFiles(dir, (rel) => !rel.startsWith('report.'));

function expectSameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  expect([...a].filter(([k, v]) => !b.get(k)?.equals(v)).map(([k]) => k)).toEqual([]);
}

describe('nothing lost: the previous output survives a failed run', () => {
  it('keeps the previous good output byte for byte when a glob matches nothing, an input is a directory, or the run crashes mid-way', async () => {
    const parent = tmpDir();
    const outDir = path.join(parent, 'out');
    const good = await runPipeline(small(), outDir);
    expect(good.report.records.accepted).toBeGreaterThan(0);
    const before = snapshotFiles(outDir);

    const noMatch = small({ sources: [...SOURCES, { format: 'hetmc', path: 'fixtures/dialogues/hetmc/*.nothing' }] });
    expect(await codeOf(runPipeline(noMatch, outDir))).toBe('CMT_INPUT_NOT_FOUND');
    const dirInput = small({ sources: [...SOURCES, { format: 'hetmc', path: 'fixtures/dialogues/hetmc' }] });
    expect(await codeOf(runPipeline(dirInput, outDir))).toBe('CMT_CONFIG_INVALID');
    let seen = 0;
    const boom: RecordFilter = { name: 'boom', check: () => { if (++seen > 3) throw new Error('disk on fire'); return undefined; } };
    expect(await codeOf(runLocal({ pipeline: small(), outDir, logger: silentLogger, filters: [boom] }))).toBe('raw: disk on fire');
    expect(seen).toBe(4);

    expectSameFiles(before, snapshotFiles(outDir));
    expect((await verifyOutput(outDir)).problems).toEqual([]);
    // no partial directory, moved-aside output or lock is left beside it
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('lets one of two runs into one directory finish and fails the other at once with CMT_OUTPUT_LOCKED', async () => {
    const outDir = path.join(tmpDir(), 'out');
    const results = await Promise.allSettled([runPipeline(small(), outDir), runPipeline(small({ name: 'other' }), outDir)]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect(failed.map((r) => (r.reason as CmtError).code)).toEqual(['CMT_OUTPUT_LOCKED']);
    expect((failed[0].reason as Error).message).toMatch(/in use by another run/);
    expect((await verifyOutput(outDir)).problems).toEqual([]);
  });
});

describe('the BullMQ executor stages its output the same way', () => {
  let url: string;
  const prefix = testPrefix('safety');
  beforeAll(() => {
    url = ensureRedis();
  });
  afterAll(async () => {
    await dropPrefix(url, prefix);
  });

  it('keeps the previous output when a BullMQ run fails in its finalise step, and replaces it when one succeeds', async () => {
    const parent = tmpDir();
    const outDir = path.join(parent, 'out');
    await runPipeline(small(), outDir);
    const before = comparable(outDir);
    const p = small({ executor: { batchSize: 4 } });
    let seen = 0;
    const boom: RecordFilter = { name: 'boom', check: () => { if (++seen > 2) throw new Error('finalise crashed'); return undefined; } };
    const res = await openRunResources(p, silentLogger);
    try {
      await expect(runBullmq({ pipeline: p, outDir, logger: silentLogger, ...res, filters: [...res.filters, boom], redisUrl: url, prefix, runId: 'safety-fail', localWorkers: 1 })).rejects.toThrow('finalise crashed');
    } finally {
      await res.close();
    }
    expectSameFiles(before, comparable(outDir));
    expect(readdirSync(parent)).toEqual(['out']);
    const ok = await runBull(p, outDir, { redisUrl: url, prefix, runId: 'safety-ok', localWorkers: 1 });
    expect(ok.outDir).toBe(outDir);
    expectSameFiles(before, comparable(outDir)); // same records as the local run it replaced
    expect(readdirSync(parent)).toEqual(['out']);
  });
});

describe('nothing hangs: the local thread pool', () => {
  beforeAll(async () => {
    await demoSnapshot();
  });

  it('finishes with executor.concurrency 2 and no graph, with the output of one thread', async () => {
    const one = await runPipeline(small());
    const two = await runPipeline(small({ executor: { concurrency: 2, batchSize: 5 } }));
    expect(two.report.dialogues.closes).toBe(true);
    expectSameFiles(comparable(one.outDir), comparable(two.outDir));
  });

  it('closes its threads when asked, with no graph to close, without having to terminate any', async () => {
    const p = small();
    const pool = await BatchPool.open(p.config, p.baseDir, 2);
    const out = await pool.run({ seq: 0, dialogues: [], rejects: [], rejectAt: [] }, { normalise: 0, split: 0, validate: 0 });
    expect(out.seq).toBe(0);
    expect(await pool.close()).toBe(0);
  });

  it('finishes with executor.concurrency 3 when the graph is configured but validate is disabled', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml', { validate: { enabled: false }, executor: { concurrency: 3, batchSize: 10 } }));
    expect(res.report.dialogues.closes).toBe(true);
    expect(res.report.records.accepted).toBeGreaterThan(0);
  });
});

describe('idempotent reruns with a persistent near-duplicate index', () => {
  it('accepts the same Huatuo records on an identical rerun into the same directory, with byte-identical shards and an unchanged index', async () => {
    const dir = tmpDir();
    const indexFile = path.join(dir, 'near.idx');
    const p = pipelineFrom({ name: 'huatuo', sources: [{ format: 'huatuo', path: sharedData('dialogues/huatuo26m/huatuo26M_test.json') }], dedup: { near: { enabled: true, indexFile } } });
    const outDir = path.join(dir, 'out');
    const first = await runPipeline(p, outDir);
    expect(first.report.dialogues.in).toBe(6000);
    // Most Huatuo records pass (thin and machine-spun ones are filtered before dedup).
    expect(first.report.records.accepted).toBeGreaterThan(5700);
    const files = comparable(outDir);
    const index = readFileSync(indexFile);
    const second = await runPipeline(p, outDir);
    expect(second.report.records.accepted).toBe(first.report.records.accepted);
    expect(second.report.rejects.byReason).toEqual(first.report.rejects.byReason);
    expectSameFiles(files, comparable(outDir));
    expect(readFileSync(indexFile).equals(index)).toBe(true);
    console.log(`huatuo rerun: first ${first.report.records.accepted}/${first.report.dialogues.in} accepted, rerun ${second.report.records.accepted}; near-duplicates ${first.report.rejects.byReason['dedup.near_duplicate'] ?? 0} then ${second.report.rejects.byReason['dedup.near_duplicate'] ?? 0}`);
  });

  it('fails before any work when the index directory is missing, and refuses an index of an older format version', async () => {
    const dir = tmpDir();
    const missing = small({ dedup: { near: { enabled: true, indexFile: path.join(dir, 'no', 'such', 'near.idx') } } });
    await expect(openRunResources(missing, silentLogger)).rejects.toMatchObject({ code: 'CMT_CONFIG_INVALID', message: expect.stringContaining('does not exist') });
    const v1 = path.join(dir, 'v1.idx');
    const header = Buffer.from(JSON.stringify({ format: 'cmtmedqa-near', version: 1, ngram: 5, numPerm: 128, bands: 32 }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    writeFileSync(v1, Buffer.concat([Buffer.from('CMTNEAR1', 'latin1'), len, header]));
    const old = small({ dedup: { near: { enabled: true, indexFile: v1 } } });
    await expect(openRunResources(old, silentLogger)).rejects.toMatchObject({ code: 'CMT_CONFIG_INVALID', message: expect.stringContaining('format version 1') });
    // the failed open left the index unlocked
    expect(readdirSync(dir).sort()).toEqual(['v1.idx']);
  });

  it('lets only one run at a time extend an index file', async () => {
    const indexFile = path.join(tmpDir(), 'near.idx');
    const p = small({ dedup: { near: { enabled: true, indexFile } } });
    const a = await openRunResources(p, silentLogger);
    try {
      await expect(openRunResources(p, silentLogger)).rejects.toMatchObject({ code: 'CMT_OUTPUT_LOCKED' });
    } finally {
      await a.close();
    }
    const b = await openRunResources(p, silentLogger);
    await b.close();
  });
});

describe('revalidate refuses what would lose data', () => {
  let run: Awaited<ReturnType<typeof runPipeline>>;
  beforeAll(async () => {
    await demoSnapshot();
    run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
  });

  it('refuses --out that is a symlink to the source (or the source, or a parent of it) and leaves the source intact', async () => {
    const before = snapshotFiles(run.outDir);
    const link = path.join(tmpDir(), 'link');
    symlinkSync(run.outDir, link);
    const graph = await openSnapshot(path.resolve('.cache/kg/demo-snapshot.json.gz'));
    try {
      for (const outDir of [link, run.outDir, path.dirname(run.outDir), path.join(run.outDir, 'inside')]) {
        expect([outDir, await codeOf(revalidate({ target: run.outDir, outDir, graph, logger: silentLogger }))]).toEqual([outDir, 'CMT_USAGE']);
      }
    } finally {
      await graph.close();
    }
    expectSameFiles(before, snapshotFiles(run.outDir));
  });

  it('is an error on a manifest that lists no shards, not "N before → 0 after"', async () => {
    const src = path.join(tmpDir(), 'copy');
    mkdirSync(src);
    for (const f of ['manifest.json', 'pipeline.json']) writeFileSync(path.join(src, f), readFileSync(path.join(run.outDir, f)));
    mkdirSync(path.join(src, 'rejects'));
    writeFileSync(path.join(src, 'rejects', 'rejects.jsonl'), '');
    const m = JSON.parse(readFileSync(path.join(src, 'manifest.json'), 'utf8')) as { shards: unknown[]; counts: { records: number } };
    expect(m.counts.records).toBeGreaterThan(0);
    writeFileSync(path.join(src, 'manifest.json'), JSON.stringify({ ...m, shards: [] }));
    const graph = await openSnapshot(path.resolve('.cache/kg/demo-snapshot.json.gz'));
    try {
      const outDir = path.join(tmpDir(), 'reval');
      expect(await codeOf(revalidate({ target: src, outDir, graph, logger: silentLogger }))).toBe('CMT_OUTPUT_INVALID');
      writeFileSync(path.join(src, 'manifest.json'), JSON.stringify({ ...m, shards: [], counts: { ...m.counts, records: 0 } }));
      expect(await codeOf(revalidate({ target: src, outDir, graph, logger: silentLogger }))).toBe('CMT_INPUT_NOT_FOUND');
      expect(readdirSync(path.dirname(outDir))).toEqual([]);
    } finally {
      await graph.close();
    }
  });
});
