import { describe, expect, it } from 'vitest';
import { HeatmapDataError, buildHeatmap, heatmapFromBuckets, heatmapFromSeries } from './heatmap-buckets';
import type { PanelData, PanelSeries } from './panel-data';

const f = (...v: number[]) => Float64Array.from(v);
const grid = (steps: number) => ({ startMs: 0, endMs: (steps - 1) * 15_000, stepMs: 15_000, steps });
const s = (labels: Record<string, string>, values: Float64Array, refId = 'A'): PanelSeries => ({ refId, name: JSON.stringify(labels), labels, values });
const data = (steps: number, ...series: PanelSeries[]): PanelData => ({ grid: grid(steps), series });

/** Column of step t, bottom row first. */
const column = (m: { rows: number; cells: Float64Array }, t: number) => [...m.cells.subarray(t * m.rows, (t + 1) * m.rows)];

describe('heatmap from classic histogram buckets', () => {
  it('sorts buckets by le numerically with +Inf last and de-cumulates each step', () => {
    // rate() output: no __name__, so taken as is.
    const [m, ...more] = heatmapFromBuckets(
      data(
        2,
        s({ le: '+Inf' }, f(10, 20)),
        s({ le: '10' }, f(9, 15)),
        s({ le: '0.5' }, f(2, 5)),
        s({ le: '2.5' }, f(6, 12)),
      ),
    );
    expect(more).toEqual([]);
    expect(m!.name).toBe('');
    expect([...m!.upper]).toEqual([0.5, 2.5, 10, Infinity]);
    expect([...m!.lower]).toEqual([0, 0.5, 2.5, 10]);
    expect(column(m!, 0)).toEqual([2, 4, 3, 1]);
    expect(column(m!, 1)).toEqual([5, 7, 3, 5]);
    expect([m!.min, m!.max]).toEqual([1, 7]);
  });

  it('reads le spelled as Prometheus and client libraries write it', () => {
    const [m] = heatmapFromBuckets(data(1, s({ le: 'Inf' }, f(3)), s({ le: '1e+06' }, f(2)), s({ le: '1e-3' }, f(1))));
    expect([...m!.upper]).toEqual([0.001, 1e6, Infinity]);
  });

  it('starts the lowest bucket at -Inf when its bound is not positive', () => {
    const [m] = heatmapFromBuckets(data(1, s({ le: '-1' }, f(1)), s({ le: '+Inf' }, f(1))));
    expect([...m!.lower]).toEqual([-Infinity, -1]);
  });

  it('makes one heatmap per histogram: labels other than le, and per target', () => {
    const out = heatmapFromBuckets(
      data(
        1,
        s({ le: '1', job: 'a' }, f(1)),
        s({ le: '1', job: 'b' }, f(5)),
        s({ le: '+Inf', job: 'a' }, f(3)),
        s({ le: '+Inf', job: 'b' }, f(6)),
        s({ le: '1', job: 'a' }, f(7), 'B'),
      ),
    );
    expect(out.map((m) => m.name)).toEqual(['{job="a"} (A)', '{job="b"} (A)', '{job="a"} (B)']);
    expect(out.map((m) => column(m, 0))).toEqual([[1, 2], [5, 1], [7]]);
  });

  it('clamps a bucket below the one under it to 0, as histogram_quantile fixes monotonicity', () => {
    const [m] = heatmapFromBuckets(data(1, s({ le: '1' }, f(5)), s({ le: '2' }, f(4.9)), s({ le: '+Inf' }, f(6))));
    expect(column(m!, 0)).toEqual([5, 0, 1]);
  });

  it('leaves a missing bucket empty and counts its share in the next present bucket', () => {
    const [m] = heatmapFromBuckets(data(2, s({ le: '1' }, f(1, 1)), s({ le: '2' }, f(NaN, 3)), s({ le: '+Inf' }, f(4, NaN))));
    expect(column(m!, 0)).toEqual([1, NaN, 3]);
    expect(column(m!, 1)).toEqual([1, 2, NaN]);
  });

  it('turns raw _bucket counters into increases per step, through resets and gaps', () => {
    const name = 'http_request_duration_seconds_bucket';
    const [m] = heatmapFromBuckets(
      data(
        6,
        // steps: first (no previous), +, reset, gap, after the gap, +
        s({ __name__: name, le: '0.1' }, f(10, 12, 1, NaN, 4, 4)),
        s({ __name__: name, le: '+Inf' }, f(20, 25, 2, NaN, 10, 11)),
      ),
    );
    expect(m!.name).toBe(name);
    expect(column(m!, 0)).toEqual([NaN, NaN]);
    expect(column(m!, 1)).toEqual([2, 3]);
    expect(column(m!, 2)).toEqual([1, 1]); // reset: the new values are the increase since it
    expect(column(m!, 3)).toEqual([NaN, NaN]);
    expect(column(m!, 4)).toEqual([3, 5]); // the increase over the gap lands after it
    expect(column(m!, 5)).toEqual([0, 1]);
  });

  it('refuses series it cannot place, naming them', () => {
    expect(() => heatmapFromBuckets(data(1, s({ job: 'x' }, f(1))))).toThrow(HeatmapDataError);
    expect(() => heatmapFromBuckets(data(1, s({ job: 'x' }, f(1))))).toThrow(/A \{job="x"\} has no "le" label.*source to "series"/);
    expect(() => heatmapFromBuckets(data(1, s({ le: 'fast' }, f(1))))).toThrow(/le="fast", which is not a number/);
    expect(() => heatmapFromBuckets(data(1, s({ le: '' }, f(1))))).toThrow(/le="", which is not a number/);
    expect(() => heatmapFromBuckets(data(1, s({ le: '1' }, f(1)), s({ le: '1.0' }, f(1))))).toThrow(/repeats le="1.0"/);
    expect(() => heatmapFromBuckets(data(2, s({ le: '1' }, f(1))))).toThrow(/has 1 values for a grid of 2 steps/);
  });
});

describe('heatmap from series', () => {
  it('makes every series a row with its values unchanged', () => {
    const m = heatmapFromSeries(data(3, s({ a: '1' }, f(1, NaN, -2)), s({ a: '2' }, f(4, 5, 6))));
    expect(m.rows).toBe(2);
    expect(m.rowNames).toEqual(['{"a":"1"}', '{"a":"2"}']);
    expect(column(m, 0)).toEqual([1, 4]);
    expect(column(m, 1)).toEqual([NaN, 5]);
    expect(column(m, 2)).toEqual([-2, 6]);
    expect([m.min, m.max]).toEqual([-2, 6]);
    expect(m.upper.every(Number.isNaN)).toBe(true);
  });

  it('is chosen by the source option, and nothing for no series', () => {
    const d = data(1, s({ le: '1' }, f(1)));
    expect(buildHeatmap(d, 'series')[0]!.rowNames).toEqual(['{"le":"1"}']);
    expect(buildHeatmap(d, 'buckets')[0]!.upper[0]).toBe(1);
    expect(buildHeatmap(data(1), 'buckets')).toEqual([]);
  });

  it('reports a zero range when there is no finite cell', () => {
    const m = heatmapFromSeries(data(2, s({}, f(NaN, NaN))));
    expect([m.min, m.max]).toEqual([0, 0]);
  });
});
