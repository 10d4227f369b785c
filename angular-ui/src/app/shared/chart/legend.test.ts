import { describe, expect, it } from 'vitest';
import { legendClick, visibleFlags } from './legend';
import { chartSummary } from './summary';
import { nearestStep, tooltipRows } from './tooltip';

const names = ['a', 'b', 'c'];

describe('legend clicks (Grafana behaviour)', () => {
  it('a click isolates; a second click on the isolated series shows all again', () => {
    const isolated = legendClick(new Set(), names, 'b', false);
    expect([...isolated].sort()).toEqual(['a', 'c']);
    expect(legendClick(isolated, names, 'b', false).size).toBe(0);
    expect([...legendClick(isolated, names, 'a', false)].sort()).toEqual(['b', 'c']);
  });

  it('ctrl/cmd-click toggles one series', () => {
    const h = legendClick(new Set(), names, 'a', true);
    expect([...h]).toEqual(['a']);
    expect(legendClick(h, names, 'a', true).size).toBe(0);
    expect(visibleFlags(names, h)).toEqual([false, true, true]);
  });

  it('names an unknown series', () => {
    expect(() => legendClick(new Set(), names, 'z', false)).toThrow(/no series named "z"/);
  });
});

describe('tooltip', () => {
  const grid = { startMs: 1000, endMs: 5000, stepMs: 1000, steps: 5 };
  it('finds the nearest step, clamped to the grid', () => {
    expect(nearestStep(grid, 2400)).toBe(1);
    expect(nearestStep(grid, 2600)).toBe(2);
    expect(nearestStep(grid, -1e9)).toBe(0);
    expect(nearestStep(grid, 1e12)).toBe(4);
  });

  it('lists visible series with a point, highest first, formatted', () => {
    const series = [
      { name: 'a', values: Float64Array.from([1, 2]) },
      { name: 'b', values: Float64Array.from([5, NaN]) },
      { name: 'c', values: Float64Array.from([3, 9]) },
      { name: 'd', values: Float64Array.from([99, 99]) },
    ];
    const rows = tooltipRows(series, [true, true, true, false], 0, (k) => `#${k}`, (v) => `${v} u`);
    expect(rows.map((r) => [r.name, r.text, r.color])).toEqual([['b', '5 u', '#1'], ['c', '3 u', '#2'], ['a', '1 u', '#0']]);
    expect(tooltipRows(series, [true, true, true, true], 1, () => '', String).map((r) => r.name)).toEqual(['d', 'c', 'a']);
  });
});

describe('chartSummary', () => {
  it('says how many series, when, and the value range', () => {
    const s = chartSummary({ title: 'CPU', seriesCount: 20, visibleCount: 20, fromMs: Date.UTC(2024, 0, 1, 10), toMs: Date.UTC(2024, 0, 1, 11), zone: 'utc', min: 1, max: 5, format: (v) => `${v}%` });
    expect(s).toBe('Time series chart CPU: 20 series from 2024-01-01 10:00:00 to 2024-01-01 11:00:00 UTC, values from 1% to 5%');
    expect(chartSummary({ title: '', seriesCount: 0, visibleCount: 0, fromMs: 0, toMs: 1, zone: 'utc', min: NaN, max: NaN, format: String })).toBe('Time series chart: no data');
  });
});
