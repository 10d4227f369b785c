/** Injection tokens of the GraphQL gateway's own services. */
export const GRAPHQL_CALLERS = Symbol('GraphqlCallerResolver');
export const TENANT_QUERY_GATE = Symbol('TenantQueryGate');
export const GRAPHQL_TELEMETRY = Symbol('GraphqlTelemetry');
