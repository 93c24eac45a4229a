/**
 * Property-based fuzzing of every importer through the pipeline (see harness.ts for the seeds, the
 * mutations and what each run must hold). A short, seeded run per format keeps the suite fast;
 * `npm run fuzz -- --runs 10000` runs the long one (test/fuzz/cli.ts).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { FileFormat } from '../../src/sources/types.js';
import { applyAll, mutate, mutationsArb, runOne, seeds, type Seed } from './harness.js';

const ALL = seeds();
const RUNS = Number(process.env.CMT_FUZZ_RUNS ?? 100);
const SEED = Number(process.env.CMT_FUZZ_SEED ?? 20261201);

describe('fuzzing the importers through the pipeline', () => {
  it.each<FileFormat>(['meddialog', 'hetmc', 'mie', 'cmtmedqa', 'toyhom', 'huatuo'])(
    '%s: mutated real-format inputs never crash or hang, the accounting closes and the output directory holds',
    async (format) => {
      const mine = ALL.filter((s) => s.format === format);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      const failures: string[] = [];
      let inputs = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...mine), mutationsArb, fc.integer({ min: 1, max: 40 }), async (seed: Seed, ms, batchSize) => {
          const bytes = applyAll(seed.bytes, ms);
          const r = await runOne(seed, bytes, { batchSize });
          inputs += r.dialoguesIn ?? 0;
          if (!r.ok) failures.push(`${seed.name} ${JSON.stringify(ms).slice(0, 400)}: ${r.failure}: ${r.detail?.slice(0, 600)}`);
          return r.ok;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect(failures).toEqual([]);
      expect(inputs).toBeGreaterThan(0);
    },
  );

  it('mutations do what they say', () => {
    const b = Buffer.from('ab\ncd\nef\n', 'utf8');
    expect(mutate(b, { op: 'truncate', at: 4 }).toString()).toBe('ab\nc');
    expect(mutate(b, { op: 'bom', line: 1 })).toEqual(Buffer.from('ab\n\ufeffcd\nef\n', 'utf8'));
    expect(mutate(b, { op: 'duplicateLines', line: 1, lines: 1 }).toString()).toBe('ab\ncd\ncd\nef\n');
    expect(mutate(b, { op: 'crlf' }).toString()).toBe('ab\r\ncd\r\nef\r\n');
    expect(mutate(b, { op: 'nest', at: 0, depth: 3, open: '[', close: ']' }).toString()).toBe('[[[]]]ab\ncd\nef\n');
    const deep = mutate(Buffer.from('[{"a": 1}]'), { op: 'nestValue', nth: 1, depth: 2, open: '{"b":', close: '}' }).toString();
    expect(JSON.parse(deep)).toEqual([{ a: { b: { b: 1 } }, zz: 1 }]);
    const gb = mutate(Buffer.from('头\n痛\n', 'utf8'), { op: 'swapEncoding', to: 'gb18030', line: 1, lines: 1 });
    expect(gb).toEqual(Buffer.concat([Buffer.from('头\n', 'utf8'), Buffer.from([0xcd, 0xb4, 0x0a])]));
    expect(mutate(b, { op: 'huge', at: 0, unit: 'a.', count: 1000 }).length).toBe(b.length + 2000);
  });
});
