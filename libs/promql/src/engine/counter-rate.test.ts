import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '#pharos/metric-model';
import { counterRateSeries, type Drops, type WindowTally } from './counter-rate.js';
import { CounterAggregateSeries, counterSamples, SampleSlabs, type CounterBuckets, type FloatSamples } from './downsampling.js';
import { makeGrid, newStepSeries, type RangeInput, type RawSeries, type StepSeries } from './step-values.js';

/**
 * `rate`/`increase` over a counter read from rollups (ADR 0020): the kernel makes the series'
 * samples in its scratch instead of reading `timestamps`/`values` (which would make them in
 * the read's slabs). Both ways must give the same bits: step values, points, window tallies
 * and per-step counts, series after series (the scratch grows and is reused), with or
 * without a first raw sample before the first bucket's end, with a raw tail (staleness
 * markers skipped), and with a NaN in the totals (which takes the usual path).
 */

const RES = 300_000;
const LABELS = ['__name__', 'x_total'];

/** A counter aggregate of `buckets` buckets from `first` (gaps every 50), fractional increments. */
function counterBuckets(first: number, buckets: number, seed: number, firstInside: boolean): CounterBuckets {
  const bucketStarts = new Float64Array(buckets);
  const counter = new Float64Array(buckets);
  let t = first;
  let total = 3.7 + seed;
  for (let k = 0; k < buckets; k++) {
    if (k % 50 === 49) t += 3 * RES;
    bucketStarts[k] = t;
    total += 0.1 * ((k * 7 + seed) % 13) + 0.003 * seed;
    counter[k] = total;
    t += RES;
  }
  const firstTimestamp = firstInside ? first + RES - 1 : first + 20_000 + seed;
  return { bucketStarts, counter, firstTimestamp, firstValue: 3.7 + seed - 0.05, lastValue: 2.25 };
}

/** Raw samples after the last bucket: a reset, a staleness marker. */
function tailAfter(c: CounterBuckets): FloatSamples {
  const from = c.bucketStarts[c.bucketStarts.length - 1]! + RES;
  const ts = [from + 5_000, from + 20_000, from + 35_000, from + 50_000, from + 65_000];
  const vs = [2.75, 3.125, STALE_NAN, 0.5, 1.5];
  return { timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

interface Outcome {
  floats: string;
  kinds: number[];
  points: number;
  tally: WindowTally;
  perStep: number[];
}

function run(raw: RawSeries, input: RangeInput, isRate: boolean, start: number, end: number, interval: number): Outcome {
  const grid = makeGrid(start, end, interval);
  const out: StepSeries = newStepSeries(raw.labels, grid.numSteps);
  const perStep = new Float64Array(grid.numSteps);
  const tally: WindowTally = { total: 0, peak: 0 };
  const drops: Drops = { all: new Int32Array(4), count: 0 };
  counterRateSeries(raw, drops, grid, input, isRate, out, perStep, tally);
  return { floats: Buffer.from(out.floats.buffer).toString('hex'), kinds: Array.from(out.kinds), points: out.points, tally: { ...tally }, perStep: Array.from(perStep) };
}

describe('rate over a counter read from rollups', () => {
  it('gives the same bits from the kernel scratch as from the materialized samples', () => {
    const T0 = 1_700_000_000_000 - (1_700_000_000_000 % RES);
    // Sizes up and down, so the scratch grows and is reused with stale contents beyond each series.
    const cases = [
      { buckets: 40, seed: 1, firstInside: false, withTail: true },
      { buckets: 2_016, seed: 2, firstInside: true, withTail: false },
      { buckets: 7, seed: 3, firstInside: false, withTail: false },
      { buckets: 3_000, seed: 4, firstInside: false, withTail: true },
      { buckets: 1, seed: 5, firstInside: true, withTail: true },
      { buckets: 0, seed: 6, firstInside: false, withTail: true },
    ];
    let checked = 0;
    for (const { buckets, seed, firstInside, withTail } of cases) {
      const counters = buckets === 0 ? undefined : counterBuckets(T0, buckets, seed, firstInside);
      const tail = withTail ? tailAfter(counters ?? counterBuckets(T0, 1, seed, false)) : undefined;
      const lazy = (): CounterAggregateSeries => new CounterAggregateSeries(LABELS, RES, counters, tail, new Float64Array(0), [], new SampleSlabs());
      const end = T0 + (buckets + Math.floor(buckets / 50) * 3 + 2) * RES;
      for (const isRate of [true, false]) {
        for (const [rangeMs, interval, offsetMs] of [
          [615_000, 600_000, 0],
          [3_600_000, 420_000, 0],
          [1_200_000, 300_000, 60_000],
        ] as const) {
          const input: RangeInput = { series: [], rangeMs, offsetMs, atMs: undefined };
          const viaScratch = lazy();
          const a = run(viaScratch, input, isRate, T0, end, interval);
          // The kernel made no samples in the read's slabs.
          expect(viaScratch.materialized).toBe(false);
          const made = lazy();
          const plain: RawSeries = { labels: LABELS, timestamps: made.timestamps, values: made.values, histTimestamps: made.histTimestamps, histograms: [] };
          expect(made.sampleCount).toBe(made.timestamps.length);
          expect(a).toEqual(run(plain, input, isRate, T0, end, interval));
          // A series whose samples were made already is read through them.
          expect(run(made, input, isRate, T0, end, interval)).toEqual(a);
          if (a.points > 3) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('makes its samples for any other reader, a spread copy included', () => {
    const T0 = 1_700_000_000_000 - (1_700_000_000_000 % RES);
    const counters = counterBuckets(T0, 60, 8, false);
    const tail = tailAfter(counters);
    const made = new CounterAggregateSeries(LABELS, RES, counters, tail, new Float64Array(0), [], new SampleSlabs());
    const want = counterSamples(RES, counters, tail, new SampleSlabs());
    // As `withDetectedResetHints` copies a series to replace its histograms.
    const copy: RawSeries = { ...made, histograms: [] };
    expect(Array.from(copy.timestamps)).toEqual(Array.from(want.timestamps));
    expect(Array.from(copy.values)).toEqual(Array.from(want.values));
    expect(made.materialized).toBe(true);
    expect(made.timestamps).toBe(copy.timestamps);
    expect(made.sampleCount).toBe(want.timestamps.length);
    // The first raw sample, 60 buckets, the tail but its staleness marker.
    expect(made.sampleCount).toBe(1 + 60 + 4);
  });

  it('takes the usual path when the totals hold a NaN', () => {
    const T0 = 1_700_000_000_000 - (1_700_000_000_000 % RES);
    const counters = counterBuckets(T0, 100, 7, false);
    (counters.counter as Float64Array)[30] = NaN;
    const input: RangeInput = { series: [], rangeMs: 3_600_000, offsetMs: 0, atMs: undefined };
    const lazy = new CounterAggregateSeries(LABELS, RES, counters, undefined, new Float64Array(0), [], new SampleSlabs());
    const made = new CounterAggregateSeries(LABELS, RES, counters, undefined, new Float64Array(0), [], new SampleSlabs());
    const plain: RawSeries = { labels: LABELS, timestamps: made.timestamps, values: made.values, histTimestamps: made.histTimestamps, histograms: [] };
    const end = T0 + 110 * RES;
    const a = run(lazy, input, true, T0, end, 600_000);
    expect(a).toEqual(run(plain, input, true, T0, end, 600_000));
    expect(a.floats).not.toBe(run(new CounterAggregateSeries(LABELS, RES, counterBuckets(T0, 100, 7, false), undefined, new Float64Array(0), [], new SampleSlabs()), input, true, T0, end, 600_000).floats);
  });
});
