import { isStaleNaN } from '#pharos/metric-model';

/** Resolutions this adapter maintains: 5 minutes and 1 hour. */
export const ROLLUP_RESOLUTIONS_MS: readonly number[] = [300_000, 3_600_000];

/** Start of the epoch-aligned bucket holding `t`. */
export function bucketStart(t: number, resolutionMs: number): number {
  return Math.floor(t / resolutionMs) * resolutionMs;
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
