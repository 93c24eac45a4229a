import { describe, expect, it, jest } from '@jest/globals';
import { printSummary } from '../../src/cli/run.js';
import { scheduleLine } from '../../src/cli/schedule.js';
import type { RunResult } from '../../src/executors/local.js';

function summaryOf(byReason: Record<string, number>): string {
  const total = Object.values(byReason).reduce((a, b) => a + b, 0);
  const report = {
    pipeline: 'demo', executor: 'local', graphVersion: null, throughput: { seconds: 1, dialoguesPerSecond: 44 },
    dialogues: { in: 44, accepted: 38, rejected: 6, closes: true },
    records: { produced: 38, accepted: 38, rejected: 0, closes: true },
    splits: { train: { records: 30 }, validation: { records: 4 }, test: { records: 4 } }, shards: 6,
    rejects: { total, byReason, byStage: {} }, inquiry: { ratio: 0.24 },
  };
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    printSummary({ outDir: 'out/demo', report } as unknown as RunResult);
  } finally {
    log.mockRestore();
  }
  return lines.find((l) => l.startsWith('  rejects:   ') && !l.includes('rejects.jsonl'))!;
}

describe('the summary lines of run and schedule --list', () => {
  it('counts the reject reasons past the five it names, so the counts shown add up to the total', () => {
    const line = summaryOf({ 'import.parse_error': 2, 'import.no_dialogue': 1, 'import.schema': 1, 'import.truncated': 1, 'normalise.empty': 1, 'split.pleasantry_only': 1 });
    expect(line).toBe('  rejects:   7 (import.parse_error 2, import.no_dialogue 1, import.schema 1, import.truncated 1, normalise.empty 1, 1 more of 1 other reason(s))');
    expect(summaryOf({ 'split.too_short': 3 })).toBe('  rejects:   3 (split.too_short 3)');
    expect(summaryOf({})).toBe('  rejects:   0');
  });

  it('says a skipped firing\'s outcome once', () => {
    const base = { id: 'pipeline.nightly', pipeline: 'nightly', pattern: '0 3 * * *', tz: 'Asia/Shanghai', next: Date.UTC(2026, 11, 4, 19) };
    const at = Date.UTC(2026, 11, 3, 19);
    expect(scheduleLine({ ...base, last: { at, outcome: 'skipped', detail: 'skipped: inputs unchanged since run 2026-12-03T03-00-00Z (config and input bytes hash 41b68b67cd42)' } }))
      .toBe('pipeline.nightly  cron "0 3 * * *" Asia/Shanghai  next 2026-12-04T19:00:00.000Z  last 2026-12-03T19:00:00.000Z skipped: inputs unchanged since run 2026-12-03T03-00-00Z (config and input bytes hash 41b68b67cd42)');
    expect(scheduleLine({ ...base, last: { at, outcome: 'failed', detail: 'sources[0].path matches no file' } })).toContain('last 2026-12-03T19:00:00.000Z failed: sources[0].path matches no file');
    expect(scheduleLine({ ...base, last: { at, outcome: 'ran', detail: 'ran into out/nightly/runs/x: 38 records' } })).toContain('last 2026-12-03T19:00:00.000Z ran into out/nightly/runs/x: 38 records');
    expect(scheduleLine(base)).toContain('last: never fired');
  });
});
