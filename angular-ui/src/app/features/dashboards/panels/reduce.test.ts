import { describe, expect, it } from 'vitest';
import { STAT_REDUCERS } from '@pharos/dashboard-model';
import type { StatReducer } from '@pharos/dashboard-model';
import { reduceAll, reduceSeries } from './reduce';

const f = (...v: number[]) => Float64Array.from(v);

describe('reduceSeries', () => {
  const gappy = f(NaN, 4, 1, NaN, 7, 2, NaN);

  it('skips NaN for every reducer, as Grafana lastNotNull/firstNotNull/mean/… do', () => {
    expect(reduceSeries(gappy, 'last')).toBe(2);
    expect(reduceSeries(gappy, 'first')).toBe(4);
    expect(reduceSeries(gappy, 'mean')).toBe(3.5);
    expect(reduceSeries(gappy, 'max')).toBe(7);
    expect(reduceSeries(gappy, 'min')).toBe(1);
    expect(reduceSeries(gappy, 'sum')).toBe(14);
    expect(reduceSeries(gappy, 'count')).toBe(4);
  });

  it('gives NaN (no data) for a series without points, but a count of 0', () => {
    for (const r of STAT_REDUCERS) {
      expect(reduceSeries(f(NaN, NaN), r)).toBe(r === 'count' ? 0 : NaN);
      expect(reduceSeries(f(), r)).toBe(r === 'count' ? 0 : NaN);
    }
  });

  it('keeps infinities and negative values', () => {
    expect(reduceSeries(f(-Infinity, NaN, -Infinity), 'max')).toBe(-Infinity);
    expect(reduceSeries(f(-3, -1, -2), 'max')).toBe(-1);
    expect(reduceSeries(f(-3, -1, -2), 'min')).toBe(-3);
    expect(reduceSeries(f(1, Infinity), 'sum')).toBe(Infinity);
    expect(reduceSeries(f(0, NaN), 'last')).toBe(0);
  });

  it('refuses an unknown reducer by name', () => {
    expect(() => reduceSeries(f(1), 'median' as StatReducer)).toThrow(/unknown reducer "median"/);
  });

  it('reduces every series of the panel in order', () => {
    const grid = { startMs: 0, endMs: 30, stepMs: 15, steps: 3 };
    const data = {
      grid,
      series: [
        { refId: 'A', name: 'a', labels: {}, values: f(1, 2, 3) },
        { refId: 'A', name: 'b', labels: {}, values: f(9, NaN, NaN) },
      ],
    };
    expect(reduceAll(data, 'last')).toEqual([
      { index: 0, name: 'a', value: 3 },
      { index: 1, name: 'b', value: 9 },
    ]);
  });
});
