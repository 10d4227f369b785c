import type { MetricStoreCapabilities } from '../port.js';
import type { WireSeriesBatch } from './series-batch.js';

/**
 * Messages between a {@link ThreadedMetricStore} (the caller's thread) and a
 * {@link StoreHost} (the store's thread). Every request carries an id; the host answers it
 * once (`reply`), or, for the two streaming reads, with `items` messages until one is `done`.
 * Series travel columnar (`WireSeriesBatch`), each as a label-set id plus, the first time the host sends that id, its labels:
 * the host's label arrays are stable per series, so the caller's cache of them stays small
 * and a refresh sends no label text at all.
 */
export type StoreRequest =
  | { readonly id: number; readonly op: 'call'; readonly method: CallMethod; readonly args: readonly unknown[] }
  | { readonly id: number; readonly op: 'stream'; readonly method: StreamMethod; readonly query: unknown }
  /** The caller consumed a message of stream `id`: the host may send another. */
  | { readonly id: number; readonly op: 'pull' }
  /** The caller stopped reading stream `id` (break, error or abort). */
  | { readonly id: number; readonly op: 'cancel' };

/**
 * The streamed reads. `selectCounterRollups` is asked for only when the host's store offers
 * it (`ready.counterRollups`).
 */
export type StreamMethod = 'select' | 'selectRollups' | 'selectCounterRollups';

export type CallMethod =
  | 'append'
  | 'appendRecords'
  | 'flush'
  | 'series'
  | 'labelNames'
  | 'labelValues'
  | 'exemplars'
  | 'metadata'
  | 'deleteSeries'
  | 'setRetention'
  | 'enforceRetention'
  | 'stats'
  | 'close';

export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

export type StoreResponse =
  /**
   * `counterRollups`: the store offers the optional `selectCounterRollups` (ADR 0020), so the
   * caller's proxy offers it too; absent or false, the proxy leaves it out as the store does.
   */
  | { readonly kind: 'ready'; readonly capabilities: MetricStoreCapabilities; readonly counterRollups?: boolean }
  /**
   * `returned`: the buffer an `appendRecords` request moved here, moved back once its records
   * are appended, for the caller to pack the next delivery into (see `ThreadedMetricStore`).
   */
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown; readonly returned?: ArrayBuffer }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: SerializedError }
  /** `forget`: label-set ids the caller drops from its cache before reading `series`. */
  | { readonly kind: 'items'; readonly id: number; readonly batch: WireSeriesBatch; readonly done: boolean; readonly forget?: readonly number[] }
  | { readonly kind: 'items-error'; readonly id: number; readonly error: SerializedError }
  /** The store failed to open (sent instead of `ready`). */
  | { readonly kind: 'failed'; readonly error: SerializedError };

/** What either side of the channel needs: a `MessagePort` or a worker's `parentPort`/`Worker`. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}
