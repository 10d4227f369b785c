import { RESET_HINT_GAUGE, RESET_HINT_UNKNOWN } from '#pharos/metric-model';
import type { Call, PositionRange, VectorSelector } from '../ast.js';
import { metricNameOf, Warning } from '../functions/annotations.js';
import { extendedWindowPoints, interpolate, interpolateHistograms } from '../functions/extended-rate.js';
import { IncompatibleHistogramSchemaError } from '../histogram/arithmetic.js';
import { isCustomBucketsSchema } from '../histogram/bounds.js';
import { unwrapParens } from './preprocess.js';
import { PromQLError } from './query-api.js';
import type { QueryContext, SampleStats } from './query-context.js';
import { upperBound, withoutStaleMarkers } from './selectors.js';
import { FLOAT_POINT, HIST_POINT, newStepSeries, type RawSeries, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Evaluation of Prometheus 3's extended range selectors outside the rate family's kernels
 * (`functions/extended-rate.ts`): which functions accept them, a smoothed instant selector,
 * and a bare `anchored`/`smoothed` range selector.
 */

/** Prometheus' `AnchoredSafeFunctions` and `SmoothedSafeFunctions`, sorted as its message lists them. */
const ANCHORED_FUNCTIONS = ['changes', 'delta', 'increase', 'rate', 'resets'];
const SMOOTHED_FUNCTIONS = ['delta', 'increase', 'rate'];

/** The selector's extension, if any. */
export function extensionOf(vs: VectorSelector): 'anchored' | 'smoothed' | undefined {
  if (vs.anchored === true) return 'anchored';
  if (vs.smoothed === true) return 'smoothed';
  return undefined;
}

/**
 * Refuses a call whose range argument is `anchored`/`smoothed` when the function cannot use the
 * samples outside the range that the modifier adds (an execution error in Prometheus, raised
 * before any data is read).
 */
export function checkExtendedRangeArgument(call: Call): void {
  for (const arg of call.args) {
    const e = unwrapParens(arg);
    if (e.kind !== 'MatrixSelector') continue;
    const modifier = extensionOf(e.vector);
    if (modifier === undefined) return;
    const allowed = modifier === 'anchored' ? ANCHORED_FUNCTIONS : SMOOTHED_FUNCTIONS;
    if (!allowed.includes(call.func)) {
      throw new PromQLError('execution', `${modifier} modifier can only be used with: ${allowed.join(', ')} - not with ${call.func}`);
    }
    return;
  }
}

/**
 * A bare `x[r] anchored` / `x[r] smoothed` at one evaluation (`matrixSelector` with
 * `extendFloats`): per series, the points strictly inside `(end - r, end)` framed by the edge
 * values at both ends. `series` hold the extended reach (see `Evaluator.fetchForSelector`).
 */
export function extendedMatrixWindows(
  series: readonly RawSeries[],
  end: number,
  rangeMs: number,
  lookbackMs: number,
  smoothed: boolean,
): RawSeries[] {
  const mint = end - rangeMs;
  const out: RawSeries[] = [];
  for (const raw of series) {
    const s = withoutStaleMarkers(raw);
    const h0 = upperBound(s.histTimestamps, mint - lookbackMs, 0);
    const h1 = upperBound(s.histTimestamps, smoothed ? end + lookbackMs : end, h0);
    if (h1 > h0) throw new PromQLError('execution', `${smoothed ? 'smoothed' : 'anchored'} modifier is not supported with histograms`);
    const f0 = upperBound(s.timestamps, mint - lookbackMs, 0);
    const f1 = upperBound(s.timestamps, smoothed ? end + lookbackMs : end, f0);
    const { timestamps, values } = extendedWindowPoints(s.timestamps, s.values, f0, f1, mint, end, smoothed);
    if (timestamps.length === 0) continue;
    out.push({ labels: s.labels, timestamps, values, histTimestamps: new Float64Array(0), histograms: [] });
  }
  return out;
}

/**
 * `x smoothed` at every step (Prometheus' `smoothSeries`): the value at `t - offset` (or
 * `@ - offset`) interpolated between the samples just before and at or after it within one
 * lookback delta either side; the last one carried forward when nothing follows yet, nothing
 * before the first sample. Floats interpolate as gauges; histograms as counters unless both
 * are gauge histograms. A window mixing floats and histograms, or exponential and custom
 * buckets, gives no point and a warning. Staleness markers are not samples here.
 */
export async function evalSmoothedSelector(
  ctx: QueryContext,
  stats: SampleStats,
  series: readonly RawSeries[],
  grid: StepGrid,
  offsetMs: number,
  atMs: number | undefined,
  pos: PositionRange,
): Promise<StepSeries[]> {
  const lookback = ctx.options.lookbackMs;
  const out: StepSeries[] = [];
  for (const raw of series) {
    const pause = ctx.poll(grid.numSteps);
    if (pause !== undefined) await pause;
    const s = withoutStaleMarkers(raw);
    const ts = s.timestamps;
    const vs = s.values;
    const hts = s.histTimestamps;
    let result: StepSeries | undefined;
    let loaded = 0;
    // Window pointers: [f0, f1) and [h0, h1) hold the samples in (ref - lookback, ref + lookback].
    let f0 = 0;
    let f1 = 0;
    let h0 = 0;
    let h1 = 0;
    for (let step = 0; step < grid.numSteps; step++) {
      const ref = (atMs ?? grid.start + step * grid.interval) - offsetMs;
      while (f0 < ts.length && ts[f0]! <= ref - lookback) f0++;
      if (f1 < f0) f1 = f0;
      while (f1 < ts.length && ts[f1]! <= ref + lookback) f1++;
      while (h0 < hts.length && hts[h0]! <= ref - lookback) h0++;
      if (h1 < h0) h1 = h0;
      while (h1 < hts.length && hts[h1]! <= ref + lookback) h1++;
      if (f1 === f0 && h1 === h0) continue;
      if (f1 > f0 && h1 > h0) {
        ctx.annotations.warn(Warning.mixedFloatsHistograms(metricNameOf(s.labels)), pos);
        continue;
      }
      if (f1 > f0) {
        // The first sample at or after ref.
        let i = f0;
        while (i < f1 && ts[i]! < ref) i++;
        let v: number;
        if (i < f1 && ts[i] === ref) v = vs[i]!;
        else if (i > f0 && i < f1) v = interpolate(ts[i - 1]!, vs[i - 1]!, ts[i]!, vs[i]!, ref, false);
        else if (i > f0) v = vs[i - 1]!;
        else continue;
        result ??= newStepSeries(s.labels, grid.numSteps);
        result.kinds[step] = FLOAT_POINT;
        result.floats[step] = v;
        result.points++;
        loaded++;
        continue;
      }
      let i = h0;
      while (i < h1 && hts[i]! < ref) i++;
      let h: FloatHistogram;
      if (i < h1 && hts[i] === ref) h = s.histograms[i]!;
      else if (i > h0 && i < h1) {
        const prev = s.histograms[i - 1]!;
        const next = s.histograms[i]!;
        if (isCustomBucketsSchema(prev.schema) !== isCustomBucketsSchema(next.schema)) {
          ctx.annotations.warn(Warning.mixedExponentialCustom(metricNameOf(s.labels)), pos);
          continue;
        }
        const isCounter = prev.resetHint !== RESET_HINT_GAUGE || next.resetHint !== RESET_HINT_GAUGE;
        try {
          h = interpolateHistograms(prev, hts[i - 1]!, next, hts[i]!, ref, isCounter, ctx.annotations, pos);
        } catch (err) {
          if (!(err instanceof IncompatibleHistogramSchemaError)) throw err;
          ctx.annotations.warn(Warning.mixedExponentialCustom(metricNameOf(s.labels)), pos);
          continue;
        }
      } else if (i > h0) {
        // Carried forward, the hint no longer describes its relation to the sample before.
        const prev = s.histograms[i - 1]!;
        h = prev.resetHint === RESET_HINT_UNKNOWN ? prev : { ...prev, resetHint: RESET_HINT_UNKNOWN };
      } else continue;
      result ??= newStepSeries(s.labels, grid.numSteps);
      result.kinds[step] = HIST_POINT;
      (result.hists ??= new Array<FloatHistogram | undefined>(grid.numSteps))[step] = h;
      result.points++;
      loaded++;
    }
    stats.total += loaded;
    ctx.addSamples(loaded);
    if (result !== undefined) out.push(result);
  }
  return out;
}
