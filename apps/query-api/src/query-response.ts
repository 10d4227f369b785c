import type { QueryStats, QueryValue, ResultSeries, Sample } from '#pharos/promql';
import {
  floatPointJson,
  formatGoFloatPlain,
  formatJsonFloat,
  formatPromFloat,
  formatPromTimestamp,
  histogramJson,
  jsonString,
  labelsJson,
} from './prometheus-json.js';
import type { QueryPointsMemo } from './points-json-memo.js';

/** Prometheus writes at most this many warnings and infos, then a count of the rest (`AsStrings(query, 10, 10)`). */
const MAX_ANNOTATIONS = 10;
/** Chunks of about this many characters are handed to the socket. */
const CHUNK_CHARS = 256 * 1024;

export const TRUNCATED_WARNING = 'results truncated due to limit';

export interface QueryResponseParts {
  readonly value: QueryValue;
  /** Cap on vector/matrix series (`limit`); 0 or undefined for none. */
  readonly limit?: number;
  readonly warnings: Iterable<string>;
  readonly infos: Iterable<string>;
  /** Present when the request asked for `stats`; per-step counts only for `stats=all`. */
  readonly stats?: QueryStats;
  readonly perStepStats?: boolean;
  /** Encoded points of this query's previous answers, reused where the points are the same (matrix answers). */
  readonly pointsMemo?: QueryPointsMemo;
}

/** The number of series the result would carry before `limit`. */
export function resultSeriesCount(value: QueryValue): number {
  if (value.resultType === 'vector') return value.samples.length;
  if (value.resultType === 'matrix') return value.series.length;
  return 0;
}

/**
 * The success response of `/api/v1/query` and `/api/v1/query_range`, byte for byte as
 * Prometheus 3 writes it, produced in chunks so that a large matrix never exists as one
 * string (V8 caps strings at ~512 MiB) or as an object per point.
 */
export function* queryResponseChunks(parts: QueryResponseParts): Generator<string, void, undefined> {
  const { value } = parts;
  const total = resultSeriesCount(value);
  const limit = parts.limit && parts.limit > 0 && parts.limit < total ? parts.limit : total;
  const warnings = [...parts.warnings];
  if (limit < total) warnings.push(TRUNCATED_WARNING);

  let buf = `{"status":"success","data":{"resultType":"${value.resultType}","result":`;
  switch (value.resultType) {
    // Prometheus encodes scalars and strings with Go's standard JSON encoder rather than its
    // sample codec: the time is a plain JSON number (`1.5`, not `1.500`) and the value never
    // takes exponent form.
    case 'scalar':
      buf += `[${String(value.t / 1000)},"${formatGoFloatPlain(value.f)}"]`;
      break;
    case 'string':
      buf += `[${String(value.t / 1000)},${jsonString(value.s)}]`;
      break;
    case 'vector':
      buf += '[';
      for (let i = 0; i < limit; i++) {
        if (i > 0) buf += ',';
        buf += sampleJson(value.samples[i]!);
        if (buf.length >= CHUNK_CHARS) {
          yield buf;
          buf = '';
        }
      }
      buf += ']';
      break;
    case 'matrix': {
      const times = new TimestampStrings();
      const memo = parts.pointsMemo;
      memo?.begin();
      buf += '[';
      for (let i = 0; i < limit; i++) {
        if (i > 0) buf += ',';
        for (const piece of seriesJsonPieces(value.series[i]!, times, memo)) {
          buf += piece;
          if (buf.length >= CHUNK_CHARS) {
            yield buf;
            buf = '';
          }
        }
      }
      buf += ']';
      break;
    }
  }
  if (parts.stats) buf += `,"stats":${statsJson(parts.stats, parts.perStepStats ?? false)}`;
  buf += '}';
  buf += annotationsJson('warnings', warnings, 'warning');
  buf += annotationsJson('infos', [...parts.infos], 'info');
  yield `${buf}}`;
}

/** The whole response as one string (small results, tests). */
export function queryResponseString(parts: QueryResponseParts): string {
  let out = '';
  for (const chunk of queryResponseChunks(parts)) out += chunk;
  return out;
}

function sampleJson(s: Sample): string {
  if (s.h) return `{"metric":${labelsJson(s.labels)},"histogram":[${formatPromTimestamp(s.t)},${histogramJson(s.h)}]}`;
  return `{"metric":${labelsJson(s.labels)},"value":${floatPointJson(s.t, s.f)}}`;
}

/**
 * Timestamp strings by position within a series: the series of a range query share the step
 * grid, so after the first series nearly every timestamp is a lookup instead of a formatting.
 */
class TimestampStrings {
  private times = new Float64Array(0);
  private strings: string[] = [];

  at(i: number, t: number): string {
    if (i >= this.times.length) this.grow(i + 1);
    if (this.times[i] === t && this.strings[i] !== undefined) return this.strings[i]!;
    const s = formatPromTimestamp(t);
    this.times[i] = t;
    this.strings[i] = s;
    return s;
  }

  private grow(n: number): void {
    const times = new Float64Array(Math.max(n, this.times.length * 2)).fill(NaN);
    times.set(this.times);
    this.times = times;
  }
}

/**
 * One matrix series, in pieces of at most ~1,000 points so chunking stays cheap; with a memo,
 * the float points come whole from it.
 */
function* seriesJsonPieces(s: ResultSeries, times: TimestampStrings, memo: QueryPointsMemo | undefined): Generator<string, void, undefined> {
  let out = `{"metric":${labelsJson(s.labels)}`;
  const { timestamps: ts, values: vs } = s;
  const n = ts.length;
  if (n > 0 && memo !== undefined) out += `,"values":[${memo.points(s)}]`;
  else if (n > 0) {
    out += `,"values":[[${times.at(0, ts[0]!)},"${formatPromFloat(vs[0]!)}"]`;
    for (let i = 1; i < n; i++) {
      out += `,[${times.at(i, ts[i]!)},"${formatPromFloat(vs[i]!)}"]`;
      if ((i & 1023) === 1023) {
        yield out;
        out = '';
      }
    }
    out += ']';
  }
  const hn = s.histTimestamps.length;
  if (hn > 0) {
    out += ',"histograms":[';
    for (let i = 0; i < hn; i++) {
      if (i > 0) out += ',';
      out += `[${formatPromTimestamp(s.histTimestamps[i]!)},${histogramJson(s.histograms[i]!)}]`;
    }
    out += ']';
  }
  yield `${out}}`;
}

/** Prometheus' `stats` object: timings in seconds, sample counts; per-step counts only with `stats=all`. */
export function statsJson(stats: QueryStats, perStep: boolean): string {
  const t = stats.timings;
  const n = formatJsonFloat;
  let out =
    `{"timings":{"evalTotalTime":${n(t.evalTotalTime)},"resultSortTime":${n(t.resultSortTime)},` +
    `"queryPreparationTime":${n(t.queryPreparationTime)},"innerEvalTime":${n(t.innerEvalTime)},` +
    `"execQueueTime":${n(t.execQueueTime)},"execTotalTime":${n(t.execTotalTime)}},"samples":{`;
  const steps = stats.samples.totalQueryableSamplesPerStep;
  if (perStep && steps && steps.length > 0) {
    out += `"totalQueryableSamplesPerStep":[${steps.map(([ts, v]) => `[${String(ts)},${n(v)}]`).join(',')}],`;
  }
  out += `"totalQueryableSamples":${n(stats.samples.totalQueryableSamples)},"peakSamples":${n(stats.samples.peakSamples)}}`;
  // Pharos' addition when `max_source_resolution` was given: the rollup resolution read (0: raw).
  if (stats.sourceResolutionMs !== undefined) out += `,"sourceResolutionMs":${stats.sourceResolutionMs}`;
  return `${out}}`;
}

/** `,"warnings":[…]` (or infos), omitted when empty, capped as Prometheus caps them. */
function annotationsJson(field: string, messages: readonly string[], kind: 'warning' | 'info'): string {
  if (messages.length === 0) return '';
  const shown = messages.slice(0, MAX_ANNOTATIONS).map(jsonString);
  if (messages.length > MAX_ANNOTATIONS) shown.push(jsonString(`${messages.length - MAX_ANNOTATIONS} more ${kind} annotations omitted`));
  return `,"${field}":[${shown.join(',')}]`;
}
