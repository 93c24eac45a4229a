import { describe, expect, it } from '@jest/globals';
import { renderStatus } from '../../src/cli/status.js';

describe('cmtmedqa status', () => {
  it('says a failed run failed, not that its import is still running', () => {
    const zero = { waiting: 0, active: 0, completed: 0, failed: 1, delayed: 0 };
    const text = renderStatus({
      runId: 'r1', pipeline: 'p', state: 'failed', stages: { normalise: zero }, finalise: zero,
      batches: { done: 2, total: null }, stageSeconds: {}, finaliseDone: false, error: 'sources[0].path matches no file',
    });
    expect(text).toContain('run r1 (pipeline p): FAILED');
    expect(text).not.toContain('still running');
    expect(text).toContain('the run FAILED before its import finished');
    expect(text).toContain('error: sources[0].path matches no file');
    const running = renderStatus({ runId: 'r2', pipeline: 'p', state: 'running', stages: {}, finalise: zero, batches: { done: 0, total: null }, stageSeconds: {}, finaliseDone: false });
    expect(running).toContain('(import still running)');
  });
});
