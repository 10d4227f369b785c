import type { LabelMatcher, Labels } from '#pharos/metric-model';
import type { SeriesRollups, SeriesSamples } from '#pharos/storage';
import type { Call } from '../ast.js';
import { CounterAggregateSeries, counterBucketsOf, downsampledSamples, floatSampleCount, rollupFieldsFor, SampleSlabs, type CounterBuckets, type RollupAggregate } from './downsampling.js';
import { compareLabels, labelsKey } from './labels.js';
import { PromQLError } from './query-api.js';
import type { QueryContext } from './query-context.js';
import type { SelectRequest } from './selectors.js';
import type { RangeInput, RawSeries } from './step-values.js';

/**
 * Reading a selector from rollups (docs/adr/0017). The selection `[start, end]` splits at
 * `boundary`, the start of the bucket `end` lies in (`end + 1` when `end` closes a bucket):
 * every bucket before it is read with `selectRollups` (the store answers closed, open and
 * dirty buckets alike, so nothing waits for the maintainer), the rest with `select`. A step
 * therefore sees raw samples only in the newest bucket of its query, which keeps the live edge
 * of a panel as fresh as a raw read. Series with data but no rollups in the first part
 * (native histograms), which the rollup read names too, are read raw over the whole selection.
 */
export async function fetchDownsampled(
  ctx: QueryContext,
  request: SelectRequest,
  resolutionMs: number,
  aggregate: RollupAggregate,
): Promise<RawSeries[]> {
  const { tenant, storeSignal, limits } = ctx.options;
  const { start, end } = request;
  const matchers = request.selector.matchers;
  const boundary = Math.floor((end + 1) / resolutionMs) * resolutionMs;
  const firstBucket = Math.floor(start / resolutionMs) * resolutionMs;
  const limitSeries = limits.maxSeries + 1;
  const entries = new Map<string, Entry>();
  const entry = (labels: Labels): Entry => {
    const key = labelsKey(labels);
    let e = entries.get(key);
    if (e === undefined) {
      if (entries.size >= limits.maxSeries) throw tooManySeries(limits.maxSeries);
      e = { labels, rollups: undefined, counters: undefined, tail: undefined, raw: undefined };
      entries.set(key, e);
    }
    return e;
  };
  try {
    if (boundary > firstBucket) {
      // Only the columns the aggregate's synthetic samples are made of.
      const fields = rollupFieldsFor(aggregate);
      // Series with data in [start, boundary) but no bucket (native histograms; float series
      // with only staleness markers there) come named after the others: they are read raw.
      // Only a store with native histograms is asked (as before: without them, none is read).
      const withoutRollupsFrom = ctx.store.capabilities.nativeHistograms ? start : undefined;
      const rawOnly: Labels[] = [];
      const query = { tenant, matchers, start: firstBucket, end: boundary - 1, resolutionMs, fields, limitSeries, signal: storeSignal, withoutRollupsFrom };
      if (aggregate === 'counter') {
        // The store's counter aggregate (docs/adr/0020) when it offers one: one column a series
        // instead of four. Otherwise the same reduction here, over the fields, in place.
        const read = ctx.store.selectCounterRollups?.(query);
        if (read !== undefined) {
          for await (const c of read) {
            if (c.withoutRollups === true) rawOnly.push(c.labels);
            else if (c.bucketStarts.length > 0) entry(c.labels).counters = c;
            await ctx.maybeYield();
          }
        } else {
          for await (const r of ctx.store.selectRollups(query)) {
            if (r.withoutRollups === true) rawOnly.push(r.labels);
            else if (r.bucketStarts.length > 0) entry(r.labels).counters = counterBucketsOf(r, r.increase);
            await ctx.maybeYield();
          }
        }
      } else {
        for await (const r of ctx.store.selectRollups(query)) {
          if (r.withoutRollups === true) rawOnly.push(r.labels);
          else if (r.bucketStarts.length > 0) entry(r.labels).rollups = r;
          await ctx.maybeYield();
        }
      }
      await readRawOnlySeries(ctx, rawOnly, request, entries, entry);
    }
    if (boundary <= end) {
      for await (const s of ctx.store.select({ tenant, matchers, start: Math.max(start, boundary), end, limitSeries, signal: storeSignal })) {
        const e = entry(s.labels);
        if (e.raw === undefined) e.tail = s;
        await ctx.maybeYield();
      }
    }
  } catch (err) {
    if (err instanceof PromQLError) throw err;
    ctx.checkAlive();
    throw new PromQLError('internal', `expanding series: ${(err as Error).message}`);
  }
  const out: RawSeries[] = [];
  const slabs = new SampleSlabs();
  for (const e of entries.values()) {
    const series = toRawSeries(e, aggregate, resolutionMs, slabs);
    if (floatSampleCount(series) > 0 || series.histTimestamps.length > 0) out.push(series);
  }
  // As `select` yields them, so evaluation order (and ties in the output) match raw reads.
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/**
 * Whether `count_over_time` reads per-bucket counts and so evaluates as their sum: a count of
 * the synthetic samples would count buckets (Thanos' answer), not samples.
 */
export function countsAsSum(ctx: QueryContext, call: Call, input: RangeInput): boolean {
  return (ctx.options.sourceResolutionMs ?? 0) > 0 && call.func === 'count_over_time' && input.fromSubquery !== true && input.extended === undefined;
}

interface Entry {
  readonly labels: Labels;
  rollups: SeriesRollups | undefined;
  /** The counter aggregate of its buckets, for `counter` (instead of `rollups`). */
  counters: CounterBuckets | undefined;
  /** Raw samples from the boundary on. */
  tail: SeriesSamples | undefined;
  /** A series without rollups, read raw over the whole selection. */
  raw: SeriesSamples | undefined;
}

/**
 * Series with data before the boundary but no rollup bucket there hold no float samples in
 * that span (native histograms, or only staleness markers): each is read raw, whole. For the
 * usual all-float selector there is none to read.
 */
async function readRawOnlySeries(
  ctx: QueryContext,
  withData: readonly Labels[],
  request: SelectRequest,
  entries: Map<string, Entry>,
  entry: (labels: Labels) => Entry,
): Promise<void> {
  const { tenant, storeSignal, limits } = ctx.options;
  for (const labels of withData) {
    const known = entries.get(labelsKey(labels));
    if (known?.rollups !== undefined || known?.counters !== undefined) continue;
    // Every label as an equality matcher finds the series (and supersets, dropped below).
    const exact: LabelMatcher[] = [];
    for (let i = 0; i < labels.length; i += 2) exact.push({ name: labels[i]!, value: labels[i + 1]!, type: '=' });
    for await (const s of ctx.store.select({ tenant, matchers: exact, start: request.start, end: request.end, limitSeries: limits.maxSeries + 1, signal: storeSignal })) {
      if (compareLabels(s.labels, labels) === 0) entry(labels).raw = s;
    }
  }
}

function toRawSeries(e: Entry, aggregate: RollupAggregate, resolutionMs: number, slabs: SampleSlabs): RawSeries {
  const raw = e.raw;
  if (raw !== undefined && aggregate !== 'count' && aggregate !== 'counter') {
    return { labels: e.labels, timestamps: raw.timestamps, values: raw.values, histTimestamps: raw.histogramTimestamps, histograms: raw.histograms };
  }
  // A raw-only series is its own tail: no rollups precede it.
  const rollups = raw === undefined ? e.rollups : undefined;
  const tail = raw ?? e.tail;
  const histTimestamps = tail?.histogramTimestamps ?? EMPTY;
  const histograms = tail?.histograms ?? [];
  // Its samples are made when read (the rate kernel makes them in scratch instead).
  if (aggregate === 'counter') return new CounterAggregateSeries(e.labels, resolutionMs, raw === undefined ? e.counters : undefined, tail, histTimestamps, histograms, slabs);
  const f = downsampledSamples(aggregate, resolutionMs, rollups, tail, { timestamps: histTimestamps, histograms }, slabs);
  // Counts replace the histogram samples; elsewhere they pass through (as Thanos passes non-float samples).
  if (aggregate === 'count') return { labels: e.labels, timestamps: f.timestamps, values: f.values, histTimestamps: EMPTY, histograms: [] };
  return { labels: e.labels, timestamps: f.timestamps, values: f.values, histTimestamps, histograms };
}

function tooManySeries(limit: number): PromQLError {
  return new PromQLError('execution', `the query hit the max number of series limit (limit: ${limit} series)`);
}

const EMPTY = new Float64Array(0);
