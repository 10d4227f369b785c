import type { Labels, MetricBatch, MetricMetadata, NativeHistogram } from '#pharos/metric-model';
import {
  UnsupportedQueryError,
  type AppendResult,
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
  type SeriesQuery,
  type SeriesRollups,
  type SeriesSamples,
} from '../port.js';
import type { CallMethod, MessageEndpoint, SerializedError, StoreRequest, StoreResponse, WireSeries } from './messages.js';

/** Error classes that keep their class across the thread boundary, so callers can `instanceof` them. */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  UnsupportedQueryError,
};

const EMPTY = new Float64Array(0);
const NO_HISTOGRAMS: readonly NativeHistogram[] = Object.freeze([]);

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

/** Messages of one streamed read, consumed by its async iterator. */
interface StreamQueue {
  readonly messages: (readonly WireSeries[] | null)[];
  error: Error | undefined;
  wake: (() => void) | undefined;
}

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
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(
    private readonly endpoint: MessageEndpoint,
    readonly capabilities: MetricStoreCapabilities,
    private readonly afterClose: () => Promise<void>,
  ) {
    endpoint.on('message', (message) => this.onMessage(message as StoreResponse));
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
          resolve(new ThreadedMetricStore(endpoint, m.capabilities, afterClose));
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
    // buffers (other consumer groups, its read cache), and one allocation per call rather
    // than per record keeps this thread's external memory, a GC trigger, low.
    const offsets = new Uint32Array(records.length + 1);
    let total = 0;
    for (let i = 0; i < records.length; i++) {
      offsets[i] = total;
      total += Math.ceil(records[i]!.byteLength / 8) * 8;
    }
    offsets[records.length] = total;
    const packed = new Uint8Array(total);
    for (let i = 0; i < records.length; i++) packed.set(records[i]!, offsets[i]!);
    const lengths = Uint32Array.from(records, (r) => r.byteLength);
    return this.call('appendRecords', [packed, offsets, lengths], [packed.buffer, offsets.buffer, lengths.buffer]) as Promise<RecordsAppendResult>;
  }

  flush(): Promise<void> {
    return this.call('flush', []) as Promise<void>;
  }

  async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    for await (const s of this.stream('select', query)) {
      const c = s.columns;
      yield {
        labels: this.labelsOf(s),
        timestamps: c['timestamps'] ?? EMPTY,
        values: c['values'] ?? EMPTY,
        histogramTimestamps: c['histogramTimestamps'] ?? EMPTY,
        histograms: s.histograms ?? NO_HISTOGRAMS,
      };
    }
  }

  async *selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups> {
    for await (const s of this.stream('selectRollups', query)) {
      const c = s.columns;
      yield {
        labels: this.labelsOf(s),
        bucketStarts: c['bucketStarts'] ?? EMPTY,
        count: c['count'] ?? EMPTY,
        sum: c['sum'] ?? EMPTY,
        min: c['min'] ?? EMPTY,
        max: c['max'] ?? EMPTY,
        firstTimestamp: c['firstTimestamp'] ?? EMPTY,
        firstValue: c['firstValue'] ?? EMPTY,
        lastTimestamp: c['lastTimestamp'] ?? EMPTY,
        lastValue: c['lastValue'] ?? EMPTY,
        increase: c['increase'] ?? EMPTY,
        ...(s.withoutRollups === true ? { withoutRollups: true } : {}),
      };
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

  private labelsOf(s: WireSeries): Labels {
    if (s.labels !== undefined) {
      this.labelsById.set(s.labelsId, s.labels);
      return s.labels;
    }
    const labels = this.labelsById.get(s.labelsId);
    if (labels === undefined) throw new Error(`store thread sent label set ${s.labelsId} before defining it`);
    return labels;
  }

  private call(method: CallMethod, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.post({ id, op: 'call', method, args }, transfer);
    });
  }

  private async *stream(method: 'select' | 'selectRollups', query: SelectQuery): AsyncGenerator<WireSeries> {
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
        const series = q.messages.shift()!;
        if (series === null) {
          finished = true;
          return;
        }
        this.post({ id, op: 'pull' });
        yield* series;
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
        if (m.ok) c.resolve(m.value);
        else c.reject(deserializeError(m.error));
        return;
      }
      case 'items': {
        // Applied on arrival: messages arrive in the order the host sent them, and the host
        // names an evicted id only after its last use was sent.
        if (m.forget !== undefined) for (const id of m.forget) this.labelsById.delete(id);
        const q = this.streams.get(m.id);
        if (q === undefined) return;
        if (m.series.length > 0) q.messages.push(m.series);
        if (m.done) q.messages.push(null);
        else if (m.series.length === 0) this.post({ id: m.id, op: 'pull' });
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

function deserializeError(e: SerializedError): Error {
  const Known = KNOWN_ERRORS[e.name];
  if (Known !== undefined) return new Known(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
