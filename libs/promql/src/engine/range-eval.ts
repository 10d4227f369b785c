import { isMetadataLabel, METRIC_NAME_LABEL, type Labels } from '#pharos/metric-model';
import type { Call } from '../ast.js';
import type { RangeCallContext, RangeFunctionImpl } from '../functions/contract.js';
import { FUNCTIONS } from '../functions/table.js';
import { dropMetricName, getLabel, goQuote, labelsKey } from './labels.js';
import { unwrapParens } from './preprocess.js';
import { mergeSameLabelsets } from './output-set.js';
import type { QueryContext, SampleStats } from './query-context.js';
import { counterRateSeries, type Drops, type WindowTally } from './counter-rate.js';
import { floatSampleCount } from './downsampling.js';
import { histogramSize, withoutStaleMarkers } from './selectors.js';
import { FLOAT_POINT, NO_POINT, newStepSeries, setHistogram, type RangeInput, type RawSeries, type StepGrid, type StepSeries } from './step-values.js';
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
const AVG_OVER_TIME = FUNCTIONS.get('avg_over_time');

/**
 * Receives a range function's output series one at a time instead of having them collected
 * (an aggregation folding them as they come, see `aggregate-fold.ts`). The series passed is
 * scratch, valid during the call only.
 */
export interface StepSeriesSink {
  accept(series: StepSeries): void;
}

/**
 * Whether the output of a range function over `input` can stream into a {@link StepSeriesSink}
 * unchanged: floats only (no histogram in the input) and no two series whose output label sets
 * are equal (those are merged after the call, `mergeSameLabelsets`, which would move a series'
 * points and so change the order a later fold adds them in).
 */
export function streamsToSink(impl: RangeFunctionImpl, input: RangeInput): boolean {
  for (const s of input.series) if (s.histTimestamps.length > 0) return false;
  if (impl.keepsName || oneNameNoMetadata(input.series)) return true;
  const keys = new Set<string>();
  for (const s of input.series) {
    const key = labelsKey(dropMetricName(s.labels));
    if (keys.has(key)) return false;
    keys.add(key);
  }
  return true;
}

/**
 * Whether all series carry the same metric name and no other metadata label: distinct series
 * then stay distinct once the name is dropped (the usual case, checked without building keys).
 */
function oneNameNoMetadata(series: readonly RawSeries[]): boolean {
  let name: string | undefined;
  for (const s of series) {
    const labels = s.labels;
    let own: string | undefined;
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i]!;
      if (n === METRIC_NAME_LABEL) own = labels[i + 1]!;
      else if (isMetadataLabel(n)) return false;
    }
    if (own === undefined || (name !== undefined && own !== name)) return false;
    name = own;
  }
  return true;
}

/**
 * Calls a range function for every series at every step over the window
 * `(end - range, end]`, `end = (@ ?? t) - offset`, sliding two pointers per series so each
 * sample is visited a constant number of times whatever the overlap between steps. An
 * `anchored` selector's windows reach one lookback delta further back, a `smoothed` one's also
 * one lookback delta forward (Prometheus' `matrixIterSlice` bounds for them); the function
 * still gets `(end - range, end]` as the range. With a `sink`, output series go to it one by
 * one (see {@link streamsToSink}) and the returned list is empty.
 */
export async function evalRangeFunction(
  ctx: QueryContext,
  stats: SampleStats,
  call: Call,
  impl: RangeFunctionImpl,
  input: RangeInput,
  scalarArgs: readonly Float64Array[],
  grid: StepGrid,
  sink?: StepSeriesSink,
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
  // The table's own rate/increase over float-only series run inline (`counterRateSteps`): same
  // arithmetic, without the per-call window view, name lookup and reset scan of each window.
  const inlineCounter = scalarArgs.length === 0 && (impl === RATE || impl === INCREASE) && input.extended === undefined;
  const lookback = ctx.options.lookbackMs;
  const reachBack = input.extended === undefined ? 0 : lookback;
  const reachForward = input.extended === 'smoothed' ? lookback : 0;
  const isRate = impl === RATE;
  const numSteps = grid.numSteps;
  const tally: WindowTally = { total: 0, peak: 0 };
  // Per-step sample counts only when asked for (stats of a top-level range query).
  const perStep = countWindows ? stats.perStep : undefined;
  // With a sink, one scratch series is reused for every input series.
  const scratch = sink === undefined ? undefined : newStepSeries([], numSteps);
  // Reused across this call's series only: the loop awaits, so other queries run in between.
  const dropScratch: Drops = { all: new Int32Array(16), count: 0 };
  for (const raw of input.series) {
    let result: StepSeries;
    if (scratch === undefined) result = newStepSeries(raw.labels, numSteps);
    else {
      clearSeries(scratch);
      scratch.labels = raw.labels;
      result = scratch;
    }
    let s = raw;
    if (inlineCounter && raw.histTimestamps.length === 0) {
      // The count, not `timestamps`: that would make a rollup counter's samples (see `counterRateSeries`).
      const pause = ctx.poll(numSteps + floatSampleCount(raw));
      if (pause !== undefined) await pause;
      s = counterRateSeries(raw, dropScratch, grid, input, isRate, result, perStep, tally);
    } else {
      s = withoutStaleMarkers(raw);
      tally.total = 0;
      tally.peak = 0;
      await windowsOfSeries(ctx, impl, s, input, scalarArgs, args, callCtx, grid, reachBack, reachForward, result, perStep, tally);
    }
    if (countWindows) stats.total += tally.total;
    // Prometheus holds the current window and the output so far in memory.
    ctx.setSamples(base + held + tally.peak);
    if (result.points > 0) {
      if (!impl.keepsName) result.labels = dropMetricName(s.labels);
      held += result.points;
      ctx.setSamples(base + held);
      if (sink === undefined) out.push(result);
      else sink.accept(result);
    }
    if (checkCounter && result.points > 0 && hasFloat(result)) {
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

function hasFloat(s: StepSeries): boolean {
  if (s.hists === undefined) return true;
  const kinds = s.kinds;
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === FLOAT_POINT) return true;
  return false;
}

/**
 * The function table's entry over every step of one series, a window view moved step by step.
 * Polls per step: a window may hold many samples and some functions are linear in them.
 */
async function windowsOfSeries(
  ctx: QueryContext,
  impl: RangeFunctionImpl,
  s: RawSeries,
  input: RangeInput,
  scalarArgs: readonly Float64Array[],
  args: number[],
  callCtx: { -readonly [K in keyof RangeCallContext]: RangeCallContext[K] },
  grid: StepGrid,
  reachBack: number,
  reachForward: number,
  result: StepSeries,
  perStep: Float64Array | undefined,
  tally: WindowTally,
): Promise<void> {
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
  const ts = s.timestamps;
  const hts = s.histTimestamps;
  const nf = ts.length;
  const nh = hts.length;
  let ff = 0;
  let ft = 0;
  let hf = 0;
  let ht = 0;
  const { atMs, offsetMs, rangeMs } = input;
  if (nh === 0 && scalarArgs.length === 0) {
    // Floats only, no scalar argument: the steps run in a synchronous loop, left only where
    // `poll` asks to pause (a 7 d panel at a 10 m step is ~1,000 windows of a few samples per
    // series, where the async loop's per-step cost was most of the work).
    const cursor: FloatCursor = { step: 0, ff: 0, ft: 0, pause: undefined };
    while (cursor.step < grid.numSteps) {
      floatWindowSteps(ctx, impl, s.timestamps, input, callCtx, window, w, grid, reachBack, reachForward, result, perStep, tally, cursor);
      const pause = cursor.pause;
      cursor.pause = undefined;
      if (pause !== undefined) await pause;
    }
    return;
  }
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
    for (let k = hf; k < ht; k++) inWindow += histogramSize(s.histograms[k]!);
    const pause = ctx.poll(1 + inWindow);
    if (pause !== undefined) await pause;
    if (inWindow === 0) continue;
    if (inWindow > tally.peak) tally.peak = inWindow;
    for (let a = 0; a < scalarArgs.length; a++) args[a] = scalarArgs[a]![step]!;
    w.floatFrom = ff;
    w.floatTo = ft;
    w.histFrom = hf;
    w.histTo = ht;
    callCtx.t = t;
    callCtx.windowStart = start;
    callCtx.windowEnd = end;
    const v = impl.evaluate(window, args, callCtx);
    tally.total += inWindow;
    if (perStep !== undefined) perStep[step]! += inWindow;
    if (v === undefined) continue;
    if (typeof v === 'number') {
      result.kinds[step] = FLOAT_POINT;
      result.floats[step] = v;
      result.points++;
    } else setHistogram(result, step, v);
  }
}

/** Where {@link floatWindowSteps} stopped: the next step, its window bounds, and the pause `poll` asked for. */
interface FloatCursor {
  step: number;
  ff: number;
  ft: number;
  pause: Promise<void> | undefined;
}

/**
 * {@link windowsOfSeries}' loop for a float-only series without scalar arguments, from
 * `cursor.step` until the last step or until `poll` asks for a pause (left in `cursor` after
 * that step's evaluation, which the caller awaits before going on): the same windows, the same
 * calls and polls, without a suspension point per step.
 */
function floatWindowSteps(
  ctx: QueryContext,
  impl: RangeFunctionImpl,
  ts: Float64Array,
  input: RangeInput,
  callCtx: { -readonly [K in keyof RangeCallContext]: RangeCallContext[K] },
  window: RangeWindow,
  w: MutableWindow,
  grid: StepGrid,
  reachBack: number,
  reachForward: number,
  result: StepSeries,
  perStep: Float64Array | undefined,
  tally: WindowTally,
  cursor: FloatCursor,
): void {
  const nf = ts.length;
  const { atMs, offsetMs, rangeMs } = input;
  const noArgs: readonly number[] = [];
  const values = w.values;
  const avg = impl === AVG_OVER_TIME;
  let ff = cursor.ff;
  let ft = cursor.ft;
  let step = cursor.step;
  for (; step < grid.numSteps; step++) {
    const t = grid.start + step * grid.interval;
    const end = (atMs ?? t) - offsetMs;
    const start = end - rangeMs;
    if (step === 0 || atMs === undefined) {
      const lo = start - reachBack;
      const hi = end + reachForward;
      while (ff < nf && ts[ff]! <= lo) ff++;
      if (ft < ff) ft = ff;
      while (ft < nf && ts[ft]! <= hi) ft++;
    }
    const inWindow = ft - ff;
    const pause = ctx.poll(1 + inWindow);
    if (inWindow > 0) {
      if (inWindow > tally.peak) tally.peak = inWindow;
      w.floatFrom = ff;
      w.floatTo = ft;
      callCtx.t = t;
      callCtx.windowStart = start;
      callCtx.windowEnd = end;
      const v = avg ? floatAverage(values, ff, ft) : impl.evaluate(window, noArgs, callCtx);
      tally.total += inWindow;
      if (perStep !== undefined) perStep[step]! += inWindow;
      if (v !== undefined) {
        if (typeof v === 'number') {
          result.kinds[step] = FLOAT_POINT;
          result.floats[step] = v;
          result.points++;
        } else setHistogram(result, step, v);
      }
    }
    if (pause !== undefined) {
      cursor.pause = pause;
      step++;
      break;
    }
  }
  cursor.step = step;
  cursor.ff = ff;
  cursor.ft = ft;
}

/**
 * `avg_over_time` of the floats `[from, to)` (at least one), the function table's arithmetic
 * operation for operation (Kahan-compensated sum, the incremental mean once the sum
 * overflows), with the compensation in a local instead of the table's module-level variable,
 * whose every write boxed a number.
 */
function floatAverage(v: Float64Array, from: number, to: number): number {
  let sum = v[from]!;
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = from + 1; i < to; i++) {
    const f = v[i]!;
    count = i - from + 1;
    if (!incremental) {
      const t = sum + f;
      if (t !== Infinity && t !== -Infinity) {
        c = Math.abs(sum) >= Math.abs(f) ? c + (sum - t + f) : c + (f - t + sum);
        sum = t;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    const inc = f / count;
    const m = q * mean;
    const qc = q * c;
    const t = m + inc;
    if (t === Infinity || t === -Infinity) c = 0;
    else if (Math.abs(m) >= Math.abs(inc)) c = qc + (m - t + inc);
    else c = qc + (inc - t + m);
    mean = t;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

/** Empties a series for reuse (float points only). */
function clearSeries(s: StepSeries): void {
  if (s.points > 0) {
    s.kinds.fill(NO_POINT);
    s.points = 0;
  }
  s.hists = undefined;
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

