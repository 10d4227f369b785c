import { describe, expect, it } from 'vitest';
import { heatmapFromBuckets, heatmapFromSeries } from './heatmap-buckets';
import { bucketLabel, describeCell, rowLabel, timeTicks } from './heatmap-labels';
import type { PanelData } from './panel-data';

const f = (...v: number[]) => Float64Array.from(v);
const grid = { startMs: Date.UTC(2026, 0, 1, 12, 0), endMs: Date.UTC(2026, 0, 1, 12, 1), stepMs: 60_000, steps: 2 };
const data: PanelData = {
  grid,
  series: [
    { refId: 'A', name: 'le 0.1', labels: { le: '0.1', job: 'api' }, values: f(3, 5) },
    { refId: 'A', name: 'le +Inf', labels: { le: '+Inf', job: 'api' }, values: f(4, NaN) },
  ],
};
const fmt = (v: number) => (Number.isFinite(v) ? `${v} s` : v > 0 ? '+Inf' : '-Inf');

describe('time ticks', () => {
  it('puts ticks on whole clock steps within the range, at most maxTicks', () => {
    const start = Date.UTC(2026, 0, 1, 10, 7);
    const ticks = timeTicks(start, start + 3_600_000, 5, 'utc');
    expect(ticks.map((t) => t.label)).toEqual(['10:15', '10:30', '10:45', '11:00']);
    expect(timeTicks(start, start + 3_600_000, 7, 'utc').map((t) => t.label)).toEqual(['10:10', '10:20', '10:30', '10:40', '10:50', '11:00']);
  });
  it('adds the date for ranges over a day and seconds for sub-minute steps', () => {
    const start = Date.UTC(2026, 0, 1, 0, 0);
    expect(timeTicks(start, start + 3 * 86_400_000, 4, 'utc')[0]!.label).toBe('01-01 00:00');
    expect(timeTicks(start, start + 60_000, 4, 'utc').map((t) => t.label)).toEqual(['00:00:00', '00:00:30', '00:01:00']);
  });
  it('is empty for an empty range', () => {
    expect(timeTicks(5, 5, 4, 'utc')).toEqual([]);
  });
});

describe('heatmap labels', () => {
  const [m] = heatmapFromBuckets(data);
  it('labels buckets as intervals and rows by their upper bound', () => {
    expect(bucketLabel(m!, 0, fmt)).toBe('(0 s, 0.1 s]');
    expect(bucketLabel(m!, 1, fmt)).toBe('(0.1 s, +Inf]');
    expect(rowLabel(m!, 1, fmt)).toBe('+Inf');
  });
  it('describes a cell with its time, histogram, bucket and count', () => {
    expect(describeCell(m!, 0, 1, grid, 'utc', fmt, String)).toBe('2026-01-01 12:00:00 · {job="api"} (0.1 s, +Inf]: 1');
    expect(describeCell(m!, 1, 1, grid, 'utc', fmt, String)).toBe('2026-01-01 12:01:00 · {job="api"} (0.1 s, +Inf]: no data');
  });
  it('describes a series cell by the series name', () => {
    const s = heatmapFromSeries(data);
    expect(rowLabel(s, 0, fmt)).toBe('le 0.1');
    expect(describeCell(s, 1, 0, grid, 'utc', fmt, (v) => `${v}!`)).toBe('2026-01-01 12:01:00 · le 0.1: 5!');
  });
});
