import type { FloatHistogram, RangeWindow } from '../engine/values.js';
import { PromQLError } from '../engine/query-api.js';
import type { RangeCallContext, RangeFunctionImpl } from './contract.js';
import { histogramEquals } from '../histogram/arithmetic.js';
import { detectHistogramReset } from '../histogram/reset.js';
import { Info, metricNameOf } from './annotations.js';


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
 * Functions about how a series moves inside its window: `resets`, `changes`, `deriv`,
 * `predict_linear`, `double_exponential_smoothing` (alias `holt_winters`).
 */

/**
 * Walks floats and histograms in time order, calling `step` for each consecutive pair
 * (`prevH`/`curH` undefined for floats). Returns undefined for an empty window. Over an
 * `anchored` selector the walk starts at the anchor (see `anchoredStart`).
 */
function countTransitions(
  w: RangeWindow,
  ctx: RangeCallContext,
  step: (prevF: number, prevH: FloatHistogram | undefined, curF: number, curH: FloatHistogram | undefined) => boolean,
): number | undefined {
  let iF = w.floatFrom;
  let iH = w.histFrom;
  if (iF === w.floatTo && iH === w.histTo) return undefined;
  if (ctx.extended === 'anchored') {
    const start = anchoredStart(w, ctx.windowStart);
    if (start === undefined) return undefined;
    iF = start.float;
    iH = start.hist;
  }
  let n = 0;
  let first = true;
  let prevF = 0;
  let prevH: FloatHistogram | undefined;
  while (iF < w.floatTo || iH < w.histTo) {
    let curF = 0;
    let curH: FloatHistogram | undefined;
    if (iH >= w.histTo || (iF < w.floatTo && w.timestamps[iF]! < w.histTimestamps[iH]!)) {
      curF = w.values[iF++]!;
    } else {
      curH = w.histograms[iH++]!;
    }
    if (!first && step(prevF, prevH, curF, curH)) n++;
    first = false;
    prevF = curF;
    prevH = curH;
  }
  return n;
}

/**
 * Prometheus' `pickFirstSampleIndices`: an anchored window starts at the single latest sample
 * at or before the range start, of either type, and keeps everything after the range start;
 * earlier samples of both types are skipped. `undefined` when no sample lies after the range
 * start, as there is then nothing to measure.
 */
function anchoredStart(w: RangeWindow, rangeStart: number): { float: number; hist: number } | undefined {
  let f = w.floatFrom;
  while (f < w.floatTo && w.timestamps[f]! <= rangeStart) f++;
  let h = w.histFrom;
  while (h < w.histTo && w.histTimestamps[h]! <= rangeStart) h++;
  if (f === w.floatTo && h === w.histTo) return undefined;
  // f - 1 and h - 1 are the last samples at or before the range start, if any.
  const floatAnchor = f > w.floatFrom ? w.timestamps[f - 1]! : -Infinity;
  const histAnchor = h > w.histFrom ? w.histTimestamps[h - 1]! : -Infinity;
  if (floatAnchor === -Infinity && histAnchor === -Infinity) return { float: f, hist: h };
  if (floatAnchor >= histAnchor) return { float: f - 1, hist: h };
  return { float: f, hist: h - 1 };
}

function resets(w: RangeWindow, ctx: RangeCallContext): number | undefined {
  return countTransitions(w, ctx, (pf, ph, cf, ch) => {
    if (!ph && !ch) return cf < pf;
    if (ph && ch) return detectHistogramReset(ph, ch);
    return true;
  });
}

function changes(w: RangeWindow, ctx: RangeCallContext): number | undefined {
  return countTransitions(w, ctx, (pf, ph, cf, ch) => {
    if (!ph && !ch) return cf !== pf && !(Number.isNaN(cf) && Number.isNaN(pf));
    if (ph && ch) return !histogramEquals(ch, ph);
    return true;
  });
}

/**
 * Least-squares fit of the window's floats against time in seconds relative to `interceptTime`,
 * with Kahan-compensated sums (Prometheus' `linearRegression`). A constant series has slope 0
 * (or NaN when the constant is infinite).
 */
export function linearRegression(w: RangeWindow, interceptTime: number): { slope: number; intercept: number } {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = w.values[w.floatFrom]!;
  let constY = true;
  for (let i = w.floatFrom; i < w.floatTo; i++) {
    const y = w.values[i]!;
    if (constY && i > w.floatFrom && y !== initY) constY = false;
    n += 1;
    const x = (w.timestamps[i]! - interceptTime) / 1e3;
    sumX = kahanStep(x, sumX, cX);
    cX = comp;
    sumY = kahanStep(y, sumY, cY);
    cY = comp;
    sumXY = kahanStep(x * y, sumXY, cXY);
    cXY = comp;
    sumX2 = kahanStep(x * x, sumX2, cX2);
    cX2 = comp;
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return { slope: NaN, intercept: NaN };
    return { slope: 0, intercept: initY };
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return { slope, intercept };
}

/** Needs two floats; one float beside histograms says the histograms were ignored. */
function regressionInput(w: RangeWindow, ctx: RangeCallContext): boolean {
  const nF = w.floatTo - w.floatFrom;
  const nH = w.histTo - w.histFrom;
  if (nF < 2) {
    if (nF === 1 && nH > 0) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
    return false;
  }
  if (nH > 0) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
  return true;
}

function deriv(w: RangeWindow, _args: readonly number[], ctx: RangeCallContext): number | undefined {
  if (!regressionInput(w, ctx)) return undefined;
  // Relative to the first sample's time: absolute epoch seconds would cost precision (Prometheus #2674).
  return linearRegression(w, w.timestamps[w.floatFrom]!).slope;
}

function predictLinear(w: RangeWindow, args: readonly number[], ctx: RangeCallContext): number | undefined {
  if (!regressionInput(w, ctx)) return undefined;
  const { slope, intercept } = linearRegression(w, ctx.t);
  return slope * args[0]! + intercept;
}

/** Go's `%f`: six decimals. */
function goFormatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  return f.toFixed(6);
}

function doubleExponentialSmoothing(w: RangeWindow, args: readonly number[], ctx: RangeCallContext): number | undefined {
  const sf = args[0]!;
  const tf = args[1]!;
  if (!(sf > 0 && sf < 1)) {
    throw new PromQLError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFormatF(sf)}`);
  }
  if (!(tf > 0 && tf < 1)) {
    throw new PromQLError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${goFormatF(tf)}`);
  }
  const l = w.floatTo - w.floatFrom;
  const nH = w.histTo - w.histFrom;
  if (l < 2) {
    if (l === 1 && nH > 0) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
    return undefined;
  }
  const v = w.values;
  const from = w.floatFrom;
  let s0 = 0;
  let s1 = v[from]!;
  let b = v[from + 1]! - v[from]!;
  for (let i = 1; i < l; i++) {
    const x = sf * v[from + i]!;
    // The trend at step i-1; the first step keeps the initial trend.
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  if (nH > 0) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
  return s1;
}

function fn(evaluate: RangeFunctionImpl['evaluate']): RangeFunctionImpl {
  return { kind: 'range', keepsName: false, evaluate };
}

export const TREND_FUNCTIONS: ReadonlyMap<string, RangeFunctionImpl> = new Map([
  ['resets', fn((w, _a, ctx) => resets(w, ctx))],
  ['changes', fn((w, _a, ctx) => changes(w, ctx))],
  ['deriv', fn(deriv)],
  ['predict_linear', fn(predictLinear)],
  ['double_exponential_smoothing', fn(doubleExponentialSmoothing)],
  ['holt_winters', fn(doubleExponentialSmoothing)],
]);
