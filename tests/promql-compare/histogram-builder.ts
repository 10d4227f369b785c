import { CUSTOM_BUCKETS_SCHEMA, type NativeHistogram } from '#pharos/metric-model';

/**
 * Accumulates observations into native-histogram buckets (exponential schemas, or custom
 * bounds for schema -53) and snapshots them in the remote-write shape. Bucket indexes follow
 * Prometheus: at schema s, bucket i holds (2^((i-1)·2^-s), 2^(i·2^-s)]; a custom bucket i
 * holds (bound[i-1], bound[i]] with the last index the +Inf bucket.
 */
export class HistogramBuilder {
  private positive = new Map<number, number>();
  private negative = new Map<number, number>();
  private zeroCount = 0;
  private count = 0;
  private sum = 0;

  constructor(
    readonly schema: number,
    readonly zeroThreshold: number,
    /** Upper bounds of the custom buckets (schema -53), without +Inf. */
    readonly customBounds: readonly number[] = [],
  ) {
    if (schema === CUSTOM_BUCKETS_SCHEMA) {
      if (customBounds.length === 0) throw new Error('a custom-bucket histogram needs bounds');
      if (zeroThreshold !== 0) throw new Error('a custom-bucket histogram has no zero bucket');
    } else if (!(schema >= -4 && schema <= 8)) {
      throw new Error(`exponential schema must be in [-4, 8], got ${schema}`);
    }
  }

  observe(v: number, times = 1): void {
    this.count += times;
    this.sum += v * times;
    if (this.schema === CUSTOM_BUCKETS_SCHEMA) {
      let i = this.customBounds.findIndex((b) => v <= b);
      if (i < 0) i = this.customBounds.length;
      this.positive.set(i, (this.positive.get(i) ?? 0) + times);
      return;
    }
    if (Math.abs(v) <= this.zeroThreshold) {
      this.zeroCount += times;
      return;
    }
    const index = Math.ceil(Math.log2(Math.abs(v)) * 2 ** this.schema);
    const side = v > 0 ? this.positive : this.negative;
    side.set(index, (side.get(index) ?? 0) + times);
  }

  /** Forgets everything: a counter reset (process restart) or a new gauge reading. */
  reset(): void {
    this.positive.clear();
    this.negative.clear();
    this.zeroCount = 0;
    this.count = 0;
    this.sum = 0;
  }

  /** The current state; `float` writes float counts (scaled by `scale`) instead of integers. */
  snapshot(options: { resetHint?: number; float?: boolean; scale?: number } = {}): NativeHistogram {
    const scale = options.scale ?? 1;
    const pos = spansOf(this.positive, scale);
    const neg = spansOf(this.negative, scale);
    return {
      isInteger: !options.float,
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount * scale,
      count: this.count * scale,
      sum: this.sum * scale,
      positiveSpans: pos.spans,
      positiveCounts: pos.counts,
      negativeSpans: neg.spans,
      negativeCounts: neg.counts,
      resetHint: options.resetHint ?? 0,
      customValues: this.schema === CUSTOM_BUCKETS_SCHEMA ? Float64Array.from(this.customBounds) : new Float64Array(0),
    };
  }
}

/**
 * Spans over the non-empty buckets. A hole of one or two empty buckets is kept inside a span
 * (as Prometheus' own encoder does), a longer hole starts a new span; so the data set has both
 * layouts.
 */
function spansOf(buckets: Map<number, number>, scale: number): { spans: Int32Array; counts: Float64Array } {
  const indexes = [...buckets.keys()].filter((i) => buckets.get(i)! > 0).sort((a, b) => a - b);
  const spans: number[] = [];
  const counts: number[] = [];
  let last = 0;
  for (let k = 0; k < indexes.length; k++) {
    const i = indexes[k]!;
    if (k === 0) {
      spans.push(i, 1);
    } else if (i - last <= 3) {
      for (let j = last + 1; j < i; j++) counts.push(0);
      spans[spans.length - 1]! += i - last;
    } else {
      spans.push(i - last - 1, 1);
    }
    counts.push(buckets.get(i)! * scale);
    last = i;
  }
  return { spans: Int32Array.from(spans), counts: Float64Array.from(counts) };
}
