import type { Expr } from '../ast.js';
import { lowerBound } from '#pharos/metric-model';
import { compareLabels } from '../engine/labels.js';
import {
  PromQLError,
  type InstantQueryRequest,
  type QueryEngine,
  type QueryLimits,
  type QueryResult,
  type RangeQueryRequest,
  type ResultSeries,
} from '../engine/query-api.js';
import { Annotations, type FloatHistogram } from '../engine/values.js';
import { parsePromQL } from '../parser/parse.js';
import { analyzeForCache, type CacheAnalysis } from './cacheability.js';
import type { TenantWriteLog } from '#pharos/storage';

export interface CachingQueryEngineOptions {
  /** Where the tenant's writes are recorded (`WriteTrackingStore.writes`). */
  readonly writes: TenantWriteLog;
  /** The parser the inner engine uses; default `parsePromQL`. Only consulted to analyse queries. */
  readonly parse?: (query: string) => Expr;
  /** Per-tenant limits of the inner engine, so a range served from the cache is refused as it would be. */
  readonly limits?: (tenant: string) => QueryLimits;
  /** Memory budget of cached results (points × 16 bytes plus per-series overhead); default 256 MiB. */
  readonly maxBytes?: number;
}

/** Counters of what the cache did, for self-metrics and tests. */
export interface ResultCacheStats {
  /** Range queries answered entirely from the cache. */
  hits: number;
  /** Range queries answered from the cache plus an evaluation of the missing tail. */
  partialHits: number;
  /** Range queries evaluated in full (no usable entry, or not cacheable). */
  misses: number;
  /** Steps taken from the cache. */
  stepsReused: number;
  /** Steps evaluated. */
  stepsEvaluated: number;
  entries: number;
  bytes: number;
}

interface CacheEntry {
  readonly key: string;
  /** Time of the first and last cached step. */
  readonly start: number;
  readonly lastStep: number;
  /** The tenant's write-log mark taken before the entry's data were read. */
  readonly mark: number;
  /** Sorted by label set, as range results are. */
  readonly series: readonly ResultSeries[];
  readonly bytes: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const SERIES_OVERHEAD_BYTES = 200;
const ANALYSES_KEPT = 1024;

/**
 * A result cache in front of a query engine for repeated range queries, as dashboards send
 * them: the same query and step with the window moved forward. Results are kept per
 * (tenant, query, step, start modulo step, lookback delta, max source resolution) as the
 * per-step values of each output series. A later request on the same step grid reuses the cached steps it covers and
 * evaluates only the steps after them, and steps a write has touched since (see
 * {@link TenantWriteLog}: a sample at time s invalidates the steps at `t ≥ s - forward reach`).
 *
 * The answer is the one the inner engine gives for the whole range, because a range query's
 * step values depend only on the data and the step time (Prometheus evaluates each step
 * independently; subquery grids are absolute). What is not so is never cached: queries with
 * `@`, results with annotations (their text is per query, not per step), `stats=all` requests
 * and instant queries pass straight through. Differences that remain: a query served partly
 * from cache loads fewer samples, so the sample limit and the timeout apply to the evaluated
 * tail only.
 *
 * Returned arrays may be shared with the cache; callers MUST NOT mutate them (they are typed
 * read-only through {@link ResultSeries}).
 */
export class CachingQueryEngine implements QueryEngine {
  readonly stats: ResultCacheStats = { hits: 0, partialHits: 0, misses: 0, stepsReused: 0, stepsEvaluated: 0, entries: 0, bytes: 0 };
  private readonly entries = new Map<string, CacheEntry>();
  private readonly analyses = new Map<string, CacheAnalysis | null>();
  private readonly maxBytes: number;

  constructor(
    private readonly inner: QueryEngine,
    private readonly options: CachingQueryEngineOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  instantQuery(request: InstantQueryRequest): Promise<QueryResult> {
    return this.inner.instantQuery(request);
  }

  async rangeQuery(request: RangeQueryRequest): Promise<QueryResult> {
    const { startMs, endMs, stepMs, tenant } = request;
    const analysis = request.stats === true || !(stepMs > 0) || endMs < startMs ? null : this.analyze(request.query);
    if (analysis === null || !analysis.perStep) {
      this.stats.misses++;
      return this.inner.rangeQuery(request);
    }
    const maxRangeMs = this.options.limits?.(tenant).maxRangeMs;
    if (maxRangeMs !== undefined && endMs - startMs > maxRangeMs) {
      throw new PromQLError(
        'bad_data',
        `the query time range exceeds the limit (query length: ${(endMs - startMs) / 1000}s, limit: ${maxRangeMs / 1000}s)`,
      );
    }
    const key = cacheKey(request);
    const lastStep = startMs + Math.floor((endMs - startMs) / stepMs) * stepMs;
    // Before any read, so writes racing with it count as later and force a recompute next time.
    const mark = this.options.writes.mark(tenant);
    const entry = this.entries.get(key);
    let reuseTo = -Infinity;
    if (entry !== undefined && startMs >= entry.start && startMs <= entry.lastStep) {
      const earliest = this.options.writes.earliestWriteSince(tenant, entry.mark);
      // Steps t with t + forward < earliest saw none of the new samples.
      const limit = earliest - analysis.forwardMs;
      let validTo = entry.lastStep;
      if (limit <= validTo) validTo = limit <= startMs ? -Infinity : startMs + (Math.ceil((limit - startMs) / stepMs) - 1) * stepMs;
      reuseTo = Math.min(validTo, lastStep);
    }
    if (!(reuseTo >= startMs)) {
      this.stats.misses++;
      const full = await this.inner.rangeQuery(request);
      this.stats.stepsEvaluated += (lastStep - startMs) / stepMs + 1;
      this.store(full, key, startMs, lastStep, mark);
      return full;
    }
    const reusedSteps = (reuseTo - startMs) / stepMs + 1;
    this.stats.stepsReused += reusedSteps;
    let tail: QueryResult | undefined;
    if (reuseTo < lastStep) {
      this.stats.partialHits++;
      tail = await this.inner.rangeQuery({ ...request, startMs: reuseTo + stepMs });
      this.stats.stepsEvaluated += (lastStep - reuseTo) / stepMs;
    } else this.stats.hits++;
    const tailSeries = tail === undefined ? [] : matrixOf(tail);
    const series = mergeSeries(entry!.series, startMs, reuseTo, tailSeries);
    const result: QueryResult = { value: { resultType: 'matrix', series }, annotations: tail?.annotations ?? new Annotations(request.query) };
    this.store(result, key, startMs, lastStep, mark);
    return result;
  }

  /** Drops every cached result (e.g. after a restore or a bulk delete outside the store's log). */
  clear(): void {
    this.entries.clear();
    this.stats.entries = 0;
    this.stats.bytes = 0;
  }

  private analyze(query: string): CacheAnalysis | null {
    let a = this.analyses.get(query);
    if (a !== undefined) {
      // Refresh its LRU position.
      this.analyses.delete(query);
      this.analyses.set(query, a);
      return a;
    }
    try {
      a = analyzeForCache((this.options.parse ?? parsePromQL)(query));
    } catch {
      // The inner engine reports the parse error in its own words.
      return null;
    }
    if (this.analyses.size >= ANALYSES_KEPT) this.analyses.delete(this.analyses.keys().next().value!);
    this.analyses.set(query, a);
    return a;
  }

  private store(result: QueryResult, key: string, start: number, lastStep: number, mark: number): void {
    this.drop(key);
    const { warnings, infos } = result.annotations;
    if (warnings.size > 0 || infos.size > 0 || result.value.resultType !== 'matrix') return;
    const series = result.value.series;
    let bytes = 0;
    for (const s of series) bytes += SERIES_OVERHEAD_BYTES + 16 * (s.values.length + s.histograms.length);
    // One entry may not take the whole budget: dashboards have many panels.
    if (bytes > this.maxBytes / 4) return;
    this.entries.set(key, { key, start, lastStep, mark, series, bytes });
    this.stats.bytes += bytes;
    this.stats.entries = this.entries.size;
    for (const oldest of this.entries.values()) {
      if (this.stats.bytes <= this.maxBytes) break;
      this.drop(oldest.key);
    }
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.stats.bytes -= e.bytes;
    this.stats.entries = this.entries.size;
  }
}

function cacheKey(r: RangeQueryRequest): string {
  const phase = ((r.startMs % r.stepMs) + r.stepMs) % r.stepMs;
  // A downsampled answer must never serve a raw request, nor one of another resolution (ADR 0017).
  const resolution = r.maxSourceResolution === undefined || r.maxSourceResolution === 0 ? '' : r.maxSourceResolution;
  return `${r.tenant}\u0000${r.stepMs}\u0000${phase}\u0000${r.lookbackDeltaMs ?? ''}\u0000${resolution}\u0000${r.query}`;
}

function matrixOf(r: QueryResult): readonly ResultSeries[] {
  if (r.value.resultType !== 'matrix') throw new PromQLError('internal', `range query returned a ${r.value.resultType}`);
  return r.value.series;
}

/**
 * The cached series' points in `[from, to]` followed by the tail's points (all after `to`),
 * joined by label set; both inputs are sorted by labels and so is the output.
 */
export function mergeSeries(cached: readonly ResultSeries[], from: number, to: number, tail: readonly ResultSeries[]): ResultSeries[] {
  const out: ResultSeries[] = [];
  let i = 0;
  let j = 0;
  while (i < cached.length || j < tail.length) {
    const c = i < cached.length ? cached[i]! : undefined;
    const t = j < tail.length ? tail[j]! : undefined;
    const order = c === undefined ? 1 : t === undefined ? -1 : compareLabels(c.labels, t.labels);
    if (order < 0) {
      const s = sliceSeries(c!, from, to);
      if (s !== undefined) out.push(s);
      i++;
    } else if (order > 0) {
      out.push(t!);
      j++;
    } else {
      const s = sliceSeries(c!, from, to);
      out.push(s === undefined ? t! : concatSeries(s, t!));
      i++;
      j++;
    }
  }
  return out;
}

function sliceSeries(s: ResultSeries, from: number, to: number): ResultSeries | undefined {
  const f0 = lowerBound(s.timestamps, from);
  const f1 = upperBound(s.timestamps, to);
  const h0 = lowerBound(s.histTimestamps, from);
  const h1 = upperBound(s.histTimestamps, to);
  if (f0 === f1 && h0 === h1) return undefined;
  if (f0 === 0 && f1 === s.timestamps.length && h0 === 0 && h1 === s.histTimestamps.length) return s;
  return {
    labels: s.labels,
    timestamps: s.timestamps.subarray(f0, f1),
    values: s.values.subarray(f0, f1),
    histTimestamps: s.histTimestamps.subarray(h0, h1),
    histograms: h0 === 0 && h1 === s.histograms.length ? s.histograms : s.histograms.slice(h0, h1),
  };
}

function concatSeries(a: ResultSeries, b: ResultSeries): ResultSeries {
  return {
    labels: a.labels,
    timestamps: concat(a.timestamps, b.timestamps),
    values: concat(a.values, b.values),
    histTimestamps: concat(a.histTimestamps, b.histTimestamps),
    histograms: b.histograms.length === 0 ? a.histograms : a.histograms.length === 0 ? b.histograms : [...a.histograms, ...b.histograms] as FloatHistogram[],
  };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}


/** First index with `arr[i] > t` (sorted input). */
function upperBound(arr: Float64Array, t: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
