import { describe, expect, it } from 'vitest';
import { CUSTOM_BUCKETS_SCHEMA } from '#pharos/metric-model';
import { hist } from '../functions/testing.js';
import { detectHistogramReset } from './reset.js';

/** A custom-bucket histogram with one count per bucket (bounds, then +Inf). */
const nhcb = (bounds: number[], counts: number[]) =>
  hist({ schema: CUSTOM_BUCKETS_SCHEMA, customValues: bounds, count: counts.reduce((a, b) => a + b, 0), sum: 1, pos: [0, counts.length], posCounts: counts });

describe('detectHistogramReset with changed custom bounds (Prometheus detectResetWithMismatchedCustomBounds)', () => {
  it('is no reset when the counts rolled up onto the common bounds all grew', () => {
    // Common bounds 2, 4, 6 (+Inf): before 1 | 2 | 5 | 7, after 10+20 | 30+40 | 50+60 | 70+80+90.
    const before = nhcb([2, 4, 6], [1, 2, 5, 7]);
    const after = nhcb([1, 2, 3, 4, 5, 6, 7, 8], [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(detectHistogramReset(before, after)).toBe(false);
  });

  it('is a reset when one rolled-up segment shrank, even though the total grew', () => {
    const before = nhcb([2, 4], [5, 1, 1]);
    const after = nhcb([1, 2, 3, 4], [1, 1, 10, 10, 10]); // ≤2: 2 < 5
    expect(detectHistogramReset(before, after)).toBe(true);
  });
});

describe('detectHistogramReset on consecutive samples of one layout', () => {
  // Schema 0: bucket i is (2^(i-1), 2^i]; the first given bucket is at index `first`.
  const exp = (zeroCount: number, counts: number[], first = 1) =>
    hist({ count: zeroCount + counts.reduce((a, b) => a + b, 0), sum: 1, zeroThreshold: 0.5, zeroCount, pos: [first, counts.length], posCounts: counts });

  it('is no reset when nothing decreased, and a reset when a bucket or the zero bucket did', () => {
    expect(detectHistogramReset(exp(1, [1, 2, 3]), exp(1, [1, 3, 3]))).toBe(false);
    expect(detectHistogramReset(exp(1, [1, 2, 3]), exp(1, [2, 1, 4]))).toBe(true);
    expect(detectHistogramReset(exp(2, [1, 2, 3]), exp(1, [1, 3, 4]))).toBe(true);
  });

  it('ignores a decrease in a bucket inside the zero bucket, as Prometheus does', () => {
    // Bucket -1 is (0.25, 0.5], within the zero threshold 0.5: its counts went into the zero bucket.
    expect(detectHistogramReset(exp(1, [3, 2, 3], -1), exp(1, [2, 2, 4], -1))).toBe(false);
    expect(detectHistogramReset(exp(1, [3, 2, 3], -1), exp(1, [3, 1, 4], -1))).toBe(true);
  });
});
