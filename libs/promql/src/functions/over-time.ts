import { RESET_HINT_NO, RESET_HINT_YES } from '#pharos/metric-model';
import type { FloatHistogram, RangeWindow } from '../engine/values.js';
import type { RangeCallContext, RangeFunctionImpl } from './contract.js';
import { IncompatibleHistogramSchemaError } from '../histogram/arithmetic.js';
import { KahanHistogramSum } from '../histogram/kahan-sum.js';
import { Info, metricNameOf, Warning } from './annotations.js';
import { quantileOfSorted } from './quantile.js';


/**
 * Kahan–Neumaier step as `kahanInc`, returning the sum and leaving the compensation in the
 * module-local `comp`: hot loops then allocate nothing per sample (a returned pair would, and a
 * live binding exported from another module costs a getter call per read once transformed).
 */
let comp = 0;
function kahanStep(inc: number, sum: number, c: number): number {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) comp = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) comp = c + (sum - t + inc);
  else comp = c + (inc - t + sum);
  return t;
}

/**
 * The `*_over_time` family, as Prometheus 3's `promql/functions.go`. Functions that only make
 * sense for floats ignore histograms in a mixed window and say so with an info annotation.
 */

function floatCount(w: RangeWindow): number {
  return w.floatTo - w.floatFrom;
}

function histCount(w: RangeWindow): number {
  return w.histTo - w.histFrom;
}

/** Floats-only functions: no output without floats; histograms in the window are ignored with an info. */
function floatsOnly(
  w: RangeWindow,
  ctx: RangeCallContext,
  compute: (values: Float64Array, from: number, to: number) => number,
): number | undefined {
  if (floatCount(w) === 0) return undefined;
  if (histCount(w) > 0) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
  return compute(w.values, w.floatFrom, w.floatTo);
}

function sumOverTime(w: RangeWindow, _args: readonly number[], ctx: RangeCallContext): number | FloatHistogram | undefined {
  const nF = floatCount(w);
  const nH = histCount(w);
  if (nF > 0 && nH > 0) {
    ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
    return undefined;
  }
  if (nH > 0) return sumHistograms(w, ctx, false);
  if (nF === 0) return undefined;
  let sum = 0;
  let c = 0;
  for (let i = w.floatFrom; i < w.floatTo; i++) {
    sum = kahanStep(w.values[i]!, sum, c);
    c = comp;
  }
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}

function avgOverTime(w: RangeWindow, _args: readonly number[], ctx: RangeCallContext): number | FloatHistogram | undefined {
  const nF = floatCount(w);
  const nH = histCount(w);
  if (nF > 0 && nH > 0) {
    ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
    return undefined;
  }
  if (nH > 0) return sumHistograms(w, ctx, true);
  if (nF === 0) return undefined;
  // Direct mean with Kahan summation while the sum stays finite; on overflow switch to the
  // incremental mean (Prometheus issue 16714 explains why direct is usually more accurate).
  const v = w.values;
  let sum = v[w.floatFrom]!;
  let count = 1;
  let mean = 0;
  let kahanC = 0;
  let incremental = false;
  for (let i = w.floatFrom + 1; i < w.floatTo; i++) {
    const f = v[i]!;
    count = i - w.floatFrom + 1;
    if (!incremental) {
      const newSum = kahanStep(f, sum, kahanC);
      const newC = comp;
      if (newSum !== Infinity && newSum !== -Infinity) {
        sum = newSum;
        kahanC = newC;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      kahanC /= count - 1;
    }
    const q = (count - 1) / count;
    mean = kahanStep(f / count, q * mean, q * kahanC);
    kahanC = comp;
  }
  if (incremental) return mean + kahanC;
  return sum / count + kahanC / count;
}

/**
 * `sum_over_time` / `avg_over_time` of histograms: a Kahan-compensated sum; for the average, a
 * direct mean that switches to an incremental one if the sum overflows.
 */
function sumHistograms(w: RangeWindow, ctx: RangeCallContext, average: boolean): FloatHistogram | undefined {
  let resetSeen = false;
  let notResetSeen = false;
  const track = (h: FloatHistogram) => {
    if (h.resetHint === RESET_HINT_YES) resetSeen = true;
    else if (h.resetHint === RESET_HINT_NO) notResetSeen = true;
  };
  const first = w.histograms[w.histFrom]!;
  track(first);
  let sum = KahanHistogramSum.of(first);
  let mean: KahanHistogramSum | undefined;
  let result: FloatHistogram;
  try {
    for (let i = w.histFrom + 1; i < w.histTo; i++) {
      const h = w.histograms[i]!;
      track(h);
      const count = i - w.histFrom + 1;
      if (!average) {
        sum.add(h);
        continue;
      }
      if (!mean) {
        const attempt = sum.clone();
        attempt.add(h);
        if (!attempt.hasOverflow()) {
          sum = attempt;
          continue;
        }
        mean = sum.clone();
        mean.divide(count - 1);
      }
      const q = (count - 1) / count;
      mean.scale(q);
      mean.add(divided(h, count));
    }
    if (average && !mean) sum.divide(w.histTo - w.histFrom);
    const acc = mean ?? sum;
    result = acc.result();
    if (acc.boundsReconciled) ctx.annotations.info(Info.mismatchedCustomBuckets('aggregation'), ctx.call.args[0]?.pos);
  } catch (e) {
    if (e instanceof IncompatibleHistogramSchemaError) {
      ctx.annotations.warn(Warning.mixedExponentialCustom(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
      return undefined;
    }
    throw e;
  }
  if (resetSeen && notResetSeen) ctx.annotations.warn(Warning.counterResetCollision('aggregation'), ctx.call.args[0]?.pos);
  return result;
}

function divided(h: FloatHistogram, s: number): FloatHistogram {
  return {
    ...h,
    zeroCount: h.zeroCount / s,
    count: h.count / s,
    sum: h.sum / s,
    positiveCounts: h.positiveCounts.map((c) => c / s),
    negativeCounts: h.negativeCounts.map((c) => c / s),
  };
}

function countOverTime(w: RangeWindow): number | undefined {
  const n = floatCount(w) + histCount(w);
  return n === 0 ? undefined : n;
}

function lastOverTime(w: RangeWindow): number | FloatHistogram | undefined {
  const nF = floatCount(w);
  const nH = histCount(w);
  if (nF === 0 && nH === 0) return undefined;
  if (nH === 0 || (nF > 0 && w.histTimestamps[w.histTo - 1]! < w.timestamps[w.floatTo - 1]!)) {
    return w.values[w.floatTo - 1]!;
  }
  return w.histograms[w.histTo - 1]!;
}

function firstOverTime(w: RangeWindow): number | FloatHistogram | undefined {
  const nF = floatCount(w);
  const nH = histCount(w);
  if (nF === 0 && nH === 0) return undefined;
  if (nH === 0 || (nF > 0 && w.timestamps[w.floatFrom]! < w.histTimestamps[w.histFrom]!)) {
    return w.values[w.floatFrom]!;
  }
  return w.histograms[w.histFrom]!;
}

function tsOfFirstOverTime(w: RangeWindow): number | undefined {
  const tf = floatCount(w) > 0 ? w.timestamps[w.floatFrom]! : Infinity;
  const th = histCount(w) > 0 ? w.histTimestamps[w.histFrom]! : Infinity;
  const t = Math.min(tf, th);
  return t === Infinity ? undefined : t / 1000;
}

function tsOfLastOverTime(w: RangeWindow): number | undefined {
  if (floatCount(w) + histCount(w) === 0) return undefined;
  const tf = floatCount(w) > 0 ? w.timestamps[w.floatTo - 1]! : 0;
  const th = histCount(w) > 0 ? w.histTimestamps[w.histTo - 1]! : 0;
  return Math.max(tf, th) / 1000;
}

/**
 * `max/min_over_time` and `ts_of_max/min_over_time`: the first sample wins ties for max/min,
 * the last for the `ts_of_` variants (`>=`/`<=`), and NaN loses to any number.
 */
function compareOverTime(
  w: RangeWindow,
  ctx: RangeCallContext,
  better: (cur: number, best: number) => boolean,
  returnTimestamp: boolean,
): number | undefined {
  return floatsOnly(w, ctx, (v, from, to) => {
    let best = v[from]!;
    let bestT = w.timestamps[from]!;
    for (let i = from; i < to; i++) {
      if (better(v[i]!, best)) {
        best = v[i]!;
        bestT = w.timestamps[i]!;
      }
    }
    return returnTimestamp ? bestT / 1000 : best;
  });
}

function varianceOverTime(w: RangeWindow, ctx: RangeCallContext, stddev: boolean): number | undefined {
  return floatsOnly(w, ctx, (v, from, to) => {
    // Welford's online algorithm with Kahan-compensated mean and M2.
    let count = 0;
    let mean = 0;
    let cMean = 0;
    let aux = 0;
    let cAux = 0;
    for (let i = from; i < to; i++) {
      const f = v[i]!;
      count++;
      const delta = f - (mean + cMean);
      mean = kahanStep(delta / count, mean, cMean);
      cMean = comp;
      aux = kahanStep(delta * (f - (mean + cMean)), aux, cAux);
      cAux = comp;
    }
    const variance = (aux + cAux) / count;
    return stddev ? Math.sqrt(variance) : variance;
  });
}

function quantileOverTime(w: RangeWindow, args: readonly number[], ctx: RangeCallContext): number | undefined {
  if (floatCount(w) === 0) return undefined;
  const q = args[0]!;
  if (Number.isNaN(q) || q < 0 || q > 1) ctx.annotations.warn(Warning.invalidQuantile(q), ctx.call.args[0]?.pos);
  return floatsOnly(w, ctx, (v, from, to) => quantileOfSorted(q, sortedCopy(v, from, to)));
}

function madOverTime(w: RangeWindow, _args: readonly number[], ctx: RangeCallContext): number | undefined {
  return floatsOnly(w, ctx, (v, from, to) => {
    // A NaN sample leaves the median, and so the deviation, undefined (Prometheus 3.16).
    for (let i = from; i < to; i++) if (Number.isNaN(v[i]!)) return NaN;
    const values = sortedCopy(v, from, to);
    const median = quantileOfSorted(0.5, values);
    for (let i = 0; i < values.length; i++) values[i] = Math.abs(v[from + i]! - median);
    sortNaNFirst(values);
    return quantileOfSorted(0.5, values);
  });
}

function sortedCopy(v: Float64Array, from: number, to: number): Float64Array {
  const out = v.slice(from, to);
  sortNaNFirst(out);
  return out;
}

/** Ascending with NaN first, the order Prometheus' `vectorByValueHeap` gives `quantile`. */
export function sortNaNFirst(values: Float64Array): void {
  values.sort((a, b) => {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a - b;
  });
}

function presentOverTime(w: RangeWindow): number | undefined {
  return floatCount(w) + histCount(w) > 0 ? 1 : undefined;
}

function fn(evaluate: RangeFunctionImpl['evaluate'], keepsName = false): RangeFunctionImpl {
  return { kind: 'range', keepsName, evaluate };
}

export const OVER_TIME_FUNCTIONS: ReadonlyMap<string, RangeFunctionImpl> = new Map([
  ['avg_over_time', fn(avgOverTime)],
  ['sum_over_time', fn(sumOverTime)],
  ['count_over_time', fn((w) => countOverTime(w))],
  ['min_over_time', fn((w, _a, ctx) => compareOverTime(w, ctx, (c, b) => c < b || Number.isNaN(b), false))],
  ['max_over_time', fn((w, _a, ctx) => compareOverTime(w, ctx, (c, b) => c > b || Number.isNaN(b), false))],
  ['ts_of_min_over_time', fn((w, _a, ctx) => compareOverTime(w, ctx, (c, b) => c <= b || Number.isNaN(b), true))],
  ['ts_of_max_over_time', fn((w, _a, ctx) => compareOverTime(w, ctx, (c, b) => c >= b || Number.isNaN(b), true))],
  ['quantile_over_time', fn(quantileOverTime)],
  ['stddev_over_time', fn((w, _a, ctx) => varianceOverTime(w, ctx, true))],
  ['stdvar_over_time', fn((w, _a, ctx) => varianceOverTime(w, ctx, false))],
  ['mad_over_time', fn(madOverTime)],
  ['last_over_time', fn((w) => lastOverTime(w), true)],
  ['first_over_time', fn((w) => firstOverTime(w), true)],
  ['ts_of_first_over_time', fn((w) => tsOfFirstOverTime(w))],
  ['ts_of_last_over_time', fn((w) => tsOfLastOverTime(w))],
  ['present_over_time', fn((w) => presentOverTime(w))],
]);
