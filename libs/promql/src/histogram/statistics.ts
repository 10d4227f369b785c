import type { FloatHistogram } from '../engine/values.js';
import { isCustomBucketsSchema } from './bounds.js';
import { histogramBuckets, type HistogramBucket } from './buckets.js';
import { kahanInc } from './kahan.js';

/**
 * Quantile, fraction and variance estimates of one native histogram, as Prometheus 3
 * (`promql/quantile.go`: `HistogramQuantile`, `HistogramFraction`; `promql/functions.go`:
 * `histogramVariance`). Exponential buckets interpolate on a log scale, custom buckets and the
 * zero bucket linearly.
 */

export interface QuantileEstimate {
  readonly value: number;
  /** NaN observations made the rank unreachable; the result is NaN. */
  readonly nanResult: boolean;
  /** NaN observations (counted as +Inf) skew the result upwards. */
  readonly nanSkew: boolean;
}

export function histogramQuantile(q: number, h: FloatHistogram): number {
  return histogramQuantileEstimate(q, h).value;
}

export function histogramQuantileEstimate(q: number, h: FloatHistogram): QuantileEstimate {
  if (q < 0) return plain(-Infinity);
  if (q > 1) return plain(Infinity);
  if (h.count === 0 || Number.isNaN(q)) return plain(NaN);

  const custom = isCustomBucketsSchema(h.schema);
  // NaN observations raise the count without landing in a bucket, so a NaN sum forces the walk
  // from below; otherwise walk from the nearer end.
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const buckets = histogramBuckets(h, !forward);
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let i = 0;
  let bucket: HistogramBucket | undefined;
  for (; i < buckets.length; i++) {
    bucket = buckets[i]!;
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  i++;
  let lower = bucket ? bucket.lower : 0;
  let upper = bucket ? bucket.upper : 0;
  const bucketCount = bucket ? bucket.count : 0;
  const onlyPositive = h.negativeCounts.length === 0 && h.positiveCounts.length > 0;
  const onlyNegative = h.positiveCounts.length === 0 && h.negativeCounts.length > 0;
  if (!custom && lower < 0 && upper > 0) {
    if (onlyPositive) lower = 0;
    else if (onlyNegative) upper = 0;
  } else if (custom) {
    if (lower === -Infinity) {
      if (upper <= 0) return plain(upper);
      lower = 0;
    } else if (upper === Infinity) {
      return plain(lower);
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (Number.isNaN(h.sum)) return { value: NaN, nanResult: true, nanSkew: false };
    return plain(upper);
  }
  if (forward) rank -= count - bucketCount;
  else rank = count - rank;

  let nanSkew = false;
  if (Number.isNaN(h.sum)) {
    for (; i < buckets.length; i++) count += buckets[i]!.count;
    // A NaN sum with all observations in buckets only means ±Inf were observed.
    nanSkew = count < h.count;
  }
  const fraction = rank / bucketCount;
  if (custom || (lower <= 0 && upper >= 0)) {
    return { value: lower + (upper - lower) * fraction, nanResult: false, nanSkew };
  }
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return { value: 2 ** (logLower + (logUpper - logLower) * fraction), nanResult: false, nanSkew };
  return { value: -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction))), nanResult: false, nanSkew };
}

function plain(value: number): QuantileEstimate {
  return { value, nanResult: false, nanSkew: false };
}

export interface FractionEstimate {
  readonly value: number;
  /** NaN observations exist; they are excluded from every fraction. */
  readonly hasNaNs: boolean;
}

/** Estimated share of observations in `[lower, upper]` (Prometheus' `HistogramFraction`). */
export function histogramFraction(lower: number, upper: number, h: FloatHistogram): number {
  return histogramFractionEstimate(lower, upper, h).value;
}

export function histogramFractionEstimate(lo: number, hi: number, h: FloatHistogram): FractionEstimate {
  if (h.count === 0 || Number.isNaN(lo) || Number.isNaN(hi)) return { value: NaN, hasNaNs: false };
  if (lo >= hi) return { value: 0, hasNaNs: false };
  const custom = isCustomBucketsSchema(h.schema);
  const onlyPositive = h.negativeCounts.length === 0 && h.positiveCounts.length > 0;
  const onlyNegative = h.positiveCounts.length === 0 && h.negativeCounts.length > 0;
  const buckets = histogramBuckets(h);
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let i = 0;
  for (; i < buckets.length; i++) {
    const b = buckets[i]!;
    count += b.count;
    let bLower = b.lower;
    let bUpper = b.upper;
    let zeroBucket = false;
    if (custom) {
      // Custom buckets have no zero bucket: only the first starts at -Inf, and 0 is its lower
      // bound when its upper bound is positive, as for classic histograms.
      if (bLower === -Infinity && bUpper > 0) bLower = 0;
    } else if (bLower <= 0 && bUpper >= 0) {
      zeroBucket = true;
      if (onlyPositive) bLower = 0;
      else if (onlyNegative) bUpper = 0;
    }
    const linear = (v: number): number =>
      bLower === -Infinity ? b.count : rank + (b.count * (v - bLower)) / (bUpper - bLower);
    const exponential = (v: number): number => {
      const logLower = Math.log2(Math.abs(bLower));
      const logUpper = Math.log2(Math.abs(bUpper));
      const logV = Math.log2(Math.abs(v));
      const fraction = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
      return rank + b.count * fraction;
    };
    if (!lowerSet && bLower >= lo) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && bLower >= hi) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) {
      i++;
      break;
    }
    if (!lowerSet && bLower < lo && bUpper > lo) {
      lowerRank = custom || zeroBucket ? linear(lo) : exponential(lo);
      lowerSet = true;
    }
    if (!upperSet && bLower < hi && bUpper > hi) {
      upperRank = custom || zeroBucket ? linear(hi) : exponential(hi);
      upperSet = true;
    }
    if (lowerSet && upperSet) {
      i++;
      break;
    }
    rank += b.count;
  }
  let hasNaNs = false;
  if (Number.isNaN(h.sum)) {
    for (; i < buckets.length; i++) count += buckets[i]!.count;
    hasNaNs = count < h.count;
  } else {
    count = h.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return { value: (upperRank - lowerRank) / h.count, hasNaNs };
}

/**
 * Estimated variance of the observations: each bucket's observations sit at its geometric mean
 * (exponential buckets), arithmetic mean (custom buckets) or 0 (zero bucket).
 */
export function histogramStdVar(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  const custom = isCustomBucketsSchema(h.schema);
  let variance = 0;
  let c = 0;
  for (const b of histogramBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (custom) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    [variance, c] = kahanInc(b.count * delta * delta, variance, c);
  }
  variance += c;
  return variance / h.count;
}

export function histogramStdDev(h: FloatHistogram): number {
  return Math.sqrt(histogramStdVar(h));
}
