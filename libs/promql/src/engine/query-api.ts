import type { Labels } from '#pharos/metric-model';
import type { MaxSourceResolution } from './downsampling.js';
import type { Annotations, FloatHistogram, Vector } from './values.js';

/**
 * What the query layer offers its callers (the Prometheus HTTP API, GraphQL, rules): the
 * engine evaluates PromQL text against a metric store port for one tenant.
 */
export interface QueryEngine {
  instantQuery(request: InstantQueryRequest): Promise<QueryResult>;
  rangeQuery(request: RangeQueryRequest): Promise<QueryResult>;
}

interface QueryRequestBase {
  readonly tenant: string;
  readonly query: string;
  /** Overrides the engine's lookback delta (Prometheus `lookback_delta` parameter). */
  readonly lookbackDeltaMs?: number;
  /** Per-query timeout; the smaller of this and the tenant's limit applies. */
  readonly timeoutMs?: number;
  /** Aborts evaluation; the query then fails with type `canceled`. */
  readonly signal?: AbortSignal;
  /** Collect `stats=all` statistics. */
  readonly stats?: boolean;
  /**
   * Thanos' `max_source_resolution`: read rollups of at most this resolution (ms; `auto`: a
   * fifth of the step) with Thanos' downsampling semantics (ADR 0017). Absent or 0: raw
   * samples, exact Prometheus answers.
   */
  readonly maxSourceResolution?: MaxSourceResolution;
}

export interface InstantQueryRequest extends QueryRequestBase {
  readonly timeMs: number;
}

export interface RangeQueryRequest extends QueryRequestBase {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

export interface ResultSeries {
  readonly labels: Labels;
  /** Float points sorted by time. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Histogram points sorted by time. */
  readonly histTimestamps: Float64Array;
  readonly histograms: readonly FloatHistogram[];
}

export type QueryValue =
  | { readonly resultType: 'scalar'; readonly t: number; readonly f: number }
  | { readonly resultType: 'string'; readonly t: number; readonly s: string }
  | { readonly resultType: 'vector'; readonly samples: Vector }
  | { readonly resultType: 'matrix'; readonly series: readonly ResultSeries[] };

/** Prometheus' `stats=all` shape (timings in seconds, sample counts). */
export interface QueryStats {
  readonly timings: {
    readonly evalTotalTime: number;
    readonly resultSortTime: number;
    readonly queryPreparationTime: number;
    readonly innerEvalTime: number;
    readonly execQueueTime: number;
    readonly execTotalTime: number;
  };
  readonly samples: {
    readonly totalQueryableSamples: number;
    readonly peakSamples: number;
    /** Per step `[t_seconds, count]`, range queries only. */
    readonly totalQueryableSamplesPerStep?: readonly (readonly [number, number])[];
  };
  /** Rollup resolution the selectors read (ms), when the request asked for downsampled data; 0: raw. */
  readonly sourceResolutionMs?: number;
}

export interface QueryResult {
  readonly value: QueryValue;
  readonly annotations: Annotations;
  readonly stats?: QueryStats;
}

/**
 * Prometheus API error types with their HTTP status (web/api/v1/api.go): `bad_data` 400,
 * `execution` 422, `canceled` 503, `timeout` 503, `internal` 500, `unavailable` 503,
 * `not_found` 404.
 */
export type PromQLErrorType = 'bad_data' | 'execution' | 'canceled' | 'timeout' | 'internal' | 'unavailable' | 'not_found';

export const ERROR_HTTP_STATUS: Readonly<Record<PromQLErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
};

/**
 * A query that failed, with the Prometheus error type; messages follow Prometheus' wording
 * (e.g. `query processing would load too many samples into memory in query execution`,
 * `query timed out in expression evaluation`).
 */
export class PromQLError extends Error {
  override readonly name = 'PromQLError';
  constructor(
    readonly type: PromQLErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** Per-tenant query limits; a breach fails the query with a Prometheus-style error. */
export interface QueryLimits {
  /** Most samples loaded in memory at once (Prometheus `--query.max-samples`, default 50e6). */
  readonly maxSamples: number;
  /** Most series a selector may return. */
  readonly maxSeries: number;
  readonly timeoutMs: number;
  /** Longest `end - start` of a range query, and longest selector range. */
  readonly maxRangeMs: number;
}
