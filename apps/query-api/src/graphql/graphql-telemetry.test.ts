import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { PromQLError } from '#pharos/promql';
import { createLogger, SelfMetrics } from '#pharos/telemetry';
import { QueryTelemetry } from '../query-telemetry.js';
import { GraphqlTelemetry, operationTypeOf, outcomeOf, recordedQuery, wsOperationOutcome } from './graphql-telemetry.js';
import { DEFAULT_GRAPHQL_SETTINGS, graphqlSettingsOf } from './settings.js';

async function sampleOf(metrics: SelfMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  const { values } = await metric!.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe('GraphQL telemetry', () => {
  it('names the operation a document runs, or unknown when it cannot tell', () => {
    expect(operationTypeOf(parse('{ a }'))).toBe('query');
    expect(operationTypeOf(parse('mutation M { a }'))).toBe('mutation');
    expect(operationTypeOf(parse('query Q { a } subscription S { b }'))).toBe('unknown');
    expect(operationTypeOf(parse('query Q { a } subscription S { b }'), 'S')).toBe('subscription');
    expect(operationTypeOf(parse('query Q { a }'), 'Nope')).toBe('unknown');
    expect(operationTypeOf(undefined)).toBe('unknown');
  });

  it('tells success, partial (some fields answered) and error apart', () => {
    expect(outcomeOf(undefined, { a: 1 })).toBe('success');
    expect(outcomeOf([], { a: 1 })).toBe('success');
    expect(outcomeOf([new Error('x')], { a: 1, b: null })).toBe('partial');
    expect(outcomeOf([new Error('x')], { a: null })).toBe('error');
    expect(outcomeOf([new Error('x')], undefined)).toBe('error');
    expect(wsOperationOutcome({ errors: [], data: { a: 1 } })).toBe('success');
    expect(wsOperationOutcome((async function* () {})())).toBe('success');
  });

  it('counts operations and open subscriptions in the self-metrics', async () => {
    const metrics = new SelfMetrics('test');
    const t = new GraphqlTelemetry(metrics);
    t.operation('query', 'success');
    t.operation('query', 'success');
    t.operation('mutation', 'error');
    t.subscriptionOpened();
    t.subscriptionOpened();
    t.subscriptionClosed();
    expect(await sampleOf(metrics, 'pharos_graphql_operations_total', { operation_type: 'query', outcome: 'success' })).toBe(2);
    expect(await sampleOf(metrics, 'pharos_graphql_operations_total', { operation_type: 'mutation', outcome: 'error' })).toBe(1);
    expect(await sampleOf(metrics, 'pharos_graphql_subscriptions_active', {})).toBe(1);
  });

  it('records metric queries under endpoint graphql with the Prometheus outcome, rethrowing coded errors', async () => {
    const metrics = new SelfMetrics('test');
    const queries = new QueryTelemetry(metrics, createLogger({ level: 'error', format: 'json' }), 0);
    expect(await recordedQuery(queries, 't', { query: 'up' }, () => Promise.resolve(7))).toBe(7);
    await expect(recordedQuery(queries, 't', { query: 'up' }, () => Promise.reject(new PromQLError('timeout', 'query timed out')))).rejects.toMatchObject({
      extensions: { code: 'TIMEOUT' },
    });
    await expect(recordedQuery(queries, 't', {}, () => Promise.reject(new Error('boom')))).rejects.toMatchObject({ extensions: { code: 'INTERNAL' } });
    expect(await sampleOf(metrics, 'pharos_query_requests_total', { endpoint: 'graphql', outcome: 'success' })).toBe(1);
    expect(await sampleOf(metrics, 'pharos_query_requests_total', { endpoint: 'graphql', outcome: 'timeout' })).toBe(1);
    expect(await sampleOf(metrics, 'pharos_query_requests_total', { endpoint: 'graphql', outcome: 'internal' })).toBe(1);
  });
});

describe('graphqlSettingsOf', () => {
  it('gives the code defaults for the default configuration and follows graphql.*', () => {
    expect(graphqlSettingsOf(loadConfig())).toEqual(DEFAULT_GRAPHQL_SETTINGS);
    const c = loadConfig({ yamlText: 'graphql:\n  max_depth: 3\n  max_cost: 40\n  tenant_concurrency: 1\n  subscriptions_per_connection: 2\n  min_refresh: 2s\n  max_refresh: 1m\n' });
    expect(graphqlSettingsOf(c)).toEqual({
      ...DEFAULT_GRAPHQL_SETTINGS,
      maxDepth: 3,
      maxComplexity: 40,
      maxConcurrentQueriesPerTenant: 1,
      maxSubscriptionsPerConnection: 2,
      minRefreshMs: 2_000,
      maxRefreshMs: 60_000,
    });
  });

  it('refuses a hand-built configuration with impossible limits', () => {
    const c = loadConfig();
    expect(() => graphqlSettingsOf({ ...c, graphql: { ...c.graphql, maxDepth: 0 } })).toThrow('graphql.max_depth must be a positive integer, got 0');
    expect(() => graphqlSettingsOf({ ...c, graphql: { ...c.graphql, minRefreshMs: 10 } })).toThrow('graphql.min_refresh must be at least 100ms, got 10ms');
    expect(() => graphqlSettingsOf({ ...c, graphql: { ...c.graphql, maxRefreshMs: 500 } })).toThrow('graphql.max_refresh (500ms) must not be below graphql.min_refresh (1000ms)');
  });
});
