/**
 * Median and MAD of the last `capacity` values.
 *
 * Why a bounded window rather than P² estimators: P² tracks quantiles of the
 * whole history, so after a level shift its median never catches up, and a
 * MAD needs the median of |x − median| which P² cannot give without a second
 * pass. A window of fixed size W forgets at a known rate and gives exact
 * values. Each update is O(W) with a small constant (binary search, one
 * `copyWithin` of a typed array, and a two-pointer merge for the MAD); W is a
 * constant of the detector, so the cost per point and the memory are O(1) in
 * the length of the series.
 */
export class RollingMedian {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private size = 0;
  // Tracked apart from `size` because during a push the sorted copy briefly holds one value fewer.
  private sortedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer: ${capacity}`);
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.capacity) {
      this.removeSorted(this.ring[this.head]!);
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.ring[(this.head + this.size) % this.capacity] = value;
      this.size++;
    }
    this.insertSorted(value);
  }

  /** Median of the window; NaN when empty. */
  median(): number {
    const n = this.size;
    if (n === 0) return Number.NaN;
    const s = this.sorted;
    return n % 2 === 1 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
  }

  /**
   * Median absolute deviation from `center`. Deviations left of the center,
   * read right to left, and those right of it, read left to right, are each
   * ascending, so merging them finds the middle ones without sorting.
   */
  mad(center: number): number {
    const n = this.size;
    if (n === 0) return Number.NaN;
    const s = this.sorted;
    let right = this.lowerBound(center);
    let left = right - 1;
    const lo = (n - 1) >> 1;
    const hi = n >> 1;
    let a = 0;
    let b = 0;
    for (let k = 0; k <= hi; k++) {
      const dl = left >= 0 ? center - s[left]! : Number.POSITIVE_INFINITY;
      const dr = right < n ? s[right]! - center : Number.POSITIVE_INFINITY;
      let d: number;
      if (dl <= dr) {
        d = dl;
        left--;
      } else {
        d = dr;
        right++;
      }
      if (k === lo) a = d;
      if (k === hi) b = d;
    }
    return (a + b) / 2;
  }

  /** The window's values, oldest first (for snapshots). */
  values(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.ring[(this.head + i) % this.capacity]!);
    return out;
  }

  /** Replaces the window with `values`, oldest first; only the newest `capacity` are kept. */
  load(values: readonly number[]): void {
    this.head = 0;
    this.size = 0;
    this.sortedCount = 0;
    for (const v of values.slice(-this.capacity)) this.push(v);
  }

  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.sortedCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertSorted(value: number): void {
    const at = this.lowerBound(value);
    this.sorted.copyWithin(at + 1, at, this.sortedCount);
    this.sorted[at] = value;
    this.sortedCount++;
  }

  private removeSorted(value: number): void {
    const at = this.lowerBound(value);
    this.sorted.copyWithin(at, at + 1, this.sortedCount);
    this.sortedCount--;
  }
}
