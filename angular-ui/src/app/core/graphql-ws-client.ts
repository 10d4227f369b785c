/**
 * Subscriptions over the `graphql-transport-ws` protocol (graphql-ws), which the gateway speaks
 * on `/graphql`. Written against the protocol rather than pulling in a client library: the
 * console needs one socket, subscribe, next/error/complete and ping/pong, about a page of
 * code. Plain TypeScript (the socket is injected) so it is unit-tested in Node.
 *
 * Browsers cannot set headers on a WebSocket: the session's CSRF token (and the tenant, if any)
 * go in `connection_init`, as docs/graphql/README.md describes; the HttpOnly cookie goes with
 * the upgrade request by itself.
 */

/** The slice of the browser's WebSocket the client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

export interface SubscriptionSink<T> {
  next(data: T): void;
  /** The operation failed (GraphQL errors, or the socket closed); no more `next`. */
  error(err: GraphqlWsError): void;
  /** The server ended the operation. */
  complete?(): void;
}

export class GraphqlWsError extends Error {
  override readonly name = 'GraphqlWsError';
  constructor(
    /** The first error's `extensions.code`, or CLOSED with the close code in the message. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Operation {
  readonly payload: { query: string; variables: Record<string, unknown> };
  readonly sink: SubscriptionSink<unknown>;
}

type Message =
  | { type: 'connection_ack' }
  | { type: 'ping' | 'pong'; payload?: unknown }
  | { type: 'next'; id: string; payload: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }
  | { type: 'error'; id: string; payload: { message: string; extensions?: { code?: string } }[] }
  | { type: 'complete'; id: string };

/**
 * One lazily opened connection shared by every subscription; closed when the last one ends.
 * Operations started before the acknowledgement are sent once it arrives. A closed socket
 * fails every open operation with CLOSED (the caller decides whether to resubscribe).
 */
export class GraphqlWsClient {
  private socket: SocketLike | null = null;
  private acked = false;
  private nextId = 1;
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly open: () => SocketLike,
    private readonly connectionParams: () => Record<string, string>,
  ) {}

  /** Starts a subscription; the returned function ends it. */
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: SubscriptionSink<T>): () => void {
    const id = String(this.nextId++);
    this.operations.set(id, { payload: { query, variables }, sink: sink as SubscriptionSink<unknown> });
    this.ensureSocket();
    if (this.acked) this.send({ id, type: 'subscribe', payload: { query, variables } });
    return () => {
      if (!this.operations.delete(id)) return;
      if (this.acked) this.send({ id, type: 'complete' });
      if (this.operations.size === 0) this.closeSocket(1000, 'no subscriptions');
    };
  }

  /** Ends every subscription and the connection. */
  close(): void {
    this.operations.clear();
    this.closeSocket(1000, 'closed');
  }

  private ensureSocket(): void {
    if (this.socket) return;
    const socket = this.open();
    this.socket = socket;
    this.acked = false;
    socket.onopen = () => this.send({ type: 'connection_init', payload: this.connectionParams() });
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.acked = false;
      const failed = [...this.operations.values()];
      this.operations.clear();
      const why = ev.code === 4401 ? 'not logged in' : ev.code === 4403 ? 'not allowed' : ev.reason || 'connection closed';
      for (const op of failed) op.sink.error(new GraphqlWsError('CLOSED', `live updates stopped: ${why} (${ev.code})`));
    };
    socket.onerror = () => undefined; // onclose follows and reports.
  }

  private closeSocket(code: number, reason: string): void {
    const s = this.socket;
    this.socket = null;
    this.acked = false;
    if (s) {
      s.onclose = null;
      s.close(code, reason);
    }
  }

  private send(msg: unknown): void {
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(msg));
  }

  private onMessage(data: unknown): void {
    let msg: Message;
    try {
      msg = JSON.parse(String(data)) as Message;
    } catch {
      this.closeSocket(4400, 'invalid message');
      return;
    }
    switch (msg.type) {
      case 'connection_ack':
        this.acked = true;
        for (const [id, op] of this.operations) this.send({ id, type: 'subscribe', payload: op.payload });
        return;
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'next': {
        const op = this.operations.get(msg.id);
        if (!op) return;
        const errors = msg.payload.errors ?? [];
        if (errors.length > 0 && msg.payload.data == null) {
          this.operations.delete(msg.id);
          op.sink.error(new GraphqlWsError(errors[0]!.extensions?.code ?? 'INTERNAL', errors[0]!.message));
          return;
        }
        op.sink.next(msg.payload.data);
        return;
      }
      case 'error': {
        const op = this.operations.get(msg.id);
        this.operations.delete(msg.id);
        const first = msg.payload[0];
        op?.sink.error(new GraphqlWsError(first?.extensions?.code ?? 'INTERNAL', first?.message ?? 'subscription refused'));
        return;
      }
      case 'complete': {
        const op = this.operations.get(msg.id);
        this.operations.delete(msg.id);
        op?.sink.complete?.();
        return;
      }
    }
  }
}
