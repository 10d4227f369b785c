import { describe, expect, it } from 'vitest';
import { toChartSeries } from './chart-series';

describe('chart input from a matrix', () => {
  it('makes one series per matrix entry with Date/number points, skipping values a line cannot show', () => {
    const out = toChartSeries(
      [
        { metric: { __name__: 'x', i: '1' }, values: [[100, '1.5'], [115, 'NaN'], [130, '+Inf'], [145, '-2e3']] },
        { metric: { __name__: 'x', i: '2' } },
      ],
      '',
    );
    expect(out).toEqual([
      { name: 'x{i="1"}', series: [{ name: new Date(100_000), value: 1.5 }, { name: new Date(145_000), value: -2000 }] },
      { name: 'x{i="2"}', series: [] },
    ]);
  });

  it('keeps series apart when the legend format gives them the same name', () => {
    const m = (job: string) => ({ metric: { job, instance: 'a' }, values: [[1, '1']] as [number, string][] });
    expect(toChartSeries([m('x'), m('y'), m('z')], '{{instance}}').map((s) => s.name)).toEqual(['a', 'a (2)', 'a (3)']);
  });
});
