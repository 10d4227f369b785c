import type { FloatHistogram } from '../engine/values.js';
import { bucketBound, isCustomBucketsSchema } from './bounds.js';

/** One bucket with its bounds, as Prometheus' `histogram.Bucket[float64]`. */
export interface HistogramBucket {
  readonly lower: number;
  readonly upper: number;
  readonly lowerInclusive: boolean;
  readonly upperInclusive: boolean;
  readonly count: number;
  /** Bucket index within the schema; 0 for the zero bucket. */
  readonly index: number;
}

/**
 * All buckets from the lowest value to the highest (Prometheus' `AllBucketIterator`), or from
 * the highest down (`AllReverseBucketIterator`): negative buckets, the zero bucket when its
 * count is above 0, positive buckets. Empty buckets present in the spans are included. A bucket
 * reaching into the zero bucket is clamped at the zero threshold.
 */
export function histogramBuckets(h: FloatHistogram, descending = false): HistogramBucket[] {
  const out: HistogramBucket[] = [];
  const neg = sideBuckets(h, false);
  const pos = sideBuckets(h, true);
  const zero: HistogramBucket | undefined =
    h.zeroCount > 0
      ? {
          lower: -h.zeroThreshold,
          upper: h.zeroThreshold,
          lowerInclusive: true,
          upperInclusive: true,
          count: h.zeroCount,
          index: 0,
        }
      : undefined;
  if (!descending) {
    for (let i = neg.length - 1; i >= 0; i--) out.push(clampToZeroBucket(neg[i]!, h.zeroThreshold));
    if (zero) out.push(zero);
    for (const b of pos) out.push(clampToZeroBucket(b, h.zeroThreshold));
  } else {
    for (let i = pos.length - 1; i >= 0; i--) out.push(clampToZeroBucket(pos[i]!, h.zeroThreshold));
    if (zero) out.push(zero);
    for (const b of neg) out.push(clampToZeroBucket(b, h.zeroThreshold));
  }
  return out;
}

/**
 * One side's buckets ordered by absolute value (Prometheus' `PositiveBucketIterator` /
 * `NegativeBucketIterator`).
 */
export function sideBuckets(h: FloatHistogram, positive: boolean): HistogramBucket[] {
  const spans = positive ? h.positiveSpans : h.negativeSpans;
  const counts = positive ? h.positiveCounts : h.negativeCounts;
  const custom = isCustomBucketsSchema(h.schema);
  const out: HistogramBucket[] = [];
  let index = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s += 2) {
    index += spans[s]!;
    const length = spans[s + 1]!;
    for (let j = 0; j < length && b < counts.length; j++, index++, b++) {
      const upperAbs = bucketBound(index, h.schema, h.customValues);
      const lowerAbs = bucketBound(index - 1, h.schema, h.customValues);
      const lower = positive ? lowerAbs : -upperAbs;
      const upper = positive ? upperAbs : -lowerAbs;
      out.push({
        lower,
        upper,
        lowerInclusive: custom ? index === 0 : lower < 0,
        upperInclusive: custom ? true : upper > 0,
        count: counts[b]!,
        index,
      });
    }
  }
  return out;
}

function clampToZeroBucket(b: HistogramBucket, zeroThreshold: number): HistogramBucket {
  if (b.upper < 0 && b.upper > -zeroThreshold) return { ...b, upper: -zeroThreshold };
  if (b.lower > 0 && b.lower < zeroThreshold) return { ...b, lower: zeroThreshold };
  return b;
}

/**
 * Prometheus' boundary rule of a bucket in the API's histogram JSON: 0 left-open
 * `(lower, upper]`, 1 right-open `[lower, upper)`, 2 open `(lower, upper)`, 3 closed.
 */
export type BoundaryRule = 0 | 1 | 2 | 3;

export type HistogramBucketTuple = readonly [BoundaryRule, number, number, number];

/**
 * The `buckets` of Prometheus' histogram JSON: `[boundary_rule, lower, upper, count]` for every
 * populated bucket in ascending order (the API renders the numbers as strings).
 */
export function histogramBucketTuples(h: FloatHistogram): HistogramBucketTuple[] {
  const out: HistogramBucketTuple[] = [];
  for (const b of histogramBuckets(h)) {
    if (b.count === 0) continue;
    let rule: BoundaryRule = 2;
    if (b.lowerInclusive) rule = b.upperInclusive ? 3 : 1;
    else if (b.upperInclusive) rule = 0;
    out.push([rule, b.lower, b.upper, b.count]);
  }
  return out;
}
