import type { Labels, LabelMatcher, MetricBatch, MetricMetadata, NativeHistogram } from '#pharos/metric-model';

/**
 * The metric store port: what the processor appends to and what the query layer reads.
 *
 * Contract (every adapter, checked by `libs/storage/conformance/metric-store.conformance.ts`):
 * - Tenancy: every call names a tenant; a read MUST NOT return data written for another tenant.
 * - Series identity is tenant + label set (order-insensitive). An adapter MUST give a series
 *   the same identity across restarts.
 * - `append` MUST make the samples visible to reads when its promise resolves. It MAY hold them
 *   in memory until `flush`: durability is only promised when `flush()` resolves. The write
 *   path relies on the stream as its write-ahead log and commits stream offsets only after
 *   `flush()`, so a crash between the two replays the samples rather than losing them.
 * - Appends are idempotent per (series, timestamp): appending the same sample twice MUST store
 *   it once. Two different values for the same (series, timestamp) MUST be resolved the same way
 *   whatever their arrival order: the larger value wins, a NaN loses to any number, and the
 *   staleness marker wins over any other NaN. Out-of-order samples MUST be accepted.
 * - Samples older than the tenant's retention MAY be dropped at append (counted in the result).
 * - The counter-reset hint of a counter native histogram MAY be replaced by the store's own, as
 *   Prometheus' storage does: "not a reset" when the sample continues its predecessor without a
 *   reset, otherwise unknown (PromQL then detects resets from the values). Gauge histograms keep
 *   their gauge hint. A conformance test must therefore not expect sender hints back verbatim.
 * - Reads return samples sorted by timestamp, with `start` and `end` both inclusive.
 * - Returned arrays are owned by the caller; the adapter MUST NOT mutate them afterwards.
 * - An adapter that cannot answer a request MUST throw {@link UnsupportedQueryError}, never
 *   answer it with an empty result.
 */
export interface MetricStore {
  readonly capabilities: MetricStoreCapabilities;

  append(batch: MetricBatch): Promise<AppendResult>;

  /** Makes every sample appended before the call durable. */
  flush(): Promise<void>;

  /** Streams the series matching all matchers that have samples in `[start, end]`. */
  select(query: SelectQuery): AsyncIterable<SeriesSamples>;

  /**
   * Rollup buckets for matching series; only when `capabilities.rollupResolutionsMs` lists the
   * resolution. Returns the epoch-aligned buckets whose start lies in `[start, end]`, computed
   * over the same deduplicated samples `select` returns; staleness markers are not samples here.
   */
  selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups>;

  /**
   * Thanos' counter aggregate of the rollups (ADR 0020): the answer `selectRollups` would give
   * for the same query with the fields `firstTimestamp`, `firstValue`, `lastValue` and
   * `increase`, reduced per series to one column and three numbers. An adapter MAY offer it
   * (it saves the caller three of four columns: a 7 d counter panel reads ~2 M buckets); when
   * offered, every answer MUST equal {@link SeriesCounterRollups}' definition over those fields
   * bit for bit (the same floating-point operations in the same order, as `counterRollupsOf`
   * in `metrics/rollup-counter.ts` computes them, which any adapter may reuse), with the same
   * series, order, `limitSeries` and `withoutRollupsFrom` behaviour as `selectRollups`. A
   * caller without it reads those fields from `selectRollups` and reduces them itself.
   */
  selectCounterRollups?(query: CounterRollupQuery): AsyncIterable<SeriesCounterRollups>;

  /** Label sets of series matching any one of the matcher sets, with data in the range. */
  series(query: SeriesQuery): Promise<Labels[]>;

  labelNames(query: LabelNamesQuery): Promise<string[]>;

  labelValues(query: LabelValuesQuery): Promise<string[]>;

  /**
   * Exemplars of matching series with a timestamp in `[start, end]`, grouped by series (sorted
   * by label set), each series' exemplars sorted by timestamp. Only when `capabilities.exemplars`;
   * otherwise adapters MUST throw {@link UnsupportedQueryError}. Durability as for samples.
   */
  exemplars(query: ExemplarQuery): Promise<SeriesExemplars[]>;

  /**
   * Metric-family metadata (type, help, unit) last received for the tenant, sorted by family
   * name; `metric` selects one family, `limit` caps the number of families.
   */
  metadata(query: MetadataQuery): Promise<MetricMetadata[]>;

  /** Deletes samples of matching series in the range (all time when absent); returns series touched. */
  deleteSeries(query: DeleteQuery): Promise<number>;

  /** Sets a tenant's retention; samples older than `now - retentionMs` become unreadable. */
  setRetention(tenant: string, retentionMs: number): void;

  /** Drops data past each tenant's retention. Called periodically by the owner. */
  enforceRetention(nowMs?: number): Promise<void>;

  stats(): Promise<MetricStoreStats>;

  /**
   * The series of `tenant` whose series ref (`#pharos/metric-model` `writeSeriesRef`) is
   * `refs[at .. at + 4)`, or undefined when the store holds no such series. Only when
   * `capabilities.seriesRefs`. Lets stream records name series by ref instead of labels
   * (docs/adr/0010-series-refs-on-the-stream.md), so an adapter that offers it MUST:
   * - resolve every series appended to it as soon as `append` resolves, including series all
   *   of whose samples were dropped (too old), and after a restart every series appended
   *   before the last completed `flush`;
   * - keep resolving a series after its samples were deleted or dropped by retention (a
   *   series is known for good once appended).
   * Synchronous: it runs once per series of every stream record.
   */
  resolveSeriesRef?(tenant: string, refs: Uint32Array, at: number): Labels | undefined;

  /**
   * Decodes stream records (the collector's encoded metric batches, as the stream holds
   * them) and appends them in order, resolving series refs itself. Only when
   * `capabilities.records`: a store served on another thread offers this instead of
   * {@link resolveSeriesRef} (ADR 0018). The same contract as `append` for what is appended;
   * a record that cannot be decoded is skipped and reported, as are series named by a ref
   * nothing defines (their samples are dropped).
   */
  appendRecords?(records: readonly Uint8Array[]): Promise<RecordsAppendResult>;

  close(): Promise<void>;
}

export interface MetricStoreCapabilities {
  /** Whether {@link MetricStore.resolveSeriesRef} is offered (absent: no). */
  readonly seriesRefs?: boolean;
  /** Whether {@link MetricStore.appendRecords} is offered (absent: no). */
  readonly records?: boolean;
  /** Rollup resolutions the adapter maintains, e.g. `[300000, 3600000]` for 5 m and 1 h. */
  readonly rollupResolutionsMs: readonly number[];
  readonly nativeHistograms: boolean;
  readonly exemplars: boolean;
  readonly deleteSeries: boolean;
}

/** What became of the records of one {@link MetricStore.appendRecords} call. */
export interface RecordsAppendResult {
  /**
   * Per tenant: samples and histogram samples stored, samples dropped as older than the
   * retention, and the earliest sample time appended (what the query result cache's write
   * log needs).
   */
  readonly tenants: Readonly<Record<string, { readonly stored: number; readonly tooOld: number; readonly earliest: number }>>;
  /** Records that could not be decoded: skipped (index into the call's records). */
  readonly undecodable: readonly { readonly index: number; readonly message: string }[];
  /** Series named by a ref no definition resolves: their samples were dropped. */
  readonly unresolved: readonly { readonly index: number; readonly tenant: string; readonly droppedSamples: number; readonly ref: string | undefined }[];
}

export interface AppendResult {
  readonly samplesStored: number;
  readonly histogramsStored: number;
  /** Samples dropped because they are older than the tenant's retention. */
  readonly samplesTooOld: number;
}

interface TimeRange {
  readonly tenant: string;
  /** Inclusive, milliseconds since the epoch. */
  readonly start: number;
  /** Inclusive, milliseconds since the epoch. */
  readonly end: number;
}

export interface SelectQuery extends TimeRange {
  readonly matchers: readonly LabelMatcher[];
  /** Stop after this many series (the query layer enforces its own limit too). */
  readonly limitSeries?: number;
  readonly signal?: AbortSignal;
}

export interface SeriesSamples {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Native histogram samples, sorted by timestamp; empty when the series has none. */
  readonly histogramTimestamps: Float64Array;
  readonly histograms: readonly NativeHistogram[];
}

export interface RollupQuery extends SelectQuery {
  readonly resolutionMs: number;
  /**
   * The aggregates the caller reads (absent: all of them). An adapter MUST fill
   * `bucketStarts` and every field named here exactly as a read of all fields would; it MAY
   * leave the others empty (length 0), so a caller MUST NOT read them. Thanos' counter
   * aggregate needs `firstTimestamp`, `firstValue`, `lastValue` and `increase`; the bucket
   * average `sum` and `count`. An empty list asks for the buckets alone.
   */
  readonly fields?: readonly RollupField[];
  /**
   * Also name the matching series this answer cannot summarize, so a caller can read them raw
   * without a `series` call over the range (which reads every chunk overlapping it). When set,
   * after every series with buckets the adapter MUST yield, once each and in label order, every
   * matching series that has no bucket in the answer but holds samples in
   * `[withoutRollupsFrom, end]` (the series `series` would list for that range, minus those
   * with buckets: native histograms, which have no rollups, and float series whose samples
   * there are all staleness markers), with `withoutRollups: true` and `bucketStarts` and every
   * field empty. `limitSeries` counts them too. Absent, such series MUST NOT be yielded. An
   * adapter without native histograms MAY ignore it.
   */
  readonly withoutRollupsFrom?: number;
}

/** A {@link RollupQuery} for {@link MetricStore.selectCounterRollups}: its fields are fixed. */
export type CounterRollupQuery = Omit<RollupQuery, 'fields'>;

/**
 * Thanos' counter aggregate of one series' buckets in a {@link MetricStore.selectCounterRollups}
 * answer: the reset-adjusted running total at each bucket, plus the raw samples a caller needs
 * at the edges (the first sample, where a `rate` window starts, and the last value, which the
 * raw samples after the last bucket continue from). A series with no bucket has empty columns
 * and NaN edges.
 */
export interface SeriesCounterRollups {
  readonly labels: Labels;
  readonly bucketStarts: Float64Array;
  /**
   * Per bucket k, the total `t[k]`: `t[0] = firstValue[0] + increase[0]`, and for k > 0
   * `t[k] = (t[k-1] + d) + increase[k]` with `d` the jump between buckets (`firstValue[k] −
   * lastValue[k-1]`, or `firstValue[k]` when that is negative: a reset between buckets), each
   * `+` rounded in that order, the fields as `selectRollups` gives them. The answer's first
   * bucket starts the total, so it depends on the query's `start`.
   */
  readonly counter: Float64Array;
  /** `firstTimestamp` and `firstValue` of the first bucket. */
  readonly firstTimestamp: number;
  readonly firstValue: number;
  /** `lastValue` of the last bucket. */
  readonly lastValue: number;
  /** As {@link SeriesRollups.withoutRollups}. */
  readonly withoutRollups?: boolean;
}

/** The aggregate columns of {@link SeriesRollups} besides `bucketStarts`. */
export type RollupField = 'count' | 'sum' | 'min' | 'max' | 'firstTimestamp' | 'firstValue' | 'lastTimestamp' | 'lastValue' | 'increase';

/** Every {@link RollupField}, in {@link SeriesRollups} order. */
export const ROLLUP_FIELDS: readonly RollupField[] = ['count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'];

/**
 * Counter-aware aggregates of one bucket `[start, start + resolution)`: enough to answer
 * `rate`/`increase` (first/last and the reset-adjusted increase), `*_over_time` and
 * classic-histogram quantiles without reading raw samples.
 */
export interface SeriesRollups {
  readonly labels: Labels;
  readonly bucketStarts: Float64Array;
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly firstTimestamp: Float64Array;
  readonly firstValue: Float64Array;
  readonly lastTimestamp: Float64Array;
  readonly lastValue: Float64Array;
  /** Sum of positive deltas between consecutive samples, a drop counting as a reset. */
  readonly increase: Float64Array;
  /** A series with samples but no buckets, named because of {@link RollupQuery.withoutRollupsFrom}. */
  readonly withoutRollups?: boolean;
}

export interface SeriesQuery extends TimeRange {
  /** Series match when they satisfy every matcher of at least one set (Prometheus `match[]`). */
  readonly matcherSets: readonly (readonly LabelMatcher[])[];
  readonly limit?: number;
}

export interface LabelNamesQuery extends TimeRange {
  readonly matcherSets?: readonly (readonly LabelMatcher[])[];
  readonly limit?: number;
}

export interface LabelValuesQuery extends LabelNamesQuery {
  readonly name: string;
}

export interface ExemplarQuery extends TimeRange {
  readonly matchers: readonly LabelMatcher[];
  /** Stop after this many series. */
  readonly limitSeries?: number;
}

export interface StoredExemplar {
  readonly labels: Labels;
  readonly timestamp: number;
  readonly value: number;
}

export interface SeriesExemplars {
  readonly labels: Labels;
  readonly exemplars: readonly StoredExemplar[];
}

export interface MetadataQuery {
  readonly tenant: string;
  readonly metric?: string;
  readonly limit?: number;
}

export interface DeleteQuery {
  readonly tenant: string;
  readonly matchers: readonly LabelMatcher[];
  readonly start?: number;
  readonly end?: number;
}

export interface MetricStoreStats {
  readonly series: number;
  readonly bytesOnDisk: number;
  /** Memory the store holds, by kind, in bytes (what an adapter can tell; see {@link StoreMemory}). */
  readonly memory?: StoreMemory;
  /**
   * When the store runs on a thread of its own: how late that thread's event loop ran its
   * timers since the previous `stats()` call (seconds). A long synchronous step of the store (a
   * flush writing a wave of rows) holds every append queued behind it, which is what readers
   * see as a sample becoming visible late.
   */
  readonly threadLoopDelay?: LoopDelay;
  /**
   * Rollup buckets the store holds as rows, not yet packed (what an adapter that packs its
   * rollups can tell): bounded by the hours before a bucket is packed while packing keeps up,
   * growing while it falls behind.
   */
  readonly rollupRows?: number;
}

/** Quantiles of an event loop's delay over an interval, in seconds. */
export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * A store's memory, for self-monitoring: `engine` is its database engine's own accounting
 * (DuckDB's buffer manager); the V8 figures are those of the isolate the store runs on, given
 * only when that is a thread of its own (the main thread's are the process' nodejs metrics).
 */
export interface StoreMemory {
  readonly engine?: number;
  readonly heapUsed?: number;
  readonly heapTotal?: number;
  readonly external?: number;
  readonly arrayBuffers?: number;
}

/** Thrown when an adapter cannot answer a request (see capabilities). */
export class UnsupportedQueryError extends Error {
  override readonly name = 'UnsupportedQueryError';
}
