import { Module } from '@nestjs/common';
import { CONFIG, LOGGER, METRIC_STORE, SELF_METRICS } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { CachingQueryEngine, PromQLEngine, PromQLError, PromQLParseError, parsePromQL, type Expr, type ParseOptions, type QueryEngine } from '#pharos/promql';
import { writeLogOf, type MetricStore } from '#pharos/storage';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { DASHBOARD_PROVISIONING_PROVIDERS } from './dashboard-provisioning.service.js';
import { GRAPHQL_RESOLVERS, GraphqlGatewayCoreModule, graphqlServerModule } from './graphql/graphql-gateway.module.js';
import { ParsedQueryMemo } from './parsed-query-memo.js';
import { QueryApiController } from './query-api.controller.js';
import { queryLimitsFor, querySettings } from './query-limits.js';
import { QueryTelemetry } from './query-telemetry.js';
import { QueryToolsController } from './query-tools.controller.js';
import { SeriesApiController } from './series-api.controller.js';
import { StatusApiController } from './status-api.controller.js';
import { QUERY_ENGINE, QUERY_TELEMETRY } from './tokens.js';

/**
 * The Prometheus HTTP API over the metric store: series and label endpoints, PromQL instant
 * and range queries (engine built here, with the configured per-tenant limits), exemplars,
 * metadata, query formatting/parsing and the status endpoints clients probe; and the GraphQL
 * gateway at /graphql over the same engine.
 */
@Module({
  imports: [GraphqlGatewayCoreModule, graphqlServerModule()],
  controllers: [SeriesApiController, QueryApiController, QueryToolsController, StatusApiController],
  providers: [
    {
      provide: QUERY_ENGINE,
      inject: [METRIC_STORE, CONFIG],
      useFactory: (store: MetricStore, config: PharosConfig): QueryEngine => {
        const settings = querySettings(config);
        const limits = (tenant: string) => queryLimitsFor(config, tenant);
        const parsed = new ParsedQueryMemo(parseForApi);
        const parse = (query: string, options?: ParseOptions): Expr => parsed.get(query, options);
        const engine = new PromQLEngine({
          store,
          parse,
          lookbackDeltaMs: settings.lookbackDeltaMs,
          defaultEvaluationIntervalMs: settings.defaultEvaluationIntervalMs,
          limits,
        });
        // The result cache needs to see every write to invalidate what it holds (ADR 0011); a
        // store without a write log gets no cache rather than a cache that could serve stale data.
        const writes = writeLogOf(store);
        return writes === undefined ? engine : new CachingQueryEngine(engine, { writes, parse, limits });
      },
    },
    {
      provide: QUERY_TELEMETRY,
      inject: [SELF_METRICS, LOGGER, CONFIG],
      useFactory: (metrics: SelfMetrics, logger: Logger, config: PharosConfig) =>
        new QueryTelemetry(metrics, logger, querySettings(config).slowQueryThresholdMs),
    },
    ...GRAPHQL_RESOLVERS,
    ...DASHBOARD_PROVISIONING_PROVIDERS,
  ],
})
export class QueryApiModule {}

/** The parser, with parse errors worded as the query endpoints report them. */
function parseForApi(query: string, options?: ParseOptions): Expr {
  try {
    return parsePromQL(query, options);
  } catch (err) {
    if (err instanceof PromQLParseError) throw new PromQLError('bad_data', `invalid parameter "query": ${err.message}`);
    throw err;
  }
}
