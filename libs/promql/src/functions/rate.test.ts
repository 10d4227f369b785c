import { describe, expect, it } from 'vitest';
import { RESET_HINT_GAUGE } from '#pharos/metric-model';
import type { FloatHistogram } from '../engine/values.js';
import { evalRange, floatWindow, hist, histWindow } from './testing.js';

// All windows are (0s, 60s] evaluated at t = 60s unless stated.

describe('increase / rate / delta extrapolation', () => {
  it('extrapolates to both window edges when samples are regular', () => {
    // Samples 15s apart at 15..60: raw increase 40-10 = 30 over a sampled interval of 45s.
    // Start gap 15s < 1.1 × 15s, so extrapolate fully: (45 + 15 + 0) / 45 × 30 = 40.
    // The zero point is 45 × 10/30 = 15s back, not closer than the window start.
    const w = floatWindow([[15, 10], [30, 20], [45, 30], [60, 40]]);
    expect(evalRange('increase', w, 60, 60).value).toBeCloseTo(40, 12);
    expect(evalRange('rate', w, 60, 60).value).toBeCloseTo(40 / 60, 12);
  });

  it('does not extrapolate a counter below zero', () => {
    // 5 → 50 over 45s: raw 45; zero point 45 × 5/45 = 5s before the first sample (< 15s).
    // factor (45 + 5) / 45 → increase 50, i.e. the counter counted from 0.
    const w = floatWindow([[15, 5], [30, 20], [45, 35], [60, 50]]);
    expect(evalRange('increase', w, 60, 60).value).toBeCloseTo(50, 12);
  });

  it('adds back the value before a counter reset', () => {
    // 10, 20, 5, 15: raw 15 - 10 = 5, plus 20 lost at the reset = 25.
    // Zero point 45 × 10/25 = 18s > 15s, so extrapolate the full 15s: 25 × 60/45 = 33.33…
    const w = floatWindow([[15, 10], [30, 20], [45, 5], [60, 15]]);
    expect(evalRange('increase', w, 60, 60).value).toBeCloseTo(100 / 3, 12);
    expect(evalRange('resets', w, 60, 60).value).toBe(1);
  });

  it('extrapolates only half an interval into a gap at the start (sparse series)', () => {
    // Samples at 40, 50, 60: average spacing 10s, threshold 11s; the 40s gap at the start
    // means the series began inside the window: extrapolate 5s. (20 + 5 + 0)/20 × 20 = 25.
    const w = floatWindow([[40, 100], [50, 110], [60, 120]]);
    expect(evalRange('increase', w, 60, 60).value).toBeCloseTo(25, 12);
  });

  it('extrapolates the end gap too, measured against the window end', () => {
    // Samples at 10, 20, 30 in (0, 60]: start gap 10 < 11 → full; end gap 30 ≥ 11 → 5.
    // raw 20 over 20s; zero point 20 × 100/20 = 100s (no clamp): (20 + 10 + 5)/20 × 20 = 35.
    const w = floatWindow([[10, 100], [20, 110], [30, 120]]);
    expect(evalRange('increase', w, 60, 60).value).toBeCloseTo(35, 12);
  });

  it('delta treats the series as a gauge: no reset handling, no zero clamp', () => {
    // 10 → 5 over 30s (samples at 30, 60): start gap 30 < 33 → factor (30 + 30)/30 = 2 → -10.
    const w = floatWindow([[30, 10], [60, 5]], { __name__: 'temperature' });
    expect(evalRange('delta', w, 60, 60).value).toBeCloseTo(-10, 12);
  });

  it('needs two samples', () => {
    expect(evalRange('rate', floatWindow([[60, 1]]), 60, 60).value).toBeUndefined();
  });

  it('respects an offset window: extrapolation measures against (start, end] of the selector', () => {
    // Window (-60s, 0s] (offset 1m at t = 60s): samples at -45, -30, -15, 0 → like the first case.
    const w = floatWindow([[-45, 10], [-30, 20], [-15, 30], [0, 40]]);
    expect(evalRange('increase', w, 0, 60).value).toBeCloseTo(40, 12);
  });

  it('warns on a mix of floats and histograms and returns nothing', () => {
    const h = hist({ count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const w = histWindow([[30, h]], { __name__: 'm' }, [[60, 1]]);
    const r = evalRange('rate', w, 60, 60);
    expect(r.value).toBeUndefined();
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: encountered a mix of histograms and floats for metric name "m"']);
  });

  it('reports annotations at the range argument, as Prometheus renders them (line:col)', () => {
    const h = hist({ count: 1, sum: 1, pos: [0, 1], posCounts: [1] });
    const mixed = histWindow([[30, h]], { __name__: 'm' }, [[60, 1]]);
    const r = evalRange('rate', mixed, 60, 60, [], 'sum(\n  rate(\n    m[1m]))');
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: encountered a mix of histograms and floats for metric name "m" (3:5)']);
    const gauge = histWindow([[30, { ...h, resetHint: RESET_HINT_GAUGE }], [60, { ...h, count: 2, resetHint: RESET_HINT_GAUGE }]], { __name__: 'g' });
    const g = evalRange('rate', gauge, 60, 60, [], 'rate(g[1m])');
    expect([...g.annotations.warnings]).toEqual(['PromQL warning: this native histogram metric is not a counter: "g" (1:6)']);
  });
});

describe('irate / idelta', () => {
  it('irate is the slope of the last two samples, a drop being a reset', () => {
    expect(evalRange('irate', floatWindow([[15, 1], [45, 5], [60, 15]]), 60, 60).value).toBeCloseTo(10 / 15, 12);
    // 20 → 5: after a reset the counter's increase is its current value, 5 over 15s.
    expect(evalRange('irate', floatWindow([[45, 20], [60, 5]]), 60, 60).value).toBeCloseTo(5 / 15, 12);
  });

  it('idelta is the plain difference of the last two samples', () => {
    expect(evalRange('idelta', floatWindow([[45, 20], [60, 5]]), 60, 60).value).toBe(-15);
  });
});

describe('native histogram rate', () => {
  const h1 = hist({ count: 4, sum: 10, pos: [0, 2], posCounts: [1, 3] });
  const h2 = hist({ count: 10, sum: 25, pos: [0, 2], posCounts: [4, 6] });

  it('extrapolates the bucket-wise increase', () => {
    // Samples at 30s and 60s: increase count 6, sum 15, buckets [3, 3].
    // Start gap 30 < 33 but the zero point is 30 × 4/6 = 20s back → factor (30 + 20)/30 = 5/3.
    const r = evalRange('increase', histWindow([[30, h1], [60, h2]]), 60, 60).value as FloatHistogram;
    expect(r.count).toBeCloseTo(10, 12);
    expect(r.sum).toBeCloseTo(25, 12);
    expect([...r.positiveCounts].map((c) => +c.toFixed(12))).toEqual([5, 5]);
    expect(r.resetHint).toBe(RESET_HINT_GAUGE);
  });

  it('reduces to the lowest schema in the window', () => {
    // h1 at schema 1: buckets 1 and 2 of schema 1 are (2^0, 2^0.5] and (2^0.5, 2^1]; both fall
    // into bucket 1 of schema 0, (1, 2]. So h1 ≅ schema 0 bucket 1 = 4.
    const a = hist({ schema: 1, count: 4, sum: 6, pos: [1, 2], posCounts: [1, 3] });
    const b = hist({ schema: 0, count: 10, sum: 15, pos: [1, 1], posCounts: [10] });
    const r = evalRange('idelta', histWindow([[30, a], [60, b]]), 60, 60);
    const out = r.value as FloatHistogram;
    expect(out.schema).toBe(0);
    expect([...out.positiveSpans]).toEqual([1, 1]);
    expect([...out.positiveCounts]).toEqual([6]);
    // idelta over counter histograms warns that it wants gauges.
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: this native histogram metric is not a gauge: "h"']);
  });

  it('treats a bucket decrease as a reset and adds the earlier histogram back', () => {
    // h2 → h3 where bucket 0 drops 4 → 1: reset. Increase = (h3 - h1) + h2 = h3 + (h2 - h1).
    const h3 = hist({ count: 3, sum: 5, pos: [0, 2], posCounts: [1, 2] });
    const r = evalRange('increase', histWindow([[20, h1], [40, h2], [60, h3]]), 60, 60).value as FloatHistogram;
    // Raw: count 3 + 6 = 9 over 40s, avg 20, start gap 20 < 22; zero point 40 × 4/9 = 17.8s.
    const factor = (40 + (40 * 4) / 9) / 40;
    expect(r.count).toBeCloseTo(9 * factor, 12);
    expect(r.positiveCounts[0]).toBeCloseTo(4 * factor, 12);
    expect(r.positiveCounts[1]).toBeCloseTo(5 * factor, 12);
  });
});
