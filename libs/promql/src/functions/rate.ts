import { CUSTOM_BUCKETS_SCHEMA, RESET_HINT_GAUGE } from '#pharos/metric-model';
import type { Annotations, FloatHistogram, RangeWindow } from '../engine/values.js';
import type { Labels } from '#pharos/metric-model';
import type { PositionRange } from '../ast.js';
import type { RangeCallContext, RangeFunctionImpl } from './contract.js';
import {
  addHistograms,
  compactHistogram,
  divHistogramByScalar,
  IncompatibleHistogramSchemaError,
  reduceResolution,
  scaleHistogram,
  subHistograms,
} from '../histogram/arithmetic.js';
import { isCustomBucketsSchema } from '../histogram/bounds.js';
import { detectHistogramReset } from '../histogram/reset.js';
import { Info, metricNameOf, Warning } from './annotations.js';
import { extendedRate } from './extended-rate.js';

/**
 * The rate family: `rate`, `increase`, `delta` (Prometheus' `extrapolatedRate`), `irate`,
 * `idelta` (`instantValue`), over floats and native histograms.
 */

function extrapolatedRate(
  w: RangeWindow,
  ctx: RangeCallContext,
  isCounter: boolean,
  isRate: boolean,
): number | FloatHistogram | undefined {
  const nF = w.floatTo - w.floatFrom;
  const nH = w.histTo - w.histFrom;
  // Prometheus reports these at the range argument; the metric name is looked up only when one is emitted.
  const pos = ctx.call.args[0]?.pos;
  if (nF > 0 && nH > 0) {
    ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(w.labels)), pos);
    return undefined;
  }
  let resultFloat = 0;
  let resultHistogram: FloatHistogram | undefined;
  let firstT: number;
  let lastT: number;
  let numSamplesMinusOne: number;
  if (nH > 1) {
    numSamplesMinusOne = nH - 1;
    firstT = w.histTimestamps[w.histFrom]!;
    lastT = w.histTimestamps[w.histTo - 1]!;
    resultHistogram = histogramRate(w.histograms.slice(w.histFrom, w.histTo), isCounter, w.labels, pos, ctx.annotations);
    if (!resultHistogram) return undefined;
  } else if (nF > 1) {
    numSamplesMinusOne = nF - 1;
    firstT = w.timestamps[w.floatFrom]!;
    lastT = w.timestamps[w.floatTo - 1]!;
    const v = w.values;
    resultFloat = v[w.floatTo - 1]! - v[w.floatFrom]!;
    if (isCounter) {
      // Each decrease is a reset: the counter restarted from 0 and the value before the drop
      // was lost from the difference.
      for (let i = w.floatFrom + 1; i < w.floatTo; i++) {
        if (v[i]! < v[i - 1]!) resultFloat += v[i - 1]!;
      }
    }
  } else {
    return undefined;
  }

  let durationToStart = (firstT - ctx.windowStart) / 1000;
  const durationToEnd0 = (ctx.windowEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
  // Extrapolate to a window edge only if a sample is roughly where we would expect one (within
  // 110 % of the average spacing); otherwise assume the series starts or ends inside the
  // window and extrapolate by half a spacing.
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter) {
    // A counter cannot go below zero: never extrapolate further back than where the slope hits 0.
    let durationToZero = durationToStart;
    const firstFloat = nF > 0 ? w.values[w.floatFrom]! : NaN;
    if (resultFloat > 0 && nF > 0 && firstFloat >= 0) {
      durationToZero = sampledInterval * (firstFloat / resultFloat);
    } else if (resultHistogram && resultHistogram.count > 0 && nH > 0 && w.histograms[w.histFrom]!.count >= 0) {
      durationToZero = sampledInterval * (w.histograms[w.histFrom]!.count / resultHistogram.count);
    }
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  let durationToEnd = durationToEnd0;
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;

  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (ctx.windowEnd - ctx.windowStart) / 1000;
  // The "might not be a counter" info for rate/increase is the evaluator's: Prometheus adds it
  // once per series that produced floats over the whole query range.
  if (resultHistogram) return scaleHistogram(resultHistogram, factor);
  return resultFloat * factor;
}

const EMPTY_SPANS = new Int32Array(0);
const EMPTY_COUNTS = new Float64Array(0);

function emptyHistogramLike(h: FloatHistogram): FloatHistogram {
  return {
    isInteger: false,
    schema: h.schema,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: EMPTY_SPANS,
    positiveCounts: EMPTY_COUNTS,
    negativeSpans: EMPTY_SPANS,
    negativeCounts: EMPTY_COUNTS,
    resetHint: 0,
    customValues: h.customValues,
  };
}

/**
 * The increase (or, for gauges, the difference) between the first and last histogram, with
 * counter resets added back, in the lowest schema of the window (Prometheus' `histogramRate`).
 */
function histogramRate(
  points: readonly FloatHistogram[],
  isCounter: boolean,
  labels: Labels,
  pos: PositionRange | undefined,
  annotations: Annotations,
): FloatHistogram | undefined {
  let prev = points[0]!;
  const last = points[points.length - 1]!;
  let usingCustomBuckets = isCustomBucketsSchema(prev.schema);
  if (isCounter && (prev.resetHint === RESET_HINT_GAUGE || last.resetHint === RESET_HINT_GAUGE)) {
    annotations.warn(Warning.nativeHistogramNotCounter(metricNameOf(labels)), pos);
  }
  // A reset between the first two samples makes the first irrelevant, including its layout.
  if (isCounter && points.length > 1) {
    const second = points[1]!;
    if (detectHistogramReset(prev, second)) {
      prev = emptyHistogramLike(second);
      usingCustomBuckets = second.schema === CUSTOM_BUCKETS_SCHEMA;
    }
  }
  if (isCustomBucketsSchema(last.schema) !== usingCustomBuckets) {
    annotations.warn(Warning.mixedExponentialCustom(metricNameOf(labels)), pos);
    return undefined;
  }
  let minSchema = Math.min(last.schema, prev.schema);
  for (let i = 1; i < points.length - 1; i++) {
    if (!isCounter) continue;
    const curr = points[i]!;
    if (curr.resetHint === RESET_HINT_GAUGE) annotations.warn(Warning.nativeHistogramNotCounter(metricNameOf(labels)), pos);
    if (curr.schema < minSchema) minSchema = curr.schema;
    if (isCustomBucketsSchema(curr.schema) !== usingCustomBuckets) {
      annotations.warn(Warning.mixedExponentialCustom(metricNameOf(labels)), pos);
      return undefined;
    }
  }
  let h: FloatHistogram;
  try {
    h = reduceResolution(last, minSchema);
    const diff = subHistograms(h, prev);
    if (diff.boundsReconciled) annotations.info(Info.mismatchedCustomBuckets('subtraction'), pos);
    h = diff.histogram;
    if (isCounter) {
      for (let i = 1; i < points.length; i++) {
        const curr = points[i]!;
        if (detectHistogramReset(prev, curr)) {
          const sum = addHistograms(h, prev);
          if (sum.boundsReconciled) annotations.info(Info.mismatchedCustomBuckets('addition'), pos);
          h = sum.histogram;
        }
        prev = curr;
      }
    } else if (points[0]!.resetHint !== RESET_HINT_GAUGE || last.resetHint !== RESET_HINT_GAUGE) {
      annotations.warn(Warning.nativeHistogramNotGauge(metricNameOf(labels)), pos);
    }
  } catch (e) {
    if (e instanceof IncompatibleHistogramSchemaError) {
      annotations.warn(Warning.mixedExponentialCustom(metricNameOf(labels)), pos);
      return undefined;
    }
    throw e;
  }
  return { ...compactHistogram(h), resetHint: RESET_HINT_GAUGE };
}

interface Point {
  t: number;
  f: number;
  h: FloatHistogram | undefined;
}

/** `irate` / `idelta`: the last two samples of the window, floats and histograms interleaved by time. */
function instantValue(w: RangeWindow, ctx: RangeCallContext, isRate: boolean): number | FloatHistogram | undefined {
  const nF = w.floatTo - w.floatFrom;
  const nH = w.histTo - w.histFrom;
  if (nF + nH < 2) return undefined;
  const ss: Point[] = [];
  for (let i = Math.max(w.floatFrom, w.floatTo - 2); i < w.floatTo; i++) {
    ss.push({ t: w.timestamps[i]!, f: w.values[i]!, h: undefined });
  }
  for (let i = Math.max(w.histFrom, w.histTo - 2); i < w.histTo; i++) {
    const s: Point = { t: w.histTimestamps[i]!, f: 0, h: w.histograms[i]! };
    if (ss.length === 0) ss.push(s);
    else if (ss.length === 1) {
      if (s.t < ss[0]!.t) ss.unshift(s);
      else ss.push(s);
    } else if (s.t < ss[0]!.t) {
      // Older than both: not among the last two.
    } else if (s.t > ss[1]!.t) {
      ss[0] = ss[1]!;
      ss[1] = s;
    } else {
      ss[0] = s;
    }
  }
  const [s0, s1] = [ss[0]!, ss[1]!];
  const sampledInterval = s1.t - s0.t;
  if (sampledInterval === 0) return undefined;
  // Prometheus reports these at the range argument; the metric name is looked up only when one is emitted.
  const pos = ctx.call.args[0]?.pos;
  if (!s0.h && !s1.h) {
    // A counter that dropped restarted from 0: its current value is the increase.
    const f = !isRate || !(s1.f < s0.f) ? s1.f - s0.f : s1.f;
    return isRate ? f / (sampledInterval / 1000) : f;
  }
  if (s0.h && s1.h) {
    if (isRate && (s1.h.resetHint === RESET_HINT_GAUGE || s0.h.resetHint === RESET_HINT_GAUGE)) {
      ctx.annotations.warn(Warning.nativeHistogramNotCounter(metricNameOf(w.labels)), pos);
    }
    if (!isRate && (s1.h.resetHint !== RESET_HINT_GAUGE || s0.h.resetHint !== RESET_HINT_GAUGE)) {
      ctx.annotations.warn(Warning.nativeHistogramNotGauge(metricNameOf(w.labels)), pos);
    }
    let result = s1.h;
    if (!isRate || !detectHistogramReset(s0.h, s1.h)) {
      try {
        const diff = subHistograms(s1.h, s0.h);
        if (diff.boundsReconciled) ctx.annotations.info(Info.mismatchedCustomBuckets('subtraction'), pos);
        result = diff.histogram;
      } catch (e) {
        if (e instanceof IncompatibleHistogramSchemaError) {
          ctx.annotations.warn(Warning.mixedExponentialCustom(metricNameOf(w.labels)), pos);
          return undefined;
        }
        throw e;
      }
    }
    result = { ...compactHistogram(result), resetHint: RESET_HINT_GAUGE };
    return isRate ? divHistogramByScalar(result, sampledInterval / 1000) : result;
  }
  ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(w.labels)), pos);
  return undefined;
}

function rangeFn(evaluate: RangeFunctionImpl['evaluate']): RangeFunctionImpl {
  return { kind: 'range', keepsName: false, evaluate };
}

/** Over an `anchored` or `smoothed` selector the rate family measures between the range edges instead. */
function rateOf(w: RangeWindow, ctx: RangeCallContext, isCounter: boolean, isRate: boolean): number | FloatHistogram | undefined {
  return ctx.extended === undefined ? extrapolatedRate(w, ctx, isCounter, isRate) : extendedRate(w, ctx, isCounter, isRate);
}

export const RATE_FUNCTIONS: ReadonlyMap<string, RangeFunctionImpl> = new Map([
  ['rate', rangeFn((w, _a, ctx) => rateOf(w, ctx, true, true))],
  ['increase', rangeFn((w, _a, ctx) => rateOf(w, ctx, true, false))],
  ['delta', rangeFn((w, _a, ctx) => rateOf(w, ctx, false, false))],
  ['irate', rangeFn((w, _a, ctx) => instantValue(w, ctx, true))],
  ['idelta', rangeFn((w, _a, ctx) => instantValue(w, ctx, false))],
]);
