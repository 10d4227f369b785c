import { describe, expect, it } from 'vitest';
import { STALE_NAN, isStaleNaN } from '#pharos/metric-model';
import type { SeriesRollups } from '#pharos/storage';
import { aggregateFor, chooseResolution, downsampledSamples } from './downsampling.js';
import type { FloatHistogram } from './values.js';

/**
 * The downsampled series builder against buckets computed by hand from the raw samples each
 * test names, at 5 m resolution (bucket k covers [300k, 300(k+1)) s; its sample is stamped at
 * its last millisecond).
 */

const RES = 300_000;
const S = 1000;

interface Bucket {
  readonly start: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly first: readonly [number, number];
  readonly last: readonly [number, number];
  readonly increase: number;
}

function rollups(buckets: readonly Bucket[]): SeriesRollups {
  const col = (f: (b: Bucket) => number): Float64Array => Float64Array.from(buckets, f);
  return {
    labels: ['__name__', 'x'],
    bucketStarts: col((b) => b.start),
    count: col((b) => b.count),
    sum: col((b) => b.sum),
    min: col((b) => b.min),
    max: col((b) => b.max),
    firstTimestamp: col((b) => b.first[0]),
    firstValue: col((b) => b.first[1]),
    lastTimestamp: col((b) => b.last[0]),
    lastValue: col((b) => b.last[1]),
    increase: col((b) => b.increase),
  };
}

/** Samples from `[t, v]` pairs; `'stale'` writes the staleness marker straight into the typed array (a JS array of doubles would canonicalise its NaN bits). */
function floats(points: readonly (readonly [number, number | 'stale'])[]): { timestamps: Float64Array; values: Float64Array } {
  const values = new Float64Array(points.length);
  points.forEach(([, v], i) => (values[i] = v === 'stale' ? STALE_NAN : v));
  return { timestamps: Float64Array.from(points, (p) => p[0]), values };
}

function pairs(s: { timestamps: Float64Array; values: Float64Array }): [number, number][] {
  return Array.from(s.timestamps, (t, i) => [t, s.values[i]!]);
}

// A counter: raw samples (0 s, 10) (100 s, 15) (200 s, 3) | (300 s, 1) (450 s, 4) | nothing | (950 s, 10).
// Bucket 0 resets once inside (15 → 3), bucket 1 starts with a reset (3 → 1), bucket 2 is a gap.
const COUNTER = rollups([
  { start: 0, count: 3, sum: 28, min: 3, max: 15, first: [0, 10], last: [200 * S, 3], increase: 5 + 3 },
  { start: 300 * S, count: 2, sum: 5, min: 1, max: 4, first: [300 * S, 1], last: [450 * S, 4], increase: 3 },
  { start: 900 * S, count: 1, sum: 10, min: 10, max: 10, first: [950 * S, 10], last: [950 * S, 10], increase: 0 },
]);

describe('downsampledSamples', () => {
  it('builds Thanos’ counter: first raw sample, then the reset-adjusted total at each bucket end', () => {
    const out = downsampledSamples('counter', RES, COUNTER, undefined);
    // Reset-adjusted raw total: 10, 15, 18 (reset: +3), 19 (reset: +1), 22, 28 (across the gap: +6).
    expect(pairs(out)).toEqual([
      [0, 10],
      [300 * S - 1, 18],
      [600 * S - 1, 22],
      [1200 * S - 1, 28],
    ]);
  });

  it('continues the counter total into raw samples after the rollups, resets and staleness included', () => {
    // Raw tail from the boundary (1200 s): a reset to 2, a staleness marker, then 5.
    const tail = floats([
      [1200 * S, 2],
      [1230 * S, 'stale'],
      [1260 * S, 5],
    ]);
    const out = downsampledSamples('counter', RES, COUNTER, tail);
    expect(pairs(out).slice(-2)).toEqual([
      [1200 * S, 30],
      [1260 * S, 33],
    ]);
    expect(out.timestamps.length).toBe(6);
  });

  it('makes a raw-only counter monotonic (Thanos’ ApplyCounterResets over raw chunks)', () => {
    const out = downsampledSamples('counter', RES, undefined, floats([[0, 5], [15 * S, 7], [30 * S, 1], [45 * S, NaN], [60 * S, 4]]));
    expect(pairs(out)).toEqual([
      [0, 5],
      [15 * S, 7],
      [30 * S, 8],
      [60 * S, 11],
    ]);
  });

  it('drops the extra first sample when the first raw sample is the bucket’s last millisecond', () => {
    const one = rollups([{ start: 0, count: 1, sum: 4, min: 4, max: 4, first: [RES - 1, 4], last: [RES - 1, 4], increase: 0 }]);
    expect(pairs(downsampledSamples('counter', RES, one, undefined))).toEqual([[RES - 1, 4]]);
  });

  // A gauge: (10 s, 4) (20 s, 6) | gap | (700 s, 7) | then raw (900 s, 1) (915 s, stale).
  const GAUGE = rollups([
    { start: 0, count: 2, sum: 10, min: 4, max: 6, first: [10 * S, 4], last: [20 * S, 6], increase: 2 },
    { start: 600 * S, count: 1, sum: 7, min: 7, max: 7, first: [700 * S, 7], last: [700 * S, 7], increase: 0 },
  ]);
  const GAUGE_TAIL = floats([
    [900 * S, 1],
    [915 * S, 'stale'],
  ]);

  it('gives each gauge aggregate at the bucket ends, gaps left empty, the raw tail as it is', () => {
    const at = (aggregate: 'avg' | 'sum' | 'min' | 'max'): number[] => Array.from(downsampledSamples(aggregate, RES, GAUGE, GAUGE_TAIL).values);
    const times = Array.from(downsampledSamples('avg', RES, GAUGE, GAUGE_TAIL).timestamps);
    expect(times).toEqual([300 * S - 1, 900 * S - 1, 900 * S, 915 * S]);
    expect(at('avg').slice(0, 3)).toEqual([5, 7, 1]);
    expect(at('sum').slice(0, 3)).toEqual([10, 7, 1]);
    expect(at('min').slice(0, 3)).toEqual([4, 7, 1]);
    expect(at('max').slice(0, 3)).toEqual([6, 7, 1]);
    // The staleness marker stays: a raw read would end the series there too.
    expect(isStaleNaN(downsampledSamples('avg', RES, GAUGE, GAUGE_TAIL).values[3]!)).toBe(true);
  });

  it('counts samples: bucket counts, then 1 per raw float or histogram, staleness markers not counted', () => {
    const hist = { sum: 3 } as FloatHistogram;
    const staleHist = { sum: STALE_NAN } as FloatHistogram;
    const out = downsampledSamples('count', RES, GAUGE, GAUGE_TAIL, { timestamps: Float64Array.of(905 * S, 920 * S), histograms: [hist, staleHist] });
    expect(pairs(out)).toEqual([
      [300 * S - 1, 2],
      [900 * S - 1, 1],
      [900 * S, 1],
      [905 * S, 1],
    ]);
  });

  it('answers a window half in rollups and half raw as the raw samples would, for aligned windows', () => {
    // (t, v) every 60 s for 20 min; rollups cover [0, 600 s), raw from 600 s on.
    const raw = Array.from({ length: 20 }, (_, i) => [i * 60 * S, i * 2 + (i >= 7 ? -5 : 0)] as const);
    const bucket = (k: number): Bucket => {
      const inside = raw.filter(([t]) => t >= k * RES && t < (k + 1) * RES);
      const vs = inside.map(([, v]) => v);
      let increase = 0;
      for (let i = 1; i < vs.length; i++) increase += vs[i]! >= vs[i - 1]! ? vs[i]! - vs[i - 1]! : vs[i]!;
      return { start: k * RES, count: vs.length, sum: vs.reduce((a, b) => a + b, 0), min: Math.min(...vs), max: Math.max(...vs), first: inside[0]!, last: inside[inside.length - 1]!, increase };
    };
    const out = downsampledSamples('counter', RES, rollups([bucket(0), bucket(1)]), floats(raw.filter(([t]) => t >= 600 * S)));
    // The raw counter's reset-adjusted total at 1140 s: 38 - 5 + the 12 lost at the 12 → 9 reset.
    let total = raw[0]![1];
    for (let i = 1; i < raw.length; i++) total += raw[i]![1] >= raw[i - 1]![1] ? raw[i]![1] - raw[i - 1]![1] : raw[i]![1];
    expect(out.values[out.values.length - 1]).toBe(total);
    // At the end of bucket 1 (599.999 s) the total equals the raw total at its last sample (540 s).
    let at540 = raw[0]![1];
    for (let i = 1; i <= 9; i++) at540 += raw[i]![1] >= raw[i - 1]![1] ? raw[i]![1] - raw[i - 1]![1] : raw[i]![1];
    expect(pairs(out).find(([t]) => t === 600 * S - 1)?.[1]).toBe(at540);
  });
});

describe('aggregateFor (Thanos aggrsFromFunc)', () => {
  it('maps functions to aggregates', () => {
    expect(aggregateFor('rate')).toBe('counter');
    expect(aggregateFor('increase')).toBe('counter');
    expect(aggregateFor('irate')).toBe('counter');
    expect(aggregateFor('resets')).toBe('counter');
    expect(aggregateFor('min_over_time')).toBe('min');
    expect(aggregateFor('max_over_time')).toBe('max');
    expect(aggregateFor('count_over_time')).toBe('count');
    expect(aggregateFor('sum_over_time')).toBe('sum');
    expect(aggregateFor('avg_over_time')).toBe('avg');
    expect(aggregateFor('quantile_over_time')).toBe('avg');
    expect(aggregateFor('delta')).toBe('avg');
    expect(aggregateFor(undefined)).toBe('avg');
    expect(aggregateFor('sum')).toBe('avg');
    expect(aggregateFor('info')).toBeUndefined();
  });
});

describe('chooseResolution', () => {
  const have = [300_000, 3_600_000];
  it('picks the coarsest maintained resolution not above the limit', () => {
    expect(chooseResolution(undefined, 60_000, have)).toBe(0);
    expect(chooseResolution(0, 60_000, have)).toBe(0);
    expect(chooseResolution(299_999, 60_000, have)).toBe(0);
    expect(chooseResolution(300_000, 60_000, have)).toBe(300_000);
    expect(chooseResolution(600_000, 60_000, have)).toBe(300_000);
    expect(chooseResolution(3_600_000, 60_000, have)).toBe(3_600_000);
    expect(chooseResolution(86_400_000, 60_000, have)).toBe(3_600_000);
    expect(chooseResolution(3_600_000, 60_000, [])).toBe(0);
  });
  it('auto is a fifth of the step (instant queries: raw)', () => {
    expect(chooseResolution('auto', 600_000, have)).toBe(0);
    expect(chooseResolution('auto', 1_500_000, have)).toBe(300_000);
    expect(chooseResolution('auto', 18_000_000, have)).toBe(3_600_000);
    expect(chooseResolution('auto', 0, have)).toBe(0);
  });
});
