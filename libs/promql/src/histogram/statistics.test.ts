import { describe, expect, it } from 'vitest';
import { hist } from '../functions/testing.js';
import { histogramBucketTuples, histogramBuckets } from './buckets.js';
import {
  histogramFraction,
  histogramFractionEstimate,
  histogramQuantile,
  histogramQuantileEstimate,
  histogramStdDev,
  histogramStdVar,
} from './statistics.js';

// Schema 0: bucket 1 is (1, 2], bucket 2 is (2, 4]. 4 observations in each, sum 20.
const h = hist({ count: 8, sum: 20, pos: [1, 2], posCounts: [4, 4] });

describe('histogramQuantile', () => {
  it('interpolates exponential buckets on a log scale', () => {
    // q = 0.25: rank 2 of 8 lands halfway into (1, 2] → 2^(0 + 0.5) = √2.
    expect(histogramQuantile(0.25, h)).toBeCloseTo(Math.SQRT2, 14);
    // q = 0.75 walks from the top: rank 2 from above, halfway into (2, 4] → 2^1.5.
    expect(histogramQuantile(0.75, h)).toBeCloseTo(2 ** 1.5, 14);
    expect(histogramQuantile(1, h)).toBe(4);
  });

  it('returns ∓Inf outside [0, 1] and NaN for NaN or an empty histogram', () => {
    expect(histogramQuantile(-0.1, h)).toBe(-Infinity);
    expect(histogramQuantile(1.1, h)).toBe(Infinity);
    expect(histogramQuantile(NaN, h)).toBeNaN();
    expect(histogramQuantile(0.5, hist({ count: 0, sum: 0 }))).toBeNaN();
  });

  it('interpolates linearly in the zero bucket, from 0 when there are only positive buckets', () => {
    // Zero bucket [-1, 1] with 4, bucket (1, 2] with 4: q = 0.25 → rank 2, halfway into [0, 1] → 0.5.
    const z = hist({ zeroThreshold: 1, zeroCount: 4, count: 8, sum: 6, pos: [1, 1], posCounts: [4] });
    expect(histogramQuantile(0.25, z)).toBeCloseTo(0.5, 14);
  });

  it('interpolates custom buckets linearly, and answers the edge bound in the ±Inf buckets', () => {
    // Bounds 10, 20: buckets (-Inf,10] 2, (10,20] 2, (20,+Inf] 4.
    const c = hist({ schema: -53, customValues: [10, 20], count: 8, sum: 100, pos: [0, 3], posCounts: [2, 2, 4] });
    expect(histogramQuantile(0.375, c)).toBeCloseTo(15, 12); // rank 3: halfway into (10, 20]
    expect(histogramQuantile(0.125, c)).toBeCloseTo(5, 12); // first bucket interpolates from 0
    expect(histogramQuantile(0.9, c)).toBe(20); // +Inf bucket → its lower bound
  });

  it('reports NaN observations: NaN when the rank is beyond the buckets, skew otherwise', () => {
    // count 10 but only 8 observations in buckets; sum NaN.
    const n = hist({ count: 10, sum: NaN, pos: [1, 2], posCounts: [4, 4] });
    expect(histogramQuantileEstimate(0.95, n)).toEqual({ value: NaN, nanResult: true, nanSkew: false });
    const skew = histogramQuantileEstimate(0.25, n);
    expect(skew.nanSkew).toBe(true);
  });
});

describe('histogramFraction', () => {
  it('is exact on bucket boundaries and log-interpolates inside buckets', () => {
    expect(histogramFraction(0, 2, h)).toBe(0.5);
    expect(histogramFraction(-Infinity, Infinity, h)).toBe(1);
    // Up to 1.5 inside (1, 2]: log2(1.5) of the bucket's 4 observations, out of 8.
    expect(histogramFraction(0, 1.5, h)).toBeCloseTo((4 * Math.log2(1.5)) / 8, 14);
    expect(histogramFraction(3, 3, h)).toBe(0);
    expect(histogramFraction(NaN, 3, h)).toBeNaN();
  });

  it('is the inverse of histogramQuantile', () => {
    const q = histogramQuantile(0.3, h);
    expect(histogramFraction(-Infinity, q, h)).toBeCloseTo(0.3, 12);
  });

  it('says when NaN observations are excluded', () => {
    expect(histogramFractionEstimate(0, 2, hist({ count: 10, sum: NaN, pos: [1, 2], posCounts: [4, 4] }))).toEqual({
      value: 0.4,
      hasNaNs: true,
    });
  });
});

describe('histogramStdVar / StdDev', () => {
  it('places observations at the geometric mean of their bucket', () => {
    // mean 20/8 = 2.5; bucket centres √(1·2) and √(2·4).
    const expected = (4 * (Math.SQRT2 - 2.5) ** 2 + 4 * (Math.sqrt(8) - 2.5) ** 2) / 8;
    expect(histogramStdVar(h)).toBeCloseTo(expected, 14);
    expect(histogramStdDev(h)).toBeCloseTo(Math.sqrt(expected), 14);
  });
});

describe('bucket iteration', () => {
  const mixed = hist({ zeroThreshold: 0.25, zeroCount: 1, count: 4, sum: 0, pos: [0, 1], posCounts: [2], neg: [0, 1], negCounts: [1] });

  it('yields negative, zero and positive buckets in ascending order', () => {
    expect(histogramBuckets(mixed).map((b) => [b.lower, b.upper, b.count])).toEqual([
      [-1, -0.5, 1],
      [-0.25, 0.25, 1],
      [0.5, 1, 2],
    ]);
    expect(histogramBuckets(mixed, true).map((b) => b.upper)).toEqual([1, 0.25, -0.5]);
  });

  it("renders Prometheus' JSON tuples: negative right-open, zero closed, positive left-open", () => {
    expect(histogramBucketTuples(mixed)).toEqual([
      [1, -1, -0.5, 1],
      [3, -0.25, 0.25, 1],
      [0, 0.5, 1, 2],
    ]);
  });
});
