import { describe, expect, it } from 'vitest';
import { type NativeHistogram, MetricBatchBuilder, STALE_NAN, isStaleNaN, labelsFromRecord } from '#pharos/metric-model';
import { type DeltaSamples, DeltaToCumulative, addHistograms } from '#pharos/otlp';

const labels = labelsFromRecord({ __name__: 'req_total', job: 'a' });

/** One delta sample per call: [start, ts, value]. */
function deltas(...points: Array<[number, number, number]>): DeltaSamples {
  const b = new MetricBatchBuilder('t');
  for (const [, ts, v] of points) {
    b.addSeries(labels);
    b.addSample(ts, v);
  }
  return { batch: b.build(), floatStarts: Float64Array.from(points.map((p) => p[0])), histogramStarts: new Float64Array(0) };
}

const values = (c: { batch: { values: Float64Array } }) => Array.from(c.batch.values);

describe('DeltaToCumulative', () => {
  it('accumulates contiguous deltas per series and tenant', () => {
    const d = new DeltaToCumulative({ maxSeries: 10, maxStaleMs: 60_000 });
    expect(values(d.convert(deltas([0, 10, 1], [10, 20, 2])))).toEqual([1, 3]);
    expect(values(d.convert(deltas([20, 30, 4])))).toEqual([7]);
    expect(d.size).toBe(1);
  });

  it('refuses duplicates and out-of-order deltas, so a retried request counts once', () => {
    const d = new DeltaToCumulative({ maxSeries: 10, maxStaleMs: 60_000 });
    d.convert(deltas([0, 10, 1], [10, 20, 2]));
    const again = d.convert(deltas([10, 20, 2]));
    expect(values(again)).toEqual([]);
    expect(again.rejected).toEqual({ delta_out_of_order: 1 });
    expect(again.rejectedDataPoints).toBe(1);
  });

  it('refuses a delta from before the run started, and restarts the run after a gap', () => {
    const d = new DeltaToCumulative({ maxSeries: 10, maxStaleMs: 60_000 });
    d.convert(deltas([100, 110, 5], [110, 120, 5]));
    expect(d.convert(deltas([50, 130, 1])).rejected).toEqual({ delta_older_start: 1 });
    // Start 200 is after the last delta (120): the producer restarted; the total resets.
    expect(values(d.convert(deltas([200, 210, 2], [210, 220, 3])))).toEqual([2, 5]);
  });

  it('rolls back what a refused write changed, unless a later request moved on', () => {
    const d = new DeltaToCumulative({ maxSeries: 10, maxStaleMs: 60_000 });
    d.convert(deltas([0, 10, 1]));
    const failed = d.convert(deltas([10, 20, 2]));
    failed.rollback();
    expect(values(d.convert(deltas([10, 20, 2])))).toEqual([3]);
    const first = d.convert(deltas([20, 30, 1]));
    d.convert(deltas([30, 40, 1]));
    first.rollback(); // Too late: the series moved on; nothing is undone.
    expect(values(d.convert(deltas([40, 50, 1])))).toEqual([6]);
  });

  it('is bounded and forgets idle series', () => {
    let now = 0;
    const d = new DeltaToCumulative({ maxSeries: 1, maxStaleMs: 1000, now: () => now });
    d.convert(deltas([0, 10, 1]));
    const b = new MetricBatchBuilder('t');
    b.addSeries(labelsFromRecord({ __name__: 'other' }));
    b.addSample(10, 1);
    const full = d.convert({ batch: b.build(), floatStarts: new Float64Array([0]), histogramStarts: new Float64Array(0) });
    expect(full.rejected).toEqual({ delta_state_full: 1 });
    now = 5000;
    expect(d.sweep()).toBe(1);
    expect(d.size).toBe(0);
  });

  it('passes staleness markers through and ends the run', () => {
    const d = new DeltaToCumulative({ maxSeries: 10, maxStaleMs: 60_000 });
    d.convert(deltas([0, 10, 4]));
    // Built directly: V8 canonicalises NaN payloads stored in plain double arrays.
    const b = new MetricBatchBuilder('t');
    b.addSeries(labels);
    b.addSample(20, STALE_NAN);
    const stale = d.convert({ batch: b.build(), floatStarts: new Float64Array([10]), histogramStarts: new Float64Array(0) });
    expect(isStaleNaN(stale.batch.values[0]!)).toBe(true);
    expect(d.size).toBe(0);
  });

  it('adds exponential histograms at the coarser scale', () => {
    const h = (schema: number, spans: number[], counts: number[]): NativeHistogram => ({
      isInteger: true,
      schema,
      zeroThreshold: 1e-128,
      zeroCount: 1,
      count: counts.reduce((a, b) => a + b, 1),
      sum: 10,
      positiveSpans: Int32Array.from(spans),
      positiveCounts: Float64Array.from(counts),
      negativeSpans: new Int32Array(0),
      negativeCounts: new Float64Array(0),
      resetHint: 0,
      customValues: new Float64Array(0),
    });
    // Schema 1 buckets 1..4 fold into schema 0 buckets 1,1,2,2; plus schema 0 bucket 2.
    const sum = addHistograms(h(1, [1, 4], [1, 2, 3, 4]), h(0, [2, 1], [5]));
    expect(sum.schema).toBe(0);
    expect(Array.from(sum.positiveSpans)).toEqual([1, 2]);
    expect(Array.from(sum.positiveCounts)).toEqual([3, 12]);
    expect([sum.count, sum.zeroCount, sum.sum]).toEqual([17, 2, 20]);
  });
});
