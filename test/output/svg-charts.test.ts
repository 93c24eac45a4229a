import { describe, expect, it } from '@jest/globals';
import { binBuckets, groupedBars, horizontalBars, niceStep, verticalBars } from '../../src/output/svg-charts.js';

const rectsIn = (svg: string) => (svg.match(/<g class="mark-rect">([\s\S]*?)<\/g>/)?.[1].match(/<rect /g) ?? []).length;

describe('svg charts', () => {
  it('nice steps are 1, 2 or 5 × 10^k and cover the range in at most the asked count', () => {
    for (const [max, count] of [[1783, 40], [7, 40], [0.3, 5], [48_847, 5], [1, 5]] as const) {
      const s = niceStep(max, count);
      expect(max / s).toBeLessThanOrEqual(count);
      expect([1, 2, 5]).toContain(Number((s / 10 ** Math.floor(Math.log10(s))).toPrecision(3)));
    }
  });

  it('binning keeps every record and makes at most 40 bins; discrete buckets stay one bar per value', () => {
    const buckets: Array<[number, number]> = [];
    for (let v = 17; v < 1900; v += 7) buckets.push([v, (v % 13) + 1]);
    const bins = binBuckets(buckets, false);
    expect(bins.length).toBeLessThanOrEqual(40);
    expect(bins.reduce((a, b) => a + b.value, 0)).toBe(buckets.reduce((a, [, n]) => a + n, 0));
    const discrete = binBuckets([[3, 2], [1, 5], [2, 0]], true);
    expect(discrete.map((d) => [d.label, d.value])).toEqual([['1', 5], ['2', 0], ['3', 2]]);
    expect(binBuckets([], false)).toEqual([]);
    // integer data never gets fractional bins, and no range gives more than 40
    for (const [lo, hi] of [[10, 11], [19, 59], [0, 3000], [5, 45], [1, 1]]) {
      const b = binBuckets([[lo, 1], [hi, 1]], false);
      expect(b.length).toBeLessThanOrEqual(40);
      expect(b.every((x) => /^[\d,]+$/.test(x.label))).toBe(true);
      expect(b.reduce((a, x) => a + x.value, 0)).toBe(lo === hi ? 2 : 2);
    }
  });

  it('cuts long labels with an ellipsis (whole in the title) and draws odd values as empty bars', () => {
    const long = `crawl-2024/haodf/${'consultations-part-'.repeat(6)}0001.jsonl`;
    const h = horizontalBars([{ label: long, value: 5 }, { label: 'x', value: Number.NaN }, { label: 'y', value: -3 }], { label: 't', yTitle: 'source' });
    expect(h).toContain(`<title>${long}: 5</title>`);
    expect(h).not.toContain(`>${long}</text>`);
    expect(h).toMatch(/…<\/text>/);
    expect(h).not.toMatch(/="[^"]*(NaN|Infinity)[^"]*"|width="-/); // geometry only: the value itself is shown as it is
    const v = verticalBars([{ label: 'a', value: Number.POSITIVE_INFINITY }, { label: 'b', value: 2 }], { label: 't', xTitle: 'x', yTitle: 'y' });
    expect(v).not.toMatch(/="[^"]*(NaN|Infinity)[^"]*"|height="-/);
  });

  it('draws one rect per bar, zero bars included, and escapes labels', () => {
    const v = verticalBars([{ label: 'a', value: 3 }, { label: 'b', value: 0 }], { label: 't', xTitle: 'x', yTitle: 'y' });
    expect(rectsIn(v)).toBe(2);
    const h = horizontalBars([{ label: '<script>', value: 9 }, { label: 'x&y', value: 1 }, { label: '内科', value: 4 }], { label: 't', yTitle: 'reason' });
    expect(rectsIn(h)).toBe(3);
    expect(h).not.toContain('<script>');
    expect(h).toContain('&lt;script&gt;');
    const g = groupedBars(['in', 'out'], [{ name: 's1', values: [5, 0] }, { name: 's2', values: [7, 7] }, { name: 's3', values: [1, 1] }], { label: 'f', yTitle: 'dialogues' });
    expect(rectsIn(g)).toBe(6);
    // the tallest bar reaches the top tick, smaller ones in proportion
    const heights = [...v.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[1]).toBe(0);
    expect(heights[0]).toBeGreaterThan(0);
  });
});
