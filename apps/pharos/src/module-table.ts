import type { Type } from '@nestjs/common';
import { CollectorModule } from '#apps/collector';
import { ConsoleModule } from '#apps/console';
import { IdentityApiModule } from '#apps/identity-api';
import { ProcessorModule } from '#apps/processor';
import { QueryApiModule } from '#apps/query-api';

/** Infrastructure a role needs the platform to build before the role starts. */
export type Dependency = 'stream' | 'metric-store' | 'metadata-store';

export interface RoleSpec {
  readonly module: Type<unknown>;
  readonly needs: readonly Dependency[];
  readonly doc: string;
}

/**
 * Every role Pharos can run, what it needs, and what it does — the one table that `pharos
 * start` (all roles) and `pharos start --only …` select from, as Loki's and Tempo's module
 * tables do. The HTTP server, self-metrics and health endpoints are always present.
 */
export const ROLES = {
  collector: {
    module: CollectorModule,
    needs: ['stream'],
    doc: 'Ingestion edge: Prometheus remote_write 1.0/2.0 and OTLP metrics (gRPC :4317, HTTP :4318 and /otlp/v1/metrics); validates, applies tenant limits, writes to the stream.',
  },
  processor: {
    module: ProcessorModule,
    needs: ['stream', 'metric-store'],
    doc: 'Stream processing: consumes the metrics topic into the metric store (batching, rollups, commits).',
  },
  'query-api': {
    module: QueryApiModule,
    // The metadata store holds the dashboards and folders the GraphQL gateway serves.
    needs: ['metric-store', 'metadata-store'],
    doc: 'Query APIs: the Prometheus HTTP API (PromQL instant/range queries, series, labels, exemplars, metadata, status) and the GraphQL gateway at /graphql (metric queries, dashboards and folders, live subscriptions over WebSocket).',
  },
  'identity-api': {
    module: IdentityApiModule,
    needs: ['metadata-store'],
    doc: 'Identity and tenancy API: login/logout, sessions, password change, API keys, tenant members, tenants and run-time tenant limits (under /api/).',
  },
  console: {
    module: ConsoleModule,
    needs: [],
    doc: 'Web console: serves the built Angular UI (angular-ui/) at / with client-side routes; it queries the query-api role over HTTP.',
  },
} as const satisfies Record<string, RoleSpec>;

export type RoleName = keyof typeof ROLES;
export const ALL_ROLES = Object.keys(ROLES) as RoleName[];

export class RoleSelectionError extends Error {
  override readonly name = 'RoleSelectionError';
}

/**
 * Checks a role selection against the adapters in use: embedded adapters live inside one
 * process, so the roles sharing them must run together.
 */
export function selectRoles(only: readonly string[] | undefined, streamUrl: string): RoleName[] {
  const roles = only === undefined || only.length === 0 || only.includes('all') ? ALL_ROLES : [...new Set(only)];
  for (const r of roles) {
    if (!(r in ROLES)) throw new RoleSelectionError(`unknown role "${r}"; roles are: all, ${ALL_ROLES.join(', ')}`);
  }
  const selected = roles as RoleName[];
  const has = (r: RoleName) => selected.includes(r);
  if (streamUrl === 'embedded' && has('collector') !== has('processor')) {
    throw new RoleSelectionError(
      'the embedded stream lives inside one process: run collector and processor together, or use a shared stream (--stream kafka://host:port)',
    );
  }
  if (has('query-api') && !has('processor')) {
    throw new RoleSelectionError(
      'the embedded metric store (DuckDB) is owned by the processor process: run query-api together with processor (--only processor,query-api)',
    );
  }
  return selected;
}

export function dependenciesOf(roles: readonly RoleName[]): Set<Dependency> {
  return new Set(roles.flatMap((r) => ROLES[r].needs));
}
