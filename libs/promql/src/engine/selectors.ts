import { isStaleNaN } from '#pharos/metric-model';
import type { MetricStore, SelectQuery } from '#pharos/storage';
import type { VectorSelector } from '../ast.js';
import { fetchDownsampled } from './downsampled-reads.js';
import { aggregateFor } from './downsampling.js';
import { PromQLError } from './query-api.js';
import type { QueryContext, SampleStats } from './query-context.js';
import { HIST_POINT, FLOAT_POINT, newStepSeries, type RawSeries, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Reading selectors: one `store.select` per selector node for the whole span the query needs
 * from it, then per-step lookups with two pointers per series.
 */

/**
 * What a selector asks of storage. This is the planner seam: a query that opted in to
 * downsampled reads (`max_source_resolution`, ADR 0017) is answered from
 * `store.selectRollups` with Thanos' semantics; the evaluator only sees {@link RawSeries}.
 * ADR 0011 records why no request is pushed down *exactly* (bucket boundaries differ from
 * Prometheus' left-open windows) and what would allow it.
 */
export interface SelectRequest {
  readonly selector: VectorSelector;
  /** Inclusive sample-time range. */
  readonly start: number;
  readonly end: number;
  /** The range of the enclosing matrix selector; 0 for an instant selector. */
  readonly rangeMs: number;
  /** Step of the evaluation that reads it. */
  readonly stepMs: number;
  /** Name of the function or aggregation directly around the selector, if any. */
  readonly enclosing: string | undefined;
}

export async function fetchSeries(ctx: QueryContext, request: SelectRequest): Promise<RawSeries[]> {
  const { limits, tenant, storeSignal } = ctx.options;
  if (request.end < request.start) return [];
  const resolution = ctx.options.sourceResolutionMs ?? 0;
  // Anchored/smoothed ranges reach samples around the window's edges: only raw data has them.
  if (resolution > 0 && request.selector.anchored !== true && request.selector.smoothed !== true) {
    const aggregate = aggregateFor(request.enclosing);
    if (aggregate !== undefined) return fetchDownsampled(ctx, request, resolution, aggregate);
  }
  const query: SelectQuery = {
    tenant,
    matchers: request.selector.matchers,
    start: request.start,
    end: request.end,
    limitSeries: limits.maxSeries + 1,
    signal: storeSignal,
  };
  const key = selectKey(query);
  const reads = readsInFlight(ctx.store);
  const shared = reads.get(key);
  if (shared !== undefined) {
    try {
      return await shared;
    } catch {
      // The first reader's failure may be its own (canceled, timed out, over its limit):
      // this query reads for itself and meets its own errors.
      ctx.checkAlive();
    }
    return readSeries(ctx, query);
  }
  const read = readSeries(ctx, query);
  reads.set(key, read);
  try {
    return await read;
  } finally {
    reads.delete(key);
  }
}

/**
 * Identical selects in flight, per store: a dashboard's panels often read the same series
 * over the same range (a histogram's p50 and p99, or per handler and in total), and a query
 * arriving while such a read runs takes its answer instead of decoding the same samples again.
 * Only reads in flight are shared, never kept: a joiner's data is as of the read's start, at
 * most that read's duration before the joiner arrived, as if it had been sent a moment
 * earlier. The arrays are shared, which the evaluator allows: it never writes into its inputs.
 */
const inFlight = new WeakMap<MetricStore, Map<string, Promise<RawSeries[]>>>();

function readsInFlight(store: MetricStore): Map<string, Promise<RawSeries[]>> {
  let reads = inFlight.get(store);
  if (reads === undefined) inFlight.set(store, (reads = new Map()));
  return reads;
}

/** What makes two selects the same read: tenant, matchers in order, range and series limit. */
function selectKey(q: SelectQuery): string {
  const parts: (string | number)[] = [q.tenant, q.start, q.end, q.limitSeries ?? -1];
  for (const m of q.matchers) parts.push(m.name, m.type, m.value);
  return JSON.stringify(parts);
}

async function readSeries(ctx: QueryContext, query: SelectQuery): Promise<RawSeries[]> {
  const { limits } = ctx.options;
  const out: RawSeries[] = [];
  try {
    for await (const s of ctx.store.select(query)) {
      if (out.length >= limits.maxSeries) {
        throw new PromQLError('execution', `the query hit the max number of series limit (limit: ${limits.maxSeries} series)`);
      }
      out.push({
        labels: s.labels,
        timestamps: s.timestamps,
        values: s.values,
        histTimestamps: s.histogramTimestamps,
        histograms: s.histograms,
      });
      // The store decodes a series as it is pulled: its samples are this turn's work.
      await ctx.maybeYield(s.timestamps.length + s.histogramTimestamps.length);
    }
  } catch (err) {
    if (err instanceof PromQLError) throw err;
    // A read stopped by the abort signal or the deadline reports as such.
    ctx.checkAlive();
    throw new PromQLError('internal', `expanding series: ${(err as Error).message}`);
  }
  return out;
}

/**
 * An instant-vector selector at every step (`evalSeries` / `vectorSelectorSingle`): the latest
 * sample at or before `t - offset` (or `@ - offset`) and after `t - offset - lookback`, unless it
 * is a staleness marker. Output points carry the step time.
 */
export async function evalVectorSelector(
  ctx: QueryContext,
  stats: SampleStats,
  series: readonly RawSeries[],
  grid: StepGrid,
  offsetMs: number,
  atMs: number | undefined,
): Promise<StepSeries[]> {
  const lookback = ctx.options.lookbackMs;
  const out: StepSeries[] = [];
  for (const s of series) {
    const pause = ctx.poll(grid.numSteps);
    if (pause !== undefined) await pause;
    let result: StepSeries | undefined;
    let fi = 0;
    let hi = 0;
    let loaded = 0;
    const ts = s.timestamps;
    const hts = s.histTimestamps;
    const perStep = stats.perStep;
    if (hts.length === 0) {
      // Float-only series (the common case): one pointer, no histogram checks.
      const values = s.values;
      const n = ts.length;
      for (let step = 0; step < grid.numSteps; step++) {
        const ref = (atMs ?? grid.start + step * grid.interval) - offsetMs;
        while (fi < n && ts[fi]! <= ref) fi++;
        if (fi === 0 || ts[fi - 1]! <= ref - lookback) continue;
        const v = values[fi - 1]!;
        if (v !== v && isStaleNaN(v)) continue;
        result ??= newStepSeries(s.labels, grid.numSteps);
        result.kinds[step] = FLOAT_POINT;
        result.floats[step] = v;
        result.points++;
        loaded++;
        if (perStep !== undefined) perStep[step]!++;
      }
    } else for (let step = 0; step < grid.numSteps; step++) {
      const ref = (atMs ?? grid.start + step * grid.interval) - offsetMs;
      while (fi < ts.length && ts[fi]! <= ref) fi++;
      while (hi < hts.length && hts[hi]! <= ref) hi++;
      const ft = fi > 0 ? ts[fi - 1]! : -Infinity;
      const ht = hi > 0 ? hts[hi - 1]! : -Infinity;
      if (ft === -Infinity && ht === -Infinity) continue;
      const useHist = ht > ft;
      const t = useHist ? ht : ft;
      if (t <= ref - lookback) continue;
      if (useHist) {
        const h = s.histograms[hi - 1]!;
        if (isStaleNaN(h.sum)) continue;
        result ??= newStepSeries(s.labels, grid.numSteps);
        result.kinds[step] = HIST_POINT;
        (result.hists ??= new Array<FloatHistogram | undefined>(grid.numSteps))[step] = h;
        result.points++;
        const size = histogramSize(h);
        loaded += size;
        if (perStep !== undefined) perStep[step]! += size;
      } else {
        const v = s.values[fi - 1]!;
        if (isStaleNaN(v)) continue;
        result ??= newStepSeries(s.labels, grid.numSteps);
        result.kinds[step] = FLOAT_POINT;
        result.floats[step] = v;
        result.points++;
        loaded++;
        if (perStep !== undefined) perStep[step]!++;
      }
    }
    // Counted per series rather than per sample: the limit fails the same queries.
    stats.total += loaded;
    ctx.addSamples(loaded);
    if (result !== undefined) out.push(result);
  }
  return out;
}

/**
 * The sample time of each step's sample of an instant selector, for `timestamp()` (Prometheus
 * evaluates it on the selector's samples, not on the step-stamped vector).
 */
export function evalSampleTimestamps(
  ctx: QueryContext,
  stats: SampleStats,
  series: readonly RawSeries[],
  grid: StepGrid,
  offsetMs: number,
  atMs: number | undefined,
): Promise<StepSeries[]> {
  return evalVectorSelector(ctx, stats, series.map(withTimestampValues), grid, offsetMs, atMs);
}

/** The series with each sample's value replaced by its timestamp, staleness kept. */
function withTimestampValues(s: RawSeries): RawSeries {
  const values = new Float64Array(s.timestamps.length);
  for (let i = 0; i < values.length; i++) values[i] = isStaleNaN(s.values[i]!) ? s.values[i]! : s.timestamps[i]!;
  // Histogram samples become float samples holding their timestamp (timestamp() ignores values).
  if (s.histTimestamps.length === 0) return { ...s, values };
  const n = s.timestamps.length + s.histTimestamps.length;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (j >= s.histTimestamps.length || (i < s.timestamps.length && s.timestamps[i]! <= s.histTimestamps[j]!)) {
      ts[k] = s.timestamps[i]!;
      vs[k] = values[i]!;
      i++;
    } else {
      const h = s.histograms[j]!;
      ts[k] = s.histTimestamps[j]!;
      vs[k] = isStaleNaN(h.sum) ? h.sum : s.histTimestamps[j]!;
      j++;
    }
  }
  return { labels: s.labels, timestamps: ts, values: vs, histTimestamps: new Float64Array(0), histograms: [] };
}

/** The series without staleness markers (matrix windows never contain them); shared when it has none. */
export function withoutStaleMarkers(s: RawSeries): RawSeries {
  let staleFloats = 0;
  const raw = s.values;
  // Only NaNs can be markers; the bit check runs for those alone.
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (v !== v && isStaleNaN(v)) staleFloats++;
  }
  let staleHists = 0;
  for (const h of s.histograms) if (isStaleNaN(h.sum)) staleHists++;
  if (staleFloats === 0 && staleHists === 0) return s;
  const timestamps = new Float64Array(s.timestamps.length - staleFloats);
  const values = new Float64Array(timestamps.length);
  for (let i = 0, k = 0; i < s.values.length; i++) {
    if (isStaleNaN(s.values[i]!)) continue;
    timestamps[k] = s.timestamps[i]!;
    values[k++] = s.values[i]!;
  }
  const histTimestamps = new Float64Array(s.histTimestamps.length - staleHists);
  const histograms: FloatHistogram[] = [];
  for (let i = 0; i < s.histograms.length; i++) {
    if (isStaleNaN(s.histograms[i]!.sum)) continue;
    histTimestamps[histograms.length] = s.histTimestamps[i]!;
    histograms.push(s.histograms[i]!);
  }
  return { labels: s.labels, timestamps, values, histTimestamps, histograms };
}

/** First index with `arr[i] > t` at or after `from` (arrays are sorted). */
export function upperBound(arr: Float64Array, t: number, from: number): number {
  let i = from;
  while (i < arr.length && arr[i]! <= t) i++;
  return i;
}

/**
 * The points of each series in `(end - range, end]` for a single evaluation (an instant query
 * of a matrix selector), as views on the fetched arrays.
 */
export function sliceWindow(series: readonly RawSeries[], end: number, rangeMs: number): RawSeries[] {
  const start = end - rangeMs;
  const out: RawSeries[] = [];
  for (const raw of series) {
    const s = withoutStaleMarkers(raw);
    const f0 = upperBound(s.timestamps, start, 0);
    const f1 = upperBound(s.timestamps, end, f0);
    const h0 = upperBound(s.histTimestamps, start, 0);
    const h1 = upperBound(s.histTimestamps, end, h0);
    if (f1 === f0 && h1 === h0) continue;
    out.push({
      labels: s.labels,
      timestamps: s.timestamps.subarray(f0, f1),
      values: s.values.subarray(f0, f1),
      histTimestamps: s.histTimestamps.subarray(h0, h1),
      histograms: s.histograms.slice(h0, h1),
    });
  }
  return out;
}

/**
 * How many samples a histogram counts for in the memory limit: Prometheus' `HPoint.size()`,
 * its in-memory size (`FloatHistogram.Size()`: a 168-byte struct, 8 bytes per span, bucket and
 * custom bound) over 16 bytes.
 */
export function histogramSize(h: FloatHistogram): number {
  const spans = (h.positiveSpans.length + h.negativeSpans.length) / 2;
  const bytes = 168 + 8 * (spans + h.positiveCounts.length + h.negativeCounts.length + h.customValues.length);
  return Math.floor((bytes + 8) / 16);
}
