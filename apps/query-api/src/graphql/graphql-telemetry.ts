import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { DocumentNode, ExecutionResult, GraphQLError } from 'graphql';
import { Counter, Gauge } from 'prom-client';
import type { SelfMetrics } from '#pharos/telemetry';
import type { QueryOutcome, QueryRecord, QueryTelemetry } from '../query-telemetry.js';
import type { GraphqlContext } from './context.js';
import { toGraphqlError } from './errors.js';

/** Bounded label values: `unknown` when the document did not parse or names no single operation. */
export type GraphqlOperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
/** `partial`: some fields answered, others failed (a batch of panels with one bad panel). */
export type GraphqlOperationOutcome = 'success' | 'partial' | 'error';

/**
 * The gateway's own self-metrics, beside the query API's `pharos_query_*` (whose `graphql`
 * endpoint counts the metric queries the gateway evaluates): operations by type and outcome,
 * and the live subscriptions currently open.
 */
export class GraphqlTelemetry {
  private readonly operations: Counter<'operation_type' | 'outcome'>;
  private readonly subscriptionsActive: Gauge;

  constructor(metrics: SelfMetrics) {
    this.operations = new Counter({
      name: 'pharos_graphql_operations_total',
      help: 'GraphQL operations (HTTP and WebSocket), by operation type and outcome (success, partial, error).',
      labelNames: ['operation_type', 'outcome'],
      registers: [metrics.registry],
    });
    this.subscriptionsActive = new Gauge({
      name: 'pharos_graphql_subscriptions_active',
      help: 'Live GraphQL subscriptions currently open across all WebSocket connections.',
      registers: [metrics.registry],
    });
  }

  operation(type: GraphqlOperationType, outcome: GraphqlOperationOutcome): void {
    this.operations.inc({ operation_type: type, outcome });
  }

  subscriptionOpened(): void {
    this.subscriptionsActive.inc();
  }

  subscriptionClosed(): void {
    this.subscriptionsActive.dec();
  }
}

/** The outcome of a finished operation from its result: errors without data, with data, or none. */
export function outcomeOf(errors: readonly unknown[] | undefined, data: unknown): GraphqlOperationOutcome {
  if (errors === undefined || errors.length === 0) return 'success';
  const answered = data !== null && typeof data === 'object' && Object.values(data).some((v) => v !== null && v !== undefined);
  return answered ? 'partial' : 'error';
}

/** The type of the operation a document runs: its only one, or the one named. */
export function operationTypeOf(document: DocumentNode | undefined, operationName?: string | null): GraphqlOperationType {
  if (document === undefined) return 'unknown';
  let found: GraphqlOperationType | undefined;
  for (const def of document.definitions) {
    if (def.kind !== 'OperationDefinition') continue;
    if (operationName ? def.name?.value === operationName : found === undefined) found = def.operation;
    else if (!operationName) return 'unknown';
  }
  return found ?? 'unknown';
}

/**
 * Counts every HTTP operation once, when its response is sent (parse and validation failures
 * included, as `unknown`/`error` when no operation could be identified).
 */
export function operationsPlugin(telemetry: GraphqlTelemetry): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: (rc: GraphQLRequestContextWillSendResponse<GraphqlContext>) => {
          const type: GraphqlOperationType = rc.operation?.operation ?? operationTypeOf(rc.document, rc.request.operationName);
          const body = rc.response.body;
          if (body.kind === 'single') {
            telemetry.operation(type, outcomeOf(body.singleResult.errors ?? rc.errors, body.singleResult.data));
          } else {
            // Incremental delivery (@defer/@stream) is not enabled; count it by its first part.
            telemetry.operation(type, outcomeOf(body.initialResult.errors, body.initialResult.data));
          }
          return Promise.resolve();
        },
      }),
  };
}

/** A WebSocket operation's outcome once executed: a subscription stream is a success. */
export function wsOperationOutcome(result: AsyncIterable<ExecutionResult> | ExecutionResult): GraphqlOperationOutcome {
  if (Symbol.asyncIterator in result) return 'success';
  return outcomeOf(result.errors as readonly GraphQLError[] | undefined, result.data);
}

const OUTCOME_OF_CODE: Readonly<Record<string, QueryOutcome>> = {
  BAD_QUERY: 'bad_data',
  BAD_INPUT: 'bad_data',
  TIMEOUT: 'timeout',
  CANCELED: 'canceled',
  LIMIT_EXCEEDED: 'execution',
  EXECUTION_FAILED: 'execution',
  UNAVAILABLE: 'unavailable',
  NOT_FOUND: 'not_found',
};

/**
 * Evaluates one metric query of the gateway and records it in the query API's telemetry under
 * endpoint `graphql` (the same counters, latency histogram and slow-query log as REST). The
 * failure is rethrown as a coded GraphQLError.
 */
export async function recordedQuery<T>(
  telemetry: QueryTelemetry,
  tenant: string,
  details: Pick<QueryRecord, 'query' | 'startMs' | 'endMs' | 'stepMs'>,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let outcome: QueryOutcome = 'success';
  let error: string | undefined;
  try {
    return await work();
  } catch (err) {
    const coded = toGraphqlError(err);
    const code = coded.extensions['code'];
    outcome = (typeof code === 'string' ? OUTCOME_OF_CODE[code] : undefined) ?? 'internal';
    error = coded.message;
    throw coded;
  } finally {
    telemetry.record({ ...details, endpoint: 'graphql', outcome, tenant, durationMs: performance.now() - started, ...(error !== undefined ? { error } : {}) });
  }
}
