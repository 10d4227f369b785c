import { describe, expect, it } from 'vitest';
import type { ResultSeries } from '#pharos/promql';
import { gridValues, seriesFrom, seriesOf } from './metric-mapping.js';
import { FloatArrayScalar, GridValuesScalar } from './scalars.js';

const series = (ts: number[], vs: number[]): ResultSeries => ({
  labels: ['__name__', 'up', 'job', 'a'],
  timestamps: new Float64Array(ts),
  values: new Float64Array(vs),
  histTimestamps: new Float64Array(),
  histograms: [],
});

describe('metric mapping', () => {
  it('places values on the step grid, null where a step has no point', () => {
    const grid = { startMs: 1_000, endMs: 6_000, stepMs: 1_000 };
    expect(gridValues(new Float64Array([1_000, 3_000, 4_000]), new Float64Array([1, Number.NaN, Number.POSITIVE_INFINITY]), grid)).toEqual([1, null, 'NaN', '+Inf', null, null]);
  });

  it('serialises float arrays as JSON numbers, non-finite values as Prometheus spells them', () => {
    expect(FloatArrayScalar.serialize(new Float64Array([0.1, -2, Number.NEGATIVE_INFINITY]))).toEqual([0.1, -2, '-Inf']);
    expect(() => FloatArrayScalar.serialize([1, 2])).toThrow('FloatArray expects a Float64Array');
  });

  it('builds grid values only when serialised, from views of the engine arrays', () => {
    const s = series([0, 1_000, 2_000, 3_000], [5, 6, 7, 8]);
    const grid = { startMs: 0, endMs: 3_000, stepMs: 1_000 };
    const out = seriesOf(s, grid);
    expect(out.labels).toEqual({ __name__: 'up', job: 'a' });
    expect(out.values).toBe(s.values);
    expect(GridValuesScalar.serialize(out.gridValues)).toEqual([5, 6, 7, 8]);

    const tail = seriesFrom(s, 2_000, { startMs: 2_000, endMs: 3_000, stepMs: 1_000 })!;
    expect(Array.from(tail.timestamps)).toEqual([2_000, 3_000]);
    expect(tail.values.buffer).toBe(s.values.buffer);
    expect(GridValuesScalar.serialize(tail.gridValues)).toEqual([7, 8]);
    expect(seriesFrom(s, 4_000, grid)).toBeUndefined();
    expect(seriesOf(s).gridValues).toBeNull();
  });
});
