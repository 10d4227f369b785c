import { describe, expect, it } from 'vitest';
import { matrixToPanelData } from './matrix-grid';

describe('matrixToPanelData', () => {
  it('places points on the step grid, NaN for missing steps, and numbers colliding names', () => {
    const d = matrixToPanelData(
      [
        { metric: { __name__: 'up', job: 'a' }, values: [[10, '1'], [30, '+Inf']] },
        { metric: { __name__: 'up', job: 'a', x: '1' }, values: [[20, '2']] },
      ],
      '{{job}}',
      10_000,
      30_000,
      10_000,
    );
    expect(d.grid).toEqual({ startMs: 10_000, endMs: 30_000, stepMs: 10_000, steps: 3 });
    expect(d.series.map((s) => s.name)).toEqual(['a', 'a (2)']);
    expect(Array.from(d.series[0]!.values)).toEqual([1, NaN, Infinity]);
    expect(Array.from(d.series[1]!.values)).toEqual([NaN, 2, NaN]);
  });

  it('names series by their selector without a legend format', () => {
    expect(matrixToPanelData([{ metric: { __name__: 'up' }, values: [] }], '', 0, 0, 1000).series[0]!.name).toBe('up');
  });
});
