import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { sha256Hex } from '../../src/core/ids.js';
import { revalidate } from '../../src/executors/revalidate.js';
import { importGraph } from '../../src/kg/import/index.js';
import { openSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { verifyOutput } from '../../src/output/verify.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, pipelineFrom, runPipeline, tmpDir } from '../support/run.js';

describe('re-validating a shard when the graph changes', () => {
  let otherGraph: string;
  beforeAll(async () => {
    await demoSnapshot();
    // a different graph: the medical.json fixture alone instead of the xywy slice (without the curated
    // facts, whose symptoms 流涕/打喷嚏 match the case description a MedDialog record now carries)
    otherGraph = path.join(tmpDir(), 'other.json.gz');
    await writeSnapshot(otherGraph, await importGraph({ paths: ['fixtures/kg/medicaljson/medical.json'], curated: false }));
  });

  it('writes a new output with the new graph version and reports newly rejected and newly accepted records', async () => {
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml', { validate: { checks: { no_entity: 'reject' } } }));
    const before = run.report.rejects.byReason['validate.no_entity'] ?? 0;
    expect(before).toBeGreaterThan(0);
    const manifestBytes = readFileSync(path.join(run.outDir, 'manifest.json'));
    const graph = await openSnapshot(otherGraph);
    const outDir = path.join(tmpDir(), 'revalidated');
    const rep = await revalidate({ target: run.outDir, outDir, graph, logger: silentLogger });
    await graph.close();
    expect(rep.graphVersion.before).toBe(run.manifest.graphVersion);
    expect(rep.graphVersion.after).not.toBe(rep.graphVersion.before);
    expect(rep.newlyRejected.byReason['validate.no_entity']).toBeGreaterThan(0);
    expect(rep.records.after).toBe(rep.records.before - rep.newlyRejected.total + rep.newlyAccepted.total - rep.lostToDedup.total);
    expect(rep.balance.closes).toBe(true);
    expect(rep.balance.equation).toContain('lost to dedup');
    // the new folder has its own report, with charts
    expect(readFileSync(path.join(outDir, 'report.md'), 'utf8')).toContain('## Accounting');
    expect(readFileSync(path.join(outDir, 'report.html'), 'utf8')).toMatch(/<figure class="chart" id="chart-rounds"[^]*<svg/);
    const m = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { graphVersion: string; counts: { records: number } };
    expect(m.graphVersion).toBe(rep.graphVersion.after);
    expect(m.counts.records).toBe(rep.records.after);
    // the input is never edited in place
    expect(sha256Hex(readFileSync(path.join(run.outDir, 'manifest.json')))).toBe(sha256Hex(manifestBytes));
    const v = await verifyOutput(outDir);
    expect(v.problems).toEqual([]);
    // the generic report's records balance closes too (carried dedup rejects count as produced)
    const r = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as { records: { produced: number; accepted: number; rejected: number; closes: boolean } };
    expect(r.records.produced).toBe(r.records.accepted + r.records.rejected);
    expect(r.records.closes).toBe(true);
  });

  it('brings back records that the old graph rejected once the graph knows their entities', async () => {
    const strictOther = pipelineFile('pipelines/demo.yaml', { kg: { snapshot: otherGraph }, validate: { checks: { no_entity: 'reject' } } });
    const run = await runPipeline(strictOther);
    const rejectedBefore = run.report.rejects.byReason['validate.no_entity'] ?? 0;
    expect(rejectedBefore).toBeGreaterThan(0);
    const graph = await openSnapshot(path.resolve('.cache/kg/demo-snapshot.json.gz'));
    const rep = await revalidate({ target: run.outDir, outDir: path.join(tmpDir(), 'back'), graph, logger: silentLogger });
    await graph.close();
    expect(rep.newlyAccepted.byPreviousReason['validate.no_entity']).toBeGreaterThan(0);
  });

  it('overrides check policies with --checks, and refuses validate.checks without a graph', async () => {
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    expect(run.report.rejects.byReason['validate.no_entity'] ?? 0).toBe(0);
    const graph = await openSnapshot(path.resolve('.cache/kg/demo-snapshot.json.gz'));
    const rep = await revalidate({ target: run.outDir, outDir: path.join(tmpDir(), 'strict'), graph, logger: silentLogger, checks: { no_entity: 'reject' } });
    await graph.close();
    expect(rep.checks.no_entity).toBe('reject');
    expect(rep.newlyRejected.byReason['validate.no_entity']).toBe(run.report.entities.flagsByReason['validate.no_entity']);
    expect(rep.balance.closes).toBe(true);
    expect(() => pipelineFrom({ name: 'nograph', sources: [{ format: 'hetmc', path: 'x.dialog' }], validate: { checks: { no_entity: 'reject' } } })).toThrow(/validate\.checks: set without a `kg:` section/);
  });

  it('re-validates one shard and carries the others over unchanged', async () => {
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const shard = run.manifest.shards.find((s) => s.split === 'train')!;
    const graph = await openSnapshot(otherGraph);
    const rep = await revalidate({ target: path.join(run.outDir, shard.path), outDir: path.join(tmpDir(), 'one'), graph, logger: silentLogger });
    await graph.close();
    expect(rep.scope).toBe(shard.path);
    expect(rep.records.checked).toBe(shard.records);
    expect(rep.records.after).toBe(run.manifest.counts.records);
  });
  it('accounts for the source run\'s dialogues in the new report: each accepted, or rejected by its deciding reject', async () => {
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const graph = await openSnapshot(path.resolve('.cache/kg/demo-snapshot.json.gz'));
    const same = path.join(tmpDir(), 'same');
    const strict = path.join(tmpDir(), 'strict');
    const rep = await revalidate({ target: run.outDir, outDir: strict, graph, logger: silentLogger, checks: { no_entity: 'reject' } });
    await revalidate({ target: run.outDir, outDir: same, graph, logger: silentLogger });
    await graph.close();
    type Dialogues = { in: number; accepted: number; rejected: number; rejectedByReason: Record<string, number>; closes: boolean };
    const dialogues = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { dialogues: Dialogues }).dialogues;
    // the same graph and checks: the same dialogues in, accepted and rejected as the run
    expect(dialogues(same)).toEqual(run.report.dialogues);
    // newly rejected records take their dialogues with them (single-record dialogues here)
    const d = dialogues(strict);
    expect(d.in).toBe(run.report.dialogues.in);
    expect(d.rejectedByReason['validate.no_entity']).toBe(rep.newlyRejected.total);
    expect(d.accepted).toBe(run.report.dialogues.accepted - rep.newlyRejected.total);
    expect(d.in).toBe(d.accepted + d.rejected);
    expect(d.closes).toBe(true);
    expect(readFileSync(path.join(strict, 'report.md'), 'utf8')).toContain(`dialogues: **${d.in} in = ${d.accepted} accepted + ${d.rejected} rejected**`);
  });
});
