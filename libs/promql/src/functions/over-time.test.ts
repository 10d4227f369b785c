import { describe, expect, it } from 'vitest';
import { RESET_HINT_NO, RESET_HINT_YES } from '#pharos/metric-model';
import { PromQLError } from '../engine/query-api.js';
import type { FloatHistogram } from '../engine/values.js';
import { FUNCTIONS } from './table.js';
import { evalRange, floatWindow, hist, histWindow } from './testing.js';

const w = floatWindow([[10, 3], [20, 1], [30, 4], [40, 1], [50, 5]]);

describe('*_over_time over floats', () => {
  it('aggregates the window', () => {
    expect(evalRange('sum_over_time', w, 60, 60).value).toBe(14);
    expect(evalRange('avg_over_time', w, 60, 60).value).toBeCloseTo(14 / 5, 15);
    expect(evalRange('count_over_time', w, 60, 60).value).toBe(5);
    expect(evalRange('min_over_time', w, 60, 60).value).toBe(1);
    expect(evalRange('max_over_time', w, 60, 60).value).toBe(5);
    expect(evalRange('last_over_time', w, 60, 60).value).toBe(5);
    expect(evalRange('first_over_time', w, 60, 60).value).toBe(3);
    expect(evalRange('present_over_time', w, 60, 60).value).toBe(1);
  });

  it('timestamps of first, last, min and max (ties: the latest for ts_of_min/max)', () => {
    expect(evalRange('ts_of_first_over_time', w, 60, 60).value).toBe(10);
    expect(evalRange('ts_of_last_over_time', w, 60, 60).value).toBe(50);
    expect(evalRange('ts_of_min_over_time', w, 60, 60).value).toBe(40); // 1 at 20s and 40s
    expect(evalRange('ts_of_max_over_time', w, 60, 60).value).toBe(50);
  });

  it('quantile interpolates between ranks: values 1 1 3 4 5, φ = 0.3 → rank 1.2 → 1 + 0.2 × (3 - 1)', () => {
    expect(evalRange('quantile_over_time', w, 60, 60, [0.3]).value).toBeCloseTo(1.4, 14);
    const bad = evalRange('quantile_over_time', w, 60, 60, [1.5]);
    expect(bad.value).toBe(Infinity);
    expect([...bad.annotations.warnings]).toEqual(['PromQL warning: quantile value should be between 0 and 1, got 1.5']);
  });

  it('stddev / stdvar: mean 2.8, squared deviations 0.04 3.24 1.44 3.24 4.84 → variance 12.8 / 5', () => {
    expect(evalRange('stdvar_over_time', w, 60, 60).value).toBeCloseTo(2.56, 14);
    expect(evalRange('stddev_over_time', w, 60, 60).value).toBeCloseTo(1.6, 14);
  });

  it('mad: median 3, absolute deviations 0 2 1 2 2 → median 2', () => {
    expect(evalRange('mad_over_time', w, 60, 60).value).toBe(2);
  });

  it('NaN never wins min/max against a number', () => {
    const n = floatWindow([[10, NaN], [20, 2], [30, NaN]]);
    expect(evalRange('max_over_time', n, 60, 60).value).toBe(2);
    expect(evalRange('min_over_time', n, 60, 60).value).toBe(2);
  });

  it('avg_over_time keeps precision where a naive sum would not', () => {
    // 1e16 + 1 + (-1e16): naive left-to-right summation loses the 1; Kahan keeps it.
    const k = floatWindow([[10, 1e16], [20, 1], [30, -1e16]]);
    expect(evalRange('sum_over_time', k, 60, 60).value).toBe(1);
    expect(evalRange('avg_over_time', k, 60, 60).value).toBeCloseTo(1 / 3, 15);
  });

  it('avg_over_time switches to an incremental mean when the sum overflows', () => {
    const big = floatWindow([[10, 1e308], [20, 1e308], [30, 1e308]]);
    expect(evalRange('avg_over_time', big, 60, 60).value).toBeCloseTo(1e308, -300);
  });

  it('float-only functions ignore histograms in a mixed window, with an info', () => {
    const mixed = histWindow([[15, hist({ count: 1, sum: 1 })]], { __name__: 'm' }, [[10, 2], [20, 4]]);
    const r = evalRange('max_over_time', mixed, 60, 60);
    expect(r.value).toBe(4);
    expect([...r.annotations.infos]).toEqual([
      'PromQL info: ignored histograms in a range containing both floats and histograms for metric name "m"',
    ]);
    // sum/avg refuse the mix outright.
    expect(evalRange('sum_over_time', mixed, 60, 60).value).toBeUndefined();
    // last/first pick by time across both kinds.
    expect(evalRange('last_over_time', mixed, 60, 60).value).toBe(4);
    expect((evalRange('first_over_time', mixed, 60, 60).value as number)).toBe(2);
    expect(evalRange('count_over_time', mixed, 60, 60).value).toBe(3);
  });

  it('keeps __name__ only for last_over_time and first_over_time', () => {
    const keeps = [...FUNCTIONS].filter(([, f]) => f.kind === 'range' && f.keepsName).map(([n]) => n);
    expect(keeps.sort()).toEqual(['first_over_time', 'last_over_time']);
  });
});

describe('*_over_time over histograms', () => {
  const a = hist({ count: 2, sum: 3, pos: [0, 1], posCounts: [2], resetHint: RESET_HINT_NO });
  const b = hist({ count: 4, sum: 5, pos: [0, 2], posCounts: [3, 1], resetHint: RESET_HINT_YES });

  it('sums and averages bucket-wise, warning about conflicting reset hints', () => {
    const r = evalRange('sum_over_time', histWindow([[10, a], [20, b]]), 60, 60);
    const sum = r.value as FloatHistogram;
    expect([sum.count, sum.sum, ...sum.positiveCounts]).toEqual([6, 8, 5, 1]);
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: conflicting counter resets during histogram aggregation']);
    const avg = evalRange('avg_over_time', histWindow([[10, a], [20, b]]), 60, 60).value as FloatHistogram;
    expect([avg.count, avg.sum, ...avg.positiveCounts]).toEqual([3, 4, 2.5, 0.5]);
  });

  it('warns and answers nothing for exponential and custom buckets together', () => {
    const c = hist({ schema: -53, customValues: [1], count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const r = evalRange('sum_over_time', histWindow([[10, a], [20, c]]), 60, 60);
    expect(r.value).toBeUndefined();
    expect([...r.annotations.warnings]).toEqual([
      'PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name "h"',
    ]);
  });
});

describe('resets, changes, deriv, predict_linear, double_exponential_smoothing', () => {
  it('counts changes, NaN to NaN not being one', () => {
    expect(evalRange('changes', floatWindow([[10, 1], [20, 1], [30, 2], [40, NaN], [50, NaN]]), 60, 60).value).toBe(2);
  });

  it('deriv is the least-squares slope in units per second', () => {
    // y = 2t + 1 sampled exactly: slope 2 whatever the intercept time.
    const line = floatWindow([[10, 21], [20, 41], [30, 61]]);
    expect(evalRange('deriv', line, 60, 60).value).toBeCloseTo(2, 12);
    // Prediction 30s past t = 60: 2 × 90 + 1.
    expect(evalRange('predict_linear', line, 60, 60, [30]).value).toBeCloseTo(181, 9);
    // A constant series has slope 0, and an infinite constant NaN.
    expect(evalRange('deriv', floatWindow([[10, 5], [20, 5]]), 60, 60).value).toBe(0);
    expect(evalRange('deriv', floatWindow([[10, Infinity], [20, Infinity]]), 60, 60).value).toBeNaN();
  });

  it('double_exponential_smoothing follows the recurrence (sf 0.5, tf 0.5)', () => {
    // x = 1, 2, 4: s1 = 1, b = 1. i=1: s = 0.5·2 + 0.5·(1 + 1) = 2.
    // i=2: b = 0.5·(2 - 1) + 0.5·1 = 1; s = 0.5·4 + 0.5·(2 + 1) = 3.5.
    const x = floatWindow([[10, 1], [20, 2], [30, 4]]);
    expect(evalRange('double_exponential_smoothing', x, 60, 60, [0.5, 0.5]).value).toBe(3.5);
    expect(evalRange('holt_winters', x, 60, 60, [0.5, 0.5]).value).toBe(3.5);
    expect(() => evalRange('double_exponential_smoothing', x, 60, 60, [1, 0.5])).toThrow(
      new PromQLError('execution', 'invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000'),
    );
  });
});

describe('quantile_over_time with infinities', () => {
  it('takes an exactly ranked sample as is instead of interpolating ±Inf into NaN', () => {
    expect(evalRange('quantile_over_time', floatWindow([[10, 1], [20, 2], [30, Infinity]]), 60, 60, [0.5]).value).toBe(2);
    expect(evalRange('quantile_over_time', floatWindow([[10, 1], [20, Infinity]]), 60, 60, [1]).value).toBe(Infinity);
    expect(evalRange('quantile_over_time', floatWindow([[10, -Infinity]]), 60, 60, [0]).value).toBe(-Infinity);
    expect(evalRange('quantile_over_time', floatWindow([[10, -Infinity], [20, Infinity]]), 60, 60, [0.5]).value).toBeNaN();
  });
});

describe('integral', () => {
  // Samples 1, 3, NaN (as 0), 5 at 10 s intervals.
  const samples = floatWindow([[10, 1], [20, 3], [30, NaN], [40, 5]]);

  it('integrates by the trapezoidal rule by default, NaN counting as 0', () => {
    // (1+3)/2·10 + (3+0)/2·10 + (0+5)/2·10 = 20 + 15 + 25.
    expect(evalRange('integral', samples, 60, 60).value).toBe(60);
    expect(evalRange('integral', samples, 60, 60, [2]).value).toBe(60);
  });

  it('integrates by the left-point (0) and right-point (1) rules', () => {
    expect(evalRange('integral', samples, 60, 60, [0]).value).toBe(40); // (1 + 3 + 0)·10
    expect(evalRange('integral', samples, 60, 60, [1]).value).toBe(80); // (3 + 0 + 5)·10
  });

  it('averages two large finite samples without overflowing', () => {
    const big = floatWindow([[0, 1.5e308], [1, 1.5e308]]);
    expect(evalRange('integral', big, 1, 60).value).toBe(1.5e308);
  });

  it('warns about an invalid strategy and uses the trapezoidal rule', () => {
    const r = evalRange('integral', samples, 60, 60, [0.5], 'integral(x[1m], 0.5)');
    expect(r.value).toBe(60);
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: strategy should be 0, 1, or 2 (default), using 2, got 0.5 (1:17)']);
  });

  it('answers nothing without floats, and ignores histograms with an info', () => {
    expect(evalRange('integral', floatWindow([]), 60, 60).value).toBeUndefined();
    const h = hist({ count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const mixed = histWindow([[30, h]], { __name__: 'm' }, [[10, 2], [20, 2]]);
    const r = evalRange('integral', mixed, 60, 60);
    expect(r.value).toBe(20);
    expect([...r.annotations.infos]).toEqual(['PromQL info: ignored histograms in a range containing both floats and histograms for metric name "m"']);
  });
});
