import type { GraphqlCaller } from './caller.js';

/** What one WebSocket connection holds across its subscriptions. */
export interface ConnectionState {
  readonly caller: GraphqlCaller;
  /** Live feeds open on this connection, against the per-connection cap. */
  activeFeeds: number;
  /** Bytes the socket has not yet flushed to the client (backpressure). */
  readonly bufferedBytes: () => number;
}

/** The context every resolver receives, for HTTP requests and WebSocket operations alike. */
export interface GraphqlContext {
  readonly caller: GraphqlCaller;
  /** Aborted when the HTTP client disconnects; never aborted for WebSocket operations. */
  readonly signal: AbortSignal | undefined;
  /** Set for operations arriving over a WebSocket. */
  readonly connection: ConnectionState | undefined;
}
