import { describe, expect, it } from '@jest/globals';
import { collapseLine } from '../../src/scrape/adapters/types.js';

describe('page text cleaning on hostile markup', () => {
  it('joins CJK line wraps, and a long run of ideographic spaces with no newline takes linear time', () => {
    expect(collapseLine('头痛\n  三天')).toBe('头痛三天');
    expect(collapseLine('头痛\u3000\n三天')).toBe('头痛三天');
    // Before: quadratic (40,000 U+3000 took ~4 s); a 5 s budget for 400,000 only catches a hang.
    const t = performance.now();
    const out = collapseLine(`中${'\u3000'.repeat(400_000)}x`);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(out).toBe('中 x');
  });
});
