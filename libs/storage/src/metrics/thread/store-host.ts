import type { Labels } from '#pharos/metric-model';
import type { MetricStore, RecordsAppendResult, RollupQuery, SelectQuery, SeriesRollups, SeriesSamples } from '../port.js';
import type { CallMethod, MessageEndpoint, SerializedError, StoreRequest, StoreResponse, WireSeries } from './messages.js';

/** Series per streamed message at most, and samples (or buckets) per message at most. */
const SERIES_PER_MESSAGE = 256;
const VALUES_PER_MESSAGE = 1 << 20;
/** Messages of one stream the caller may have unread: enough to keep both threads busy. */
const STREAM_CREDIT = 2;

const SAMPLE_COLUMNS = ['timestamps', 'values', 'histogramTimestamps'] as const;
const ROLLUP_COLUMNS = ['bucketStarts', 'count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;

/** Decodes stream records and appends them to the store (the processor's step, run where the store runs). */
export type RecordAppender = (store: MetricStore, records: readonly Uint8Array[]) => Promise<RecordsAppendResult>;

interface OpenStream {
  readonly iterator: AsyncIterator<SeriesSamples | SeriesRollups>;
  credit: number;
  /** Resolves the producer waiting for credit. */
  wake: (() => void) | undefined;
  cancelled: boolean;
}

/**
 * Serves a metric store to another thread over a message endpoint (the store thread's side of
 * ADR 0018). Calls run in arrival order as the store's own methods would; streamed reads are
 * sent in messages of a few hundred series, at most {@link STREAM_CREDIT} unread at a time, so
 * a slow reader holds the store's read open rather than the host's memory growing.
 */
export class StoreHost {
  private readonly streams = new Map<number, OpenStream>();
  /**
   * Label sets the caller holds, by the store's (stable) label arrays, least recently sent
   * first: at most `labelCacheSize`, so the caller's copy stays bounded. An evicted id is
   * named in `forget` of the next streamed message, before any use of a new id.
   */
  private readonly labelIds = new Map<Labels, number>();
  private forget: number[] = [];
  private nextLabelsId = 1;

  /** `appendRecords`, when given, serves {@link MetricStore.appendRecords} to the caller. */
  constructor(
    private readonly store: MetricStore,
    private readonly endpoint: MessageEndpoint,
    private readonly appendRecords?: RecordAppender,
    private readonly labelCacheSize = 1 << 18,
  ) {
    // An id is evicted only when it is the least recently sent: it must not be in a message
    // still being filled, which holds at most SERIES_PER_MESSAGE ids per open stream.
    if (labelCacheSize < 2 * SERIES_PER_MESSAGE) throw new Error(`label cache of ${labelCacheSize} label sets is below ${2 * SERIES_PER_MESSAGE}`);
    endpoint.on('message', (message) => this.onMessage(message as StoreRequest));
    this.send({ kind: 'ready', capabilities: { ...store.capabilities, seriesRefs: false, records: appendRecords !== undefined } });
  }

  private onMessage(request: StoreRequest): void {
    switch (request.op) {
      case 'call':
        void this.call(request.id, request.method, request.args);
        return;
      case 'stream':
        void this.stream(request.id, request.method, request.query);
        return;
      case 'pull': {
        const s = this.streams.get(request.id);
        if (s === undefined) return;
        s.credit++;
        s.wake?.();
        return;
      }
      case 'cancel': {
        const s = this.streams.get(request.id);
        if (s === undefined) return;
        s.cancelled = true;
        s.wake?.();
        return;
      }
    }
  }

  private async call(id: number, method: CallMethod, args: readonly unknown[]): Promise<void> {
    try {
      const value = await this.invoke(method, args);
      this.send({ kind: 'reply', id, ok: true, value });
    } catch (err) {
      this.send({ kind: 'reply', id, ok: false, error: serializeError(err) });
    }
  }

  private invoke(method: CallMethod, args: readonly unknown[]): unknown {
    const store = this.store;
    const a = args as never[];
    switch (method) {
      case 'append':
        return store.append(a[0]!);
      case 'appendRecords': {
        if (this.appendRecords === undefined) throw new Error('this store thread does not take stream records');
        // One buffer holding every record (see ThreadedMetricStore.appendRecords).
        const [packed, offsets, lengths] = args as [Uint8Array, Uint32Array, Uint32Array];
        const records = Array.from(lengths, (n, i) => packed.subarray(offsets[i]!, offsets[i]! + n));
        return this.appendRecords(store, records);
      }
      case 'flush':
        return store.flush();
      case 'series':
        return store.series(a[0]!);
      case 'labelNames':
        return store.labelNames(a[0]!);
      case 'labelValues':
        return store.labelValues(a[0]!);
      case 'exemplars':
        return store.exemplars(a[0]!);
      case 'metadata':
        return store.metadata(a[0]!);
      case 'deleteSeries':
        return store.deleteSeries(a[0]!);
      case 'setRetention':
        return store.setRetention(a[0]!, a[1]!);
      case 'enforceRetention':
        return store.enforceRetention(a[0]);
      case 'stats':
        return store.stats();
      case 'close':
        return store.close();
    }
  }

  private async stream(id: number, method: 'select' | 'selectRollups', query: unknown): Promise<void> {
    const columns = method === 'select' ? SAMPLE_COLUMNS : ROLLUP_COLUMNS;
    let iterator: AsyncIterator<SeriesSamples | SeriesRollups>;
    try {
      const iterable = method === 'select' ? this.store.select(query as SelectQuery) : this.store.selectRollups(query as RollupQuery);
      iterator = iterable[Symbol.asyncIterator]();
    } catch (err) {
      this.send({ kind: 'items-error', id, error: serializeError(err) });
      return;
    }
    const s: OpenStream = { iterator, credit: STREAM_CREDIT, wake: undefined, cancelled: false };
    this.streams.set(id, s);
    try {
      let batch: WireSeries[] = [];
      let cols = new MessageColumns();
      let values = 0;
      for (;;) {
        if (s.cancelled) {
          await iterator.return?.();
          return;
        }
        const next = await iterator.next();
        if (next.done === true) break;
        values += this.pack(next.value, columns, batch, cols);
        if (batch.length >= SERIES_PER_MESSAGE || values >= VALUES_PER_MESSAGE) {
          await this.waitForCredit(s);
          if (s.cancelled) {
            await iterator.return?.();
            return;
          }
          s.credit--;
          this.send({ kind: 'items', id, series: batch, done: false, forget: this.takeForget() }, cols.seal());
          batch = [];
          cols = new MessageColumns();
          values = 0;
        }
      }
      await this.waitForCredit(s);
      this.send({ kind: 'items', id, series: batch, done: true, forget: this.takeForget() }, cols.seal());
    } catch (err) {
      this.send({ kind: 'items-error', id, error: serializeError(err) });
    } finally {
      this.streams.delete(id);
    }
  }

  private waitForCredit(s: OpenStream): Promise<void> {
    if (s.credit > 0 || s.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      s.wake = () => {
        s.wake = undefined;
        resolve();
      };
    });
  }

  /** Adds one series to `batch`; returns how many values it carries. */
  private pack(item: SeriesSamples | SeriesRollups, columns: readonly string[], batch: WireSeries[], cols: MessageColumns): number {
    const record = item as unknown as Record<string, Float64Array>;
    const out: Record<string, Float64Array> = {};
    let values = 0;
    for (const name of columns) {
      const col = record[name]!;
      cols.add(out, name, col);
      values += col.length;
    }
    const ids = this.labelIds;
    let labelsId = ids.get(item.labels);
    let labels: Labels | undefined;
    if (labelsId === undefined) {
      labelsId = this.nextLabelsId++;
      labels = item.labels;
      if (ids.size >= this.labelCacheSize) {
        const [oldest, id] = ids.entries().next().value as [Labels, number];
        ids.delete(oldest);
        this.forget.push(id);
      }
    } else ids.delete(item.labels);
    ids.set(item.labels, labelsId);
    const histograms = 'histograms' in item && item.histograms.length > 0 ? item.histograms : undefined;
    const withoutRollups = 'withoutRollups' in item && item.withoutRollups === true ? true : undefined;
    batch.push({ labelsId, ...(labels === undefined ? {} : { labels }), columns: out, histograms, withoutRollups });
    return values;
  }

  private takeForget(): readonly number[] | undefined {
    if (this.forget.length === 0) return undefined;
    const out = this.forget;
    this.forget = [];
    return out;
  }

  private send(message: StoreResponse, transfer?: ArrayBuffer[]): void {
    this.endpoint.postMessage(message, transfer);
  }
}

/** Arrays at least this long that own their buffer move as they are; shorter ones are packed. */
const MOVE_WHOLE_VALUES = 8192;

/**
 * The columns of one streamed message. Moving an `ArrayBuffer` costs a detach here and a new
 * object there, about a microsecond each: for a refresh of 4,000 series that read a few
 * samples each, thousands of moves cost more than the read. So columns are copied into one
 * buffer per message, which moves once, and arrive as views of it; only long columns that
 * own their buffer (the port makes returned arrays the caller's) move as they are. Views of a
 * larger buffer (rollup columns share one per read, decoded series share their part's) are
 * always copied: moving the buffer would take it from under the other views.
 */
class MessageColumns {
  private readonly pending: { readonly into: Record<string, Float64Array>; readonly name: string; readonly col: Float64Array }[] = [];
  private readonly moved: ArrayBuffer[] = [];
  private packedValues = 0;

  add(into: Record<string, Float64Array>, name: string, col: Float64Array): void {
    const buffer = col.buffer;
    if (col.length >= MOVE_WHOLE_VALUES && buffer instanceof ArrayBuffer && col.byteOffset === 0 && col.byteLength === buffer.byteLength && !this.moved.includes(buffer)) {
      into[name] = col;
      this.moved.push(buffer);
      return;
    }
    this.pending.push({ into, name, col });
    this.packedValues += col.length;
  }

  /** Fills the packed buffer; returns what the message moves. */
  seal(): ArrayBuffer[] {
    const packed = new Float64Array(this.packedValues);
    let at = 0;
    for (const { into, name, col } of this.pending) {
      packed.set(col, at);
      into[name] = packed.subarray(at, at + col.length);
      at += col.length;
    }
    return [...this.moved, packed.buffer];
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
