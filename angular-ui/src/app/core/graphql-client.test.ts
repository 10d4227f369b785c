import { describe, expect, it } from 'vitest';
import { GraphqlClient, GraphqlError, graphqlResult, type GraphqlTransport } from './graphql-client';

/** A transport answering one fixed response, recording what was sent. */
function answering(status: number, body: string): GraphqlTransport & { sent: { url: string; init: RequestInit }[] } {
  const sent: { url: string; init: RequestInit }[] = [];
  return {
    sent,
    fetch: async (url, init) => {
      sent.push({ url, init });
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    },
  };
}

function caught(fn: () => unknown): GraphqlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GraphqlError) return err;
    throw err;
  }
  throw new Error('expected a GraphqlError');
}

describe('GraphqlClient', () => {
  it('posts the document and variables as JSON and returns data', async () => {
    const transport = answering(200, JSON.stringify({ data: { me: { kind: 'user' } } }));
    const data = await new GraphqlClient(transport).query<{ me: { kind: string } }>('query { me { kind } }', { a: 1 });
    expect(data.me.kind).toBe('user');
    expect(transport.sent[0]!.url).toBe('/graphql');
    expect(transport.sent[0]!.init.method).toBe('POST');
    expect(JSON.parse(transport.sent[0]!.init.body as string)).toEqual({ query: 'query { me { kind } }', variables: { a: 1 } });
  });

  it('throws the first error with its stable code and keeps the others', async () => {
    const body = {
      data: null,
      errors: [
        { message: 'keys:manage in tenant "b" needs the admin role', path: ['createApiKey'], extensions: { code: 'FORBIDDEN' } },
        { message: 'second', extensions: { code: 'NOT_FOUND' } },
      ],
    };
    const err = await new GraphqlClient(answering(200, JSON.stringify(body))).query('mutation { x }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphqlError);
    const e = err as GraphqlError;
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('needs the admin role');
    expect(e.errors.map((x) => x.code)).toEqual(['FORBIDDEN', 'NOT_FOUND']);
    expect(e.errors[0]!.path).toEqual(['createApiKey']);
  });

  it('exposes extensions such as currentVersion on VERSION_CONFLICT', () => {
    const e = caught(() => graphqlResult(200, JSON.stringify({ errors: [{ message: 'stale', extensions: { code: 'VERSION_CONFLICT', currentVersion: 4 } }] })));
    expect(e.code).toBe('VERSION_CONFLICT');
    expect(e.extensions['currentVersion']).toBe(4);
  });

  it('maps an error without a code to INTERNAL', () => {
    expect(caught(() => graphqlResult(500, JSON.stringify({ errors: [{ message: 'boom' }] }))).code).toBe('INTERNAL');
  });

  it('reads errors from non-2xx GraphQL answers (Apollo answers 400 / 401 with a body)', () => {
    const e = caught(() => graphqlResult(401, JSON.stringify({ errors: [{ message: 'authentication required', extensions: { code: 'UNAUTHENTICATED' } }] })));
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.status).toBe(401);
  });

  it('keeps the message of the auth hook\'s REST-style refusal', () => {
    const e = caught(() => graphqlResult(401, JSON.stringify({ error: 'authentication required: log in or send an API key' })));
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).toBe('authentication required: log in or send an API key');
  });

  it('maps a non-GraphQL answer by its HTTP status', () => {
    expect(caught(() => graphqlResult(502, '<html>bad gateway</html>')).code).toBe('UNAVAILABLE');
    expect(caught(() => graphqlResult(403, 'forbidden')).code).toBe('FORBIDDEN');
    expect(caught(() => graphqlResult(413, 'too large')).code).toBe('BAD_QUERY');
    expect(caught(() => graphqlResult(200, '[]')).code).toBe('INTERNAL');
    expect(caught(() => graphqlResult(500, '{}')).code).toBe('INTERNAL');
  });

  it('refuses a success status without data', () => {
    const e = caught(() => graphqlResult(200, JSON.stringify({ data: null })));
    expect(e.message).toContain('has no data');
  });

  it('reports a network failure as UNAVAILABLE with status 0', async () => {
    const err = await new GraphqlClient({ fetch: () => Promise.reject(new TypeError('fetch failed')) }).query('{ a }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphqlError);
    expect((err as GraphqlError).code).toBe('UNAVAILABLE');
    expect((err as GraphqlError).status).toBe(0);
  });

  it('lets an abort through untouched', async () => {
    const abort = new DOMException('aborted', 'AbortError');
    const err = await new GraphqlClient({ fetch: () => Promise.reject(abort) }).query('{ a }').catch((e: unknown) => e);
    expect(err).toBe(abort);
  });
});

describe('graphqlPartialResult', () => {
  it('keeps the data of the fields that worked and the errors of those that did not', async () => {
    const { graphqlPartialResult } = await import('./graphql-client');
    const r = graphqlPartialResult<{ a: number; b: null }>(200, JSON.stringify({ data: { a: 1, b: null }, errors: [{ message: 'bad', path: ['b'], extensions: { code: 'BAD_QUERY' } }] }));
    expect(r.data).toEqual({ a: 1, b: null });
    expect(r.errors).toEqual([{ message: 'bad', code: 'BAD_QUERY', path: ['b'], extensions: { code: 'BAD_QUERY' } }]);
  });

  it('throws like graphqlResult when there is no data', async () => {
    const { graphqlPartialResult, GraphqlError } = await import('./graphql-client');
    expect(() => graphqlPartialResult(400, JSON.stringify({ errors: [{ message: 'too deep', extensions: { code: 'QUERY_TOO_COMPLEX' } }] }))).toThrow(GraphqlError);
  });
});
