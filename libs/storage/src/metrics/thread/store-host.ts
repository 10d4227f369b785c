import { UnsupportedQueryError, type CounterRollupQuery, type MetricStore, type RecordsAppendResult, type RollupQuery, type SelectQuery, type SeriesCounterRollups, type SeriesRollups, type SeriesSamples } from '../port.js';
import type { CallMethod, MessageEndpoint, SerializedError, StoreRequest, StoreResponse, StreamMethod } from './messages.js';
import { SeriesBatchWriter } from './series-batch.js';
import { SentLabelSets } from './sent-label-sets.js';

/** Series per streamed message at most, and samples (or buckets) per message at most. */
const SERIES_PER_MESSAGE = 256;
const VALUES_PER_MESSAGE = 1 << 20;
/** Messages of one stream the caller may have unread: enough to keep both threads busy. */
const STREAM_CREDIT = 2;

const SAMPLE_COLUMNS = ['timestamps', 'values', 'histogramTimestamps'] as const;
const ROLLUP_COLUMNS = ['bucketStarts', 'count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;

/**
 * What each streamed read sends of a series: its columns, and numbers besides (in this order;
 * `ThreadedMetricStore` reads them by position). The counter aggregate (ADR 0020) is two
 * columns and three numbers where the fields it is made of are five columns: the point of
 * offering it across the thread, whose messages copy every column that is a view (slabs).
 */
const SHAPES: Readonly<Record<StreamMethod, { readonly columns: readonly string[]; readonly numbers: readonly string[] }>> = {
  select: { columns: SAMPLE_COLUMNS, numbers: [] },
  selectRollups: { columns: ROLLUP_COLUMNS, numbers: [] },
  selectCounterRollups: { columns: ['bucketStarts', 'counter'], numbers: ['firstTimestamp', 'firstValue', 'lastValue'] },
};

type StreamedSeries = SeriesSamples | SeriesRollups | SeriesCounterRollups;

/** Decodes stream records and appends them to the store (the processor's step, run where the store runs). */
export type RecordAppender = (store: MetricStore, records: readonly Uint8Array[]) => Promise<RecordsAppendResult>;

interface OpenStream {
  readonly iterator: AsyncIterator<StreamedSeries>;
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
  /** Label-set ids the caller holds (see {@link SentLabelSets}). */
  private readonly labelSets: SentLabelSets;

  /** `appendRecords`, when given, serves {@link MetricStore.appendRecords} to the caller. */
  constructor(
    private readonly store: MetricStore,
    private readonly endpoint: MessageEndpoint,
    private readonly appendRecords?: RecordAppender,
    private readonly labelCacheSize = 1 << 18,
  ) {
    this.labelSets = new SentLabelSets(labelCacheSize);
    endpoint.on('message', (message) => this.onMessage(message as StoreRequest));
    this.send({
      kind: 'ready',
      capabilities: { ...store.capabilities, seriesRefs: false, records: appendRecords !== undefined },
      counterRollups: store.selectCounterRollups !== undefined,
    });
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
      // The records' buffer goes back rather than to this isolate's garbage: nothing of it is
      // kept (decoded columns are copied into the head), and as this thread's external memory
      // it would count toward the next collection until a major GC, ~1 GB at a million series.
      const returned = method === 'appendRecords' ? ownBuffer(args[0]) : undefined;
      if (returned === undefined) this.send({ kind: 'reply', id, ok: true, value });
      else this.send({ kind: 'reply', id, ok: true, value, returned }, [returned]);
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

  private async stream(id: number, method: StreamMethod, query: unknown): Promise<void> {
    const shape = SHAPES[method];
    const newWriter = (): SeriesBatchWriter => new SeriesBatchWriter(shape.columns.length, shape.numbers.length);
    let iterator: AsyncIterator<StreamedSeries>;
    try {
      iterator = this.read(method, query)[Symbol.asyncIterator]();
    } catch (err) {
      this.send({ kind: 'items-error', id, error: serializeError(err) });
      return;
    }
    const s: OpenStream = { iterator, credit: STREAM_CREDIT, wake: undefined, cancelled: false };
    this.streams.set(id, s);
    try {
      let batch = newWriter();
      for (;;) {
        if (s.cancelled) {
          await iterator.return?.();
          return;
        }
        const next = await iterator.next();
        if (next.done === true) break;
        this.pack(next.value, shape.columns, shape.numbers, batch);
        if (batch.size >= SERIES_PER_MESSAGE || batch.values >= VALUES_PER_MESSAGE) {
          await this.waitForCredit(s);
          if (s.cancelled) {
            await iterator.return?.();
            return;
          }
          s.credit--;
          this.sendItems(id, batch, false);
          batch = newWriter();
        }
      }
      await this.waitForCredit(s);
      this.sendItems(id, batch, true);
    } catch (err) {
      this.send({ kind: 'items-error', id, error: serializeError(err) });
    } finally {
      this.streams.delete(id);
    }
  }

  private read(method: StreamMethod, query: unknown): AsyncIterable<StreamedSeries> {
    switch (method) {
      case 'select':
        return this.store.select(query as SelectQuery);
      case 'selectRollups':
        return this.store.selectRollups(query as RollupQuery);
      case 'selectCounterRollups': {
        // The caller asks only when `ready` said the store offers it.
        if (this.store.selectCounterRollups === undefined) throw new UnsupportedQueryError('this store does not offer the counter aggregate');
        return this.store.selectCounterRollups(query as CounterRollupQuery);
      }
    }
  }

  private sendItems(id: number, writer: SeriesBatchWriter, done: boolean): void {
    const { batch, transfer } = writer.seal();
    const forget = this.labelSets.takeForget();
    this.send({ kind: 'items', id, batch, done, ...(forget === undefined ? {} : { forget }) }, transfer);
    this.labelSets.sent(writer.labelUses);
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

  /** Adds one series to `batch`. */
  private pack(item: StreamedSeries, columns: readonly string[], numbers: readonly string[], batch: SeriesBatchWriter): void {
    const record = item as unknown as Record<string, unknown>;
    const cols = columns.map((name) => record[name] as Float64Array);
    const use = this.labelSets.use(item.labels);
    batch.labelUses.push(use);
    const histograms = 'histograms' in item ? item.histograms : undefined;
    const nums = numbers.length === 0 ? undefined : numbers.map((name) => record[name] as number);
    batch.add(use.entry.id, use.define ? item.labels : undefined, cols, histograms, 'withoutRollups' in item && item.withoutRollups === true, nums);
  }

  private send(message: StoreResponse, transfer?: ArrayBuffer[]): void {
    this.endpoint.postMessage(message, transfer);
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** The `ArrayBuffer` under a `Uint8Array` argument, when it is a plain one that can move. */
function ownBuffer(arg: unknown): ArrayBuffer | undefined {
  if (!(arg instanceof Uint8Array)) return undefined;
  const buffer = arg.buffer;
  return buffer instanceof ArrayBuffer && buffer.byteLength > 0 ? buffer : undefined;
}
