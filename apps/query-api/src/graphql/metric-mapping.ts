import { labelsToRecord, lowerBound } from '#pharos/metric-model';
import { histogramBucketTuples, type FloatHistogram, type QueryResult, type ResultSeries } from '#pharos/promql';
import { jsonFloat } from './scalars.js';
import { ResultKind, type HistogramPointType, type InstantQueryResultType, type RangeQueryResultType, type SeriesType } from './metric-types.js';

/** Engine results to the schema's shapes; float arrays are passed through, not copied. */

export function histogramPoint(t: number, h: FloatHistogram): HistogramPointType {
  return { t, count: h.count, sum: h.sum, buckets: histogramBucketTuples(h) };
}

/** The step grid of a range result. */
export interface StepGrid {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

/**
 * `gridValues` is built by its scalar only when the field is selected, so clients that ask
 * for timestamps + values pay nothing for it.
 */
export function seriesOf(s: ResultSeries, grid?: StepGrid): SeriesType {
  const histograms = new Array<HistogramPointType>(s.histograms.length);
  for (let i = 0; i < s.histograms.length; i++) histograms[i] = histogramPoint(s.histTimestamps[i]!, s.histograms[i]!);
  return {
    labels: labelsToRecord(s.labels),
    timestamps: s.timestamps,
    values: s.values,
    histograms,
    gridValues: grid ? { toGrid: () => gridValues(s.timestamps, s.values, grid) } : null,
  };
}

/** Values placed on the grid; steps without a point stay null. */
export function gridValues(timestamps: Float64Array, values: Float64Array, grid: StepGrid): (number | string | null)[] {
  const steps = Math.floor((grid.endMs - grid.startMs) / grid.stepMs) + 1;
  const out = new Array<number | string | null>(steps).fill(null);
  for (let i = 0; i < timestamps.length; i++) {
    const k = Math.round((timestamps[i]! - grid.startMs) / grid.stepMs);
    if (k >= 0 && k < steps) out[k] = jsonFloat(values[i]!);
  }
  return out;
}

export function instantResultOf(result: QueryResult, timeMs: number): InstantQueryResultType {
  const base = {
    t: timeMs,
    samples: [],
    series: [],
    scalar: null,
    string: null,
    warnings: [...result.annotations.warnings],
    infos: [...result.annotations.infos],
  };
  const v = result.value;
  switch (v.resultType) {
    case 'scalar':
      return { ...base, resultType: ResultKind.SCALAR, scalar: v.f, t: v.t };
    case 'string':
      return { ...base, resultType: ResultKind.STRING, string: v.s, t: v.t };
    case 'matrix':
      return { ...base, resultType: ResultKind.MATRIX, series: v.series.map((s) => seriesOf(s)) };
    case 'vector':
      return {
        ...base,
        resultType: ResultKind.VECTOR,
        samples: v.samples.map((s) => ({
          labels: labelsToRecord(s.labels),
          t: s.t,
          value: s.h ? null : s.f,
          histogram: s.h ? histogramPoint(s.t, s.h) : null,
        })),
      };
  }
}

export function rangeResultOf(result: QueryResult, grid: StepGrid): RangeQueryResultType {
  const v = result.value;
  return {
    series: v.resultType === 'matrix' ? v.series.map((s) => seriesOf(s, grid)) : [],
    warnings: [...result.annotations.warnings],
    infos: [...result.annotations.infos],
  };
}

/**
 * The part of a series at or after `fromMs` (times are sorted): subarray views, no copies.
 * Undefined when nothing is left.
 */
export function seriesFrom(s: ResultSeries, fromMs: number, grid: StepGrid): SeriesType | undefined {
  const fi = lowerBound(s.timestamps, fromMs);
  const hi = lowerBound(s.histTimestamps, fromMs);
  if (fi === s.timestamps.length && hi === s.histTimestamps.length) return undefined;
  const histograms: HistogramPointType[] = [];
  for (let i = hi; i < s.histograms.length; i++) histograms.push(histogramPoint(s.histTimestamps[i]!, s.histograms[i]!));
  const timestamps = s.timestamps.subarray(fi);
  const values = s.values.subarray(fi);
  return { labels: labelsToRecord(s.labels), timestamps, values, histograms, gridValues: { toGrid: () => gridValues(timestamps, values, grid) } };
}
