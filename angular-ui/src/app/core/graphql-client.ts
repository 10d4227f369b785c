/**
 * The console's GraphQL transport: one POST to `/graphql`, data back or a `GraphqlError` with
 * the gateway's stable code (docs/graphql/README.md). Plain TypeScript so it is unit-tested in
 * Node; an Angular service builds one over `ApiFetch`, which adds the CSRF token and sends the
 * user to the login page on a 401:
 *
 *     private readonly gql = new GraphqlClient(inject(ApiFetch));
 */

/** What the client needs of `ApiFetch` (or of `fetch` itself). */
export interface GraphqlTransport {
  fetch(url: string, init: RequestInit): Promise<Response>;
}

/** One entry of a GraphQL answer's `errors`. */
export interface GraphqlErrorEntry {
  readonly message: string;
  readonly code: string;
  readonly path?: readonly (string | number)[];
  readonly extensions: Readonly<Record<string, unknown>>;
}

/**
 * A refused or failed operation. `code` is the first error's `extensions.code` (FORBIDDEN,
 * NOT_FOUND, BAD_INPUT, VERSION_CONFLICT…); failures before the gateway answered get
 * UNAVAILABLE (network, 502–504) or a code from the HTTP status.
 */
export class GraphqlError extends Error {
  override readonly name = 'GraphqlError';
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** Every error of the answer (the first is the one named by `code` and `message`). */
    readonly errors: readonly GraphqlErrorEntry[] = [],
  ) {
    super(message);
  }

  /** `extensions` of the first error, e.g. `currentVersion` on VERSION_CONFLICT. */
  get extensions(): Readonly<Record<string, unknown>> {
    return this.errors[0]?.extensions ?? {};
  }
}

export const GRAPHQL_ENDPOINT = '/graphql';

export class GraphqlClient {
  constructor(
    private readonly transport: GraphqlTransport,
    private readonly endpoint: string = GRAPHQL_ENDPOINT,
  ) {}

  /**
   * Runs a query or mutation. An answer with any error throws, even with partial data: the
   * console's operations are small enough that half an answer is not worth showing.
   * Aborting `signal` rejects with the platform's AbortError, untouched.
   */
  async query<T>(document: string, variables: Readonly<Record<string, unknown>> = {}, signal?: AbortSignal): Promise<T> {
    const res = await this.post(document, variables, signal);
    return graphqlResult<T>(res.status, await res.text());
  }

  /**
   * For batches whose fields fail independently (a dashboard's panels): the data that was
   * computed and the errors of the fields that were not, each with its `path`. Throws only when
   * the answer has no data at all.
   */
  async queryPartial<T>(document: string, variables: Readonly<Record<string, unknown>> = {}, signal?: AbortSignal): Promise<PartialResult<T>> {
    const res = await this.post(document, variables, signal);
    return graphqlPartialResult<T>(res.status, await res.text());
  }

  /** One POST; a request that never got an answer is UNAVAILABLE, an abort stays an AbortError. */
  private async post(document: string, variables: Readonly<Record<string, unknown>>, signal: AbortSignal | undefined): Promise<Response> {
    try {
      return await this.transport.fetch(this.endpoint, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, variables }),
        signal: signal ?? null,
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      throw new GraphqlError('UNAVAILABLE', `cannot reach Pharos: ${err instanceof Error ? err.message : String(err)}`, 0);
    }
  }
}

export interface PartialResult<T> {
  readonly data: T;
  readonly errors: readonly GraphqlErrorEntry[];
}

/** Data with the errors of the fields that failed; throws as `graphqlResult` when there is no data. */
export function graphqlPartialResult<T>(status: number, text: string): PartialResult<T> {
  let body: { data?: unknown; errors?: unknown } | null = null;
  try {
    body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  } catch {
    // graphqlResult below names the problem.
  }
  if (body !== null && typeof body === 'object' && body.data !== null && typeof body.data === 'object' && status >= 200 && status < 300) {
    const errors = Array.isArray(body.errors) ? body.errors.map(errorEntry) : [];
    return { data: body.data as T, errors };
  }
  return { data: graphqlResult<T>(status, text), errors: [] };
}

/** The data of a GraphQL answer, or the GraphqlError it carries. Exported for its tests. */
export function graphqlResult<T>(status: number, text: string): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GraphqlError(codeForStatus(status), `HTTP ${status} from ${GRAPHQL_ENDPOINT} is not a GraphQL answer: ${text.slice(0, 200)}`, status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GraphqlError(codeForStatus(status), `HTTP ${status} from ${GRAPHQL_ENDPOINT}: expected a JSON object`, status);
  }
  const { data, errors, error } = body as { data?: unknown; errors?: unknown; error?: unknown };
  if (Array.isArray(errors) && errors.length > 0) {
    const entries = errors.map(errorEntry);
    const first = entries[0]!;
    throw new GraphqlError(first.code, first.message, status, entries);
  }
  // The platform's auth hook refuses before GraphQL runs, with the REST APIs' `{ "error" }` body.
  if (typeof error === 'string') throw new GraphqlError(codeForStatus(status), error, status);
  if (status < 200 || status >= 300 || data === null || data === undefined || typeof data !== 'object') {
    throw new GraphqlError(codeForStatus(status), `HTTP ${status} from ${GRAPHQL_ENDPOINT} has no data`, status);
  }
  return data as T;
}

function errorEntry(raw: unknown): GraphqlErrorEntry {
  const e = (raw !== null && typeof raw === 'object' ? raw : {}) as { message?: unknown; path?: unknown; extensions?: unknown };
  const extensions = (e.extensions !== null && typeof e.extensions === 'object' ? e.extensions : {}) as Record<string, unknown>;
  const code = typeof extensions['code'] === 'string' ? extensions['code'] : 'INTERNAL';
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : `GraphQL error ${code}`;
  const path = Array.isArray(e.path) ? (e.path.filter((p) => typeof p === 'string' || typeof p === 'number') as (string | number)[]) : undefined;
  return { message, code, extensions, ...(path !== undefined ? { path } : {}) };
}

/** Answers that are not GraphQL (a proxy's error page, a body-size refusal). */
function codeForStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400 || status === 413) return 'BAD_QUERY';
  if (status === 429) return 'LIMIT_EXCEEDED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'INTERNAL';
}
