import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_CONFIG, DEFAULT_PANEL_OPTIONS, type FieldConfig, type TimeseriesOptions } from '@pharos/dashboard-model';
import type { PanelData } from '../../features/dashboards/panels/panel-data';
import { TimeseriesRenderer, type ChartContext } from './timeseries-renderer';

/** A 2D context that counts the calls the renderer makes; the canvas itself is tested in Chromium (bench/console). */
function recordingContext() {
  const calls: Record<string, number> = {};
  const strokes: string[] = [];
  const count = (name: string) => () => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const ctx = {
    setTransform: count('setTransform'), clearRect: count('clearRect'), save: count('save'), restore: count('restore'),
    beginPath: count('beginPath'), moveTo: count('moveTo'), lineTo: count('lineTo'), rect: count('rect'), clip: count('clip'),
    stroke: () => { calls['stroke'] = (calls['stroke'] ?? 0) + 1; strokes.push(String(ctx.strokeStyle)); },
    fill: count('fill'), fillText: count('fillText'), closePath: count('closePath'), setLineDash: count('setLineDash'),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
    strokeStyle: '', fillStyle: '', lineWidth: 1, lineJoin: 'miter', globalAlpha: 1, font: '', textAlign: 'start', textBaseline: 'alphabetic',
  } as unknown as ChartContext & { strokeStyle: string };
  return { ctx, calls, strokes };
}

function panelData(series: number, steps: number, gapEvery = 0): PanelData {
  const grid = { startMs: 1_700_000_000_000, stepMs: 15_000, steps, endMs: 1_700_000_000_000 + (steps - 1) * 15_000 };
  return {
    grid,
    series: Array.from({ length: series }, (_, k) => ({
      refId: 'A',
      name: `s${k}`,
      labels: { i: String(k) },
      values: Float64Array.from({ length: steps }, (_, i) => (gapEvery > 0 && i % gapEvery === gapEvery - 1 ? NaN : Math.sin(i / 7 + k) * 10 + k)),
    })),
  };
}

const theme = { text: '#000', grid: '#ccc', font: '11px sans-serif' };
const opts = (o: Partial<TimeseriesOptions> = {}): TimeseriesOptions => ({ ...DEFAULT_PANEL_OPTIONS.timeseries, ...o });

describe('TimeseriesRenderer', () => {
  it('costs O(width) line segments whatever the point count', () => {
    const r = new TimeseriesRenderer();
    const { ctx, calls } = recordingContext();
    const data = panelData(20, 50_000);
    r.prepare(data, opts(), DEFAULT_FIELD_CONFIG, data.series.map(() => true));
    r.draw(ctx, 400, 200, 1, theme, 'utc');
    const plotWidth = r.layout!.width;
    // At most four points per device column per series, plus gridlines.
    expect(calls['lineTo']!).toBeLessThan(20 * 4 * (plotWidth + 2) + 100);
    expect(calls['lineTo']!).toBeGreaterThan(20 * plotWidth);
    expect(calls['stroke']).toBe(1 + 20);
  });

  it('breaks lines at gaps: one moveTo per run', () => {
    const r = new TimeseriesRenderer();
    const { ctx, calls } = recordingContext();
    const data = panelData(1, 100, 10); // runs of 9 points, 10 of them
    r.prepare(data, opts(), DEFAULT_FIELD_CONFIG, [true]);
    r.draw(ctx, 1000, 300, 1, theme, 'utc');
    const gridMoves = calls['moveTo']! - 10;
    r.prepare(panelData(1, 100), opts(), DEFAULT_FIELD_CONFIG, [true]);
    const again = recordingContext();
    r.draw(again.ctx, 1000, 300, 1, theme, 'utc');
    expect(again.calls['moveTo']! - 1).toBe(gridMoves);
  });

  it('draws hidden series not at all and thresholds as dashed lines', () => {
    const r = new TimeseriesRenderer();
    const { ctx, strokes } = recordingContext();
    const data = panelData(3, 100);
    const field: FieldConfig = { ...DEFAULT_FIELD_CONFIG, min: -100, max: 100, thresholds: [{ value: null, color: 'green' }, { value: 5, color: 'red' }, { value: 500, color: 'purple' }] };
    r.prepare(data, opts({ showThresholds: true }), field, [true, false, true]);
    r.draw(ctx, 600, 300, 2, theme, 'utc');
    expect(strokes).toEqual(['#ccc', '#1f77b4', '#2ca02c', 'red']);
    // Fixed min/max are the y domain: -100 at the bottom of the plot, 100 at the top.
    const { y, top, height } = r.layout!;
    expect(y.a * 100 + y.b).toBeCloseTo(top);
    expect(y.a * -100 + y.b).toBeCloseTo(top + height);
    expect(Number.isNaN(r.pointY(1, 0))).toBe(true);
    expect(r.pointY(0, 0)).toBeCloseTo(y.a * data.series[0]!.values[0]! + y.b);
  });

  it('stacks areas: each fill closes back along the series below', () => {
    const r = new TimeseriesRenderer();
    const { ctx, calls } = recordingContext();
    const data = panelData(3, 50);
    r.prepare(data, opts({ drawStyle: 'area', stacking: 'normal' }), DEFAULT_FIELD_CONFIG, [true, true, true]);
    r.draw(ctx, 800, 300, 1, theme, 'utc');
    expect(calls['fill']).toBe(3);
    expect(calls['closePath']).toBe(3);
    const sum = data.series.reduce((s, x) => s + x.values[10]!, 0);
    expect(r.pointY(2, 10)).toBeCloseTo(r.layout!.y.a * sum + r.layout!.y.b);
  });

  it('draws points as one filled path per series, and lone points between gaps as dots', () => {
    const r = new TimeseriesRenderer();
    const { ctx, calls } = recordingContext();
    r.prepare(panelData(2, 30), opts({ drawStyle: 'points' }), DEFAULT_FIELD_CONFIG, [true, true]);
    r.draw(ctx, 800, 300, 1, theme, 'utc');
    expect(calls['rect']).toBe(1 + 60);
    const lone: PanelData = { grid: { startMs: 0, stepMs: 1000, steps: 3, endMs: 2000 }, series: [{ refId: 'A', name: 'x', labels: {}, values: Float64Array.from([NaN, 4, NaN]) }] };
    const rec = recordingContext();
    r.prepare(lone, opts(), DEFAULT_FIELD_CONFIG, [true]);
    r.draw(rec.ctx, 800, 300, 1, theme, 'utc');
    expect(rec.calls['rect']).toBe(2);
  });

  it('refuses data that does not fit its grid, or draw before prepare', () => {
    const r = new TimeseriesRenderer();
    expect(() => r.draw(recordingContext().ctx, 10, 10, 1, theme, 'utc')).toThrow(/before prepare/);
    const bad: PanelData = { grid: { startMs: 0, stepMs: 1000, steps: 3, endMs: 2000 }, series: [{ refId: 'A', name: 'x', labels: {}, values: new Float64Array(2) }] };
    expect(() => r.prepare(bad, opts(), DEFAULT_FIELD_CONFIG, [true])).toThrow(/"x" has 2 values for a grid of 3 steps/);
  });
});
