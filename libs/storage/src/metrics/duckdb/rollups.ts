import { isStaleNaN } from '#pharos/metric-model';
import type { Labels } from '#pharos/metric-model';
import type { SeriesRollups } from '../port.js';

/** Resolutions this adapter maintains: 5 minutes and 1 hour. */
export const ROLLUP_RESOLUTIONS_MS: readonly number[] = [300_000, 3_600_000];

/** Start of the epoch-aligned bucket holding `t`. */
export function bucketStart(t: number, resolutionMs: number): number {
  return Math.floor(t / resolutionMs) * resolutionMs;
}

/** Rollup rows under construction, one column per `SeriesRollups` field. */
export class RollupColumns {
  readonly bucketStarts: number[] = [];
  readonly count: number[] = [];
  readonly sum: number[] = [];
  readonly min: number[] = [];
  readonly max: number[] = [];
  readonly firstTimestamp: number[] = [];
  readonly firstValue: number[] = [];
  readonly lastTimestamp: number[] = [];
  readonly lastValue: number[] = [];
  readonly increase: number[] = [];

  get length(): number {
    return this.bucketStarts.length;
  }

  push(row: RollupRow): void {
    this.bucketStarts.push(row.bucket);
    this.count.push(row.count);
    this.sum.push(row.sum);
    this.min.push(row.min);
    this.max.push(row.max);
    this.firstTimestamp.push(row.firstTs);
    this.firstValue.push(row.firstValue);
    this.lastTimestamp.push(row.lastTs);
    this.lastValue.push(row.lastValue);
    this.increase.push(row.increase);
  }

  row(i: number): RollupRow {
    return {
      bucket: this.bucketStarts[i]!,
      count: this.count[i]!,
      sum: this.sum[i]!,
      min: this.min[i]!,
      max: this.max[i]!,
      firstTs: this.firstTimestamp[i]!,
      firstValue: this.firstValue[i]!,
      lastTs: this.lastTimestamp[i]!,
      lastValue: this.lastValue[i]!,
      increase: this.increase[i]!,
    };
  }

  toSeriesRollups(labels: Labels): SeriesRollups {
    return {
      labels,
      bucketStarts: Float64Array.from(this.bucketStarts),
      count: Float64Array.from(this.count),
      sum: Float64Array.from(this.sum),
      min: Float64Array.from(this.min),
      max: Float64Array.from(this.max),
      firstTimestamp: Float64Array.from(this.firstTimestamp),
      firstValue: Float64Array.from(this.firstValue),
      lastTimestamp: Float64Array.from(this.lastTimestamp),
      lastValue: Float64Array.from(this.lastValue),
      increase: Float64Array.from(this.increase),
    };
  }
}

export interface RollupRow {
  bucket: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  firstTs: number;
  firstValue: number;
  lastTs: number;
  lastValue: number;
  increase: number;
}

/**
 * Rolls up sorted, deduplicated samples into buckets. Staleness markers are skipped (they
 * mark the absence of a sample, as in PromQL); a bucket with no other sample gets no row.
 * `keep`, when given, limits the output to those bucket starts.
 */
export function computeRollups(
  ts: Float64Array,
  vs: Float64Array,
  n: number,
  resolutionMs: number,
  keep?: (bucket: number) => boolean,
): RollupRow[] {
  const out: RollupRow[] = [];
  let cur: RollupRow | undefined;
  for (let i = 0; i < n; i++) {
    const v = vs[i]!;
    if (isStaleNaN(v)) continue;
    const t = ts[i]!;
    const b = bucketStart(t, resolutionMs);
    if (cur === undefined || cur.bucket !== b) {
      if (keep !== undefined && !keep(b)) {
        cur = undefined;
        continue;
      }
      cur = { bucket: b, count: 0, sum: 0, min: v, max: v, firstTs: t, firstValue: v, lastTs: t, lastValue: v, increase: 0 };
      out.push(cur);
    } else {
      // A drop is a counter reset: the counter restarted from zero, so all of `v` is new.
      cur.increase += v >= cur.lastValue ? v - cur.lastValue : v;
    }
    cur.count++;
    cur.sum += v;
    if (v < cur.min) cur.min = v;
    if (v > cur.max) cur.max = v;
    cur.lastTs = t;
    cur.lastValue = v;
  }
  return out;
}

/**
 * A set of (series, bucket start) pairs awaiting a rollup refresh, grouped by series so a
 * query can find a series' dirty buckets without scanning the whole set.
 */
export class BucketSet {
  private readonly bySeries = new Map<number, Set<number>>();
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  add(id: number, bucket: number): boolean {
    let set = this.bySeries.get(id);
    if (set === undefined) {
      set = new Set();
      this.bySeries.set(id, set);
    }
    if (set.has(bucket)) return false;
    set.add(bucket);
    this.entries++;
    return true;
  }

  has(id: number, bucket: number): boolean {
    return this.bySeries.get(id)?.has(bucket) ?? false;
  }

  delete(id: number, bucket: number): void {
    const set = this.bySeries.get(id);
    if (set === undefined || !set.delete(bucket)) return;
    this.entries--;
    if (set.size === 0) this.bySeries.delete(id);
  }

  deleteSeries(id: number): void {
    const set = this.bySeries.get(id);
    if (set === undefined) return;
    this.entries -= set.size;
    this.bySeries.delete(id);
  }

  buckets(id: number): ReadonlySet<number> | undefined {
    return this.bySeries.get(id);
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (const [id, set] of this.bySeries) for (const b of set) yield [id, b];
  }

  minBucket(): number {
    let min = Infinity;
    for (const set of this.bySeries.values()) for (const b of set) if (b < min) min = b;
    return min;
  }
}
