import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What a GraphQL HTTP request answered. */
export interface GqlAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly data: T | null | undefined;
  readonly errors: readonly { message: string; path?: readonly string[]; extensions?: { code?: string } & Record<string, unknown> }[] | undefined;
}

/** POSTs one GraphQL operation to `/graphql` as JSON. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlAnswer<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GqlAnswer['errors'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`/graphql answered ${res.status} with non-JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** The codes of an answer's errors, for assertions. */
export const codes = (a: GqlAnswer<unknown>): (string | undefined)[] => (a.errors ?? []).map((e) => e.extensions?.code);

/** A `graphql-ws` client over the `ws` package, failing instead of retrying. */
export function wsClient(url: string, connectionParams: Record<string, string> = {}): { client: Client; closed: Promise<{ code: number; reason: string }> } {
  let onClosed: (e: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string | Buffer };
        onClosed({ code: e.code ?? 0, reason: String(e.reason ?? '') });
      },
    },
  });
  return { client, closed };
}
