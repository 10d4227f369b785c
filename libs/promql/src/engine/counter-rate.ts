import { CounterAggregateSeries } from './downsampling.js';
import { withoutStaleMarkers } from './selectors.js';
import { FLOAT_POINT, type RangeInput, type RawSeries, type StepGrid, type StepSeries } from './step-values.js';

/**
 * The evaluator's own `rate`/`increase` over float-only counters (`range-eval.ts` calls it for
 * the function table's entries): one synchronous pass per series, bit-identical to the table's
 * `extrapolatedRate`.
 */

/** Window samples counted by a kernel for one series: their sum over steps and the largest window. */
export interface WindowTally {
  total: number;
  peak: number;
}

/** Indexes `i` where `values[i] < values[i - 1]` (counter resets), ascending: `all[0 .. count)`. */
export interface Drops {
  all: Int32Array;
  count: number;
}

/**
 * `counterRateSteps` over one series, straight on the read arrays unless they hold a NaN
 * (perhaps a staleness marker, which must be filtered out first). Returns the series used.
 * Synchronous, so this per-sample work is compiled with the kernel, not in the async caller.
 *
 * A counter read from rollups whose samples nobody made yet ({@link CounterAggregateSeries})
 * has them written into {@link scratch}, reused series after series and so in cache: the same
 * samples, the same scan and kernel, without a read's worth of fresh sample columns.
 */
export function counterRateSeries(
  raw: RawSeries,
  drops: Drops,
  grid: StepGrid,
  input: RangeInput,
  isRate: boolean,
  out: StepSeries,
  perStep: Float64Array | undefined,
  tally: WindowTally,
): RawSeries {
  if (raw instanceof CounterAggregateSeries && !raw.materialized && raw.capacity <= MAX_SCRATCH_SAMPLES) {
    if (scratch.length < 2 * raw.capacity) scratch = new Float64Array(Math.max(2 * raw.capacity, 2 * scratch.length));
    const half = scratch.length >> 1;
    const n = raw.samplesInto(scratch.subarray(0, half), scratch.subarray(half));
    const ts = scratch.subarray(0, n);
    const vs = scratch.subarray(half, half + n);
    // A NaN (a counter's own NaN value, summed into the totals) takes the usual path below.
    if (findDrops(vs, drops, false)) {
      counterRateSteps(ts, vs, drops.all, drops.count, grid, input, isRate, out, perStep, tally);
      return raw;
    }
  }
  let s = raw;
  if (!findDrops(raw.values, drops, false)) {
    s = withoutStaleMarkers(raw);
    findDrops(s.values, drops, true);
  }
  counterRateSteps(s.timestamps, s.values, drops.all, drops.count, grid, input, isRate, out, perStep, tally);
  return s;
}

/**
 * Timestamps (first half) and values (second half) of one {@link CounterAggregateSeries} at a
 * time. Module-wide: it is only used within one synchronous call, so no other query can get in
 * between. Grows to the largest series seen (a 7 d series at 5 m: ~32 KB), up to
 * {@link MAX_SCRATCH_SAMPLES} samples; longer series are made in the read's slabs as before.
 */
let scratch = new Float64Array(0);
const MAX_SCRATCH_SAMPLES = 1 << 17;

/**
 * One pass over a counter's values: where it drops, into `drops` (grown as needed). False when
 * a value is NaN (maybe a staleness marker, which must be filtered out first) unless
 * `nanIsValue`.
 */
function findDrops(values: Float64Array, drops: Drops, nanIsValue: boolean): boolean {
  let all = drops.all;
  let count = 0;
  const n = values.length;
  let prev = n > 0 ? values[0]! : 0;
  if (prev !== prev && !nanIsValue) return false;
  for (let i = 1; i < n; i++) {
    const x = values[i]!;
    // One comparison in the common case: true for a drop or a NaN on either side.
    if (!(x >= prev)) {
      if (x !== x) {
        if (!nanIsValue) return false;
      } else if (x < prev) {
        if (count === all.length) {
          const grown = new Int32Array(2 * all.length + 16);
          grown.set(all);
          all = grown;
        }
        all[count++] = i;
      }
    }
    prev = x;
  }
  drops.all = all;
  drops.count = count;
  return true;
}

/**
 * `rate`/`increase` of one float-only counter at every step into `out` (empty on entry),
 * Prometheus' `extrapolatedRate` operation for operation, so answers are bit-identical
 * (`range-eval.test.ts` checks it against the function table). Synchronous, so the loop
 * compiles to straight-line code with no suspension point per step, and cheap per step:
 * - the window bounds slide forward, each first trying the distance it moved at the previous
 *   step (two comparisons when the scrapes are regular) before scanning;
 * - counter resets come from `findDrops`, and only a window holding one is scanned for them;
 * - the extrapolation depends on the window's shape alone (sample count, the distances of its
 *   first and last samples to the window's edges, their distance to each other) except for the
 *   zero-point clamp, and regular scrapes repeat one shape step after step: the factor is kept
 *   for the last shape and only recomputed when it changes. The clamp (`durationToZero`) is
 *   worked out exactly unless `firstFloat` is clearly past it (see `clampRatio`).
 */
function counterRateSteps(
  ts: Float64Array,
  v: Float64Array,
  dropAt: Int32Array,
  dropCount: number,
  grid: StepGrid,
  input: RangeInput,
  isRate: boolean,
  out: StepSeries,
  perStep: Float64Array | undefined,
  tally: WindowTally,
): void {
  const kinds = out.kinds;
  const floats = out.floats;
  const { atMs, offsetMs, rangeMs } = input;
  const numSteps = grid.numSteps;
  const first = grid.start;
  const interval = grid.interval;
  const nf = ts.length;
  // With integer times (always, in practice) `end - start` is exactly `rangeMs`: divide once.
  const exact =
    Number.isSafeInteger(rangeMs) &&
    Number.isSafeInteger(first) &&
    Number.isSafeInteger(interval) &&
    Number.isSafeInteger(offsetMs) &&
    (atMs === undefined || Number.isSafeInteger(atMs));
  const rangeSeconds = rangeMs / 1000;
  // Window `[ff, ft)`; the last moves of its bounds; the last drop before `ft`.
  let ff = 0;
  let ft = 0;
  let moveF = 0;
  let moveT = 0;
  let nextDrop = 0;
  let lastDrop = -1;
  let total = 0;
  let peak = 0;
  let points = 0;
  // The last window shape and what it gives.
  let shapeN = -1;
  let shapeHead = NaN;
  let shapeSpan = NaN;
  let shapeTail = NaN;
  let sampledInterval = 0;
  let durationToStart0 = 0;
  let durationToEnd = 0;
  let factor0 = 0;
  let clampRatio = Infinity;
  for (let step = 0; step < numSteps; step++) {
    const end = (atMs ?? first + step * interval) - offsetMs;
    const start = end - rangeMs;
    if (step === 0 || atMs === undefined) {
      // First index with ts > start: the guess `ff + moveF` is it iff ts[guess - 1] <= start < ts[guess].
      let c = ff + moveF;
      if (c <= nf && (c === ff ? c === nf || ts[c]! > start : ts[c - 1]! <= start && (c === nf || ts[c]! > start))) {
        moveF = c - ff;
        ff = c;
      } else {
        c = ff;
        while (c < nf && ts[c]! <= start) c++;
        moveF = c - ff;
        ff = c;
      }
      const from = ft < ff ? ff : ft;
      c = from + moveT;
      if (c <= nf && (c === from ? c === nf || ts[c]! > end : ts[c - 1]! <= end && (c === nf || ts[c]! > end))) {
        // Guessed right.
      } else {
        c = from;
        while (c < nf && ts[c]! <= end) c++;
      }
      moveT = c - from;
      ft = c;
      while (nextDrop < dropCount && dropAt[nextDrop]! < ft) lastDrop = dropAt[nextDrop++]!;
    }
    const n = ft - ff;
    if (n === 0) continue;
    if (n > peak) peak = n;
    total += n;
    if (perStep !== undefined) perStep[step]! += n;
    if (n < 2) continue;
    const firstT = ts[ff]!;
    const lastT = ts[ft - 1]!;
    const firstFloat = v[ff]!;
    let result = v[ft - 1]! - firstFloat;
    if (lastDrop > ff) {
      for (let i = ff + 1; i < ft; i++) if (v[i]! < v[i - 1]!) result += v[i - 1]!;
    }
    const head = firstT - start;
    const span = lastT - firstT;
    const tail = end - lastT;
    if (n !== shapeN || head !== shapeHead || span !== shapeSpan || tail !== shapeTail || !exact) {
      shapeN = n;
      shapeHead = head;
      shapeSpan = span;
      shapeTail = tail;
      sampledInterval = span / 1000;
      const averageDurationBetweenSamples = sampledInterval / (n - 1);
      const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
      durationToStart0 = head / 1000;
      if (durationToStart0 >= extrapolationThreshold) durationToStart0 = averageDurationBetweenSamples / 2;
      durationToEnd = tail / 1000;
      if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
      factor0 = (sampledInterval + durationToStart0 + durationToEnd) / sampledInterval;
      if (isRate) factor0 /= exact ? rangeSeconds : (end - start) / 1000;
      // firstFloat > result × clampRatio guarantees sampledInterval × (firstFloat / result) ≥
      // durationToStart0 whatever the rounding (a factor 2 margin over ~4 ulps of error).
      clampRatio = (2 * durationToStart0) / sampledInterval;
    }
    let factor = factor0;
    if (result > 0 && firstFloat >= 0 && !(result > 1e-200 && firstFloat > result * clampRatio)) {
      const durationToZero = sampledInterval * (firstFloat / result);
      if (durationToZero < durationToStart0) {
        factor = (sampledInterval + durationToZero + durationToEnd) / sampledInterval;
        if (isRate) factor /= exact ? rangeSeconds : (end - start) / 1000;
      }
    }
    kinds[step] = FLOAT_POINT;
    floats[step] = result * factor;
    points++;
  }
  out.points = points;
  tally.total = total;
  tally.peak = peak;
}
