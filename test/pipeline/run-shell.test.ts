import { describe, expect, it } from '@jest/globals';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { localExecutor } from '../../src/executors/local.js';
import { pipelineRun, runPipeline } from '../../src/pipeline/run.js';
import { pipelineFrom, runPipeline as runTestPipeline, snapshotFiles, tmpDir } from '../support/run.js';

const HETMC = path.resolve('fixtures/dialogues/hetmc/sample.dialog');

/** What fs calls throw when the disk is full. */
function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

describe('the run shell', () => {
  it('turns a full disk into CMT_RUN_FAILED that says what to do, and keeps the previous output', async () => {
    const p = pipelineFrom({ name: 'full', sources: [{ format: 'hetmc', path: HETMC }] });
    const outDir = path.join(tmpDir(), 'full');
    await runTestPipeline(p, outDir);
    const before = snapshotFiles(outDir);
    const run = await pipelineRun({ pipeline: p, outDir, logger: silentLogger });
    const failed = runPipeline(run, {
      name: 'local',
      async feed() {
        throw enospc();
      },
    });
    await expect(failed).rejects.toBeInstanceOf(CmtError);
    const e = (await failed.catch((x: unknown) => x)) as CmtError;
    expect(e.code).toBe('CMT_RUN_FAILED');
    expect(e.message).toContain('no space left on device');
    expect(e.message).toContain('free space');
    expect(e.message).toContain(`previous output in ${outDir} is unchanged`);
    expect(snapshotFiles(outDir)).toEqual(before);
  });

  it('does not replace an output that holds records with one that accepted none, unless forced', async () => {
    const dir = tmpDir();
    const outDir = path.join(dir, 'out');
    const good = await runTestPipeline(pipelineFrom({ name: 'same', sources: [{ format: 'hetmc', path: HETMC }] }), outDir);
    expect(good.report.records.accepted).toBeGreaterThan(0);
    const before = snapshotFiles(outDir);
    const empty = path.join(dir, 'empty.dialog');
    writeFileSync(empty, '');
    const p = pipelineFrom({ name: 'same', sources: [{ format: 'hetmc', path: empty }] });
    const e = (await runTestPipeline(p, outDir).catch((x: unknown) => x)) as CmtError;
    expect(e).toBeInstanceOf(CmtError);
    expect(e.code).toBe('CMT_RUN_FAILED');
    expect(e.message).toContain(`the previous output in ${outDir} (${good.report.records.accepted} records) is kept`);
    expect(snapshotFiles(outDir)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['empty.dialog', 'out']);
    const forced = await runPipeline(await pipelineRun({ pipeline: p, outDir, logger: silentLogger, force: true }), localExecutor({ pipeline: p, outDir, logger: silentLogger }));
    expect(forced.report.records.accepted).toBe(0);
    expect(forced.manifest.counts.records).toBe(0);
  });
});
