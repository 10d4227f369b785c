import { isStaleNaN } from './batch.js';
import { CUSTOM_BUCKETS_SCHEMA, RESET_HINT_GAUGE, RESET_HINT_NO, RESET_HINT_UNKNOWN, RESET_HINT_YES, type NativeHistogram } from './histogram.js';

/**
 * Whether counter histogram `cur` continues `prev` with certainly no counter reset in between,
 * by the rules Prometheus' TSDB applies when it appends a histogram to an open chunk
 * (`HistogramAppender.appendable`, `FloatHistogramAppender.appendable`): the same schema, zero
 * threshold and custom bounds; neither the count, the zero count nor any bucket decreased; no
 * populated bucket disappeared. New buckets may appear. A changed schema or zero threshold
 * answers `false` although it may not be a reset: Prometheus does not decide those cases
 * there either, and `false` only means "not known to continue".
 *
 * Comparisons are written as Prometheus writes them, so NaN counts never count as a decrease.
 * Counts are the absolute counts of {@link NativeHistogram}; nothing is allocated per bucket.
 */
export function continuesWithoutReset(prev: NativeHistogram, cur: NativeHistogram): boolean {
  if (cur.count < prev.count) return false;
  if (cur.schema !== prev.schema || cur.zeroThreshold !== prev.zeroThreshold) return false;
  if (cur.schema === CUSTOM_BUCKETS_SCHEMA && !boundsMatch(prev.customValues, cur.customValues)) return false;
  if (cur.zeroCount < prev.zeroCount) return false;
  return (
    sideContinues(prev.positiveSpans, prev.positiveCounts, cur.positiveSpans, cur.positiveCounts) &&
    sideContinues(prev.negativeSpans, prev.negativeCounts, cur.negativeSpans, cur.negativeCounts)
  );
}

/**
 * The counter-reset hint a store records for `cur` when it is appended right after `prev`
 * (the series' previous sample, `undefined` when there is none or it was not a histogram).
 *
 * Prometheus' TSDB ignores the hint a sender gave a counter histogram except to cut a chunk, and
 * reads back "not a reset" for every sample after the first of a chunk and "unknown" for the
 * first (`counterResetHint` in `tsdb/chunkenc`): a chunk starts at the first sample, after a
 * reset (explicit or detected), a gauge histogram, a stale marker, a change of schema or zero
 * threshold, or a switch between integer and float counts. This returns what Prometheus reads:
 * {@link RESET_HINT_NO} when `cur` continues `prev` ({@link continuesWithoutReset}),
 * {@link RESET_HINT_GAUGE} for a gauge histogram, and {@link RESET_HINT_UNKNOWN} otherwise,
 * which leaves the decision to the query engine. So a detected reset is recorded as unknown,
 * not as a reset: PromQL finds it again from the values, exactly as it does on Prometheus.
 */
export function counterResetHintOnAppend(prev: NativeHistogram | undefined, cur: NativeHistogram): number {
  if (cur.resetHint === RESET_HINT_GAUGE) return RESET_HINT_GAUGE;
  if (prev === undefined || cur.resetHint === RESET_HINT_YES) return RESET_HINT_UNKNOWN;
  if (prev.resetHint === RESET_HINT_GAUGE || prev.isInteger !== cur.isInteger) return RESET_HINT_UNKNOWN;
  // A staleness marker's buckets mean nothing, and after one Prometheus starts a new chunk.
  if (isStaleNaN(cur.sum) || isStaleNaN(prev.sum)) return RESET_HINT_UNKNOWN;
  return continuesWithoutReset(prev, cur) ? RESET_HINT_NO : RESET_HINT_UNKNOWN;
}

function boundsMatch(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One side's buckets: every bucket of `prev` is in `cur` with a count not below it, or had
 * count 0 (`expandIntSpansAndBuckets`). Spans are flat `[offset, length, …]`.
 */
function sideContinues(prevSpans: Int32Array, prevCounts: Float64Array, curSpans: Int32Array, curCounts: Float64Array): boolean {
  if (spansEqual(prevSpans, curSpans) && prevCounts.length === curCounts.length) {
    // The common case, consecutive samples of one layout: compare position by position.
    for (let i = 0; i < prevCounts.length; i++) if (prevCounts[i]! > curCounts[i]!) return false;
    return true;
  }
  // Walk both layouts in bucket-index order. A span's first bucket index is the sum of all
  // offsets so far plus the lengths of the spans before it (empty spans included).
  let cs = 0;
  let cLeft = 0;
  let cIdx = 0;
  let cNext = 0;
  let ci = -1;
  // Moves the cur cursor to its next bucket (`cIdx`, count at `ci`); false when none is left.
  const nextCur = (): boolean => {
    while (cLeft === 0) {
      if (cs >= curSpans.length) return false;
      cNext += curSpans[cs]!;
      cLeft = curSpans[cs + 1]!;
      cs += 2;
    }
    cIdx = cNext++;
    cLeft--;
    ci++;
    return true;
  };
  let cHas = nextCur();
  let pNext = 0;
  let pi = 0;
  for (let s = 0; s < prevSpans.length; s += 2) {
    pNext += prevSpans[s]!;
    const len = prevSpans[s + 1]!;
    for (let k = 0; k < len; k++, pi++) {
      const pIdx = pNext++;
      while (cHas && cIdx < pIdx) cHas = nextCur();
      const pc = prevCounts[pi]!;
      if (cHas && cIdx === pIdx) {
        if (pc > curCounts[ci]!) return false;
      } else if (pc !== 0) {
        return false;
      }
    }
  }
  return true;
}

function spansEqual(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
