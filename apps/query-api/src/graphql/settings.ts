/**
 * Limits of the GraphQL gateway. The configuration has no `graphql.*` section yet, so these
 * are the defaults, provided under {@link GRAPHQL_SETTINGS} so the platform can override them
 * from configuration without touching the resolvers.
 */
export interface GraphqlSettings {
  /** Deepest selection set accepted (fragments expanded). */
  readonly maxDepth: number;
  /** Highest cost accepted: every field costs 1, list fields of metric data cost 10. */
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
