/**
 * How far V8 lets the heap grow past what survived its last full collection. V8's own rule grows
 * the old generation by up to 4× on a long, allocation-heavy run, so a run's peak memory grows with
 * its input although its working set does not (bench "End to end": the same runs complete under a
 * 128 MB old-generation cap). A fixed factor of 1 + percent/100 keeps the peak near the working set
 * whatever the input's size, for a few percent more GC time (README "Memory").
 *
 * The setting is V8's --heap-growing-percent, read afresh at every full GC, so it can be set while
 * the process runs; it is process-wide (worker threads share it). It must not change any output.
 */
import v8 from 'node:v8';

let applied: number | undefined;

/** Sets the heap growing factor to 1 + percent/100 (0: V8's own adaptive rule). Returns whether it changed. */
export function boundHeapGrowth(percent: number): boolean {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth percent must be a whole number ≥ 0, not ${percent}`);
  if (applied === percent) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = percent;
  return true;
}

/** The percent last set by boundHeapGrowth in this process (undefined: never set). */
export function heapGrowthPercent(): number | undefined {
  return applied;
}
