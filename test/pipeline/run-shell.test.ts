import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
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
});
