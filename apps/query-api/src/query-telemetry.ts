import { Counter, Histogram } from 'prom-client';
import type { Logger, SelfMetrics } from '#pharos/telemetry';

/**
 * Endpoints whose queries are counted (bounded label values); `graphql` is every metric query
 * the GraphQL gateway evaluates (fields of queries and ticks of live subscriptions).
 */
export type QueryEndpoint = 'query' | 'query_range' | 'query_exemplars' | 'format_query' | 'parse_query' | 'metadata' | 'graphql';

/** `success`, or the Prometheus error type the request failed with. */
export type QueryOutcome = 'success' | 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found';

export interface QueryRecord {
  readonly endpoint: QueryEndpoint;
  readonly outcome: QueryOutcome;
  readonly tenant: string;
  readonly durationMs: number;
  /** Query text and range, for the slow-query log. */
  readonly query?: string;
  readonly startMs?: number;
  readonly endMs?: number;
  readonly stepMs?: number;
  readonly resultSeries?: number;
  readonly totalQueryableSamples?: number;
  readonly peakSamples?: number;
  readonly error?: string;
}

/**
 * The query API's self-telemetry: request counts and latency by endpoint and outcome, in the
 * platform's self-metrics registry, and one structured log line per slow query. Tenants are
 * not a metric label (unbounded); they are in the log.
 */
export class QueryTelemetry {
  private readonly requests: Counter<'endpoint' | 'outcome'>;
  private readonly duration: Histogram<'endpoint' | 'outcome'>;
  private readonly log: Logger;

  constructor(
    metrics: SelfMetrics,
    logger: Logger,
    /** Queries at least this long are logged; 0 logs none. */
    private readonly slowQueryThresholdMs: number,
  ) {
    this.requests = new Counter({
      name: 'pharos_query_requests_total',
      help: 'Queries of the Prometheus API and the GraphQL gateway (endpoint graphql), by endpoint and outcome (success or the Prometheus error type).',
      labelNames: ['endpoint', 'outcome'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'pharos_query_duration_seconds',
      help: 'Query latency of the Prometheus API (evaluation and rendering) and the GraphQL gateway (evaluation), by endpoint and outcome.',
      labelNames: ['endpoint', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [metrics.registry],
    });
    this.log = logger.child({ component: 'query-api' });
  }

  record(r: QueryRecord): void {
    this.requests.inc({ endpoint: r.endpoint, outcome: r.outcome });
    this.duration.observe({ endpoint: r.endpoint, outcome: r.outcome }, r.durationMs / 1000);
    if (r.outcome === 'internal') {
      this.log.error({ endpoint: r.endpoint, tenant: r.tenant, query: r.query, error: r.error }, 'query failed with an internal error');
    }
    if (this.slowQueryThresholdMs > 0 && r.durationMs >= this.slowQueryThresholdMs) {
      this.log.warn(
        {
          endpoint: r.endpoint,
          tenant: r.tenant,
          outcome: r.outcome,
          durationMs: Math.round(r.durationMs),
          query: r.query,
          start: r.startMs,
          end: r.endMs,
          stepMs: r.stepMs,
          resultSeries: r.resultSeries,
          totalQueryableSamples: r.totalQueryableSamples,
          peakSamples: r.peakSamples,
          error: r.error,
        },
        'slow query',
      );
    }
  }
}
