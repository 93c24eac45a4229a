import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CMtMedQARecord } from '../../schemas/record.js';
import { Reject } from '../../schemas/reject.js';
import { Manifest } from '../../schemas/manifest.js';
import { sha256Hex } from '../../src/core/ids.js';
import { sharedData } from '../support/services.js';
import { pipelineFile, pipelineFrom, readRejectLines, readShards, runPipeline, snapshotFiles, tmpDir } from '../support/run.js';

describe('local executor on the bundled demo pipeline', () => {
  it('closes the accounting, writes schema-valid shards and lists every reject with its evidence', async () => {
    const res = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const { report, manifest, outDir } = res;
    expect(report.dialogues.closes).toBe(true);
    expect(report.dialogues.unaccounted).toBe(0);
    expect(report.dialogues.in).toBe(report.dialogues.accepted + report.dialogues.rejected);
    expect(report.records.closes).toBe(true);
    expect(Manifest.parse(JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')))).toEqual(manifest);
    const rows = readShards(outDir, manifest);
    expect(rows.length).toBe(manifest.counts.records);
    expect(rows.length).toBe(report.records.accepted);
    for (const { record } of rows) expect(Object.keys(CMtMedQARecord.parse(record))).toEqual(['id', 'cate1', 'cate2', 'instruction', 'input', 'output', 'history']);
    for (const s of manifest.shards) expect(sha256Hex(readFileSync(path.join(outDir, s.path)))).toBe(s.sha256);
    const rejects = readRejectLines(outDir).map((r) => Reject.parse(r));
    expect(rejects.length).toBe(report.rejects.total);
    // the malformed fixtures in the demo show up under their reasons, and the run went on past them
    const reasons = new Set(rejects.map((r) => r.reason));
    expect([...reasons]).toEqual(expect.arrayContaining(['import.parse_error', 'import.truncated', 'import.no_dialogue']));
    expect(report.dialogues.accepted).toBeGreaterThan(20);
  });

  it('writes byte-identical shards, rejects and manifest when run twice', async () => {
    const a = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const b = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const skip = (rel: string) => !rel.startsWith('report');
    const fa = snapshotFiles(a.outDir, skip);
    const fb = snapshotFiles(b.outDir, skip);
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    for (const [k, v] of fa) expect(fb.get(k)!.equals(v)).toBe(true);
  });

  it('never puts one source dialogue into two splits', async () => {
    const res = await runPipeline(pipelineFile('pipelines/shared-corpora.yaml', { sources: [{ format: 'meddialog', path: sharedData('dialogues/meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt') }], kg: undefined, tokens: undefined }));
    const splitOfDialogue = new Map<string, string>();
    for (const s of res.manifest.shards) {
      const { readJsonlGz } = await import('../support/run.js');
      for (const a of readJsonlGz(path.join(res.outDir, s.annotations!.path)) as Array<{ origin: { sourceId: string } }>) {
        const prev = splitOfDialogue.get(a.origin.sourceId);
        if (prev) expect(prev).toBe(s.split);
        splitOfDialogue.set(a.origin.sourceId, s.split);
      }
    }
    expect(splitOfDialogue.size).toBeGreaterThan(1000);
  });
});

describe('local executor on the real corpora in ../shared/data', () => {
  const cases: Array<[string, string, (r: Awaited<ReturnType<typeof runPipeline>>['report']) => void]> = [
    ['meddialog', 'dialogues/meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', (r) => {
      // 74 ids have no Dialogue section; 8 of them end in the doctor's case note (初步诊断 and
      // advice) and are single-turn dialogues, the other 66 are rejects
      expect(r.rejects.byReason['import.no_dialogue']).toBe(66);
      // 187 ids hold follow-up visits: more dialogues than the 1,319 + 8 ids read as dialogues
      expect(r.dialogues.in - 66).toBeGreaterThan(1327);
    }],
    ['hetmc', 'dialogues/hetmc_chunyu/train.dialog', (r) => expect(r.dialogues.in).toBe(360)],
    ['mie', 'dialogues/mie_chunyu/dev.json', (r) => expect(r.dialogues.in).toBe(160)],
    ['cmtmedqa', 'dialogues/cmtmedqa/CMtMedQA_test.json', (r) => {
      expect(r.dialogues.in).toBe(1144);
      // the few test-set dialogues scored machine-spun (≤ 2%) or made only of pleasantries are rejects with their reason
      const byReason = r.dialogues.rejectedByReason;
      expect(r.dialogues.accepted + (byReason['quality.machine_spun'] ?? 0) + (byReason['split.pleasantry_only'] ?? 0)).toBeGreaterThanOrEqual(1139);
      expect(r.sources.cmtmedqa.machineSpunShare).toBeLessThanOrEqual(0.02);
    }],
    // Run with the spin policy `flag` so its records are written: the file is spun as a whole
    // (stages/quality/file-spin.ts), so under the default `reject` none would be.
    ['toyhom', 'dialogues/toyhom_cmd/样例_内科5000-6000.csv', (r) => {
      expect(r.dialogues.in).toBe(7644);
      expect(Object.keys(r.categories)).toContain('内科');
      expect(r.sources.toyhom.machineSpunShare).toBe(1);
    }],
    ['huatuo', 'dialogues/huatuo26m/huatuo26M_test.json', (r) => expect(r.dialogues.in).toBe(6000)],
  ];

  it.each(cases)('runs the full %s file with the accounting closed and schema-valid output', async (format, file, check) => {
    const p = pipelineFrom({ name: `real-${format}`, sources: [{ format, path: sharedData(file) }], shard: { ranks: 2 }, ...(format === 'toyhom' ? { quality: { policy: 'flag' } } : {}) });
    const res = await runPipeline(p, tmpDir());
    expect(res.report.dialogues.closes).toBe(true);
    expect(res.report.records.closes).toBe(true);
    expect(res.report.dialogues.accepted).toBeGreaterThan(0);
    const rows = readShards(res.outDir, res.manifest);
    expect(rows.length).toBe(res.report.records.accepted);
    for (const { record } of rows) {
      CMtMedQARecord.parse(record);
      expect((record.output as string).length).toBeGreaterThan(0);
    }
    check(res.report);
  });
});

describe('the full real corpora with validation against the full xywy graph', () => {
  it('reports entity coverage, reject reasons, near-duplicates and balanced token shards', async () => {
    const { sharedSnapshot } = await import('../support/kg.js');
    await sharedSnapshot();
    const res = await runPipeline(pipelineFile('pipelines/shared-corpora.yaml'));
    const r = res.report;
    expect(r.dialogues.closes).toBe(true);
    expect(r.records.closes).toBe(true);
    expect(r.graphVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(res.manifest.graphVersion).toBe(r.graphVersion);
    // most real medical dialogue mentions something the graph knows
    expect(r.entities.coverage).toBeGreaterThan(0.8);
    expect(r.entities.byType.Symptom).toBeGreaterThan(1000);
    expect(r.entities.byType.Disease).toBeGreaterThan(1000);
    expect(r.nearDuplicates.count).toBeGreaterThan(0);
    expect(Object.keys(r.tokens)).toEqual(['llama2', 'qwen3']);
    expect(res.manifest.imbalance!.train).toBeLessThan(0.01);
    const md = readFileSync(path.join(res.outDir, 'report.md'), 'utf8');
    expect(md).toContain('records with ≥1 entity');
    expect(md).toContain('dedup.near_duplicate');
    expect(md).toContain('| qwen3 |');
  });
});

describe('the local executor with worker threads (executor.concurrency > 1)', () => {
  it('writes byte-identical shards, rejects and manifest to the single-threaded run', async () => {
    const one = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const two = await runPipeline(pipelineFile('pipelines/demo.yaml', { executor: { concurrency: 2, batchSize: 7 } }));
    const skip = (rel: string) => !rel.startsWith('report');
    const fa = snapshotFiles(one.outDir, skip);
    const fb = snapshotFiles(two.outDir, skip);
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
    for (const [k, v] of fa) expect(fb.get(k)!.equals(v)).toBe(true);
    expect(two.report.dialogues.closes).toBe(true);
  });
});
