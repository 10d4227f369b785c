/**
 * Quantiles of plain values and of classic (`le`-bucketed) histograms, as Prometheus 3's
 * `promql/quantile.go` (`quantile`, `BucketQuantile`, `BucketFraction`).
 */

/**
 * φ-quantile of values already sorted ascending (NaN first), interpolating linearly between the
 * two nearest ranks. NaN for no values or NaN φ; −Inf for φ < 0; +Inf for φ > 1.
 */
export function quantileOfSorted(q: number, sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  // An exact rank takes the sample as is: interpolating with weight 0 would turn ±Inf into NaN.
  if (weight === 0) return sorted[lowerIndex]!;
  return sorted[lowerIndex]! * (1 - weight) + sorted[upperIndex]! * weight;
}

/** One classic histogram bucket: its `le` bound and cumulative count. */
export interface ClassicBucket {
  upperBound: number;
  count: number;
}

export interface BucketQuantileResult {
  readonly value: number;
  /** Counts decreased somewhere and were raised to keep them monotonic. */
  readonly forcedMonotonicity: boolean;
}

/** Differences below this relative size are float noise, not a broken histogram. */
const SMALL_DELTA_TOLERANCE = 1e-12;

function sortAndCoalesce(buckets: ClassicBucket[]): ClassicBucket[] {
  buckets.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  const out: ClassicBucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ upperBound: b.upperBound, count: b.count });
  }
  return out;
}

/** Go's `almost.Equal`. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const minNormal = 2.2250738585072014e-308;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/**
 * Absorbs float-noise differences between neighbouring buckets in either direction, then
 * removes real decreases by carrying the last accepted count forward (Prometheus'
 * `ensureMonotonicAndIgnoreSmallDeltas`). Returns whether a real decrease was removed.
 */
function ensureMonotonic(buckets: ClassicBucket[]): boolean {
  let forced = false;
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE)) {
      buckets[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  return forced;
}

/**
 * `histogram_quantile` over classic buckets: linear interpolation inside the bucket holding the
 * rank, a lower bound of 0 for the first bucket when its `le` is positive, and the second
 * highest `le` when the rank falls into the +Inf bucket. NaN without a +Inf bucket, with fewer
 * than two buckets or with no observations. The input array is sorted in place.
 */
export function bucketQuantile(q: number, input: ClassicBucket[]): BucketQuantileResult {
  if (Number.isNaN(q)) return { value: NaN, forcedMonotonicity: false };
  if (q < 0) return { value: -Infinity, forcedMonotonicity: false };
  if (q > 1) return { value: Infinity, forcedMonotonicity: false };
  if (input.length === 0) return { value: NaN, forcedMonotonicity: false };
  const sorted = sortAndCoalesce(input);
  if (sorted[sorted.length - 1]!.upperBound !== Infinity) return { value: NaN, forcedMonotonicity: false };
  const forced = ensureMonotonic(sorted);
  if (sorted.length < 2) return { value: NaN, forcedMonotonicity: forced };
  const observations = sorted[sorted.length - 1]!.count;
  if (observations === 0) return { value: NaN, forcedMonotonicity: forced };
  let rank = q * observations;
  // First bucket (excluding +Inf) whose cumulative count reaches the rank.
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === sorted.length - 1) return { value: sorted[sorted.length - 2]!.upperBound, forcedMonotonicity: forced };
  if (b === 0 && sorted[0]!.upperBound <= 0) return { value: sorted[0]!.upperBound, forcedMonotonicity: forced };
  let bucketStart = 0;
  const bucketEnd = sorted[b]!.upperBound;
  let count = sorted[b]!.count;
  if (b > 0) {
    bucketStart = sorted[b - 1]!.upperBound;
    count -= sorted[b - 1]!.count;
    rank -= sorted[b - 1]!.count;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonicity: forced };
}

/**
 * `histogram_fraction` over classic buckets: the share of observations in `[lower, upper]`,
 * interpolating linearly inside buckets (Prometheus' `BucketFraction`).
 */
export function bucketFraction(lower: number, upper: number, input: ClassicBucket[]): number {
  if (input.length === 0) return NaN;
  const buckets = sortAndCoalesce(input);
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  // Positive-only buckets start at 0, otherwise at -Inf.
  let lowerBound = buckets[0]!.upperBound <= 0 ? -Infinity : 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (i > 0) lowerBound = buckets[i - 1]!.upperBound;
    const upperBound = b.upperBound;
    const lb = lowerBound;
    const interpolate = (v: number): number =>
      lb === -Infinity ? b.count : rank + ((b.count - rank) * (v - lb)) / (upperBound - lb);
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}
