import { isStaleNaN } from '#pharos/metric-model';
import { runningTotals, type RollupField, type SeriesRollups } from '#pharos/storage';
import type { FloatHistogram } from './values.js';

/**
 * Thanos-compatible downsampled reads (docs/adr/0017): which rollup aggregate answers which
 * function, which resolution a `max_source_resolution` picks, and the synthetic samples a
 * series' rollup buckets stand for. Pure functions over typed arrays; the store reads are in
 * `downsampled-reads.ts`.
 */

/**
 * The aggregate a downsampled selector reads, as Thanos' querier picks it (`aggrsFromFunc`):
 * `counter` for the rate family, `min`/`max`/`count`/`sum` for their `*_over_time`, and the
 * bucket average (sum / count) for everything else, plain selectors included.
 */
export type RollupAggregate = 'counter' | 'avg' | 'sum' | 'min' | 'max' | 'count';

/**
 * The rollup fields {@link downsampledSamples} reads for an aggregate, so the store reads only
 * those columns (the counter 4 of 9, the average 2).
 */
export function rollupFieldsFor(aggregate: RollupAggregate): readonly RollupField[] {
  switch (aggregate) {
    case 'counter':
      return COUNTER_FIELDS;
    case 'avg':
      return AVG_FIELDS;
    default:
      return [aggregate];
  }
}

const COUNTER_FIELDS: readonly RollupField[] = ['firstTimestamp', 'firstValue', 'lastValue', 'increase'];
const AVG_FIELDS: readonly RollupField[] = ['sum', 'count'];

/** `max_source_resolution`: a duration in ms (0 = raw), or `auto` (step / 5, as Thanos). */
export type MaxSourceResolution = number | 'auto';

/**
 * Thanos' `aggrsFromFunc` for the name of the function directly around a selector, or
 * undefined when the selector must stay raw (`info()` reads its info series exactly).
 * `count_over_time` reads per-bucket counts and is evaluated as their sum (see
 * {@link countsAsSum}); Thanos would count the buckets instead.
 */
export function aggregateFor(enclosing: string | undefined): RollupAggregate | undefined {
  if (enclosing === undefined) return 'avg';
  if (enclosing === 'info') return undefined;
  if (enclosing === 'min' || enclosing.startsWith('min_')) return 'min';
  if (enclosing === 'max' || enclosing.startsWith('max_')) return 'max';
  if (enclosing === 'count' || enclosing.startsWith('count_')) return 'count';
  // A bare `sum(x)` wants the samples (Thanos: "f == sum falls through"), so only sum_*.
  if (enclosing.startsWith('sum_')) return 'sum';
  if (enclosing === 'rate' || enclosing === 'increase' || enclosing === 'irate' || enclosing === 'resets') return 'counter';
  return 'avg';
}

/**
 * The resolution a request reads: the coarsest maintained one not above its
 * `max_source_resolution` (`auto`: a fifth of the step, as Thanos' `--query.auto-downsampling`),
 * 0 for raw samples.
 */
export function chooseResolution(max: MaxSourceResolution | undefined, stepMs: number, available: readonly number[]): number {
  const limit = max === 'auto' ? stepMs / 5 : (max ?? 0);
  let best = 0;
  for (const r of available) if (r > 0 && r <= limit && r > best) best = r;
  return best;
}

/** Samples of one series: float columns sorted by time. */
export interface FloatSamples {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Histogram samples of one series, sorted by time. */
export interface HistogramSamples {
  readonly timestamps: Float64Array;
  readonly histograms: readonly FloatHistogram[];
}

/**
 * The synthetic float samples of one series at `resolutionMs`: one per rollup bucket, stamped
 * at the bucket's last millisecond (Thanos' `currentWindow`, `start + resolution - 1`), so a
 * step sees a bucket only once all of it lies at or before the step. `tail` holds the raw
 * float samples that follow the rollups (the bucket the selection ends in, not read from
 * rollups), every one later than the last bucket.
 *
 * - `avg`, `sum`, `min`, `max`, `count`: the bucket's aggregate. The tail stays raw (Thanos
 *   returns raw chunks as they are) except for `count`, where each raw sample counts 1 so a
 *   sum over the window counts samples; `tailHistograms` are counted the same way (their
 *   staleness markers, as the floats', are no samples).
 * - `counter`: Thanos' counter aggregate read through `ApplyCounterResetsSeriesIterator`: the
 *   first raw sample, then at each bucket the reset-adjusted running total (deltas between
 *   buckets compare a bucket's first raw value with the previous bucket's last raw value, so a
 *   reset between buckets is seen too), then the tail's raw samples continuing that total.
 *   The series is monotonic: `rate`/`increase` see every reset's increase, `resets` sees none.
 *   NaNs (staleness markers included) are skipped.
 */
export function downsampledSamples(
  aggregate: RollupAggregate,
  resolutionMs: number,
  rollups: SeriesRollups | undefined,
  tail: FloatSamples | undefined,
  tailHistograms?: HistogramSamples,
  slabs: SampleSlabs = new SampleSlabs(),
): FloatSamples {
  const buckets = rollups?.bucketStarts.length ?? 0;
  const tailTs = tail?.timestamps ?? EMPTY;
  const tailVs = tail?.values ?? EMPTY;
  if (aggregate === 'counter') return counterSamples(resolutionMs, rollups === undefined ? undefined : counterBucketsOf(rollups), tail, slabs);
  if (aggregate === 'count') return countSamples(resolutionMs, rollups, tailTs, tailVs, tailHistograms, slabs);
  const n = buckets + tailTs.length;
  const [timestamps, values] = slabs.pair(n);
  if (rollups !== undefined) {
    const column = aggregate === 'sum' ? rollups.sum : aggregate === 'min' ? rollups.min : aggregate === 'max' ? rollups.max : undefined;
    const starts = rollups.bucketStarts;
    for (let k = 0; k < buckets; k++) {
      timestamps[k] = starts[k]! + resolutionMs - 1;
      values[k] = column === undefined ? rollups.sum[k]! / rollups.count[k]! : column[k]!;
    }
  }
  timestamps.set(tailTs, buckets);
  values.set(tailVs, buckets);
  return { timestamps, values };
}

/**
 * What the counter samples of a series are made of: Thanos' counter aggregate of its buckets,
 * as `MetricStore.selectCounterRollups` answers it (docs/adr/0020): the running total at each
 * bucket and the raw samples at the edges.
 */
export interface CounterBuckets {
  readonly bucketStarts: Float64Array;
  /** The reset-adjusted running total at each bucket, from the first bucket's first value. */
  readonly counter: Float64Array;
  readonly firstTimestamp: number;
  readonly firstValue: number;
  /** The last raw value of the last bucket: what the tail's samples continue from. */
  readonly lastValue: number;
}

/**
 * The counter aggregate of plain rollup fields (`firstTimestamp`, `firstValue`, `lastValue`,
 * `increase`), for a store that does not offer `selectCounterRollups`: the same operations in
 * the same order as the port's definition (and the store's `counterRollupsOf`), so either way
 * gives the same bits. The totals go to `out`, which may be `r.increase` when the caller owns
 * `r` (a store's answer is its caller's).
 */
export function counterBucketsOf(r: SeriesRollups, out: Float64Array = new Float64Array(r.bucketStarts.length)): CounterBuckets {
  const { bucketStarts, firstTimestamp, firstValue, lastValue, increase } = r;
  const n = bucketStarts.length;
  if (n === 0) return { bucketStarts, counter: EMPTY, firstTimestamp: NaN, firstValue: NaN, lastValue: NaN };
  runningTotals(firstValue, lastValue, increase, out, 0, n);
  return { bucketStarts, counter: out.subarray(0, n), firstTimestamp: firstTimestamp[0]!, firstValue: firstValue[0]!, lastValue: lastValue[n - 1]! };
}

/**
 * The `counter` aggregate's synthetic samples (see {@link downsampledSamples}): the first raw
 * sample when it lies before its bucket's end, the running total at each bucket's end, then
 * the tail's raw samples continuing that total.
 */
export function counterSamples(resolutionMs: number, counters: CounterBuckets | undefined, tail: FloatSamples | undefined, slabs: SampleSlabs): FloatSamples {
  const buckets = counters?.bucketStarts.length ?? 0;
  const tailTs = tail?.timestamps ?? EMPTY;
  const tailVs = tail?.values ?? EMPTY;
  // At most: the first raw sample, one per bucket, every tail sample.
  const [timestamps, values] = slabs.pair(1 + buckets + tailTs.length);
  let n = 0;
  let total = 0;
  // The last raw value seen: what the next raw value is compared with to detect a reset.
  let last = NaN;
  if (counters !== undefined && buckets > 0) {
    const { bucketStarts, counter } = counters;
    if (counters.firstTimestamp < bucketStarts[0]! + resolutionMs - 1) {
      timestamps[0] = counters.firstTimestamp;
      values[0] = counters.firstValue;
      n = 1;
    }
    for (let k = 0; k < buckets; k++) {
      timestamps[n + k] = bucketStarts[k]! + resolutionMs - 1;
      values[n + k] = counter[k]!;
    }
    n += buckets;
    total = counter[buckets - 1]!;
    last = counters.lastValue;
  }
  for (let i = 0; i < tailTs.length; i++) {
    const v = tailVs[i]!;
    if (v !== v) continue;
    if (last !== last) total = v;
    else total += v >= last ? v - last : v;
    last = v;
    timestamps[n] = tailTs[i]!;
    values[n++] = total;
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}

function countSamples(
  resolutionMs: number,
  rollups: SeriesRollups | undefined,
  tailTs: Float64Array,
  tailVs: Float64Array,
  tailHists: HistogramSamples | undefined,
  slabs: SampleSlabs,
): FloatSamples {
  const tailHistTs = tailHists?.timestamps ?? EMPTY;
  const buckets = rollups?.bucketStarts.length ?? 0;
  const [timestamps, values] = slabs.pair(buckets + tailTs.length + tailHistTs.length);
  for (let k = 0; k < buckets; k++) {
    timestamps[k] = rollups!.bucketStarts[k]! + resolutionMs - 1;
    values[k] = rollups!.count[k]!;
  }
  // Floats and histograms of the tail, merged by time; a staleness marker is no sample.
  let n = buckets;
  let i = 0;
  let j = 0;
  while (i < tailTs.length || j < tailHistTs.length) {
    if (j >= tailHistTs.length || (i < tailTs.length && tailTs[i]! <= tailHistTs[j]!)) {
      const v = tailVs[i]!;
      const t = tailTs[i++]!;
      if (v !== v && isStaleNaN(v)) continue;
      timestamps[n] = t;
    } else {
      const stale = isStaleNaN(tailHists!.histograms[j]!.sum);
      const t = tailHistTs[j++]!;
      if (stale) continue;
      timestamps[n] = t;
    }
    values[n++] = 1;
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}

/**
 * Hands out the timestamp and value columns of synthetic samples from 1 MiB slabs shared by
 * the series of one read: a 7 d panel at 5 m makes ~2,000 samples for each of its series, and
 * allocating (and zeroing) two typed arrays a series was most of building them, besides
 * thousands of ArrayBuffers for the GC. A column is never written once handed out (RawSeries
 * arrays are shared, never mutated), so series may share a slab.
 */
export class SampleSlabs {
  private slab = new Float64Array(0);
  private used = 0;

  /** Two columns of `n` values, zero-filled. */
  pair(n: number): [Float64Array, Float64Array] {
    if (this.used + 2 * n > this.slab.length) {
      this.slab = new Float64Array(Math.max(2 * n, SLAB_VALUES));
      this.used = 0;
    }
    const at = this.used;
    this.used += 2 * n;
    return [this.slab.subarray(at, at + n), this.slab.subarray(at + n, at + 2 * n)];
  }
}

/** 1 MiB of doubles. */
const SLAB_VALUES = 131_072;

const EMPTY = new Float64Array(0);
