import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SplitName } from '../../schemas/manifest.js';
import type { RecordEnvelope } from '../../schemas/record.js';
import { IntIndex } from '../../src/finish/columns.js';
import { ExactDedupStep, gateSteps, RecordGate, type GateStep } from '../../src/finish/gate.js';
import { planShards, type RecordMeta } from '../../src/finish/plan.js';
import { writeShards } from '../../src/finish/shard-writer.js';
import { finalLines, SpillWriter } from '../../src/finish/spill.js';
import { SPLITS } from '../../src/finish/split-assign.js';
import { readParquetRecords } from '../../src/output/parquet.js';
import { recordChars } from '../../src/output/stats.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import { snapshotFiles, tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope } from '../output/envelopes.js';

const envs = cmtmedqaRecords().slice(0, 600).map((r, i) => envelope(r, i));
const shardCfg = (raw: Record<string, unknown>) => parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }], shard: { ranks: 4, maxRecordsPerShard: 60, ...raw } }).shard;
/** Records go to splits by dialogue number (a stand-in for the cluster hash). */
const splitOf = (d: number): SplitName => SPLITS[d % 5 === 0 ? 1 : d % 7 === 0 ? 2 : 0];

/** Spills the envelopes into `parts` spill files (round robin by batch of 50), returning the metadata. */
async function spillInto(dir: string, format: 'cmtmedqa' | 'sharegpt' | 'parquet', parts: number): Promise<{ meta: RecordMeta; spills: string[] }> {
  const writers = Array.from({ length: parts }, (_, p) => new SpillWriter(path.join(dir, `spill-${p}.bin`), format, true));
  const n = envs.length;
  const meta: RecordMeta = { dialogue: new Int32Array(n), weight: new Float64Array(n), part: new Uint16Array(n), offset: new Float64Array(n), shardLen: new Uint32Array(n), sidecarLen: new Uint32Array(n) };
  const local: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(i / 50) % parts;
    local.push([p, await writers[p].add(envs[i])]);
    meta.dialogue[i] = i;
    meta.weight[i] = recordChars(envs[i]);
    meta.part![i] = p;
  }
  const closed: Array<Awaited<ReturnType<SpillWriter['close']>>> = [];
  for (const w of writers) closed.push(await w.close());
  local.forEach(([p, x], i) => {
    meta.offset[i] = closed[p].offset[x];
    meta.shardLen[i] = closed[p].shardLen[x];
    meta.sidecarLen[i] = closed[p].sidecarLen[x];
  });
  return { meta, spills: closed.map((c) => c.path) };
}

const lines = (file: string) => gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);

describe('finish: spill → plan → shard jobs', () => {
  it('writes each shard from the spilled lines alone: one job at a time gives the bytes of all jobs at once, whatever the spill parts', async () => {
    const shard = shardCfg({});
    const one = await spillInto(tmpDir(), 'cmtmedqa', 1);
    const three = await spillInto(tmpDir(), 'cmtmedqa', 3);
    const planA = planShards(one.meta, splitOf, shard, one.spills);
    const planB = planShards(three.meta, splitOf, shard, three.spills);
    const all = tmpDir();
    const alone = tmpDir();
    const resAll = [];
    const resAlone = [];
    for (const sp of planA.splits) resAll.push(...(await writeShards(all, sp.shards)));
    for (const sp of planB.splits) for (const job of sp.shards) resAlone.push(...(await writeShards(alone, [job])));
    expect(resAlone).toEqual(resAll);
    expect(snapshotFiles(alone)).toEqual(snapshotFiles(all));
    // 4 ranks × ⌈records / (60 × 4)⌉ shards per split, and the splits hold every record.
    expect(planA.splits.map((s) => s.shards.length)).toEqual(planA.splits.map((s) => 4 * Math.ceil(s.records / 240)));
    expect(planA.splits.reduce((a, s) => a + s.records, 0)).toBe(envs.length);
    expect(planA.splits[1].records).toBe(120); // d % 5 === 0

    // Every record once, in run order within its shard, as its final lines; sidecars line up.
    const seen: string[] = [];
    for (const sp of planA.splits) {
      for (const job of sp.shards) {
        const rows = lines(path.join(all, job.path));
        const side = lines(path.join(all, job.sidecarPath!));
        expect(rows.length).toBe(job.records);
        const idx = rows.map((l) => envs.findIndex((e) => e.record.id === (JSON.parse(l) as { id: string }).id));
        expect([...idx].sort((a, b) => a - b)).toEqual(idx);
        idx.forEach((i, k) => {
          const want = finalLines(envs[i], 'cmtmedqa', true);
          expect(rows[k]).toBe(want.shard);
          expect(side[k]).toBe(want.sidecar);
          expect(splitOf(i)).toBe(sp.split);
        });
        seen.push(...rows);
      }
    }
    expect(seen.length).toBe(envs.length);
  });

  it('turns the spilled lines into Parquet rows equal to the records', async () => {
    const { meta, spills } = await spillInto(tmpDir(), 'parquet', 2);
    const plan = planShards(meta, () => 'train', shardCfg({ format: 'parquet', ranks: 2, maxRecordsPerShard: 1000 }), spills);
    const out = tmpDir();
    const res = await writeShards(out, plan.splits[0].shards);
    expect(res.map((r) => r.records)).toEqual([300, 300].map((_, i) => plan.splits[0].shards[i].records));
    const back = [...(await readParquetRecords(path.join(out, res[0].path))), ...(await readParquetRecords(path.join(out, res[1].path)))];
    const byId = new Map(envs.map((e) => [e.record.id, e.record]));
    expect(back.length).toBe(envs.length);
    for (const r of back) expect(r).toEqual(byId.get(r.id));
  });

  it('refuses a spill that does not hold what the positions say', async () => {
    const { meta, spills } = await spillInto(tmpDir(), 'cmtmedqa', 1);
    const plan = planShards(meta, () => 'train', shardCfg({ ranks: 1, maxRecordsPerShard: 1000 }), spills);
    const job = { ...plan.splits[0].shards[0], offset: plan.splits[0].shards[0].offset.map((o) => o + 1e9) };
    await expect(writeShards(tmpDir(), [job])).rejects.toThrow(/ends at/);
  });
});

describe('finish: record gate', () => {
  const cfg = (exact: boolean) => parsePipeline({ name: 't', sources: [{ format: 'cmtmedqa', path: 'x.json' }], dedup: { exact } });
  it('has exact dedup as its first step only when dedup.exact is on, then the filters in their order', () => {
    const f: GateStep = { name: 'f', check: () => undefined };
    expect(gateSteps(cfg(true), [f]).map((s) => s.name)).toEqual(['dedup.exact', 'f']);
    expect(gateSteps(cfg(false), [f]).map((s) => s.name)).toEqual(['f']);
  });
  it('rejects with the first step that objects and keeps the first of two identical records', () => {
    const calls: string[] = [];
    const never: GateStep = { name: 'never', check: (e) => { calls.push(e.record.id); return undefined; } };
    const gate = new RecordGate([new ExactDedupStep(), never]);
    const [a, b] = envs;
    const copy: RecordEnvelope = { ...b, record: { ...a.record, id: 'copy' } };
    expect(gate.check(a)).toBeUndefined();
    const r = gate.check(copy)!;
    expect([r.reason, r.stage, r.dialogueId, r.evidence]).toEqual(['dedup.exact_duplicate', 'dedup', copy.dialogueId, { duplicateOf: a.record.id, similarity: 1 }]);
    expect(calls).toEqual([a.record.id]); // the filter never saw the duplicate
  });
});

describe('finish: IntIndex', () => {
  it('maps 52-bit keys like a Map does, through growth', () => {
    const idx = new IntIndex(16);
    const ref = new Map<number, number>();
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const k = (x % 4096) * 2 ** 40 + ((x * 7) % 2 ** 32); // many shared low bits, some repeats
      idx.set(k, i);
      ref.set(k, i);
    }
    expect(idx.size).toBe(ref.size);
    for (const [k, v] of ref) expect(idx.get(k)).toBe(v);
    expect(idx.get(2 ** 52 - 1)).toBe(-1);
  });
});
