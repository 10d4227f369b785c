import { isStaleNaN } from '#pharos/metric-model';
import { runningTotals, type RollupField, type SeriesRollups } from '#pharos/storage';
import type { RawSeries } from './step-values.js';
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
  const [timestamps, values] = slabs.pair(counterSamplesCapacity(counters, tail));
  const n = counterSamplesInto(resolutionMs, counters, tail, timestamps, values);
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}

/** At most how many samples {@link counterSamples} makes: the first raw sample, one per bucket, every tail sample. */
function counterSamplesCapacity(counters: CounterBuckets | undefined, tail: FloatSamples | undefined): number {
  return 1 + (counters?.bucketStarts.length ?? 0) + (tail?.timestamps.length ?? 0);
}

/**
 * Writes {@link counterSamples}' samples into `timestamps` and `values` (each at least
 * {@link counterSamplesCapacity} long) and returns how many there are.
 */
function counterSamplesInto(
  resolutionMs: number,
  counters: CounterBuckets | undefined,
  tail: FloatSamples | undefined,
  timestamps: Float64Array,
  values: Float64Array,
): number {
  const buckets = counters?.bucketStarts.length ?? 0;
  const tailTs = tail?.timestamps ?? EMPTY;
  const tailVs = tail?.values ?? EMPTY;
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
  return n;
}

/**
 * A counter read from rollups whose synthetic samples ({@link counterSamples}) are made only
 * when something reads `timestamps` or `values`. The inline `rate`/`increase` kernel
 * (`counter-rate.ts`) reads neither: it writes each series' samples into a scratch pair
 * reused series after series ({@link samplesInto}), so a 7 d panel of 1,000 counters at 5 m
 * does not write ~32 MB of fresh memory, then read it back cold, once for the reset scan and
 * once for the windows (docs/adr/0020). Every other reader gets the samples it got before,
 * built once into the read's slabs.
 */
export class CounterAggregateSeries implements RawSeries {
  declare readonly timestamps: Float64Array;
  declare readonly values: Float64Array;
  /** How many samples the series has: `timestamps.length`, without making them. */
  readonly sampleCount: number;
  /** Room {@link samplesInto} needs: the first raw sample, one per bucket, every tail sample. */
  readonly capacity: number;
  private samples: FloatSamples | undefined;

  constructor(
    readonly labels: RawSeries['labels'],
    private readonly resolutionMs: number,
    private readonly counters: CounterBuckets | undefined,
    private readonly tail: FloatSamples | undefined,
    readonly histTimestamps: Float64Array,
    readonly histograms: RawSeries['histograms'],
    private readonly slabs: SampleSlabs,
  ) {
    const buckets = counters?.bucketStarts.length ?? 0;
    let count = buckets;
    if (buckets > 0 && counters!.firstTimestamp < counters!.bucketStarts[0]! + resolutionMs - 1) count++;
    const tailVs = tail?.values ?? EMPTY;
    for (let i = 0; i < tailVs.length; i++) if (tailVs[i] === tailVs[i]) count++;
    this.sampleCount = count;
    this.capacity = counterSamplesCapacity(counters, tail);
    // Own enumerable accessors, not a prototype's getters: a copy made by spreading
    // (`{ ...s, histograms }`, as `withDetectedResetHints` makes one) must carry the samples.
    Object.defineProperties(this, {
      timestamps: { get: () => this.built().timestamps, enumerable: true },
      values: { get: () => this.built().values, enumerable: true },
    });
  }

  /** Whether its samples were made for a reader of `timestamps` or `values` (then read those). */
  get materialized(): boolean {
    return this.samples !== undefined;
  }

  /**
   * Writes its samples into `timestamps` and `values` (each at least {@link capacity} long,
   * the caller's scratch) and returns how many: the same samples `timestamps`/`values` hold.
   */
  samplesInto(timestamps: Float64Array, values: Float64Array): number {
    return counterSamplesInto(this.resolutionMs, this.counters, this.tail, timestamps, values);
  }

  private built(): FloatSamples {
    this.samples ??= counterSamples(this.resolutionMs, this.counters, this.tail, this.slabs);
    return this.samples;
  }
}

/** A float series' sample count, without making a {@link CounterAggregateSeries}' samples. */
export function floatSampleCount(s: RawSeries): number {
  return s instanceof CounterAggregateSeries ? s.sampleCount : s.timestamps.length;
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
