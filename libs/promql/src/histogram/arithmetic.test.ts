import { describe, expect, it } from 'vitest';
import { RESET_HINT_NO, RESET_HINT_YES } from '#pharos/metric-model';
import { hist } from '../functions/testing.js';
import {
  addHistograms,
  compactHistogram,
  divHistogramByScalar,
  histogramEquals,
  IncompatibleHistogramSchemaError,
  reduceResolution,
  scaleHistogram,
  subHistograms,
} from './arithmetic.js';
import { bucketBound, exponentialBound } from './bounds.js';
import { KahanHistogramSum } from './kahan-sum.js';
import { detectHistogramReset } from './reset.js';

describe('bucket bounds', () => {
  it('are 2^(i / 2^schema), within an ulp of the exact value, for every schema', () => {
    for (let schema = -4; schema <= 8; schema++) {
      for (const i of [-7, -1, 0, 1, 2, 3, 5, 17, 100]) {
        const exact = 2 ** (i / 2 ** schema);
        if (!Number.isFinite(exact)) continue; // 2^1600 at schema -4: past the last bucket.
        expect(Math.abs(exponentialBound(i, schema) - exact) / exact).toBeLessThan(4e-16);
      }
    }
  });

  it("keep Prometheus' own constants (not correctly rounded: √2/2 is 0.7071067811865475)", () => {
    expect(exponentialBound(-1, 1)).toBe(0.7071067811865475);
    expect(exponentialBound(3, 3)).toBe(2 * 0.6484197773255048);
  });

  it('end the last finite bucket at MAX_VALUE and custom buckets at ±Inf', () => {
    expect(exponentialBound(1024, 0)).toBe(Number.MAX_VALUE);
    expect(exponentialBound(1025, 0)).toBe(Infinity);
    const cv = Float64Array.from([1, 5]);
    expect([bucketBound(-1, -53, cv), bucketBound(0, -53, cv), bucketBound(2, -53, cv)]).toEqual([-Infinity, 1, Infinity]);
  });
});

describe('add / sub', () => {
  it('adds bucket-wise, inserting buckets missing on either side', () => {
    const a = hist({ count: 3, sum: 4, pos: [0, 1, 1, 1], posCounts: [1, 2] }); // buckets 0 and 2
    const b = hist({ count: 5, sum: 6, pos: [1, 2], posCounts: [3, 2] }); // buckets 1 and 2
    const r = addHistograms(a, b).histogram;
    expect([r.count, r.sum]).toEqual([8, 10]);
    expect([...r.positiveSpans]).toEqual([0, 3]);
    expect([...r.positiveCounts]).toEqual([1, 3, 4]);
  });

  it('reduces to the lower schema of the two', () => {
    // Schema 1 buckets 1, 2 → schema 0 bucket 1; schema 1 bucket 3 → schema 0 bucket 2.
    const fine = hist({ schema: 1, count: 6, sum: 9, pos: [1, 3], posCounts: [1, 2, 3] });
    const coarse = hist({ schema: 0, count: 1, sum: 1, pos: [1, 1], posCounts: [1] });
    for (const r of [addHistograms(fine, coarse).histogram, addHistograms(coarse, fine).histogram]) {
      expect(r.schema).toBe(0);
      expect([...r.positiveSpans]).toEqual([1, 2]);
      expect([...r.positiveCounts]).toEqual([4, 3]);
    }
  });

  it('widens the zero bucket to the larger threshold and absorbs the buckets inside it', () => {
    // a: threshold 0.5 (bound of bucket 0 at schema 0 is 1, of bucket -1 is 0.5).
    // b: threshold 0, buckets -1 (0.25, 0.5] = 2 and 1 (1, 2] = 1 → its bucket -1 joins the zero bucket.
    const a = hist({ zeroThreshold: 0.5, zeroCount: 1, count: 2, sum: 1, pos: [1, 1], posCounts: [1] });
    const b = hist({ count: 3, sum: 2, pos: [-1, 1, 1, 1], posCounts: [2, 1] });
    const r = addHistograms(a, b).histogram;
    expect(r.zeroThreshold).toBe(0.5);
    expect(r.zeroCount).toBe(3);
    expect([...r.positiveSpans]).toEqual([1, 1]);
    expect([...r.positiveCounts]).toEqual([2]);
  });

  it('moves the threshold up to a bucket boundary when it would cut a populated bucket', () => {
    // Threshold 0.7 cuts bucket 0 (0.5, 1] of b, which is populated → threshold becomes 1.
    const a = hist({ zeroThreshold: 0.7, zeroCount: 1, count: 1, sum: 0 });
    const b = hist({ count: 2, sum: 1.5, pos: [0, 2], posCounts: [1, 1] });
    const r = addHistograms(a, b).histogram;
    expect(r.zeroThreshold).toBe(1);
    expect(r.zeroCount).toBe(2);
    expect([...r.positiveCounts]).toEqual([1]);
  });

  it('subtracts, keeping negative results (callers decide about resets)', () => {
    const a = hist({ count: 5, sum: 10, pos: [0, 2], posCounts: [2, 3] });
    const b = hist({ count: 2, sum: 3, pos: [1, 1], posCounts: [2] });
    const r = subHistograms(a, b).histogram;
    expect([r.count, r.sum, ...r.positiveCounts]).toEqual([3, 7, 2, 1]);
  });

  it('combines custom buckets with equal bounds, and reconciles different bounds to the shared ones', () => {
    const a = hist({ schema: -53, customValues: [1, 2, 5], count: 4, sum: 6, pos: [0, 4], posCounts: [1, 1, 1, 1] });
    const same = addHistograms(a, a);
    expect(same.boundsReconciled).toBe(false);
    expect([...same.histogram.positiveCounts]).toEqual([2, 2, 2, 2]);
    // b has bounds [1, 5]: shared bounds [1, 5]; a's buckets (1,2] and (2,5] merge into (1,5].
    const b = hist({ schema: -53, customValues: [1, 5], count: 3, sum: 3, pos: [0, 3], posCounts: [1, 1, 1] });
    const r = addHistograms(a, b);
    expect(r.boundsReconciled).toBe(true);
    expect([...r.histogram.customValues]).toEqual([1, 5]);
    expect([...r.histogram.positiveCounts]).toEqual([2, 3, 2]);
  });

  it('refuses to mix exponential and custom buckets', () => {
    const exp = hist({ count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const custom = hist({ schema: -53, customValues: [1], count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    expect(() => addHistograms(exp, custom)).toThrow(IncompatibleHistogramSchemaError);
  });

  it('flags a collision of reset and not-reset hints', () => {
    const a = hist({ count: 1, sum: 1, resetHint: RESET_HINT_YES });
    const b = hist({ count: 1, sum: 1, resetHint: RESET_HINT_NO });
    expect(addHistograms(a, b).counterResetCollision).toBe(true);
  });

  it('never mutates its inputs', () => {
    const a = hist({ schema: 1, zeroThreshold: 0.1, count: 6, sum: 9, pos: [1, 3], posCounts: [1, 2, 3] });
    const before = JSON.stringify({ ...a, p: [...a.positiveCounts], s: [...a.positiveSpans] });
    addHistograms(a, hist({ zeroThreshold: 2, zeroCount: 1, count: 1, sum: 0 }));
    subHistograms(a, a);
    reduceResolution(a, -2);
    expect(JSON.stringify({ ...a, p: [...a.positiveCounts], s: [...a.positiveSpans] })).toBe(before);
  });
});

describe('scale, divide, compact, reduce, equals', () => {
  const h = hist({ count: 4, sum: 8, zeroCount: 1, pos: [0, 3], posCounts: [1, 0, 2] });

  it('scales and divides every count', () => {
    expect([...scaleHistogram(h, 2).positiveCounts]).toEqual([2, 0, 4]);
    expect(divHistogramByScalar(h, 2).sum).toBe(4);
    // Division by zero drops the buckets (as Prometheus' Div).
    expect(divHistogramByScalar(h, 0).positiveCounts.length).toBe(0);
  });

  it('compacts away empty buckets, splitting spans', () => {
    const c = compactHistogram(h);
    expect([...c.positiveSpans]).toEqual([0, 1, 1, 1]);
    expect([...c.positiveCounts]).toEqual([1, 2]);
  });

  it('reduces resolution: schema 0 buckets 0,1,2 → schema -1 buckets 0 (0.25,1] and 1 (1,4]', () => {
    const r = reduceResolution(h, -1);
    expect([...r.positiveSpans]).toEqual([0, 2]);
    expect([...r.positiveCounts]).toEqual([1, 2]);
  });

  it('compares layouts, not span encodings', () => {
    const split = hist({ count: 4, sum: 8, zeroCount: 1, pos: [0, 1, 0, 2], posCounts: [1, 0, 2] });
    expect(histogramEquals(h, split)).toBe(true);
    expect(histogramEquals(h, compactHistogram(h))).toBe(false);
    expect(histogramEquals(h, { ...h, sum: 8.000000001 })).toBe(false);
  });
});

describe('detectHistogramReset', () => {
  const prev = hist({ count: 5, sum: 5, pos: [0, 2], posCounts: [2, 3] });

  it('sees decreases and vanished populated buckets', () => {
    expect(detectHistogramReset(prev, hist({ count: 6, sum: 6, pos: [0, 2], posCounts: [3, 3] }))).toBe(false);
    expect(detectHistogramReset(prev, hist({ count: 6, sum: 6, pos: [0, 2], posCounts: [1, 5] }))).toBe(true);
    expect(detectHistogramReset(prev, hist({ count: 6, sum: 6, pos: [1, 1], posCounts: [6] }))).toBe(true);
    expect(detectHistogramReset(prev, hist({ count: 4, sum: 6, pos: [0, 2], posCounts: [2, 3] }))).toBe(true);
  });

  it('follows the hint when there is one', () => {
    expect(detectHistogramReset(prev, { ...prev, resetHint: RESET_HINT_YES })).toBe(true);
    expect(detectHistogramReset(prev, hist({ count: 0, sum: 0, resetHint: RESET_HINT_NO }))).toBe(false);
  });

  it('is not fooled by a lower resolution or a wider zero bucket', () => {
    // prev schema 0 buckets 0,1 → schema -1 bucket 0 (0.25, 1]... bucket 1 (1,2] → schema -1 bucket 1.
    const coarser = hist({ schema: -1, count: 5, sum: 5, pos: [0, 2], posCounts: [2, 3] });
    expect(detectHistogramReset(prev, coarser)).toBe(false);
    // A higher resolution is always a reset.
    expect(detectHistogramReset(coarser, prev)).toBe(true);
    // Zero threshold 1 swallows bucket 0 (0.5, 1]: its 2 must show up in the zero count.
    const wider = hist({ zeroThreshold: 1, zeroCount: 2, count: 5, sum: 5, pos: [1, 1], posCounts: [3] });
    expect(detectHistogramReset(prev, wider)).toBe(false);
    expect(detectHistogramReset(prev, { ...wider, zeroCount: 1, count: 5 })).toBe(true);
  });
});

describe('KahanHistogramSum', () => {
  it('compensates rounding across many additions', () => {
    // 1 + 1e-16 × 10: naive float addition stays at 1; compensated it is 1 + 1e-15.
    const big = hist({ count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const tiny = hist({ count: 1e-16, sum: 1e-16, pos: [0, 1], posCounts: [1e-16] });
    const acc = KahanHistogramSum.of(big);
    for (let i = 0; i < 10; i++) acc.add(tiny);
    const r = acc.result();
    expect(r.count).toBe(1 + 1e-15);
    expect(r.positiveCounts[0]).toBe(1 + 1e-15);
    let naive = 1;
    for (let i = 0; i < 10; i++) naive += 1e-16;
    expect(naive).toBe(1);
  });
});
