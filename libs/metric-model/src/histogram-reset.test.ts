import { describe, expect, it } from 'vitest';
import {
  continuesWithoutReset,
  counterResetHintOnAppend,
  CUSTOM_BUCKETS_SCHEMA,
  RESET_HINT_GAUGE,
  RESET_HINT_NO,
  RESET_HINT_UNKNOWN,
  RESET_HINT_YES,
  STALE_NAN,
  type NativeHistogram,
} from '#pharos/metric-model';

interface Spec {
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  /** Flat `[offset, length, …]` and the absolute counts of the positive side. */
  pos?: number[];
  posCounts?: number[];
  neg?: number[];
  negCounts?: number[];
  customValues?: number[];
  resetHint?: number;
  isInteger?: boolean;
  sum?: number;
}

function h(spec: Spec): NativeHistogram {
  const posCounts = spec.posCounts ?? [];
  const negCounts = spec.negCounts ?? [];
  const zeroCount = spec.zeroCount ?? 0;
  return {
    isInteger: spec.isInteger ?? true,
    schema: spec.schema ?? 0,
    zeroThreshold: spec.zeroThreshold ?? 1e-128,
    zeroCount,
    count: zeroCount + [...posCounts, ...negCounts].reduce((a, b) => a + b, 0),
    sum: spec.sum ?? 1,
    positiveSpans: Int32Array.from(spec.pos ?? []),
    positiveCounts: Float64Array.from(posCounts),
    negativeSpans: Int32Array.from(spec.neg ?? []),
    negativeCounts: Float64Array.from(negCounts),
    resetHint: spec.resetHint ?? RESET_HINT_UNKNOWN,
    customValues: Float64Array.from(spec.customValues ?? []),
  };
}

const base: Spec = { zeroCount: 1, pos: [0, 2, 2, 1], posCounts: [1, 2, 3], neg: [-1, 1], negCounts: [4] };

describe('continuesWithoutReset (Prometheus HistogramAppender.appendable)', () => {
  it('continues when nothing decreased in one layout', () => {
    expect(continuesWithoutReset(h(base), h(base))).toBe(true);
    expect(continuesWithoutReset(h(base), h({ ...base, zeroCount: 2, posCounts: [1, 5, 3], negCounts: [9] }))).toBe(true);
  });

  it('does not continue when the count, the zero count or any bucket decreased', () => {
    expect(continuesWithoutReset(h(base), h({ ...base, posCounts: [1, 1, 3] }))).toBe(false);
    expect(continuesWithoutReset(h(base), h({ ...base, negCounts: [3] }))).toBe(false);
    // The zero count fell while the total grew.
    expect(continuesWithoutReset(h(base), h({ ...base, zeroCount: 0, posCounts: [1, 2, 9] }))).toBe(false);
    const fewer = { ...h(base), count: 1 };
    expect(continuesWithoutReset(h(base), fewer)).toBe(false);
  });

  it('accepts new buckets in a different span layout and compares the common ones by index', () => {
    // base positive buckets: 0, 1, 4. Now 0, 1, 2, 3, 4 in one span, and a new one at 7.
    const wider = h({ ...base, pos: [0, 5, 2, 1], posCounts: [1, 2, 0, 0, 3, 1] });
    expect(continuesWithoutReset(h(base), wider)).toBe(true);
    const shrunk = h({ ...base, pos: [0, 5, 2, 1], posCounts: [1, 2, 0, 0, 2, 1] });
    expect(continuesWithoutReset(h(base), shrunk)).toBe(false);
  });

  it('does not continue when a populated bucket disappeared, but does when an empty one did', () => {
    // Bucket 4 is gone; a new bucket 7 keeps the total growing.
    expect(continuesWithoutReset(h(base), h({ ...base, pos: [0, 2, 5, 1], posCounts: [1, 2, 9] }))).toBe(false);
    const withEmpty = h({ ...base, pos: [0, 3, 1, 1], posCounts: [1, 2, 0, 3] });
    expect(continuesWithoutReset(withEmpty, h(base))).toBe(true);
  });

  it('reads empty spans and negative offsets as Prometheus bucket iterators do', () => {
    // [-2,1] [3,0] [1,2]: buckets -2, then the empty span moves on by 3, then 3 and 4 (−1 + 3 + 1).
    const odd = h({ pos: [-2, 1, 3, 0, 1, 2], posCounts: [1, 2, 3] });
    const plain = h({ pos: [-2, 1, 4, 2], posCounts: [1, 2, 3] });
    expect(continuesWithoutReset(odd, plain)).toBe(true);
    expect(continuesWithoutReset(plain, odd)).toBe(true);
    expect(continuesWithoutReset(odd, h({ pos: [-2, 1, 5, 2], posCounts: [1, 2, 3] }))).toBe(false);
  });

  it('does not decide schema or zero-threshold changes, nor changed custom bounds', () => {
    expect(continuesWithoutReset(h(base), h({ ...base, schema: 1 }))).toBe(false);
    expect(continuesWithoutReset(h({ ...base, schema: 1 }), h(base))).toBe(false);
    expect(continuesWithoutReset(h(base), h({ ...base, zeroThreshold: 0.5 }))).toBe(false);
    const nhcb = (bounds: number[], counts: number[]): NativeHistogram =>
      h({ schema: CUSTOM_BUCKETS_SCHEMA, zeroThreshold: 0, customValues: bounds, pos: [0, counts.length], posCounts: counts });
    expect(continuesWithoutReset(nhcb([1, 5], [1, 1, 1]), nhcb([1, 5], [1, 2, 1]))).toBe(true);
    expect(continuesWithoutReset(nhcb([1, 5], [1, 1, 1]), nhcb([1, 6], [1, 2, 1]))).toBe(false);
  });

  it('never takes NaN for a decrease, as Go comparisons do not', () => {
    expect(continuesWithoutReset(h(base), h({ ...base, posCounts: [1, NaN, 3] }))).toBe(true);
    expect(continuesWithoutReset(h({ ...base, posCounts: [1, NaN, 3] }), h(base))).toBe(true);
  });
});

describe('counterResetHintOnAppend (what Prometheus reads back from its chunks)', () => {
  it('is "not a reset" for a counter histogram that continues its predecessor', () => {
    expect(counterResetHintOnAppend(h(base), h({ ...base, posCounts: [2, 2, 3] }))).toBe(RESET_HINT_NO);
    // The sender's hint does not matter, except gauge.
    expect(counterResetHintOnAppend(h(base), h({ ...base, resetHint: RESET_HINT_NO }))).toBe(RESET_HINT_NO);
  });

  it('is unknown for the first sample, after a reset, and after what starts a new chunk', () => {
    expect(counterResetHintOnAppend(undefined, h({ ...base, resetHint: RESET_HINT_NO }))).toBe(RESET_HINT_UNKNOWN);
    expect(counterResetHintOnAppend(h(base), h({ ...base, posCounts: [0, 0, 0] }))).toBe(RESET_HINT_UNKNOWN);
    // An explicit reset cuts a chunk whose first sample reads back unknown.
    expect(counterResetHintOnAppend(h(base), h({ ...base, resetHint: RESET_HINT_YES }))).toBe(RESET_HINT_UNKNOWN);
    expect(counterResetHintOnAppend(h({ ...base, resetHint: RESET_HINT_GAUGE }), h(base))).toBe(RESET_HINT_UNKNOWN);
    expect(counterResetHintOnAppend(h(base), h({ ...base, isInteger: false }))).toBe(RESET_HINT_UNKNOWN);
    expect(counterResetHintOnAppend(h({ ...base, sum: STALE_NAN }), h(base))).toBe(RESET_HINT_UNKNOWN);
    expect(counterResetHintOnAppend(h(base), h({ ...base, sum: STALE_NAN }))).toBe(RESET_HINT_UNKNOWN);
  });

  it('keeps gauge histograms gauge', () => {
    expect(counterResetHintOnAppend(undefined, h({ ...base, resetHint: RESET_HINT_GAUGE }))).toBe(RESET_HINT_GAUGE);
    expect(counterResetHintOnAppend(h(base), h({ ...base, posCounts: [0, 0, 0], resetHint: RESET_HINT_GAUGE }))).toBe(RESET_HINT_GAUGE);
  });
});
