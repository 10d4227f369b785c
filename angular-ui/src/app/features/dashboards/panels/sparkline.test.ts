import { describe, expect, it } from 'vitest';
import { finiteExtent, sparklinePaths } from './sparkline';

const f = (...v: number[]) => Float64Array.from(v);

describe('sparklinePaths', () => {
  it('draws one point per value across the width, low values at the bottom', () => {
    const p = sparklinePaths(f(0, 5, 10), 100, 20, 0, 10);
    expect(p.line).toBe('M0.0 20.0L50.0 10.0L100.0 0.0');
    expect(p.area).toBe('M0.0 20 L0.0 20.0L50.0 10.0L100.0 0.0L100.0 20 Z');
  });

  it('breaks the line at NaN and closes each area run', () => {
    const p = sparklinePaths(f(1, 1, NaN, 1, 1), 40, 10, 0, 2);
    expect(p.line).toBe('M0.0 5.0L10.0 5.0M30.0 5.0L40.0 5.0');
    expect(p.area.match(/Z/g)).toHaveLength(2);
  });

  it('draws a flat line at mid-height when all values are equal, and across for one point', () => {
    expect(sparklinePaths(f(3, 3), 10, 10, 3, 3).line).toBe('M0.0 5.0L10.0 5.0');
    expect(sparklinePaths(f(7), 10, 10, 0, 10).line).toBe('M0.0 3.0L10.0 3.0');
    expect(sparklinePaths(f(NaN), 10, 10, 0, 10).line).toBe('');
  });

  it('keeps the path bounded by the width for long series and keeps spikes', () => {
    const v = new Float64Array(100_000).fill(1);
    v[54_321] = 100;
    const p = sparklinePaths(v, 200, 50, 0, 100);
    const points = p.line.split(/[ML]/).filter(Boolean);
    expect(points.length).toBeLessThanOrEqual(200 * 4);
    expect(points.some((pt) => pt.endsWith(' 0.0'))).toBe(true); // the spike reaches the top
  });

  it('clamps values outside lo..hi and draws nothing without room', () => {
    expect(sparklinePaths(f(-5, 50), 10, 10, 0, 10).line).toBe('M0.0 10.0L10.0 0.0');
    expect(sparklinePaths(f(1, 2), 0, 10, 0, 10)).toEqual({ line: '', area: '' });
  });
});

describe('finiteExtent', () => {
  it('ignores NaN and infinities', () => {
    expect(finiteExtent(f(NaN, 3, -Infinity, -2, Infinity))).toEqual([-2, 3]);
    expect(finiteExtent(f(NaN))).toEqual([NaN, NaN]);
  });
});
