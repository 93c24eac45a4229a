import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rejectsRouter } from '../../src/cli/rejects-page.js';
import { silentLogger } from '../../src/core/logger.js';
import { startDashboard, type Dashboard } from '../../src/executors/bullmq/dashboard.js';
import { demoSnapshot } from '../support/kg.js';
import { pipelineFile, runPipeline, tmpDir } from '../support/run.js';

describe('the rejects pages over a damaged output', () => {
  let d: Dashboard;
  let side: string;
  beforeAll(async () => {
    await demoSnapshot();
    const run = await runPipeline(pipelineFile('pipelines/demo.yaml'));
    const dir = path.join(tmpDir(), 'demo');
    cpSync(run.outDir, dir, { recursive: true });
    side = run.manifest.shards.find((s) => s.split === 'train')!.annotations!.path;
    const f = path.join(dir, side);
    writeFileSync(f, readFileSync(f).subarray(0, 200));
    d = await startDashboard({ redisUrl: '', port: 0, logger: silentLogger, queues: false, routes: rejectsRouter([dir]) });
  });
  afterAll(async () => {
    await d?.close();
  });

  it('answer with the error code and what to do, never a stack trace', async () => {
    const r = await fetch(`${d.url}explain/103`);
    const html = await r.text();
    expect(r.status).toBe(500);
    expect(html).toContain('CMT_OUTPUT_INVALID');
    expect(html).toContain(side);
    expect(html).toContain('cmtmedqa verify');
    expect(html).not.toMatch(/\bat .*\.js:\d+/);
  });
});
