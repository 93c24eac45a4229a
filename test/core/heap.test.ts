import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { boundHeapGrowth, heapGrowthPercent } from '../../src/core/heap.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import { pipelineFrom, runPipeline } from '../support/run.js';

const HEAP = fileURLToPath(new URL('../../src/core/heap.js', import.meta.url));

/**
 * A process that holds a fixed working set and churns short-lived batches (as a run does), with
 * the growth bounded to `percent` or left to V8 (-1); prints its peak heapTotal in MB.
 */
function churnPeakMb(percent: number): number {
  const script = `
    const { boundHeapGrowth } = await import(${JSON.stringify(HEAP)});
    if (${percent} >= 0) boundHeapGrowth(${percent});
    const live = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'x'.repeat(50) + i }));
    const keep = []; let max = 0;
    for (let r = 0; r < 150; r++) {
      keep.push(Array.from({ length: 20000 }, (_, i) => ({ r, i, s: 'y' + i + r })));
      if (keep.length > 8) keep.shift();
      max = Math.max(max, process.memoryUsage().heapTotal);
    }
    console.log(Math.round(max / 1e6), live.length, keep.length);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.trim().split(' ')[0]);
}

describe('boundHeapGrowth', () => {
  it('keeps the peak heap of a churning process well below what V8 lets it grow to on its own', () => {
    const own = churnPeakMb(-1);
    const bounded = churnPeakMb(20);
    // Measured: about 300 MB left to V8, about 145 MB bounded (the live set is about 60 MB).
    expect(bounded).toBeLessThan(own * 0.7);
  });

  it('refuses a negative or fractional percent and reports what it set', () => {
    expect(() => boundHeapGrowth(-1)).toThrow(RangeError);
    expect(() => boundHeapGrowth(1.5)).toThrow(RangeError);
    boundHeapGrowth(0);
    expect(heapGrowthPercent()).toBe(0);
    expect(boundHeapGrowth(0)).toBe(false);
  });

  it('is a pipeline setting, 100 by default, that a run applies', async () => {
    expect(parsePipeline({ name: 'p', sources: [{ format: 'huatuo', path: 'x.json' }] }).executor.heapGrowthPercent).toBe(100);
    expect(() => parsePipeline({ name: 'p', sources: [{ format: 'huatuo', path: 'x.json' }], executor: { heapGrowthPercent: -5 } })).toThrow(/heapGrowthPercent/);
    boundHeapGrowth(0);
    await runPipeline(pipelineFrom({ name: 'heap', sources: [{ format: 'huatuo', path: 'fixtures/dialogues/huatuo/sample.json' }], executor: { heapGrowthPercent: 70 } }));
    expect(heapGrowthPercent()).toBe(70);
  });
});
