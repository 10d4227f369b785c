import { describe, expect, it } from 'vitest';
import { GraphqlWsClient, type SocketLike } from './graphql-ws-client';

/** A socket the test drives: records what the client sends, delivers what the server says. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed: { code?: number } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number): void {
    this.closed = { code };
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  server(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const client = new GraphqlWsClient(
    () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    () => ({ 'X-CSRF-Token': 'tok' }),
  );
  return { client, sockets };
}

describe('GraphqlWsClient', () => {
  it('initialises with the connection params, subscribes after the ack and delivers next/complete', () => {
    const { client, sockets } = setup();
    const got: unknown[] = [];
    let completed = false;
    client.subscribe('subscription { x }', { a: 1 }, { next: (d) => got.push(d), error: (e) => got.push(e), complete: () => (completed = true) });
    const s = sockets[0]!;
    s.open();
    expect(s.sent).toEqual([{ type: 'connection_init', payload: { 'X-CSRF-Token': 'tok' } }]);
    s.server({ type: 'connection_ack' });
    expect(s.sent[1]).toEqual({ id: '1', type: 'subscribe', payload: { query: 'subscription { x }', variables: { a: 1 } } });
    s.server({ type: 'ping' });
    expect(s.sent[2]).toEqual({ type: 'pong' });
    s.server({ id: '1', type: 'next', payload: { data: { x: 1 } } });
    s.server({ id: '1', type: 'complete' });
    expect(got).toEqual([{ x: 1 }]);
    expect(completed).toBe(true);
  });

  it('shares one socket, completes operations it ends, and closes with the last', () => {
    const { client, sockets } = setup();
    const noop = { next: () => undefined, error: () => undefined };
    const end1 = client.subscribe('a', {}, noop);
    const end2 = client.subscribe('b', {}, noop);
    expect(sockets).toHaveLength(1);
    sockets[0]!.open();
    sockets[0]!.server({ type: 'connection_ack' });
    end1();
    expect(sockets[0]!.sent.at(-1)).toEqual({ id: '1', type: 'complete' });
    expect(sockets[0]!.closed).toBeNull();
    end2();
    expect(sockets[0]!.closed).toEqual({ code: 1000 });
  });

  it('reports GraphQL errors with their code, and a closed socket to every operation', () => {
    const { client, sockets } = setup();
    const errors: string[] = [];
    client.subscribe('a', {}, { next: () => undefined, error: (e) => errors.push(`${e.code}: ${e.message}`) });
    client.subscribe('b', {}, { next: () => undefined, error: (e) => errors.push(`${e.code}: ${e.message}`) });
    const s = sockets[0]!;
    s.open();
    s.server({ type: 'connection_ack' });
    s.server({ id: '1', type: 'error', payload: [{ message: 'too many', extensions: { code: 'SUBSCRIPTION_LIMIT' } }] });
    s.onclose?.({ code: 4403, reason: '' });
    expect(errors).toEqual(['SUBSCRIPTION_LIMIT: too many', 'CLOSED: live updates stopped: not allowed (4403)']);
  });
});
