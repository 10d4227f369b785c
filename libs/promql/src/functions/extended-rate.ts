import { RESET_HINT_GAUGE } from '#pharos/metric-model';
import type { PositionRange } from '../ast.js';
import type { Annotations, FloatHistogram, RangeWindow } from '../engine/values.js';
import {
  addHistograms,
  compactHistogram,
  divHistogramByScalar,
  IncompatibleHistogramSchemaError,
  scaleHistogram,
  subHistograms,
} from '../histogram/arithmetic.js';
import { isCustomBucketsSchema } from '../histogram/bounds.js';
import { detectHistogramReset } from '../histogram/reset.js';
import { Info, metricNameOf, Warning } from './annotations.js';
import type { RangeCallContext } from './contract.js';

/**
 * `rate`, `increase` and `delta` over Prometheus 3's extended range selectors
 * (`extendedRate` / `extendedHistogramRate` in `promql/functions.go`). The engine hands over a
 * window widened by the lookback delta — to the left for `anchored`, to both sides for
 * `smoothed` — and the range `(windowStart, windowEnd]` itself in the call context.
 *
 * - `anchored`: the left edge is the last sample at or before the range start (else the first
 *   sample in the range), the right edge the last sample in the range; no extrapolation.
 * - `smoothed`: both edges are linearly interpolated at the range boundaries from the samples
 *   around them (a counter that dropped between them is taken to have restarted from 0).
 *
 * The result is `right - left`, plus the value before every counter reset strictly inside the
 * range for counters, divided by the range for `rate`. Start timestamps are not stored by
 * Pharos, so Prometheus' start-timestamp reset handling never applies.
 */
export function extendedRate(w: RangeWindow, ctx: RangeCallContext, isCounter: boolean, isRate: boolean): number | FloatHistogram | undefined {
  const nF = w.floatTo - w.floatFrom;
  const nH = w.histTo - w.histFrom;
  const pos = ctx.call.args[0]?.pos;
  if (nF > 0 && nH > 0) {
    ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(w.labels)), pos);
    return undefined;
  }
  const smoothed = ctx.extended === 'smoothed';
  if (nH > 0) return histogramRate(w, ctx, isCounter, isRate, smoothed, pos);
  if (nF > 0) return floatRate(w, ctx, isCounter, isRate, smoothed);
  return undefined;
}

/**
 * Go's `sort.Search(last - from, …)` over `ts[from, last)`: the first index whose time is
 * after `t` (at or after `t` when `inclusive`), or `last` when there is none.
 */
function search(ts: Float64Array, from: number, last: number, t: number, inclusive: boolean): number {
  let lo = from;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = ts[mid]!;
    if (inclusive ? x >= t : x > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The indexes of the edge samples of the last `edges` call: module state rather than a returned
 * object, so that a rate over many windows allocates nothing per window.
 */
let edgeFirst = 0;
let edgeLast = 0;

/**
 * Finds the edge samples of an extended window `[from, to)` (`edgeFirst`, `edgeLast`); false when
 * the range holds nothing to measure: no sample after the range start, or (for the rate family,
 * `ratePrecondition`) a smoothed window whose samples all come after the range end.
 */
function edges(ts: Float64Array, from: number, to: number, rangeStart: number, rangeEnd: number, smoothed: boolean, ratePrecondition = true): boolean {
  const lastIndex = to - 1;
  // The most recent sample at or before the range start, else the first one.
  edgeFirst = Math.max(from, search(ts, from, lastIndex, rangeStart, false) - 1);
  // Smoothed: the first sample at or after the range end, else the last one.
  edgeLast = smoothed ? search(ts, from, lastIndex, rangeEnd, true) : lastIndex;
  if (ts[edgeLast]! <= rangeStart) return false;
  return !(ratePrecondition && smoothed && ts[edgeFirst]! > rangeEnd);
}

/**
 * Prometheus' `extendFloats`: an `anchored` or `smoothed` range selector evaluated on its own
 * (an instant query of `x[5m] anchored`) gives the samples strictly inside `(mint, maxt)`
 * framed by the edge values at `mint` and `maxt` (picked or interpolated, never as a counter).
 * `[from, to)` is the extended window of floats; empty when the range holds nothing.
 */
export function extendedWindowPoints(
  ts: Float64Array,
  v: Float64Array,
  from: number,
  to: number,
  mint: number,
  maxt: number,
  smoothed: boolean,
): { timestamps: Float64Array; values: Float64Array } {
  if (to === from || !edges(ts, from, to, mint, maxt, smoothed, false)) return { timestamps: new Float64Array(0), values: new Float64Array(0) };
  const first = edgeFirst;
  const last = edgeLast;
  const left = smoothed && ts[first]! < mint ? interpolate(ts[first]!, v[first]!, ts[first + 1]!, v[first + 1]!, mint, false) : v[first]!;
  const right = smoothed && last > from && ts[last]! > maxt ? interpolate(ts[last - 1]!, v[last - 1]!, ts[last]!, v[last]!, maxt, false) : v[last]!;
  const i0 = ts[first]! <= mint ? first + 1 : first;
  const i1 = ts[last]! >= maxt ? last - 1 : last;
  const inner = Math.max(i1 - i0 + 1, 0);
  const timestamps = new Float64Array(inner + 2);
  const values = new Float64Array(inner + 2);
  timestamps[0] = mint;
  values[0] = left;
  if (inner > 0) {
    timestamps.set(ts.subarray(i0, i1 + 1), 1);
    values.set(v.subarray(i0, i1 + 1), 1);
  }
  timestamps[inner + 1] = maxt;
  values[inner + 1] = right;
  return { timestamps, values };
}

/** Linear interpolation at `t`; a counter that dropped is taken to have restarted from 0. */
export function interpolate(t1: number, y1: number, t2: number, y2: number, t: number, isCounter: boolean): number {
  const from = isCounter && y2 < y1 ? 0 : y1;
  return from + ((y2 - from) * (t - t1)) / (t2 - t1);
}

function floatRate(w: RangeWindow, ctx: RangeCallContext, isCounter: boolean, isRate: boolean, smoothed: boolean): number | undefined {
  const ts = w.timestamps;
  const v = w.values;
  const rangeStart = ctx.windowStart;
  const rangeEnd = ctx.windowEnd;
  if (!edges(ts, w.floatFrom, w.floatTo, rangeStart, rangeEnd, smoothed)) return undefined;
  const first = edgeFirst;
  const last = edgeLast;
  const left = smoothed && ts[first]! < rangeStart ? interpolate(ts[first]!, v[first]!, ts[first + 1]!, v[first + 1]!, rangeStart, isCounter) : v[first]!;
  const right =
    smoothed && last > w.floatFrom && ts[last]! > rangeEnd
      ? interpolate(ts[last - 1]!, v[last - 1]!, ts[last]!, v[last]!, rangeEnd, isCounter)
      : v[last]!;
  let result = right - left;
  if (isCounter) {
    // Only the samples strictly inside the range: the edges already account for resets at the boundaries.
    const i0 = ts[first]! <= rangeStart ? first + 1 : first;
    const i1 = ts[last]! >= rangeEnd ? last - 1 : last;
    let prev = left;
    let correction = 0;
    for (let i = i0; i <= i1; i++) {
      const x = v[i]!;
      if (x < prev) correction += prev;
      prev = x;
    }
    if (right < prev) correction += prev;
    result += correction;
  }
  return isRate ? result / ((rangeEnd - rangeStart) / 1000) : result;
}

function histogramRate(
  w: RangeWindow,
  ctx: RangeCallContext,
  isCounter: boolean,
  isRate: boolean,
  smoothed: boolean,
  pos: PositionRange | undefined,
): FloatHistogram | undefined {
  const ts = w.histTimestamps;
  const hs = w.histograms;
  const rangeStart = ctx.windowStart;
  const rangeEnd = ctx.windowEnd;
  if (!edges(ts, w.histFrom, w.histTo, rangeStart, rangeEnd, smoothed)) return undefined;
  const first = edgeFirst;
  const last = edgeLast;
  const annotations = ctx.annotations;
  const name = (): string => metricNameOf(w.labels);
  const custom = isCustomBucketsSchema(hs[first]!.schema);
  for (let i = first; i <= last; i++) {
    const h = hs[i]!;
    if (isCustomBucketsSchema(h.schema) !== custom) {
      annotations.warn(Warning.mixedExponentialCustom(name()), pos);
      return undefined;
    }
    if (isCounter && h.resetHint === RESET_HINT_GAUGE) annotations.warn(Warning.nativeHistogramNotCounter(name()), pos);
  }
  try {
    const left =
      smoothed && ts[first]! < rangeStart
        ? interpolateHistograms(hs[first]!, ts[first]!, hs[first + 1]!, ts[first + 1]!, rangeStart, isCounter, annotations, pos)
        : hs[first]!;
    const right =
      smoothed && last > w.histFrom && ts[last]! > rangeEnd
        ? interpolateHistograms(hs[last - 1]!, ts[last - 1]!, hs[last]!, ts[last]!, rangeEnd, isCounter, annotations, pos)
        : hs[last]!;
    if (!isCounter && (left.resetHint !== RESET_HINT_GAUGE || right.resetHint !== RESET_HINT_GAUGE)) {
      annotations.warn(Warning.nativeHistogramNotGauge(name()), pos);
    }
    let result = combine(right, left, true, annotations, pos);
    if (isCounter) {
      const correction = counterCorrection(hs, ts, first, last, left, right, rangeStart, smoothed, annotations, pos);
      if (correction !== undefined) result = combine(result, correction, false, annotations, pos);
    }
    if (isRate) result = divHistogramByScalar(result, (rangeEnd - rangeStart) / 1000);
    return { ...compactHistogram(result), resetHint: RESET_HINT_GAUGE };
  } catch (err) {
    if (err instanceof IncompatibleHistogramSchemaError) {
      annotations.warn(Warning.mixedExponentialCustom(name()), pos);
      return undefined;
    }
    throw err;
  }
}

/** `a + b` or `a - b`, with the info Prometheus gives when custom bounds had to be reconciled. */
function combine(a: FloatHistogram, b: FloatHistogram, subtract: boolean, annotations: Annotations, pos: PositionRange | undefined): FloatHistogram {
  const r = subtract ? subHistograms(a, b) : addHistograms(a, b);
  if (r.boundsReconciled) annotations.info(Info.mismatchedCustomBuckets(subtract ? 'subtraction' : 'addition'), pos);
  return r.histogram;
}

/**
 * The histogram at `t` between `h1` at `t1` and `h2` at `t2` (Prometheus' `interpolateHistograms`):
 * `h1 + (h2 - h1) · fraction`, or `h2 · fraction` when `h2` is a counter reset after `h1`. The
 * result keeps `h2`'s reset hint (as Prometheus' copy of `h2` does), which the reset
 * correction then sees at the right edge. Throws `IncompatibleHistogramSchemaError` when one
 * uses custom buckets and the other does not.
 */
export function interpolateHistograms(
  h1: FloatHistogram,
  t1: number,
  h2: FloatHistogram,
  t2: number,
  t: number,
  isCounter: boolean,
  annotations: Annotations,
  pos: PositionRange | undefined,
): FloatHistogram {
  if (t === t1) return h1;
  if (t === t2) return h2;
  const fraction = (t - t1) / (t2 - t1);
  if (isCounter && detectHistogramReset(h1, h2)) return scaleHistogram(h2, fraction);
  const diff = combine(h2, h1, true, annotations, pos);
  return combine(scaleHistogram(diff, fraction), h1, false, annotations, pos);
}

/**
 * Prometheus' `correctForCounterResetsHistogram`: the sum of the histograms before each reset
 * between the edges. The samples at the edges are represented by `left` and `right`; when the
 * smoothed left edge was interpolated across a reset, that reset is already accounted for.
 */
function counterCorrection(
  hs: readonly FloatHistogram[],
  ts: Float64Array,
  first: number,
  last: number,
  left: FloatHistogram,
  right: FloatHistogram,
  rangeStart: number,
  smoothed: boolean,
  annotations: Annotations,
  pos: PositionRange | undefined,
): FloatHistogram | undefined {
  let from = first + 1;
  let prev = left;
  if (smoothed && ts[first]! < rangeStart && detectHistogramReset(hs[first]!, hs[first + 1]!)) {
    prev = hs[first + 1]!;
    from++;
  }
  // The last sample is `right` (or what it was interpolated towards): its own hint must not count twice.
  const to = last - 1;
  if (from > to + 1) return undefined;
  let correction: FloatHistogram | undefined;
  const add = (h: FloatHistogram): void => {
    correction = correction === undefined ? h : combine(correction, h, false, annotations, pos);
  };
  for (let i = from; i <= to; i++) {
    const h = hs[i]!;
    if (detectHistogramReset(prev, h)) add(prev);
    prev = h;
  }
  if (detectHistogramReset(prev, right)) add(prev);
  return correction;
}
