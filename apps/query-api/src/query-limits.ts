import type { PharosConfig } from '#pharos/config';
import type { QueryLimits } from '#pharos/promql';

/** Engine-wide query settings (`query.*` in the configuration). */
export type QuerySettings = PharosConfig['query'];

export function querySettings(config: PharosConfig): QuerySettings {
  return config.query;
}

/**
 * The engine's limits for one tenant (`limits.query_*`, overridable under
 * `limits.tenants.<id>`): its overrides merged over the defaults, or the defaults when no
 * tenant is named; a configured 0 means unlimited.
 */
export function queryLimitsFor(config: PharosConfig, tenant?: string): QueryLimits {
  const limits = (tenant !== undefined ? config.limits.tenants[tenant] : undefined) ?? config.limits.defaults;
  const unlimitedIfZero = (n: number): number => (n === 0 ? Number.POSITIVE_INFINITY : n);
  return {
    maxSamples: limits.queryMaxSamples,
    maxSeries: unlimitedIfZero(limits.queryMaxSeries),
    timeoutMs: limits.queryTimeout,
    maxRangeMs: unlimitedIfZero(limits.queryMaxRange),
  };
}
