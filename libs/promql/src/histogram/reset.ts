import type { FloatHistogram } from '../engine/values.js';
import { continuesWithoutReset, RESET_HINT_NO, RESET_HINT_YES } from '#pharos/metric-model';
import { exponentialBound, isCustomBucketsSchema } from './bounds.js';
import { floatsMatch, intersectBounds, remapCustomSide } from './arithmetic.js';
import { reduceSide, zeroCountForLargerThreshold } from './layout.js';
import { expand, type BucketList } from './expanded.js';

/**
 * Whether `cur` follows a counter reset after `prev`, as Prometheus' `DetectReset`: the reset
 * hint decides when it is "reset" or "not reset"; otherwise a reset is any decrease of the
 * count, the zero count or a bucket, a populated bucket that disappeared, a higher resolution,
 * a smaller zero threshold. A lower resolution or a wider zero bucket alone is not a reset:
 * `prev` is compared after merging its buckets the same way. Changed custom bounds are compared
 * on the bounds both have (`detectResetWithMismatchedCustomBounds`).
 */
export function detectHistogramReset(prev: FloatHistogram, cur: FloatHistogram): boolean {
  if (cur.resetHint === RESET_HINT_YES) return true;
  if (cur.resetHint === RESET_HINT_NO) return false;
  if (cur.count < prev.count) return true;
  // Fast path for the common case, consecutive samples of one schema where nothing decreased
  // (the check the store's write path makes): certainly no reset, and no need to expand both
  // histograms. Anything else goes the full way, as a decrease inside the zero bucket or a
  // lower resolution is not a reset here.
  if (continuesWithoutReset(prev, cur)) return false;
  const curCustom = isCustomBucketsSchema(cur.schema);
  if (curCustom !== isCustomBucketsSchema(prev.schema)) return true;
  if (curCustom && !floatsMatch(cur.customValues, prev.customValues)) return mismatchedCustomBoundsReset(prev, cur);
  if (cur.schema > prev.schema) return true;
  if (cur.zeroThreshold < prev.zeroThreshold) return true;
  const p = expand(prev);
  const c = expand(cur);
  if (!curCustom) {
    const widened = zeroCountForLargerThreshold(p, cur.zeroThreshold);
    // The new threshold cuts through a populated bucket of prev: only a reset can do that.
    if (widened.threshold !== cur.zeroThreshold) return true;
    if (cur.zeroCount < widened.count) return true;
  }
  const start = curCustom ? 0 : cur.zeroThreshold;
  if (sideReset(skipBelow(c.pos, c.schema, start, curCustom), skipBelow(reduceSide(p.pos, p.schema, c.schema), c.schema, start, curCustom))) {
    return true;
  }
  return sideReset(skipBelow(c.neg, c.schema, start, curCustom), skipBelow(reduceSide(p.neg, p.schema, c.schema), c.schema, start, curCustom));
}

/**
 * Custom bounds that changed: a reset when the counts, rolled up onto the bounds both
 * histograms have (and +Inf), decreased in any of those segments.
 */
function mismatchedCustomBoundsReset(prev: FloatHistogram, cur: FloatHistogram): boolean {
  const common = intersectBounds(cur.customValues, prev.customValues);
  const c = remapCustomSide(expand(cur).pos, cur.customValues, common);
  const p = remapCustomSide(expand(prev).pos, prev.customValues, common);
  const sums = new Float64Array(common.length + 1);
  for (let i = 0; i < p.idx.length; i++) sums[p.idx[i]!] = sums[p.idx[i]!]! + p.cnt[i]!;
  const curSums = new Float64Array(common.length + 1);
  for (let i = 0; i < c.idx.length; i++) curSums[c.idx[i]!] = curSums[c.idx[i]!]! + c.cnt[i]!;
  for (let k = 0; k < sums.length; k++) if (curSums[k]! < sums[k]!) return true;
  return false;
}

/** Leading buckets whose upper bound is ≤ the zero threshold are inside the zero bucket. */
function skipBelow(side: BucketList, schema: number, start: number, custom: boolean): BucketList {
  if (custom || start === 0) return side;
  let k = 0;
  while (k < side.idx.length && exponentialBound(side.idx[k]!, schema) <= start) k++;
  return k === 0 ? side : { idx: side.idx.slice(k), cnt: side.cnt.slice(k) };
}

function sideReset(cur: BucketList, prev: BucketList): boolean {
  let j = 0;
  for (let i = 0; i < prev.idx.length; i++) {
    const pi = prev.idx[i]!;
    while (j < cur.idx.length && cur.idx[j]! < pi) j++;
    if (j < cur.idx.length && cur.idx[j] === pi) {
      if (cur.cnt[j]! < prev.cnt[i]!) return true;
    } else if (prev.cnt[i] !== 0) {
      return true;
    }
  }
  return false;
}
