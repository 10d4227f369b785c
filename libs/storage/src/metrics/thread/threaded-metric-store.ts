import type { Labels, MetricBatch, MetricMetadata, NativeHistogram } from '#pharos/metric-model';
import {
  UnsupportedQueryError,
  type AppendResult,
  type CounterRollupQuery,
  type RecordsAppendResult,
  type DeleteQuery,
  type ExemplarQuery,
  type LabelNamesQuery,
  type LabelValuesQuery,
  type MetadataQuery,
  type MetricStore,
  type MetricStoreCapabilities,
  type MetricStoreStats,
  type RollupQuery,
  type SelectQuery,
  type SeriesExemplars,
  type SeriesCounterRollups,
  type SeriesQuery,
  type SeriesRollups,
  type SeriesSamples,
} from '../port.js';
import type { CallMethod, MessageEndpoint, SerializedError, StoreRequest, StoreResponse, StreamMethod } from './messages.js';
import { columnOf, type WireSeriesBatch } from './series-batch.js';

/** Error classes that keep their class across the thread boundary, so callers can `instanceof` them. */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  UnsupportedQueryError,
};

const NO_HISTOGRAMS: readonly NativeHistogram[] = Object.freeze([]);

/** A streamed message with its series' label sets, resolved when it arrived. */
interface ReceivedBatch {
  readonly batch: WireSeriesBatch;
  readonly labels: readonly Labels[];
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

/** Messages of one streamed read, consumed by its async iterator. */
interface StreamQueue {
  readonly messages: (ReceivedBatch | null)[];
  error: Error | undefined;
  wake: (() => void) | undefined;
}

/** Record buffers kept for reuse: concurrent deliveries are one per stream partition. */
const MAX_SPARE_BUFFERS = 8;

/**
 * The metric store port served by a {@link StoreHost} on another thread (ADR 0018). Every
 * call is a message; streamed reads arrive a few hundred series per message, their columns
 * moved, not copied, and label sets sent once per series and cached here by id.
 *
 * `resolveSeriesRef` is not offered (it is synchronous): stream records go to the store
 * thread whole through {@link appendRecords}, which resolves refs where the series index
 * lives.
 */
export class ThreadedMetricStore implements MetricStore {
  private readonly calls = new Map<number, PendingCall>();
  private readonly streams = new Map<number, StreamQueue>();
  private readonly labelsById = new Map<number, Labels>();
  /** See {@link recordBuffer}: one per concurrent delivery (a partition each) is all it takes. */
  private readonly spareBuffers: ArrayBuffer[] = [];
  private nextId = 1;
  private failure: Error | undefined;

  /**
   * The store's counter aggregate (ADR 0020), offered exactly when the store on the other
   * thread offers it: two columns and three numbers a series cross instead of the five
   * columns `selectRollups` sends for the fields it is made of.
   */
  readonly selectCounterRollups?: (query: CounterRollupQuery) => AsyncIterable<SeriesCounterRollups>;

  private constructor(
    private readonly endpoint: MessageEndpoint,
    readonly capabilities: MetricStoreCapabilities,
    counterRollups: boolean,
    private readonly afterClose: () => Promise<void>,
  ) {
    endpoint.on('message', (message) => this.onMessage(message as StoreResponse));
    if (counterRollups) this.selectCounterRollups = (query) => this.counterRollups(query);
  }

  /**
   * Waits for the host's `ready` (its store open) on `endpoint`. `afterClose` runs once the
   * host has closed the store (e.g. ends its worker).
   */
  static connect(endpoint: MessageEndpoint, afterClose: () => Promise<void> = () => Promise.resolve()): Promise<ThreadedMetricStore> {
    return new Promise((resolve, reject) => {
      let done = false;
      endpoint.on('message', (message) => {
        if (done) return;
        const m = message as StoreResponse;
        if (m.kind === 'ready') {
          done = true;
          resolve(new ThreadedMetricStore(endpoint, m.capabilities, m.counterRollups === true, afterClose));
        } else if (m.kind === 'failed') {
          done = true;
          reject(deserializeError(m.error));
        }
      });
    });
  }

  /**
   * Fails every call in flight and every later call: the store thread is gone (its worker
   * exited or threw). The owner decides whether the process can go on.
   */
  fail(err: Error): void {
    this.failure = err;
    for (const c of this.calls.values()) c.reject(err);
    this.calls.clear();
    for (const q of this.streams.values()) {
      q.error = err;
      q.wake?.();
    }
  }

  append(batch: MetricBatch): Promise<AppendResult> {
    return this.call('append', [batch]) as Promise<AppendResult>;
  }

  /**
   * Decodes and appends stream records on the store thread (only when `capabilities.records`).
   */
  appendRecords(records: readonly Uint8Array[]): Promise<RecordsAppendResult> {
    // Copied into one buffer (each record on an 8-byte boundary, so the store thread can read
    // aligned columns in place), which moves: a stream may still hold the records' own
    // buffers (other consumer groups, its read cache). The store thread moves it back once
    // appended and the next delivery reuses it: no ArrayBuffer per call on either thread,
    // whose external memory (a GC trigger) would otherwise grow by every delivery.
    const offsets = new Uint32Array(records.length + 1);
    let total = 0;
    for (let i = 0; i < records.length; i++) {
      offsets[i] = total;
      total += Math.ceil(records[i]!.byteLength / 8) * 8;
    }
    offsets[records.length] = total;
    const packed = this.recordBuffer(total);
    for (let i = 0; i < records.length; i++) packed.set(records[i]!, offsets[i]!);
    const lengths = Uint32Array.from(records, (r) => r.byteLength);
    return this.call('appendRecords', [packed, offsets, lengths], [packed.buffer, offsets.buffer, lengths.buffer]) as Promise<RecordsAppendResult>;
  }

  /**
   * `total` bytes to pack a delivery into: a buffer the store thread handed back when one is
   * large enough (the padding between records may hold old bytes; nothing reads it), else a
   * new one with room to spare, so that deliveries of varying size keep reusing it.
   */
  private recordBuffer(total: number): Uint8Array<ArrayBuffer> {
    const spare = this.spareBuffers;
    for (let i = 0; i < spare.length; i++) {
      if (spare[i]!.byteLength < total) continue;
      const buffer = spare[i]!;
      spare[i] = spare[spare.length - 1]!;
      spare.pop();
      return new Uint8Array(buffer, 0, total);
    }
    return new Uint8Array(new ArrayBuffer(Math.ceil((total * 1.25) / 4096) * 4096), 0, total);
  }

  /** Buffers handed back by the store thread, ready for the next deliveries. */
  get spareRecordBuffers(): number {
    return this.spareBuffers.length;
  }

  flush(): Promise<void> {
    return this.call('flush', []) as Promise<void>;
  }

  async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    for await (const { batch, labels } of this.stream('select', query)) {
      const histograms = sparse(batch.histogramsAt, batch.histograms, batch.count);
      for (let i = 0; i < batch.count; i++) {
        yield {
          labels: labels[i]!,
          timestamps: columnOf(batch, 3, i, 0),
          values: columnOf(batch, 3, i, 1),
          histogramTimestamps: columnOf(batch, 3, i, 2),
          histograms: histograms?.[i] ?? NO_HISTOGRAMS,
        };
      }
    }
  }

  async *selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups> {
    for await (const { batch, labels } of this.stream('selectRollups', query)) {
      const without = new Set(batch.withoutRollupsAt);
      const col = (i: number, c: number): Float64Array => columnOf(batch, 10, i, c);
      for (let i = 0; i < batch.count; i++) {
        yield {
          labels: labels[i]!,
          bucketStarts: col(i, 0),
          count: col(i, 1),
          sum: col(i, 2),
          min: col(i, 3),
          max: col(i, 4),
          firstTimestamp: col(i, 5),
          firstValue: col(i, 6),
          lastTimestamp: col(i, 7),
          lastValue: col(i, 8),
          increase: col(i, 9),
          ...(without.has(i) ? { withoutRollups: true } : {}),
        };
      }
    }
  }

  /** Series as `StoreHost` packs them: `bucketStarts` and `counter`, then the three edge numbers. */
  private async *counterRollups(query: CounterRollupQuery): AsyncIterable<SeriesCounterRollups> {
    for await (const { batch, labels } of this.stream('selectCounterRollups', query)) {
      const without = new Set(batch.withoutRollupsAt);
      const edges = batch.numbers;
      for (let i = 0; i < batch.count; i++) {
        yield {
          labels: labels[i]!,
          bucketStarts: columnOf(batch, 2, i, 0),
          counter: columnOf(batch, 2, i, 1),
          firstTimestamp: edges[3 * i]!,
          firstValue: edges[3 * i + 1]!,
          lastValue: edges[3 * i + 2]!,
          ...(without.has(i) ? { withoutRollups: true } : {}),
        };
      }
    }
  }

  series(query: SeriesQuery): Promise<Labels[]> {
    return this.call('series', [query]) as Promise<Labels[]>;
  }

  labelNames(query: LabelNamesQuery): Promise<string[]> {
    return this.call('labelNames', [query]) as Promise<string[]>;
  }

  labelValues(query: LabelValuesQuery): Promise<string[]> {
    return this.call('labelValues', [query]) as Promise<string[]>;
  }

  exemplars(query: ExemplarQuery): Promise<SeriesExemplars[]> {
    return this.call('exemplars', [query]) as Promise<SeriesExemplars[]>;
  }

  metadata(query: MetadataQuery): Promise<MetricMetadata[]> {
    return this.call('metadata', [query]) as Promise<MetricMetadata[]>;
  }

  deleteSeries(query: DeleteQuery): Promise<number> {
    return this.call('deleteSeries', [query]) as Promise<number>;
  }

  setRetention(tenant: string, retentionMs: number): void {
    // Ordered before any later call on the same channel, so a read after it sees it.
    void this.call('setRetention', [tenant, retentionMs]).catch(() => undefined);
  }

  enforceRetention(nowMs?: number): Promise<void> {
    return this.call('enforceRetention', [nowMs]) as Promise<void>;
  }

  stats(): Promise<MetricStoreStats> {
    return this.call('stats', []) as Promise<MetricStoreStats>;
  }

  async close(): Promise<void> {
    await this.call('close', []);
    this.failure = new Error('the metric store is closed');
    await this.afterClose();
  }

  /** Label sets cached from the host (bounded by the host's label cache size). */
  get cachedLabelSets(): number {
    return this.labelsById.size;
  }

  /** The label sets of a batch's series: those new to this side cached, the others from the cache. */
  private labelsOf(batch: WireSeriesBatch): Labels[] {
    for (let k = 0; k < batch.newLabelsAt.length; k++) this.labelsById.set(batch.labelsIds[batch.newLabelsAt[k]!]!, batch.newLabels[k]!);
    const out = new Array<Labels>(batch.count);
    for (let i = 0; i < batch.count; i++) {
      const labels = this.labelsById.get(batch.labelsIds[i]!);
      if (labels === undefined) throw new Error(`store thread sent label set ${batch.labelsIds[i]} before defining it`);
      out[i] = labels;
    }
    return out;
  }

  private call(method: CallMethod, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.post({ id, op: 'call', method, args }, transfer);
    });
  }

  private async *stream(method: StreamMethod, query: SelectQuery): AsyncGenerator<ReceivedBatch> {
    if (this.failure !== undefined) throw this.failure;
    const { signal, ...rest } = query;
    signal?.throwIfAborted();
    const id = this.nextId++;
    const q: StreamQueue = { messages: [], error: undefined, wake: undefined };
    this.streams.set(id, q);
    const onAbort = (): void => {
      q.error = signal!.reason instanceof Error ? signal!.reason : new Error('aborted');
      q.wake?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      this.post({ id, op: 'stream', method, query: rest });
      for (;;) {
        while (q.messages.length === 0 && q.error === undefined) await new Promise<void>((r) => (q.wake = r));
        if (q.error !== undefined) throw q.error;
        const received = q.messages.shift()!;
        if (received === null) {
          finished = true;
          return;
        }
        this.post({ id, op: 'pull' });
        yield received;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.streams.delete(id);
      if (!finished && this.failure === undefined) this.post({ id, op: 'cancel' });
    }
  }

  private onMessage(m: StoreResponse): void {
    switch (m.kind) {
      case 'reply': {
        const c = this.calls.get(m.id);
        if (c === undefined) return;
        this.calls.delete(m.id);
        if (m.ok && m.returned !== undefined && this.spareBuffers.length < MAX_SPARE_BUFFERS) this.spareBuffers.push(m.returned);
        if (m.ok) c.resolve(m.value);
        else c.reject(deserializeError(m.error));
        return;
      }
      case 'items': {
        // Label sets are resolved on arrival, in the order the host sent its messages, and
        // only then are the ids it evicted dropped: a message the reader has not reached yet
        // may name an id that a later message forgets (the host forgets an id once every
        // message naming it has been sent, not read). Done even for a cancelled read, so the
        // cache stays the host's.
        const q = this.streams.get(m.id);
        let labels: readonly Labels[];
        try {
          labels = m.batch.count > 0 ? this.labelsOf(m.batch) : [];
        } catch (err) {
          // A protocol fault: fail the read rather than throw out of the message handler.
          if (q !== undefined) (q.error = err as Error), q.wake?.();
          return;
        } finally {
          if (m.forget !== undefined) for (const id of m.forget) this.labelsById.delete(id);
        }
        if (q === undefined) return;
        if (m.batch.count > 0) q.messages.push({ batch: m.batch, labels });
        if (m.done) q.messages.push(null);
        else if (m.batch.count === 0) this.post({ id: m.id, op: 'pull' });
        q.wake?.();
        return;
      }
      case 'items-error': {
        const q = this.streams.get(m.id);
        if (q === undefined) return;
        q.error = deserializeError(m.error);
        q.wake?.();
        return;
      }
      default:
        return;
    }
  }

  private post(request: StoreRequest, transfer: ArrayBuffer[] = []): void {
    this.endpoint.postMessage(request, transfer);
  }
}

/** `values[k]` placed at `at[k]` of a `count`-long array; undefined when there are none. */
function sparse<T>(at: Int32Array, values: readonly T[], count: number): (T | undefined)[] | undefined {
  if (at.length === 0) return undefined;
  const out = new Array<T | undefined>(count);
  for (let k = 0; k < at.length; k++) out[at[k]!] = values[k];
  return out;
}

function deserializeError(e: SerializedError): Error {
  const Known = KNOWN_ERRORS[e.name];
  if (Known !== undefined) return new Known(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
