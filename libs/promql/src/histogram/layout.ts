import { exponentialBound, targetIndex } from './bounds.js';
import { cloneSide, type BucketList, type ExpandedHistogram } from './expanded.js';

/**
 * Layout changes of expanded histograms, as Prometheus' `FloatHistogram` does them: merging
 * buckets into a lower schema, and widening the zero bucket (`zeroCountForLargerThreshold`,
 * `trimBucketsInZeroBucket`, `reconcileZeroBuckets`).
 */

/** Maps one side to a lower schema, adding up the buckets that merge (`reduceResolution`). */
export function reduceSide(side: BucketList, from: number, to: number): BucketList {
  if (from === to) return cloneSide(side);
  const idx: number[] = [];
  const cnt: number[] = [];
  for (let i = 0; i < side.idx.length; i++) {
    const t = targetIndex(side.idx[i]!, from, to);
    if (idx.length > 0 && idx[idx.length - 1] === t) {
      cnt[cnt.length - 1] = cnt[cnt.length - 1]! + side.cnt[i]!;
    } else {
      idx.push(t);
      cnt.push(side.cnt[i]!);
    }
  }
  return { idx, cnt };
}

/**
 * What `h`'s zero count would be with the larger threshold `t`; if `t` falls inside a populated
 * bucket, the threshold moves up to that bucket's upper bound (Prometheus'
 * `zeroCountForLargerThreshold`). Both sides are checked with absolute bucket bounds.
 */
export function zeroCountForLargerThreshold(h: ExpandedHistogram, larger: number): { count: number; threshold: number } {
  if (larger === h.zeroThreshold) return { count: h.zeroCount, threshold: larger };
  if (larger < h.zeroThreshold) {
    throw new RangeError(`new zero threshold ${larger} is less than the old threshold ${h.zeroThreshold}`);
  }
  for (;;) {
    let count = h.zeroCount;
    for (let i = 0; i < h.pos.idx.length; i++) {
      const lower = exponentialBound(h.pos.idx[i]! - 1, h.schema);
      if (lower >= larger) break;
      count += h.pos.cnt[i]!;
      if (exponentialBound(h.pos.idx[i]!, h.schema) > larger) {
        if (h.pos.cnt[i] !== 0) larger = exponentialBound(h.pos.idx[i]!, h.schema);
        break;
      }
    }
    let restart = false;
    for (let i = 0; i < h.neg.idx.length; i++) {
      const absUpper = exponentialBound(h.neg.idx[i]! - 1, h.schema);
      if (absUpper >= larger) break;
      count += h.neg.cnt[i]!;
      const absLower = exponentialBound(h.neg.idx[i]!, h.schema);
      if (absLower > larger) {
        // A populated negative bucket straddles the threshold: widen and redo the positive
        // side, whose treatment is invalid now.
        if (h.neg.cnt[i] !== 0) {
          larger = absLower;
          restart = true;
        }
        break;
      }
    }
    if (!restart) return { count, threshold: larger };
  }
}

/**
 * Drops the buckets now inside the zero bucket (their counts are already in the zero count),
 * then every empty bucket, as Prometheus does by calling `Compact(0)` here. A compensation
 * (Kahan) histogram in the same layout follows along; its dropped terms go to its zero count.
 */
function trimBucketsInZeroBucket(h: ExpandedHistogram, comp: ExpandedHistogram | undefined): void {
  for (const sideName of ['pos', 'neg'] as const) {
    const side = h[sideName];
    const cside = comp?.[sideName];
    let cut = 0;
    while (cut < side.idx.length && exponentialBound(side.idx[cut]! - 1, h.schema) < h.zeroThreshold) cut++;
    const idx: number[] = [];
    const cnt: number[] = [];
    const ccnt: number[] = [];
    for (let i = 0; i < side.idx.length; i++) {
      const c = i < cut ? 0 : side.cnt[i]!;
      const cc = cside ? cside.cnt[i]! : 0;
      if (i < cut && comp) comp.zeroCount += cc;
      if (c === 0 && (i < cut || cc === 0)) continue;
      idx.push(side.idx[i]!);
      cnt.push(c);
      ccnt.push(i < cut ? 0 : cc);
    }
    h[sideName] = { idx, cnt };
    if (comp) comp[sideName] = { idx: idx.slice(), cnt: ccnt };
  }
}

/** Widens the zero bucket of `h` and `other` to a common threshold; returns other's zero count. */
export function reconcileZeroBuckets(h: ExpandedHistogram, other: ExpandedHistogram, comp: ExpandedHistogram | undefined): number {
  let otherZeroCount = other.zeroCount;
  let otherThreshold = other.zeroThreshold;
  while (otherThreshold !== h.zeroThreshold) {
    if (h.zeroThreshold > otherThreshold) {
      const r = zeroCountForLargerThreshold(other, h.zeroThreshold);
      otherZeroCount = r.count;
      otherThreshold = r.threshold;
    }
    if (otherThreshold > h.zeroThreshold) {
      const r = zeroCountForLargerThreshold(h, otherThreshold);
      h.zeroCount = r.count;
      h.zeroThreshold = r.threshold;
      if (comp) comp.zeroThreshold = r.threshold;
      trimBucketsInZeroBucket(h, comp);
    }
  }
  return otherZeroCount;
}
