import { Inject, UseFilters } from '@nestjs/common';
import { Args, Context, Float, Resolver, Subscription } from '@nestjs/graphql';
import type { QueryEngine } from '#pharos/promql';
import type { QueryTelemetry } from '../query-telemetry.js';
import { QUERY_ENGINE, QUERY_TELEMETRY } from '../tokens.js';
import type { GraphqlCallerResolver } from './caller.js';
import { CodedErrorsFilter } from './coded-errors.filter.js';
import type { GraphqlContext } from './context.js';
import { BadArgumentError, gatewayError, toGraphqlError } from './errors.js';
import { recordedQuery, type GraphqlTelemetry } from './graphql-telemetry.js';
import { LiveRangeFeed } from './live-range-feed.js';
import { checkRange } from './metric-query.resolver.js';
import { LiveRangeUpdateType } from './metric-types.js';
import { GRAPHQL_SETTINGS, type GraphqlSettings } from './settings.js';
import type { TenantQueryGate } from './tenant-query-gate.js';
import { GRAPHQL_CALLERS, GRAPHQL_TELEMETRY, TENANT_QUERY_GATE } from './tokens.js';

/** Live panels over the `graphql-ws` WebSocket protocol. */
@Resolver()
@UseFilters(CodedErrorsFilter)
export class LiveQueryResolver {
  constructor(
    @Inject(QUERY_ENGINE) private readonly engine: QueryEngine,
    @Inject(GRAPHQL_CALLERS) private readonly callers: GraphqlCallerResolver,
    @Inject(TENANT_QUERY_GATE) private readonly gate: TenantQueryGate,
    @Inject(GRAPHQL_SETTINGS) private readonly settings: GraphqlSettings,
    @Inject(QUERY_TELEMETRY) private readonly queries: QueryTelemetry,
    @Inject(GRAPHQL_TELEMETRY) private readonly telemetry: GraphqlTelemetry,
  ) {}

  @Subscription(() => LiveRangeUpdateType, {
    description:
      'A range query over the last windowMs, re-evaluated every refreshMs (at least 1 s): first the whole window (FULL), then only the newest steps (APPEND).',
    resolve: (update: LiveRangeUpdateType) => update,
  })
  liveRangeQuery(
    @Context() ctx: GraphqlContext,
    @Args('query', { type: () => String }) query: string,
    @Args('windowMs', { type: () => Float }) windowMs: number,
    @Args('stepMs', { type: () => Float }) stepMs: number,
    @Args('refreshMs', { type: () => Float }) refreshMs: number,
  ): AsyncIterableIterator<LiveRangeUpdateType> {
    try {
      const connection = ctx.connection;
      if (connection === undefined) throw gatewayError('BAD_INPUT', 'subscriptions are served over WebSocket (graphql-ws protocol) at /graphql');
      const tenant = this.callers.tenantFor(ctx.caller, 'metrics:read');
      const { minRefreshMs, maxRefreshMs, maxSubscriptionsPerConnection } = this.settings;
      if (!(refreshMs >= minRefreshMs && refreshMs <= maxRefreshMs)) {
        throw new BadArgumentError(`refreshMs must be between ${minRefreshMs} and ${maxRefreshMs}, got ${refreshMs}`);
      }
      if (!(windowMs > 0)) throw new BadArgumentError(`windowMs must be positive, got ${windowMs}`);
      checkRange(0, windowMs, stepMs);
      if (connection.activeFeeds >= maxSubscriptionsPerConnection) {
        throw gatewayError('SUBSCRIPTION_LIMIT', `a connection may hold at most ${maxSubscriptionsPerConnection} live queries; complete one first`);
      }
      const feed = new LiveRangeFeed({
        windowMs,
        stepMs: Math.trunc(stepMs),
        refreshMs,
        congested: () => connection.bufferedBytes() > this.settings.maxSocketBufferedBytes,
        onClose: () => {
          connection.activeFeeds--;
          this.telemetry.subscriptionClosed();
        },
        // Each tick is a metric query of its own in the query telemetry (endpoint graphql).
        evaluate: (startMs, endMs, signal) =>
          recordedQuery(this.queries, tenant, { query, startMs, endMs, stepMs }, () =>
            this.gate.run(tenant, signal, () => this.engine.rangeQuery({ tenant, query, startMs, endMs, stepMs: Math.trunc(stepMs), signal })),
          ),
      });
      // Counted only once the feed exists: its onClose is what gives both back.
      connection.activeFeeds++;
      this.telemetry.subscriptionOpened();
      return feed;
    } catch (err) {
      throw toGraphqlError(err);
    }
  }
}
