import type { FloatHistogram } from '../engine/values.js';
import { compactHistogram } from './arithmetic.js';
import { bucketBound, isCustomBucketsSchema } from './bounds.js';

/**
 * The trim operators `h </ x` (keep the observations below `x`) and `h >/ x` (keep those above),
 * with the semantics of Prometheus' `FloatHistogram.TrimBuckets` (3.x,
 * `model/histogram/float_histogram.go`): a bucket wholly on the kept side stays, one wholly on
 * the other side is emptied, and one containing `x` keeps the interpolated part of its count
 * (linearly for custom buckets and the zero bucket, on a log scale for exponential buckets).
 * When anything was cut, count and sum are recomputed from the kept counts, each bucket's
 * observations assumed at its (surviving part's) midpoint, and the result is compacted; a
 * histogram with nothing to cut comes back unchanged.
 */
export function trimHistogram(h: FloatHistogram, x: number, keepBelow: boolean): FloatHistogram {
  const custom = isCustomBucketsSchema(h.schema);
  const pos = new Float64Array(h.positiveCounts);
  const neg = new Float64Array(h.negativeCounts);
  const acc: TrimAccumulator = { count: 0, sum: 0, trimmed: false, seen: false };
  trimSide(h, pos, h.positiveSpans, true, custom, x, keepBelow, acc);
  const hasPositive = acc.seen;
  acc.seen = false;
  trimSide(h, neg, h.negativeSpans, false, custom, x, keepBelow, acc);
  const hasNegative = acc.seen;
  let zeroCount = h.zeroCount;
  if (zeroCount > 0) {
    const keep = trimZeroBucket(h, x, hasNegative, hasPositive, keepBelow);
    if (keep !== zeroCount) {
      zeroCount = keep;
      acc.trimmed = true;
    }
    acc.sum += part.mid * keep;
    acc.count += keep;
  }
  if (!acc.trimmed) return h;
  return compactHistogram({
    ...h,
    isInteger: false,
    zeroCount,
    count: acc.count,
    sum: acc.sum,
    positiveCounts: pos,
    negativeCounts: neg,
  });
}

interface TrimAccumulator {
  count: number;
  sum: number;
  /** Some bucket's count changed. */
  trimmed: boolean;
  /** The side had a bucket with observations (decides how the zero bucket is split). */
  seen: boolean;
}

/** What one bucket keeps: reused, so trimming allocates nothing per bucket. */
const part = { keep: 0, mid: 0 };

function trimSide(
  h: FloatHistogram,
  counts: Float64Array,
  spans: Int32Array,
  positive: boolean,
  custom: boolean,
  x: number,
  keepBelow: boolean,
  acc: TrimAccumulator,
): void {
  let index = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s += 2) {
    index += spans[s]!;
    const length = spans[s + 1]!;
    for (let j = 0; j < length && b < counts.length; j++, index++, b++) {
      const count = counts[b]!;
      if (count === 0) continue;
      acc.seen = true;
      const upperAbs = bucketBound(index, h.schema, h.customValues);
      const lowerAbs = bucketBound(index - 1, h.schema, h.customValues);
      trimBucket(positive ? lowerAbs : -upperAbs, positive ? upperAbs : -lowerAbs, count, x, keepBelow, positive, custom);
      acc.count += part.keep;
      acc.sum += part.mid * part.keep;
      if (count !== part.keep) {
        counts[b] = part.keep;
        acc.trimmed = true;
      }
    }
  }
}

function trimBucket(lower: number, upper: number, count: number, x: number, keepBelow: boolean, positive: boolean, linear: boolean): void {
  const keepAll = keepBelow ? upper <= x : lower >= x;
  const containsCut = keepBelow ? lower < x : upper > x;
  if (keepAll) {
    part.keep = count;
    part.mid = midpoint(lower, upper, positive, linear);
  } else if (!containsCut) {
    part.keep = 0;
    part.mid = 0;
  } else if (lower === -Infinity || upper === Infinity) {
    trimInfiniteBucket(lower, upper, count, x, keepBelow);
  } else {
    const below = x <= lower ? 0 : x >= upper ? count : count * fractionBelow(lower, upper, x, linear);
    if (keepBelow) {
      part.keep = below;
      part.mid = midpoint(lower, x, positive, linear);
    } else {
      part.keep = count - below;
      part.mid = midpoint(x, upper, positive, linear);
    }
  }
}

/**
 * A bucket reaching to -Inf or +Inf (only the first and last custom buckets) that contains the
 * cut: nothing is known about where inside the infinite part its observations lie, so it is
 * kept or dropped whole, except that a first bucket with a positive upper bound is taken to
 * start at 0 and split linearly, as Prometheus does (`handleInfinityBuckets`).
 */
function trimInfiniteBucket(lower: number, upper: number, count: number, x: number, keepBelow: boolean): void {
  if (lower === -Infinity) {
    if (keepBelow) {
      if (x >= upper) return keep(count, 0);
      if (x > 0 && upper > 0 && upper !== Infinity) return keep((count * x) / upper, x / 2);
      if (upper <= 0) return keep(count, x);
      return keep(0, finiteOrZero(upper));
    }
    if (x <= lower) return keep(count, 0);
    if (x >= 0 && upper > x && upper !== Infinity) return keep(count * (1 - x / upper), (x + upper) / 2);
    return keep(0, finiteOrZero(upper));
  }
  if (keepBelow) return keep(0, finiteOrZero(lower));
  if (x >= lower) return keep(count, x);
  return keep(0, finiteOrZero(lower));
}

function keep(count: number, mid: number): void {
  part.keep = count;
  part.mid = mid;
}

function finiteOrZero(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** The zero bucket `[-threshold, threshold]`, narrowed to the side that has buckets when only one does. */
function trimZeroBucket(h: FloatHistogram, x: number, hasNegative: boolean, hasPositive: boolean, keepBelow: boolean): number {
  let lower = -h.zeroThreshold;
  let upper = h.zeroThreshold;
  if (hasNegative && !hasPositive) upper = 0;
  if (hasPositive && !hasNegative) lower = 0;
  const count = h.zeroCount;
  if (keepBelow) {
    if (x <= lower) return zeroPart(0, 0);
    if (x >= upper) return zeroPart(count, (lower + upper) / 2);
    return zeroPart((count * (x - lower)) / (upper - lower), (lower + x) / 2);
  }
  if (x <= lower) return zeroPart(count, (lower + upper) / 2);
  if (x >= upper) return zeroPart(0, 0);
  return zeroPart((count * (upper - x)) / (upper - lower), (x + upper) / 2);
}

function zeroPart(count: number, mid: number): number {
  part.keep = count;
  part.mid = mid;
  return count;
}

/**
 * Share of the bucket `(lower, upper)` at or below `v` (inside it): linear, or linear in log2 of
 * the absolute values for exponential buckets, mirrored on the negative side (`FractionBelow`).
 */
function fractionBelow(lower: number, upper: number, v: number, linear: boolean): number {
  if (linear) return (v - lower) / (upper - lower);
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

/** Where the observations of a surviving interval are assumed to lie, for the recomputed sum. */
function midpoint(lower: number, upper: number, positive: boolean, linear: boolean): number {
  if (lower === Infinity || lower === -Infinity) {
    if (upper === Infinity || upper === -Infinity) return 0;
    return upper > 0 ? upper / 2 : upper;
  }
  if (upper === Infinity || upper === -Infinity) return lower;
  if (linear) return (lower + upper) / 2;
  const geometricMean = Math.sqrt(Math.abs(lower * upper));
  return positive ? geometricMean : -geometricMean;
}
