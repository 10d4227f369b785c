import { describe, expect, it } from 'vitest';
import { hist } from '../functions/testing.js';
import { histogramFraction } from './statistics.js';
import { trimHistogram } from './trim.js';

// Schema 0, zero bucket [-0.001, 0.001] with 1, positive (0.5,1] (1,2] (2,4] (4,8] with 2 4 8 16,
// negative [-1,-0.5) [-2,-1) with 1 2 (Prometheus' h_test).
const h = hist({
  count: 34,
  sum: 123.75,
  zeroThreshold: 0.001,
  zeroCount: 1,
  pos: [0, 4],
  posCounts: [2, 4, 8, 16],
  neg: [0, 2],
  negCounts: [1, 2],
});

// Custom buckets (-Inf,5] (5,10] (10,15] (15,20] (20,+Inf] with 1 6 4 3 1 (Prometheus' cbh).
const cbh = hist({ schema: -53, count: 15, sum: 172.5, pos: [0, 5], posCounts: [1, 6, 4, 3, 1], customValues: [5, 10, 15, 20] });

describe('trimHistogram (</ and >/)', () => {
  it('keeps whole buckets on a bucket boundary and recomputes the sum from bucket midpoints', () => {
    const below = trimHistogram(h, 2, true);
    expect(below.count).toBe(10);
    // Geometric midpoints: √0.5·2 + √2·4 for the positive side, -(√0.5·1 + √2·2) for the negative.
    expect(below.sum).toBeCloseTo(3.5355339059327373, 12);
    expect([...below.positiveCounts]).toEqual([2, 4]);
    expect([...below.negativeCounts]).toEqual([1, 2]);
    const above = trimHistogram(h, 2, false);
    expect(above.count).toBe(24);
    expect([...above.positiveSpans]).toEqual([2, 2]);
    expect(above.sum).toBeCloseTo(113.13708498984761, 12);
  });

  it('interpolates exponential buckets on a log scale and custom buckets linearly', () => {
    // √2 is half-way through (1, 2] in log2.
    const t = trimHistogram(h, Math.SQRT2, true);
    expect(t.count).toBeCloseTo(8, 9);
    expect(t.positiveCounts.length).toBe(2);
    expect(t.positiveCounts[1]).toBeCloseTo(2, 12);
    const c = trimHistogram(cbh, 13, true);
    expect(c.count).toBeCloseTo(9.4, 12);
    expect(c.sum).toBeCloseTo(75.1, 12);
    const d = trimHistogram(cbh, 13, false);
    expect(d.count).toBeCloseTo(5.6, 12);
    expect(d.sum).toBeCloseTo(94.9, 12);
  });

  it('agrees with histogram_fraction: h </ x has fraction(-Inf, x) of the count', () => {
    for (const x of [-1.5, -1, -0.0005, 0, 0.7, 1, 1.3, 3, 6, 100]) {
      expect(trimHistogram(h, x, true).count).toBeCloseTo(histogramFraction(-Infinity, x, h) * h.count, 9);
      expect(trimHistogram(h, x, false).count).toBeCloseTo(histogramFraction(x, Infinity, h) * h.count, 9);
    }
  });

  it('splits the zero bucket towards the side that has buckets', () => {
    const positiveOnly = hist({ count: 12, sum: 8.02, zeroThreshold: 0.5, zeroCount: 2, pos: [0, 1], posCounts: [10] });
    // Only positive buckets: the zero bucket counts as [0, 0.5], so 0.1 cuts a fifth of it.
    expect(trimHistogram(positiveOnly, 0.1, true).zeroCount).toBeCloseTo(0.4, 12);
    expect(trimHistogram(positiveOnly, 0.1, false).zeroCount).toBeCloseTo(1.6, 12);
    const zeroOnly = hist({ count: 5, sum: 0, zeroThreshold: 0.1, zeroCount: 5 });
    expect(trimHistogram(zeroOnly, 0, true).zeroCount).toBe(2.5);
    expect(trimHistogram(zeroOnly, 0, true).sum).toBe(-0.125);
  });

  it('drops an infinite bucket that the cut falls into, except a first bucket ending above 0', () => {
    const c = trimHistogram(cbh, 50, true);
    expect(c.count).toBe(14);
    expect(c.sum).toBe(150);
    const split = hist({ schema: -53, count: 101, sum: 33, pos: [0, 2], posCounts: [1, 100], customValues: [5] });
    // (-Inf, 5] is taken as [0, 5]: 2 keeps 0.4 of it, with its observations at 1.
    const kept = trimHistogram(split, 2, true);
    expect(kept.count).toBeCloseTo(0.4, 12);
    expect(kept.sum).toBeCloseTo(0.4, 12);
  });

  it('returns the histogram itself when nothing is cut, and never changes its input', () => {
    expect(trimHistogram(h, Infinity, true)).toBe(h);
    expect(trimHistogram(h, -Infinity, false)).toBe(h);
    const empty = trimHistogram(h, Infinity, false);
    expect(empty.count).toBe(0);
    expect(empty.sum).toBe(0);
    expect(empty.positiveCounts.length).toBe(0);
    expect([...h.positiveCounts]).toEqual([2, 4, 8, 16]);
  });
});
