import { GraphQLError } from './graphql-runtime.js';
import { DuplicateRecordError, InvalidRecordError, RecordNotFoundError, VersionConflictError } from '#pharos/metadata';
import { PromQLError, PromQLParseError } from '#pharos/promql';

/**
 * The stable error codes of the GraphQL API (`errors[].extensions.code`). Clients branch on
 * these, never on messages; docs/graphql/README.md lists them.
 */
export const ERROR_CODES = [
  'BAD_QUERY',
  'BAD_INPUT',
  'TIMEOUT',
  'CANCELED',
  'LIMIT_EXCEEDED',
  'EXECUTION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'VERSION_CONFLICT',
  'UNAVAILABLE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'SUBSCRIPTION_LIMIT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function gatewayError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** A bad argument (time, step, matcher…), reported as BAD_QUERY like the REST API's bad_data. */
export class BadArgumentError extends Error {
  override readonly name = 'BadArgumentError';
}

const LIMIT_MESSAGES = ['too many samples', 'max number of series', 'exceeds the limit', 'maximum resolution'];

/**
 * Maps a failure of the engine, the store or the metadata store to a GraphQLError with a stable
 * code. Anything unrecognised is INTERNAL with its message, as the REST API reports `internal`.
 */
export function toGraphqlError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  if (err instanceof BadArgumentError) return gatewayError('BAD_QUERY', err.message);
  if (err instanceof PromQLParseError) return gatewayError('BAD_QUERY', `invalid query: ${err.message}`);
  if (err instanceof PromQLError) {
    const isLimit = LIMIT_MESSAGES.some((m) => err.message.includes(m));
    switch (err.type) {
      case 'timeout':
        return gatewayError('TIMEOUT', err.message);
      case 'canceled':
        return gatewayError('CANCELED', err.message);
      case 'execution':
        return gatewayError(isLimit ? 'LIMIT_EXCEEDED' : 'EXECUTION_FAILED', err.message);
      case 'bad_data':
        return gatewayError(isLimit ? 'LIMIT_EXCEEDED' : 'BAD_QUERY', err.message);
      case 'unavailable':
        return gatewayError('UNAVAILABLE', err.message);
      case 'not_found':
        return gatewayError('NOT_FOUND', err.message);
      default:
        return gatewayError('INTERNAL', err.message);
    }
  }
  if (err instanceof Error && err.name === 'InvalidMatcherError') return gatewayError('BAD_QUERY', err.message);
  if (err instanceof VersionConflictError) return gatewayError('VERSION_CONFLICT', err.message, { currentVersion: err.currentVersion });
  if (err instanceof RecordNotFoundError) return gatewayError('NOT_FOUND', err.message);
  if (err instanceof DuplicateRecordError) return gatewayError('ALREADY_EXISTS', err.message);
  if (err instanceof InvalidRecordError) return gatewayError('BAD_INPUT', err.message);
  return gatewayError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** Runs a resolver body, rethrowing any failure as a coded GraphQLError. */
export async function coded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toGraphqlError(err);
  }
}
