import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_CONFIG } from '@pharos/dashboard-model';
import type { PanelData } from './panel-data';
import { NO_DATA, describeTiles, valueTiles } from './stat-model';

const f = (...v: number[]) => Float64Array.from(v);
const data: PanelData = {
  grid: { startMs: 0, endMs: 2000, stepMs: 1000, steps: 3 },
  series: [
    { refId: 'A', name: 'cpu', labels: {}, values: f(10, 95, 50) },
    { refId: 'A', name: 'idle', labels: {}, values: f(NaN, NaN, NaN) },
    { refId: 'B', name: 'hot', labels: {}, values: f(85, 99, 91) },
  ],
};
const fc = { ...DEFAULT_FIELD_CONFIG, unit: 'percent', thresholds: [{ value: null, color: 'green' }, { value: 80, color: 'orange' }, { value: 90, color: 'red' }] };

describe('valueTiles', () => {
  it('reduces, formats in the unit and colours by thresholds, one tile per series', () => {
    const tiles = valueTiles(data, 'last', fc);
    expect(tiles.map((t) => [t.name, t.value, t.text, t.color])).toEqual([
      ['cpu', 50, '50%', 'green'],
      ['idle', NaN, NO_DATA, null],
      ['hot', 91, '91%', 'red'],
    ]);
    expect(valueTiles(data, 'max', fc).map((t) => t.color)).toEqual(['red', null, 'red']);
    expect(valueTiles(data, 'mean', { ...fc, decimals: 2 })[0]!.text).toBe('51.67%');
    expect(new Set(tiles.map((t) => t.key)).size).toBe(3);
  });

  it('leaves colour to the theme without thresholds, or below a first step that is not the base', () => {
    expect(valueTiles(data, 'last', DEFAULT_FIELD_CONFIG).map((t) => t.color)).toEqual([null, null, null]);
    const noBase = { ...fc, thresholds: [{ value: 80, color: 'red' }] };
    expect(valueTiles(data, 'last', noBase).map((t) => t.color)).toEqual([null, null, 'red']);
  });

  it('describes the values in one sentence', () => {
    expect(describeTiles('Gauge', valueTiles(data, 'last', fc))).toBe('Gauge: cpu 50%, idle No data, hot 91%');
    expect(describeTiles('Pie chart', [])).toBe('Pie chart: no data');
  });
});
