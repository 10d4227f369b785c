import type { FloatHistogram } from '../engine/values.js';
import { CUSTOM_BUCKETS_SCHEMA } from './bounds.js';

/**
 * The working form of a histogram inside the arithmetic: one side's buckets as parallel arrays
 * of absolute bucket indexes (strictly increasing) and counts. Spans are an encoding detail of
 * the stored form; arithmetic on index lists is simpler and gives the same buckets as
 * Prometheus' span surgery (`addBuckets`), which only differs in how spans are split.
 */
export interface BucketList {
  idx: number[];
  cnt: number[];
}

export interface ExpandedHistogram {
  resetHint: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  pos: BucketList;
  neg: BucketList;
  customValues: Float64Array;
}

const EMPTY_SPANS = new Int32Array(0);
const EMPTY_COUNTS = new Float64Array(0);

/** Reads one side's spans/counts into index lists; zero-count buckets are kept. */
export function expandSide(spans: Int32Array, counts: Float64Array): BucketList {
  const idx: number[] = new Array(counts.length);
  const cnt: number[] = new Array(counts.length);
  let index = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s += 2) {
    index += spans[s]!;
    const length = spans[s + 1]!;
    for (let j = 0; j < length; j++) {
      if (b >= counts.length) {
        throw new RangeError(`histogram spans describe more buckets than the ${counts.length} given`);
      }
      idx[b] = index;
      cnt[b] = counts[b]!;
      b++;
      index++;
    }
  }
  if (b !== counts.length) {
    throw new RangeError(`histogram spans describe ${b} buckets but ${counts.length} are given`);
  }
  return { idx, cnt };
}

export function expand(h: FloatHistogram): ExpandedHistogram {
  return {
    resetHint: h.resetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    pos: expandSide(h.positiveSpans, h.positiveCounts),
    neg: expandSide(h.negativeSpans, h.negativeCounts),
    customValues: h.customValues,
  };
}

/**
 * Encodes index lists as spans: one span per run of consecutive indexes. With `dropEmpty`,
 * zero-count buckets are left out first, which is exactly Prometheus' `Compact(0)`.
 */
export function collapseSide(side: BucketList, dropEmpty: boolean): { spans: Int32Array; counts: Float64Array } {
  let n = 0;
  for (let i = 0; i < side.cnt.length; i++) if (!dropEmpty || side.cnt[i] !== 0) n++;
  if (n === 0) return { spans: EMPTY_SPANS, counts: EMPTY_COUNTS };
  const counts = new Float64Array(n);
  const spans: number[] = [];
  let prevIdx = 0;
  let k = 0;
  let spanLenPos = -1;
  for (let i = 0; i < side.cnt.length; i++) {
    const c = side.cnt[i]!;
    if (dropEmpty && c === 0) continue;
    const index = side.idx[i]!;
    if (spanLenPos >= 0 && index === prevIdx + 1) {
      spans[spanLenPos]!++;
    } else {
      spans.push(spanLenPos < 0 ? index : index - prevIdx - 1, 1);
      spanLenPos = spans.length - 1;
    }
    counts[k++] = c;
    prevIdx = index;
  }
  return { spans: Int32Array.from(spans), counts };
}

export function collapse(e: ExpandedHistogram, dropEmpty: boolean): FloatHistogram {
  const pos = collapseSide(e.pos, dropEmpty);
  const custom = e.schema === CUSTOM_BUCKETS_SCHEMA;
  const neg = custom ? { spans: EMPTY_SPANS, counts: EMPTY_COUNTS } : collapseSide(e.neg, dropEmpty);
  return {
    isInteger: false,
    schema: e.schema,
    zeroThreshold: custom ? 0 : e.zeroThreshold,
    zeroCount: custom ? 0 : e.zeroCount,
    count: e.count,
    sum: e.sum,
    positiveSpans: pos.spans,
    positiveCounts: pos.counts,
    negativeSpans: neg.spans,
    negativeCounts: neg.counts,
    resetHint: e.resetHint,
    customValues: custom ? e.customValues : EMPTY_COUNTS,
  };
}

export function cloneSide(side: BucketList): BucketList {
  return { idx: side.idx.slice(), cnt: side.cnt.slice() };
}
