/**
 * First index `i` with `sorted[i] >= t` (`sorted.length` when there is none): where a time
 * range starts in a series' ascending timestamps. Results, caches and encoders all cut
 * series at a time, so they share this one binary search.
 */
export function lowerBound(sorted: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
