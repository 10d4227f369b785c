import { describe, expect, it } from 'vitest';
import { chartValues, describeChart } from './chart-values';
import { SERIES_PALETTE } from '../../../shared/chart/palette';
import type { ValueTile } from './stat-model';

const tile = (name: string, value: number, color: string | null = null): ValueTile => ({ key: name, name, value, text: String(value), color, values: new Float64Array() });

describe('chartValues', () => {
  const tiles = [tile('a', 5), tile('b', NaN), tile('c', -2, 'red'), tile('d', Infinity), tile('e', 0)];

  it('leaves out series a bar cannot size, keeping palette colours by series position', () => {
    const { values, omitted } = chartValues(tiles, 'bar');
    expect(values.map((v) => [v.name, v.value, v.color])).toEqual([
      ['a', 5, SERIES_PALETTE[0]],
      ['c', -2, 'red'],
      ['e', 0, SERIES_PALETTE[4]],
    ]);
    expect(omitted).toEqual(['b', 'd']);
  });

  it('also leaves negative values out of a pie', () => {
    const { values, omitted } = chartValues(tiles, 'pie');
    expect(values.map((v) => v.name)).toEqual(['a', 'e']);
    expect(omitted).toEqual(['b', 'c', 'd']);
  });

  it('summarises what is shown and what is not', () => {
    const { values, omitted } = chartValues(tiles, 'pie');
    expect(describeChart('Pie chart', values, omitted)).toBe('Pie chart: a 5, e 0; not shown: b, c, d');
    expect(describeChart('Bar chart', [], [])).toBe('Bar chart: no data');
  });
});
