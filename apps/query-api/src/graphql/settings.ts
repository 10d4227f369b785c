import type { PharosConfig } from '#pharos/config';

/**
 * Limits of the GraphQL gateway, provided under {@link GRAPHQL_SETTINGS}: the `graphql.*`
 * configuration keys (see {@link graphqlSettingsOf}), whose defaults are {@link DEFAULT_GRAPHQL_SETTINGS}.
 */
export interface GraphqlSettings {
  /** Deepest selection set accepted (fragments expanded). */
  readonly maxDepth: number;
  /** Highest cost accepted (per-field costs in operation-limits.ts). */
  readonly maxComplexity: number;
  /** Metric queries of one tenant evaluated at once across all GraphQL requests. */
  readonly maxConcurrentQueriesPerTenant: number;
  /** Live subscriptions one WebSocket connection may hold. */
  readonly maxSubscriptionsPerConnection: number;
  /** Shortest panel refresh interval a subscription may ask for. */
  readonly minRefreshMs: number;
  /** Longest refresh interval (a slower panel should re-query on its own). */
  readonly maxRefreshMs: number;
  /** A tick is skipped while the socket still buffers more than this many bytes. */
  readonly maxSocketBufferedBytes: number;
}

export const DEFAULT_GRAPHQL_SETTINGS: GraphqlSettings = {
  maxDepth: 8,
  maxComplexity: 2_000,
  maxConcurrentQueriesPerTenant: 8,
  maxSubscriptionsPerConnection: 32,
  minRefreshMs: 1_000,
  maxRefreshMs: 3_600_000,
  maxSocketBufferedBytes: 4 * 1024 * 1024,
};

export const GRAPHQL_SETTINGS = Symbol('GraphqlSettings');

/** Never below 100 ms, which the configuration loader enforces for `graphql.min_refresh`. */
const MIN_REFRESH_FLOOR_MS = 100;

/**
 * The gateway's settings from the configuration. The socket buffer bound is not configurable:
 * it protects the process, not a tenant. A hand-built config with impossible values is refused
 * here too, since the loader's checks are bypassed then.
 */
export function graphqlSettingsOf(config: PharosConfig): GraphqlSettings {
  const g = config.graphql;
  const positive = (key: string, n: number): number => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`graphql.${key} must be a positive integer, got ${n}`);
    return n;
  };
  if (!(g.minRefreshMs >= MIN_REFRESH_FLOOR_MS)) throw new RangeError(`graphql.min_refresh must be at least ${MIN_REFRESH_FLOOR_MS}ms, got ${g.minRefreshMs}ms`);
  if (!(g.maxRefreshMs >= g.minRefreshMs)) throw new RangeError(`graphql.max_refresh (${g.maxRefreshMs}ms) must not be below graphql.min_refresh (${g.minRefreshMs}ms)`);
  return {
    maxDepth: positive('max_depth', g.maxDepth),
    maxComplexity: positive('max_cost', g.maxCost),
    maxConcurrentQueriesPerTenant: positive('tenant_concurrency', g.tenantConcurrency),
    maxSubscriptionsPerConnection: positive('subscriptions_per_connection', g.subscriptionsPerConnection),
    minRefreshMs: g.minRefreshMs,
    maxRefreshMs: g.maxRefreshMs,
    maxSocketBufferedBytes: DEFAULT_GRAPHQL_SETTINGS.maxSocketBufferedBytes,
  };
}
