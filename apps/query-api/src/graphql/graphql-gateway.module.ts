import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule, type GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import type { Context as WsContext, ServerOptions as WsServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { CONFIG, PRINCIPAL_RESOLVER, RequestPrincipalResolver, SELF_METRICS, TENANT_RESOLVER, principalOf } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import type { SelfMetrics } from '#pharos/telemetry';
import type { RequestHeaders, TenantResolver } from '#pharos/tenancy';
import { clientDisconnectSignal } from '../query-request.js';
import { GraphqlCallerResolver, type GraphqlCaller } from './caller.js';
import { GraphQLError, specifiedRules, validate } from './graphql-runtime.js';
import { GraphqlTelemetry, operationTypeOf, operationsPlugin, wsOperationOutcome } from './graphql-telemetry.js';
import type { ConnectionState, GraphqlContext } from './context.js';
import { AdminAccessResolver } from './admin-access.resolver.js';
import { AdminTenantsResolver } from './admin-tenants.resolver.js';
import { DashboardResolver } from './dashboard.resolver.js';
import { LiveQueryResolver } from './live-query.resolver.js';
import { MetricQueryResolver } from './metric-query.resolver.js';
import { operationLimitsRule } from './operation-limits.js';
import { GRAPHQL_SETTINGS, graphqlSettingsOf, type GraphqlSettings } from './settings.js';
import { TenantQueryGate } from './tenant-query-gate.js';
import { GRAPHQL_CALLERS, GRAPHQL_TELEMETRY, TENANT_QUERY_GATE } from './tokens.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * The gateway's own services: settings (`graphql.*` configuration), the caller resolution,
 * the per-tenant query gate and the gateway's self-metrics.
 * A module of its own so the GraphQL server's factory and the resolvers share them.
 */
@Module({
  providers: [
    { provide: GRAPHQL_SETTINGS, inject: [CONFIG], useFactory: (config: PharosConfig) => graphqlSettingsOf(config) },
    { provide: GRAPHQL_TELEMETRY, inject: [SELF_METRICS], useFactory: (metrics: SelfMetrics) => new GraphqlTelemetry(metrics) },
    {
      provide: GRAPHQL_CALLERS,
      // The platform provides the principal resolver once identity is wired; until then the
      // same rules run over the tenant resolver alone (API keys from YAML, or auth off).
      inject: [TENANT_RESOLVER, { token: PRINCIPAL_RESOLVER, optional: true }],
      useFactory: (tenants: TenantResolver, principals: RequestPrincipalResolver | undefined) =>
        new GraphqlCallerResolver(principals ?? new RequestPrincipalResolver(tenants, undefined)),
    },
    { provide: TENANT_QUERY_GATE, inject: [GRAPHQL_SETTINGS], useFactory: (s: GraphqlSettings) => new TenantQueryGate(s.maxConcurrentQueriesPerTenant) },
  ],
  exports: [GRAPHQL_SETTINGS, GRAPHQL_CALLERS, TENANT_QUERY_GATE, GRAPHQL_TELEMETRY],
})
export class GraphqlGatewayCoreModule {}

/** Resolvers; they go into the query-api module, which provides the engine they use. */
export const GRAPHQL_RESOLVERS = [MetricQueryResolver, LiveQueryResolver, DashboardResolver, AdminTenantsResolver, AdminAccessResolver];

/** The Apollo server at /graphql on the main port, with subscriptions over `graphql-ws`. */
export function graphqlServerModule(): DynamicModule {
  return GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    imports: [GraphqlGatewayCoreModule],
    inject: [GRAPHQL_CALLERS, GRAPHQL_SETTINGS, GRAPHQL_TELEMETRY],
    useFactory: (callers: GraphqlCallerResolver, settings: GraphqlSettings, telemetry: GraphqlTelemetry) => apolloOptions(callers, settings, telemetry),
  });
}

export function apolloOptions(callers: GraphqlCallerResolver, settings: GraphqlSettings, telemetry: GraphqlTelemetry): ApolloDriverConfig {
  const limits = operationLimitsRule(settings);
  return {
    path: GRAPHQL_PATH,
    autoSchemaFile: true,
    sortSchema: true,
    graphiql: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [limits],
    formatError,
    plugins: [operationsPlugin(telemetry)],
    context: async (request: FastifyRequest, reply: FastifyReply): Promise<GraphqlContext> => {
      const caller = await httpCaller(callers, request);
      return { caller, signal: clientDisconnectSignal(reply).signal, connection: undefined };
    },
    // Nest's config type names only some graphql-ws options, but its subscription service hands
    // every one to graphql-ws' useServer (validate and context included).
    subscriptions: { 'graphql-ws': wsOptions(callers, limits, telemetry) as unknown as GraphQLWsSubscriptionsConfig },
  };
}

type WsParams = Record<string, unknown> | undefined;

/**
 * `graphql-ws` over the same port: the connection is authenticated once in `connection_init`
 * (closed with 4401/4403 otherwise), and operations run with that caller; the same
 * validation rules (depth, complexity) apply as over HTTP. Operations are counted as over
 * HTTP: refused ones when validation fails, the others once executed.
 */
function wsOptions(callers: GraphqlCallerResolver, limits: ReturnType<typeof operationLimitsRule>, telemetry: GraphqlTelemetry): WsServerOptions<WsParams, Extra> {
  const connections = new WeakMap<Extra, ConnectionState>();
  return {
    validate: (schema, document) => {
      const errors = validate(schema, document, [...specifiedRules, limits]);
      if (errors.length > 0) telemetry.operation(operationTypeOf(document), 'error');
      return errors;
    },
    onOperation: async (_ctx, _id, payload, args, result) => {
      telemetry.operation(operationTypeOf(args.document, payload.operationName), wsOperationOutcome(await result));
    },
    onConnect: async (ctx: WsContext<WsParams, Extra>) => {
      const caller = await callers.authenticate(wsHeaders(ctx.extra.request.headers, ctx.connectionParams), 'POST');
      if (caller instanceof GraphQLError) {
        const code = caller.extensions['code'] === 'UNAUTHENTICATED' ? 4401 : 4403;
        ctx.extra.socket.close(code, caller.message.slice(0, 120));
        return false;
      }
      const socket = ctx.extra.socket;
      connections.set(ctx.extra, { caller, activeFeeds: 0, bufferedBytes: () => socket.bufferedAmount });
      return true;
    },
    context: (ctx: WsContext<WsParams, Extra>): GraphqlContext => {
      const connection = connections.get(ctx.extra);
      if (connection === undefined) throw new GraphQLError('connection is not initialised', { extensions: { code: 'UNAUTHENTICATED' } });
      return { caller: connection.caller, signal: undefined, connection };
    },
  };
}

async function httpCaller(callers: GraphqlCallerResolver, request: FastifyRequest): Promise<GraphqlCaller> {
  // The platform's auth hook, when registered, has already resolved this request.
  const hooked = principalOf(request);
  if (hooked !== undefined) return { principal: hooked.principal, headers: request.headers };
  const caller = await callers.authenticate(request.headers, request.method);
  if (caller instanceof GraphQLError) {
    const status = caller.extensions['code'] === 'UNAUTHENTICATED' ? 401 : caller.extensions['code'] === 'FORBIDDEN' ? 403 : 400;
    throw new GraphQLError(caller.message, { extensions: { ...caller.extensions, http: { status } } });
  }
  return caller;
}

/**
 * Browsers cannot set headers on a WebSocket, so credentials and the tenant may come in the
 * `connection_init` payload (`Authorization`, `X-Scope-OrgID`, `X-CSRF-Token`, any case).
 */
export function wsHeaders(upgrade: RequestHeaders, params: Record<string, unknown> | undefined): RequestHeaders {
  const headers: Record<string, string | string[] | undefined> = { ...upgrade };
  for (const [k, v] of Object.entries(params ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  return headers;
}

/**
 * Apollo's own codes in ours. `PERSISTED_QUERY_NOT_FOUND` / `_NOT_SUPPORTED` stay: automatic
 * persisted-query clients retry with the full document on exactly those codes.
 */
const APOLLO_CODES: Readonly<Record<string, string>> = {
  GRAPHQL_PARSE_FAILED: 'BAD_QUERY',
  GRAPHQL_VALIDATION_FAILED: 'BAD_QUERY',
  BAD_USER_INPUT: 'BAD_QUERY',
  BAD_REQUEST: 'BAD_QUERY',
  OPERATION_RESOLUTION_FAILURE: 'BAD_QUERY',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
};

/** Every error leaves with one of the documented codes; Apollo's own codes are translated. */
function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const limit = formatted.extensions?.['limit'];
  let mapped = typeof code === 'string' ? (APOLLO_CODES[code] ?? code) : 'INTERNAL';
  if (limit === 'depth') mapped = 'QUERY_TOO_DEEP';
  else if (limit === 'complexity') mapped = 'QUERY_TOO_COMPLEX';
  const { stacktrace: _s, http: _h, ...rest } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return { ...formatted, extensions: { ...rest, code: mapped } };
}
