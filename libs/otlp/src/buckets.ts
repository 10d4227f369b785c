/**
 * OTLP's dense bucket arrays → the sparse spans of a Prometheus native histogram, as
 * Prometheus' `convertBucketsLayout` lays them out (the layout of client_golang's
 * `makeBuckets`): a gap of more than two empty buckets starts a new span, shorter gaps are
 * filled with zero buckets, and the last bucket is always written. Counts come out absolute
 * (the form `NativeHistogram` holds), not delta-encoded.
 */

/** Growable scratch of int32 or float64 values, reused across data points. */
export class Scratch<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** A right-sized copy (what a histogram keeps). */
  copy(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * Lays out `counts[0, n)` into `spans`/`out` (both cleared first).
 *
 * @param offset index of `counts[0]` (OTLP `Buckets.offset`, or the first non-empty bucket
 *   of an explicit histogram).
 * @param scaleDown merge 2^scaleDown neighbouring buckets into one (OTLP scales above 8).
 * @param adjustOffset shift indexes by one: OTLP's exponential bucket `i` is `(base^i,
 *   base^(i+1)]`, Prometheus' is `(base^(i-1), base^i]`. False for custom buckets.
 */
export function layoutBuckets(
  counts: Float64Array,
  n: number,
  offset: number,
  scaleDown: number,
  adjustOffset: boolean,
  spans: Scratch<Int32Array>,
  out: Scratch<Float64Array>,
): void {
  spans.length = 0;
  out.length = 0;
  if (n === 0) return;
  // `>>` is an arithmetic shift, so negative indexes round down as Go's does.
  let bucketIdx = (offset >> scaleDown) + 1;
  let lastIdx = bucketIdx - 1;
  spans.push(adjustOffset ? (offset >> scaleDown) + 1 : offset);
  spans.push(0);
  let count = 0;
  const append = (): void => {
    const gap = bucketIdx - lastIdx - 1;
    if (gap > 2) {
      spans.push(gap);
      spans.push(0);
    } else {
      for (let g = 0; g < gap; g++) {
        out.push(0);
        spans.data[spans.length - 1]!++;
      }
    }
    out.push(count);
    spans.data[spans.length - 1]!++;
    lastIdx = bucketIdx;
  };
  for (let i = 0; i < n; i++) {
    const next = ((i + offset) >> scaleDown) + 1;
    if (next === bucketIdx) {
      count += counts[i]!;
      continue;
    }
    if (count !== 0) append();
    count = counts[i]!;
    bucketIdx = next;
  }
  append();
}
