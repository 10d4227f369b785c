import { METRIC_NAME_LABEL, type Labels } from '#pharos/metric-model';
import type { Call } from '../ast.js';
import type { RangeCallContext, RangeFunctionImpl } from '../functions/contract.js';
import { FUNCTIONS } from '../functions/table.js';
import { dropMetricName, getLabel, goQuote } from './labels.js';
import { unwrapParens } from './preprocess.js';
import { mergeSameLabelsets } from './output-set.js';
import type { QueryContext, SampleStats } from './query-context.js';
import { histogramSize, withoutStaleMarkers } from './selectors.js';
import { FLOAT_POINT, newStepSeries, setHistogram, type RangeInput, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram, RangeWindow } from './values.js';

/** The window view handed to kernels; one per series, its bounds moved step by step. */
interface MutableWindow {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  floatFrom: number;
  floatTo: number;
  histTimestamps: Float64Array;
  histograms: readonly FloatHistogram[];
  histFrom: number;
  histTo: number;
}

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

const RATE = FUNCTIONS.get('rate');
const INCREASE = FUNCTIONS.get('increase');

/**
 * Calls a range function for every series at every step over the window
 * `(end - range, end]`, `end = (@ ?? t) - offset`, sliding two pointers per series so each
 * sample is visited a constant number of times whatever the overlap between steps. An
 * `anchored` selector's windows reach one lookback delta further back, a `smoothed` one's also
 * one lookback delta forward (Prometheus' `matrixIterSlice` bounds for them); the function
 * still gets `(end - range, end]` as the range.
 */
export async function evalRangeFunction(
  ctx: QueryContext,
  stats: SampleStats,
  call: Call,
  impl: RangeFunctionImpl,
  input: RangeInput,
  scalarArgs: readonly Float64Array[],
  grid: StepGrid,
): Promise<StepSeries[]> {
  const out: StepSeries[] = [];
  const args = new Array<number>(scalarArgs.length);
  const callCtx: { -readonly [K in keyof RangeCallContext]: RangeCallContext[K] } = {
    t: 0,
    windowStart: 0,
    windowEnd: 0,
    annotations: ctx.annotations,
    call,
    extended: input.extended,
  };
  const checkCounter = call.func === 'rate' || call.func === 'increase';
  // A subquery's points were counted when it ran (Prometheus 3.16 does not count them twice).
  const countWindows = input.fromSubquery !== true;
  const base = ctx.currentSamples;
  let held = 0;
  // The table's own rate/increase over float-only series run inline (`counterRate`): same
  // arithmetic, without the per-call window view, name lookup and reset scan of each window.
  const inlineCounter = scalarArgs.length === 0 && (impl === RATE || impl === INCREASE) && input.extended === undefined;
  const lookback = ctx.options.lookbackMs;
  const reachBack = input.extended === undefined ? 0 : lookback;
  const reachForward = input.extended === 'smoothed' ? lookback : 0;
  const isRate = impl === RATE;
  // Reused across this call's series only: the loop awaits, so other queries run in between.
  let resetScratch = new Int32Array(0);
  for (const raw of input.series) {
    const s = withoutStaleMarkers(raw);
    let resets: Int32Array | undefined;
    if (inlineCounter && s.histTimestamps.length === 0) {
      if (resetScratch.length < s.values.length) resetScratch = new Int32Array(Math.max(s.values.length, 2 * resetScratch.length));
      resets = countResets(s.values, resetScratch);
    }
    const w: MutableWindow = {
      labels: s.labels,
      timestamps: s.timestamps,
      values: s.values,
      floatFrom: 0,
      floatTo: 0,
      histTimestamps: s.histTimestamps,
      histograms: s.histograms,
      histFrom: 0,
      histTo: 0,
    };
    const window: RangeWindow = w;
    let result: StepSeries | undefined;
    let floatsOut = 0;
    let peakWindow = 0;
    // Window bounds live in locals in the hot loop and are written to the view before each call.
    const ts = w.timestamps;
    const hts = w.histTimestamps;
    const nf = ts.length;
    const nh = hts.length;
    let ff = 0;
    let ft = 0;
    let hf = 0;
    let ht = 0;
    const perStep = stats.perStep;
    const { atMs, offsetMs, rangeMs } = input;
    for (let step = 0; step < grid.numSteps; step++) {
      const t = grid.start + step * grid.interval;
      const end = (atMs ?? t) - offsetMs;
      const start = end - rangeMs;
      const lo = start - reachBack;
      const hi = end + reachForward;
      // Windows only move forward (or stay, with @), so both bounds advance monotonically.
      if (step === 0 || atMs === undefined) {
        while (ff < nf && ts[ff]! <= lo) ff++;
        if (ft < ff) ft = ff;
        while (ft < nf && ts[ft]! <= hi) ft++;
        if (nh > 0) {
          while (hf < nh && hts[hf]! <= lo) hf++;
          if (ht < hf) ht = hf;
          while (ht < nh && hts[ht]! <= hi) ht++;
        }
      }
      let inWindow = ft - ff;
      // Histograms weigh by their size, as Prometheus counts them.
      for (let k = hf; k < ht; k++) inWindow += histogramSize(w.histograms[k]!);
      const pause = ctx.poll(1 + inWindow);
      if (pause !== undefined) await pause;
      if (inWindow === 0) continue;
      if (inWindow > peakWindow) peakWindow = inWindow;
      for (let a = 0; a < scalarArgs.length; a++) args[a] = scalarArgs[a]![step]!;
      w.floatFrom = ff;
      w.floatTo = ft;
      w.histFrom = hf;
      w.histTo = ht;
      let v: number | FloatHistogram | undefined;
      if (resets !== undefined) v = counterRate(ts, w.values, resets, ff, ft, start, end, isRate);
      else {
        callCtx.t = t;
        callCtx.windowStart = start;
        callCtx.windowEnd = end;
        v = impl.evaluate(window, args, callCtx);
      }
      if (countWindows) {
        stats.total += inWindow;
        if (perStep !== undefined) perStep[step]! += inWindow;
      }
      if (v === undefined) continue;
      result ??= newStepSeries(impl.keepsName ? s.labels : dropMetricName(s.labels), grid.numSteps);
      if (typeof v === 'number') {
        result.kinds[step] = FLOAT_POINT;
        result.floats[step] = v;
        result.points++;
        floatsOut++;
      } else setHistogram(result, step, v);
    }
    // Prometheus holds the current window and the output so far in memory.
    ctx.setSamples(base + held + peakWindow);
    if (result !== undefined) {
      held += result.points;
      ctx.setSamples(base + held);
      out.push(result);
    }
    if (checkCounter && floatsOut > 0) {
      const name = getLabel(s.labels, METRIC_NAME_LABEL);
      if (name !== '' && !COUNTER_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
        ctx.annotations.info(
          `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(name)}`,
          unwrapParens(call.args[0]!).pos,
        );
      }
    }
  }
  return impl.keepsName ? out : mergeSameLabelsets(out);
}

/** Fills `out[i]` with the number of drops (counter resets) among `values[1..i]`. */
function countResets(values: Float64Array, out: Int32Array): Int32Array {
  let n = 0;
  if (values.length > 0) out[0] = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! < values[i - 1]!) n++;
    out[i] = n;
  }
  return out;
}

/**
 * `rate`/`increase` of the float samples `[from, to)` over the window `(start, end]`: the
 * function table's `extrapolatedRate` for a counter without histograms, operation for
 * operation (results are bit-identical; `range-eval.test.ts` checks it against the table).
 */
function counterRate(
  ts: Float64Array,
  v: Float64Array,
  resets: Int32Array,
  from: number,
  to: number,
  start: number,
  end: number,
  isRate: boolean,
): number | undefined {
  const n = to - from;
  if (n < 2) return undefined;
  const firstT = ts[from]!;
  const lastT = ts[to - 1]!;
  let result = v[to - 1]! - v[from]!;
  if (resets[to - 1]! !== resets[from]!) {
    for (let i = from + 1; i < to; i++) if (v[i]! < v[i - 1]!) result += v[i - 1]!;
  }
  let durationToStart = (firstT - start) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  const firstFloat = v[from]!;
  let durationToZero = durationToStart;
  if (result > 0 && firstFloat >= 0) durationToZero = sampledInterval * (firstFloat / result);
  if (durationToZero < durationToStart) durationToStart = durationToZero;
  let durationToEnd = (end - lastT) / 1000;
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (end - start) / 1000;
  return result * factor;
}

/** Whether any series has a sample in the window at each step (for `absent_over_time`). */
export async function windowsPresent(ctx: QueryContext, input: RangeInput, grid: StepGrid): Promise<Uint8Array> {
  const present = new Uint8Array(grid.numSteps);
  for (const raw of input.series) {
    const pause = ctx.poll(grid.numSteps);
    if (pause !== undefined) await pause;
    const s = withoutStaleMarkers(raw);
    let f0 = 0;
    let f1 = 0;
    let h0 = 0;
    let h1 = 0;
    for (let step = 0; step < grid.numSteps; step++) {
      const end = (input.atMs ?? grid.start + step * grid.interval) - input.offsetMs;
      const start = end - input.rangeMs;
      while (f0 < s.timestamps.length && s.timestamps[f0]! <= start) f0++;
      if (f1 < f0) f1 = f0;
      while (f1 < s.timestamps.length && s.timestamps[f1]! <= end) f1++;
      while (h0 < s.histTimestamps.length && s.histTimestamps[h0]! <= start) h0++;
      if (h1 < h0) h1 = h0;
      while (h1 < s.histTimestamps.length && s.histTimestamps[h1]! <= end) h1++;
      if (f1 > f0 || h1 > h0) present[step] = 1;
    }
  }
  return present;
}

