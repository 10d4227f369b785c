import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SERIES_REF_WORDS, type Labels, type MetricBatch, type MetricMetadata, type NativeHistogram } from '#pharos/metric-model';
import {
  UnsupportedQueryError,
  type AppendResult,
  type DeleteQuery,
  type ExemplarQuery,
  type MetadataQuery,
  type SeriesExemplars,
  type LabelNamesQuery,
  type LabelValuesQuery,
  type MetricStore,
  type MetricStoreCapabilities,
  type MetricStoreStats,
  type StoreMemory,
  type CounterRollupQuery,
  type RollupField,
  type RollupQuery,
  type SelectQuery,
  type SeriesCounterRollups,
  type SeriesQuery,
  type SeriesRollups,
  type SeriesSamples,
} from '../port.js';
import { COUNTER_SOURCE_FIELDS, counterRollupsOf } from '../rollup-counter.js';
import { APPENDED, ChunkHead, OUT_OF_ORDER } from './chunk-head.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { migrateSampleRows, rewriteChunks, writeChunk } from './chunk-table.js';
import { encodeHistogram } from './histogram-codec.js';
import { HistogramHead, type HistogramBlock, type HistogramPoint } from './histogram-head.js';
import { HistogramResetHints } from './histogram-reset-hints.js';
import {
  CHUNK_TYPES,
  forEachRow,
  HEAD_LOG_TYPES,
  HISTOGRAM_TYPES,
  idList,
  msLiteral,
  openWriter,
  SCHEMA,
  sqlString,
  yieldToQueued,
} from './duckdb-io.js';
import { RollupMaintainer } from './rollup-maintainer.js';
import { normalizeFields } from './rollup-reader.js';
import { ROLLUP_RESOLUTIONS_MS } from './rollups.js';
import { readHistograms, readSampleRows, readSamples, READ_BATCH_SERIES, seriesWithData } from './sample-reader.js';
import { SeriesIndex } from './series-index.js';
import { loadSeries, writeSeries } from './series-table.js';
import { SeriesAssemblyPool } from './assembly-pool.js';
import { ChunkScanner } from './chunk-scan.js';
import { SerialLock } from './serial-lock.js';
import { SideTables } from './side-tables.js';

export interface DuckDBMetricStoreOptions {
  /** Directory of the store, created when missing; holds `metrics.duckdb` and DuckDB's WAL beside it. */
  readonly dir: string;
  /** Retention of tenants without {@link MetricStore.setRetention}; default 15 days. */
  readonly defaultRetentionMs?: number;
  /** Clock for retention decisions; tests inject one. Default `Date.now`. */
  readonly now?: () => number;
  /** DuckDB worker threads; default DuckDB's (all cores). */
  readonly threads?: number;
  /** DuckDB memory limit, e.g. `'1GB'`. */
  readonly memoryLimit?: string;
  /** How long after a bucket's end its rollup waits for late scrapes before being stored; default 60 s. */
  readonly rollupGraceMs?: number;
  /**
   * Wall time a series must go without samples before its open rollup bucket is stored on
   * data time alone (see `RollupMaintainer`); default 30 s. 0: one flush without samples.
   */
  readonly rollupIdleMs?: number;
}

const DAY_MS = 86_400_000;
const NO_HISTOGRAMS: ReadonlyMap<number, HistogramPoint[]> = new Map();
/** Shared by every series without samples of a kind: nothing can be written into them. */
const EMPTY_TIMES = new Float64Array(0);
const EMPTY_HISTOGRAMS: readonly NativeHistogram[] = Object.freeze([]);
/** Every column of a series without buckets (`RollupQuery.withoutRollupsFrom`): empty, shared. */
const NO_ROLLUPS: Omit<SeriesRollups, 'labels'> = {
  bucketStarts: EMPTY_TIMES,
  count: EMPTY_TIMES,
  sum: EMPTY_TIMES,
  min: EMPTY_TIMES,
  max: EMPTY_TIMES,
  firstTimestamp: EMPTY_TIMES,
  firstValue: EMPTY_TIMES,
  lastTimestamp: EMPTY_TIMES,
  lastValue: EMPTY_TIMES,
  increase: EMPTY_TIMES,
};
const DATABASE_FILE = 'metrics.duckdb';
/** The head log is rewritten as one snapshot once it exceeds this and twice the last snapshot. */
const HEAD_LOG_MIN_BYTES = 16 << 20;

/**
 * The embedded default metric store: compressed per-series chunks in a DuckDB file, an
 * in-memory head of open chunks, incremental rollups and an in-memory series index.
 * See `docs/adr/0003-metric-store-duckdb.md` for the layout and why.
 */
export class DuckDBMetricStore implements MetricStore {
  readonly capabilities: MetricStoreCapabilities = {
    seriesRefs: true,
    rollupResolutionsMs: ROLLUP_RESOLUTIONS_MS,
    nativeHistograms: true,
    exemplars: true,
    deleteSeries: true,
  };

  private readonly index = new SeriesIndex();
  private readonly head = new ChunkHead();
  private readonly histograms = new HistogramHead();
  private readonly resetHints = new HistogramResetHints();
  /**
   * 1 for series that ever held a native histogram (on disk at open, or appended since): a
   * read of float-only series skips the histograms query (~0.6 ms of a refresh's read).
   * Never cleared; deletes leave it set, which only costs that query.
   */
  private histogramSeries = new Uint8Array(1024);
  private readonly side = new SideTables();
  private readonly lock = new SerialLock();
  private readonly retention = new Map<string, number>();
  private retentionDirty = false;
  private readonly idleReaders: DuckDBConnection[] = [];
  /** Concurrent `select`s share its table scans (see ChunkScanner). */
  private readonly scanner = new ChunkScanner(
    () => this.acquireReader(),
    (conn) => this.releaseReader(conn),
  );
  /** Decodes large cold reads on worker threads (started at the first, ended by `close`). */
  private readonly assembly = new SeriesAssemblyPool();
  private closed = false;
  private readonly now: () => number;
  private readonly defaultRetentionMs: number;
  private readonly rollups: RollupMaintainer;
  /** Series ids of the batch being appended (see `append`). */
  private appendIds = new Int32Array(256);
  private logSeq = 0;
  private logBytes = 0;
  private lastSnapshotBytes = 0;
  /** On a thread of its own (ADR 0018) the thread's event loop delay is the store's stall; see `stats`. */
  private readonly loopDelay = isMainThread ? undefined : LoopDelayMonitor.start();

  private constructor(
    private readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    options: DuckDBMetricStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.defaultRetentionMs = options.defaultRetentionMs ?? 15 * DAY_MS;
    this.rollups = new RollupMaintainer(
      ROLLUP_RESOLUTIONS_MS,
      options.rollupGraceMs ?? 60_000,
      (conn, ids, start, end) => readSamples(conn, this.head, ids, start, end),
      options.rollupIdleMs ?? 30_000,
      this.now,
    );
  }

  static async open(options: DuckDBMetricStoreOptions): Promise<DuckDBMetricStore> {
    const config: Record<string, string> = {
      // No network here and nothing to load: never try to fetch an extension.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    await mkdir(options.dir, { recursive: true });
    const path = join(options.dir, DATABASE_FILE);
    const instance = await DuckDBInstance.create(path, config);
    const writer = await instance.connect();
    for (const ddl of SCHEMA) await writer.run(ddl);
    const store = new DuckDBMetricStore(path, instance, writer, options);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const w = this.writer;
    await loadSeries(w, this.index);
    await migrateSampleRows(w);
    const blobs: Uint8Array[] = [];
    await forEachRow(w, `SELECT seq, data FROM head_log ORDER BY seq`, (get) => {
      this.logSeq = get(0) as number;
      const blob = get(1) as Uint8Array;
      this.logBytes += blob.length;
      blobs.push(blob);
    });
    this.head.restore(blobs);
    const floatIds: number[] = [];
    await forEachRow(w, `SELECT series_id, min(min_ts), max(max_ts) FROM chunks GROUP BY series_id ORDER BY series_id`, (get) => {
      const id = get(0) as number;
      this.index.touch(id, get(1) as number);
      this.index.touch(id, get(2) as number);
      this.head.raiseMaxT(id, get(2) as number);
      floatIds.push(id);
    });
    for (const id of this.index.allIds()) {
      const [lo, hi] = this.head.bounds(id);
      if (lo <= hi) {
        this.index.touch(id, lo);
        this.index.touch(id, hi);
      }
    }
    await forEachRow(w, `SELECT series_id, min(ts), max(ts) FROM histograms GROUP BY series_id`, (get) => {
      this.markHistogramSeries(get(0) as number);
      this.index.touch(get(0) as number, get(1) as number);
      this.index.touch(get(0) as number, get(2) as number);
    });
    await this.side.load(w);
    await forEachRow(w, `SELECT tenant, retention_ms FROM retention`, (get) => {
      this.retention.set(get(0) as string, get(1) as number);
    });
    const withFloats = this.index.allIds().filter((id) => this.head.maxT.length > id && this.head.maxT[id]! > -Infinity);
    await this.rollups.load(w, withFloats, (id) => this.head.maxT[id]!);
  }

  async append(batch: MetricBatch): Promise<AppendResult> {
    this.assertOpen();
    const cutoff = this.retentionCutoff(batch.tenant);
    const head = this.head;
    const rollups = this.rollups;
    const index = this.index;
    const { sampleOffsets: offsets, timestamps, values } = batch;
    let samplesStored = 0;
    let samplesTooOld = 0;
    // Every series is registered, even when all its samples are too old: a stream record may
    // name it by ref later (see `resolveSeriesRef`).
    const n = batch.series.length;
    // Scratch, reused: `append` runs to its end without awaiting, and a fresh typed array per
    // batch is an ArrayBuffer for V8's external-memory GC heuristic to count.
    if (this.appendIds.length < n) this.appendIds = new Int32Array(Math.max(n, 2 * this.appendIds.length));
    const ids = this.appendIds;
    const refs = batch.seriesRefs;
    const tenant = batch.tenant;
    if (refs !== undefined) {
      // The processor resolved these refs while decoding the record, in this order: the ref
      // table's guess of the next series makes this second lookup a few cached reads.
      for (let i = 0; i < n; i++) ids[i] = index.getOrCreateByRef(tenant, refs, SERIES_REF_WORDS * i, batch.series[i]!);
    } else {
      for (let i = 0; i < n; i++) ids[i] = index.getOrCreate(tenant, batch.series[i]!);
    }
    const idOf = (i: number): number => ids[i]!;
    for (let i = 0; i < batch.series.length; i++) {
      const end = offsets[i + 1]!;
      const id = ids[i]!;
      for (let j = offsets[i]!; j < end; j++) {
        let t = timestamps[j]!;
        // NaN fails this test too; timestamps are integer milliseconds (the chunk codec needs them so).
        if (!(t >= cutoff) || t > Number.MAX_SAFE_INTEGER) {
          samplesTooOld++;
          continue;
        }
        if (Math.floor(t) !== t) t = Math.round(t);
        const v = values[j]!;
        const r = head.append(id, t, v);
        if (r === APPENDED) rollups.onSample(id, t, v);
        else if (r === OUT_OF_ORDER) rollups.onOutOfOrder(id, t);
        index.touch(id, t);
        samplesStored++;
      }
    }
    let histogramsStored = 0;
    const block = this.histograms.active;
    for (const h of batch.histograms) {
      if (!(h.timestamp >= cutoff)) {
        samplesTooOld++;
        continue;
      }
      const id = idOf(h.seriesIndex);
      const t = Math.round(h.timestamp);
      const newestFloatT = id < head.maxT.length ? head.maxT[id]! : -Infinity;
      block.append(id, t, this.resetHints.assign(id, t, h.histogram, newestFloatT));
      this.markHistogramSeries(id);
      index.touch(id, h.timestamp);
      histogramsStored++;
    }
    for (const e of batch.exemplars) {
      if (!(e.timestamp >= cutoff)) continue;
      this.side.addExemplar(idOf(e.seriesIndex), e.labels, e.timestamp, e.value);
    }
    for (const m of batch.metadata) this.side.addMetadata(batch.tenant, m);
    return { samplesStored, histogramsStored, samplesTooOld };
  }

  resolveSeriesRef(tenant: string, refs: Uint32Array, at: number): Labels | undefined {
    const id = this.index.lookupRef(tenant, refs, at);
    return id > 0 ? this.index.labelsById[id] : undefined;
  }

  flush(): Promise<void> {
    this.assertOpen();
    return this.lock.run(() => this.flushLocked(false));
  }

  /**
   * One transaction: new series, chunks cut since the last flush (and the out-of-order
   * buffers, encoded as chunks), the bytes open chunks gained (head log), histograms, closed
   * rollup rows and recomputed dirty buckets. Everything is snapshotted synchronously first,
   * so appends may continue during the awaits.
   */
  private async flushLocked(snapshot: boolean): Promise<void> {
    this.head.sealOutOfOrder();
    const chunks = this.head.closedChunks();
    const hist = this.histograms.seal();
    const newSeries = this.index.takeCreated();
    const full = snapshot || this.logBytes > Math.max(HEAD_LOG_MIN_BYTES, 2 * this.lastSnapshotBytes);
    const log = this.head.packLog(full);
    const plan = this.rollups.planFlush(snapshot);
    const sidePlan = this.side.plan();
    const w = this.writer;
    await w.run('BEGIN TRANSACTION');
    try {
      if (newSeries.ids.length > 0) await writeSeries(w, this.index, newSeries);
      if (chunks.length > 0) {
        const cw = await openWriter(w, 'chunks', CHUNK_TYPES);
        // A wave of chunk cuts at a million series is ~1 s of rows: appends run between data chunks.
        for (const c of chunks) if (writeChunk(cw, c.id, c)) await yieldToQueued();
        cw.close();
      }
      await this.writeHistograms(hist);
      if (full) await w.run('DELETE FROM head_log');
      await this.writeLog(log.blobs);
      await this.rollups.writeFlush(w, plan);
      await this.side.write(w, sidePlan);
      if (this.retentionDirty) {
        this.retentionDirty = false;
        await w.run('DELETE FROM retention');
        for (const [tenant, ms] of this.retention) await w.run(`INSERT INTO retention VALUES (${sqlString(tenant)}, ${ms})`);
      }
      // DuckDB's commit is durable (its own WAL, synced), which is what `flush` promises.
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      this.index.untakeCreated(newSeries);
      this.retentionDirty = true;
      this.head.requeueLog(log.ids);
      this.rollups.abortFlush(plan);
      this.side.abort(sidePlan);
      for (const [id, list] of hist.bySeries) for (const p of list) this.histograms.active.append(id, p.t, p.h);
      this.histograms.release(hist);
      throw err;
    }
    this.head.releaseClosed(chunks);
    log.commit();
    this.rollups.commitFlush(plan);
    this.side.commit(sidePlan);
    this.histograms.release(hist);
    if (full) this.lastSnapshotBytes = this.logBytes = log.bytes;
    else this.logBytes += log.bytes;
  }

  private async writeHistograms(block: HistogramBlock): Promise<void> {
    if (block.bySeries.size === 0) return;
    const hw = await openWriter(this.writer, 'histograms', HISTOGRAM_TYPES);
    for (const id of [...block.bySeries.keys()].sort((a, b) => a - b)) {
      for (const p of block.series(id) ?? []) {
        hw.set(0, id);
        hw.set(1, BigInt(p.t));
        hw.set(2, encodeHistogram(p.h));
        if (hw.endRow()) await yieldToQueued();
      }
    }
    hw.close();
  }

  private async writeLog(blobs: readonly Uint8Array[]): Promise<void> {
    if (blobs.length === 0) return;
    const lw = await openWriter(this.writer, 'head_log', HEAD_LOG_TYPES);
    for (const blob of blobs) {
      lw.set(0, BigInt(++this.logSeq));
      lw.set(1, blob);
      lw.endRow();
    }
    lw.close();
  }

  async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    this.assertOpen();
    const start = Math.max(query.start, this.retentionCutoff(query.tenant));
    const ids = this.sortedByLabels(this.index.match(query.tenant, query.matchers).filter((id) => this.index.overlaps(id, start, query.end)));
    const limit = query.limitSeries ?? Infinity;
    let emitted = 0;
    const conn = await this.acquireReader();
    try {
      for (let i = 0; i < ids.length && emitted < limit; i += READ_BATCH_SERIES) {
        query.signal?.throwIfAborted();
        const batch = ids.slice(i, i + READ_BATCH_SERIES);
        const blocks = this.histograms.blocks();
        // The head sees every chunk this store commits, so it can tell which series the disk may add to.
        const samples = await readSampleRows(conn, this.head, batch, start, query.end, true, (ids, slotOf, from, to, rows) =>
          this.scanner.read(ids, slotOf, from, to, rows),
        );
        samples.assembleOn(this.assembly);
        const withHistograms = batch.filter((id) => id < this.histogramSeries.length && this.histogramSeries[id] === 1);
        const histograms = withHistograms.length === 0 ? NO_HISTOGRAMS : await readHistograms(conn, blocks, withHistograms, start, query.end);
        for (let slot = 0; slot < batch.length; slot++) {
          const id = batch[slot]!;
          // Decoded as the consumer pulls it (see SampleRead).
          const assembling = samples.ready(slot);
          if (assembling !== undefined) await assembling;
          const s = samples.take(slot);
          const h = histograms.get(id);
          if (s === undefined && h === undefined) continue;
          // Runs are decoded or merged for this read alone, so they are handed over, not copied.
          yield {
            labels: this.index.labelsById[id]!,
            timestamps: s === undefined ? EMPTY_TIMES : ownedPrefix(s[0], s[2]),
            values: s === undefined ? EMPTY_TIMES : ownedPrefix(s[1], s[2]),
            histogramTimestamps: h === undefined ? EMPTY_TIMES : Float64Array.from(h, (p) => p.t),
            histograms: h === undefined ? EMPTY_HISTOGRAMS : h.map((p) => p.h),
          };
          if (++emitted >= limit) return;
        }
      }
    } finally {
      this.releaseReader(conn);
    }
  }

  private markHistogramSeries(id: number): void {
    if (id >= this.histogramSeries.length) {
      const grown = new Uint8Array(Math.max(id + 1, 2 * this.histogramSeries.length));
      grown.set(this.histogramSeries);
      this.histogramSeries = grown;
    }
    this.histogramSeries[id] = 1;
  }

  async *selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups> {
    yield* this.readRollups(query, normalizeFields(query.fields));
  }

  /**
   * The counter fields' answer, each series reduced in place by the shared helper (ADR 0020:
   * reducing while assembling, in scratch, measured no faster: the read is bound by decoding).
   */
  async *selectCounterRollups(query: CounterRollupQuery): AsyncIterable<SeriesCounterRollups> {
    for await (const r of this.readRollups(query, COUNTER_SOURCE_FIELDS)) yield counterRollupsOf(r);
  }

  private async *readRollups(query: CounterRollupQuery, fields: readonly RollupField[]): AsyncGenerator<SeriesRollups> {
    this.assertOpen();
    if (!this.capabilities.rollupResolutionsMs.includes(query.resolutionMs)) {
      throw new UnsupportedQueryError(
        `rollup resolution ${query.resolutionMs} ms is not maintained (have ${this.capabilities.rollupResolutionsMs.join(', ')})`,
      );
    }
    const start = Math.max(query.start, this.retentionCutoff(query.tenant));
    // Series with samples in the buckets asked for; the limit counts series with rollups (as
    // `select` counts series with samples), so it is applied to the answer, not to these ids.
    const lastSampleT = query.end + query.resolutionMs - 1;
    const ids = this.sortedByLabels(this.index.match(query.tenant, query.matchers).filter((id) => this.index.overlaps(id, start, lastSampleT)));
    const limit = query.limitSeries ?? Infinity;
    // Only the in-memory state is read under the write lock (a synchronous snapshot), so a
    // flush waits for no DuckDB read; see RollupMaintainer.snapshot for why that is enough.
    const snap = await this.lock.run(async () => this.rollups.snapshot(ids, query.resolutionMs, start, query.end));
    const conn = await this.acquireReader();
    try {
      let emitted = 0;
      const summarized = new Set<Labels>();
      for await (const r of this.rollups.read(conn, snap, (id) => this.index.labelsById[id]!, fields)) {
        query.signal?.throwIfAborted();
        summarized.add(r.labels);
        yield r;
        if (++emitted >= limit) return;
      }
      if (query.withoutRollupsFrom === undefined) return;
      // Only the series without buckets need a look at their samples: usually none, so a
      // downsampled read no longer pays for reading every chunk of the range (see the port).
      const from = Math.max(query.withoutRollupsFrom, start);
      const rest = ids.filter((id) => !summarized.has(this.index.labelsById[id]!) && this.index.overlaps(id, from, query.end));
      if (rest.length === 0) return;
      const found = await seriesWithData(conn, this.head, this.histograms.blocks(), rest, from, query.end);
      for (const id of rest) {
        if (!found.has(id)) continue;
        query.signal?.throwIfAborted();
        yield { labels: this.index.labelsById[id]!, ...NO_ROLLUPS, withoutRollups: true };
        if (++emitted >= limit) return;
      }
    } finally {
      this.releaseReader(conn);
    }
  }

  async series(query: SeriesQuery): Promise<Labels[]> {
    const ids = await this.idsWithData(query.tenant, query.matcherSets, query.start, query.end);
    const out = this.sortedByLabels(ids).map((id) => this.index.labelsById[id]!);
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  async labelNames(query: LabelNamesQuery): Promise<string[]> {
    const names = new Set<string>();
    for (const id of await this.idsWithData(query.tenant, query.matcherSets, query.start, query.end)) {
      const labels = this.index.labelsById[id]!;
      for (let i = 0; i < labels.length; i += 2) names.add(labels[i]!);
    }
    return limitSorted(names, query.limit);
  }

  async labelValues(query: LabelValuesQuery): Promise<string[]> {
    const values = new Set<string>();
    for (const id of await this.idsWithData(query.tenant, query.matcherSets, query.start, query.end)) {
      const labels = this.index.labelsById[id]!;
      for (let i = 0; i < labels.length; i += 2) if (labels[i] === query.name) values.add(labels[i + 1]!);
    }
    return limitSorted(values, query.limit);
  }

  private async idsWithData(
    tenant: string,
    sets: LabelNamesQuery['matcherSets'],
    queryStart: number,
    end: number,
  ): Promise<number[]> {
    this.assertOpen();
    const start = Math.max(queryStart, this.retentionCutoff(tenant));
    const candidates = this.index.matchAny(tenant, sets).filter((id) => this.index.overlaps(id, start, end));
    const conn = await this.acquireReader();
    try {
      const found = await seriesWithData(conn, this.head, this.histograms.blocks(), candidates, start, end);
      return candidates.filter((id) => found.has(id));
    } finally {
      this.releaseReader(conn);
    }
  }

  async exemplars(query: ExemplarQuery): Promise<SeriesExemplars[]> {
    this.assertOpen();
    const start = Math.max(query.start, this.retentionCutoff(query.tenant));
    const ids = this.sortedByLabels(this.index.match(query.tenant, query.matchers));
    const out: SeriesExemplars[] = [];
    const limit = query.limitSeries ?? Infinity;
    const conn = await this.acquireReader();
    try {
      for (let i = 0; i < ids.length && out.length < limit; i += READ_BATCH_SERIES) {
        const batch = ids.slice(i, i + READ_BATCH_SERIES);
        const found = await this.side.exemplars(conn, batch, start, query.end);
        for (const id of batch) {
          const list = found.get(id);
          if (list === undefined || list.length === 0) continue;
          out.push({ labels: this.index.labelsById[id]!, exemplars: list });
          if (out.length >= limit) break;
        }
      }
    } finally {
      this.releaseReader(conn);
    }
    return out;
  }

  async metadata(query: MetadataQuery): Promise<MetricMetadata[]> {
    this.assertOpen();
    return this.side.metadata(query.tenant, query.metric, query.limit);
  }

  deleteSeries(query: DeleteQuery): Promise<number> {
    this.assertOpen();
    return this.lock.run(async () => {
      const start = query.start ?? -Infinity;
      const end = query.end ?? Infinity;
      const matched = this.index.match(query.tenant, query.matchers).filter((id) => this.index.overlaps(id, start, end));
      const found = await seriesWithData(this.writer, this.head, this.histograms.blocks(), matched, start, end);
      const ids = matched.filter((id) => found.has(id));
      if (ids.length === 0) return 0;
      await this.removeRange(ids, start, end, false);
      return ids.length;
    });
  }

  /**
   * Removes the samples of `ids` in `[start, end]` everywhere (head, chunks on disk, rollups)
   * in one transaction; the head log records the rewritten open chunks in it too, so a
   * restart does not bring deleted samples back. Runs under the lock.
   */
  private async removeRange(ids: readonly number[], start: number, end: number, retention: boolean): Promise<void> {
    this.head.removeRange(ids, start, end);
    for (const block of this.histograms.blocks()) block.removeRange(ids, start, end);
    this.resetHints.removeRange(ids, start, end);
    const log = this.head.packLog(false, ids);
    const w = this.writer;
    let commitRollups = (): void => undefined;
    await w.run('BEGIN TRANSACTION');
    try {
      for (let i = 0; i < ids.length; i += READ_BATCH_SERIES) {
        const batch = ids.slice(i, i + READ_BATCH_SERIES);
        await rewriteChunks(w, batch, start, end);
        await w.run(`DELETE FROM histograms WHERE series_id IN ${idList(batch)} AND ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`);
        await this.side.remove(w, batch, start, end);
      }
      await this.writeLog(log.blobs);
      if (retention) await this.rollups.onRetention(w, ids, end + 1);
      else commitRollups = await this.rollups.onDelete(w, ids, start, end);
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      this.head.requeueLog(ids);
      throw err;
    }
    log.commit();
    commitRollups();
    this.logBytes += log.bytes;
    await this.recomputeBounds(ids);
  }

  setRetention(tenant: string, retentionMs: number): void {
    if (!(retentionMs > 0)) throw new RangeError(`retention must be positive, got ${retentionMs}`);
    this.retention.set(tenant, retentionMs);
    // Persisted with the next flush, in its transaction.
    this.retentionDirty = true;
  }

  enforceRetention(nowMs?: number): Promise<void> {
    this.assertOpen();
    return this.lock.run(async () => {
      const now = nowMs ?? this.now();
      for (const tenant of this.index.tenantNames()) {
        const cutoff = now - this.retentionMs(tenant);
        const ids = this.index.tenantIds(tenant).filter((id) => this.index.minT[id]! < cutoff);
        if (ids.length > 0) await this.removeRange(ids, -Infinity, cutoff - 1, true);
      }
    });
  }

  async stats(): Promise<MetricStoreStats> {
    let bytesOnDisk = 0;
    for (const file of [this.path, `${this.path}.wal`]) {
      try {
        bytesOnDisk += (await stat(file)).size;
      } catch {
        // The WAL is absent right after a checkpoint.
      }
    }
    const stats = { series: this.index.size, bytesOnDisk, ...(await this.engineStats()) };
    return this.loopDelay === undefined ? stats : { ...stats, threadLoopDelay: this.loopDelay.take() };
  }

  /** Memory, and the rollup rows not yet packed (a `count(*)`: DuckDB reads no column for it, only row counts and deletes). */
  private async engineStats(): Promise<{ memory: StoreMemory; rollupRows: number }> {
    // A reader connection: a scrape must not wait for a flush holding the writer.
    const conn = await this.acquireReader();
    let engine: number;
    let rollupRows: number;
    try {
      const rows = (
        await conn.runAndReadAll('SELECT CAST(COALESCE(sum(memory_usage_bytes), 0) AS DOUBLE), (SELECT count(*) FROM rollups)::DOUBLE FROM duckdb_memory()')
      ).getRows();
      engine = Number(rows[0]?.[0] ?? 0);
      rollupRows = Number(rows[0]?.[1] ?? 0);
    } finally {
      this.releaseReader(conn);
    }
    if (isMainThread) return { memory: { engine }, rollupRows };
    // On a thread of its own (ADR 0018) the isolate's figures are the store's.
    const heap = getHeapStatistics();
    const usage = process.memoryUsage();
    return { memory: { engine, heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, external: heap.external_memory, arrayBuffers: usage.arrayBuffers }, rollupRows };
  }

  /** Forces a DuckDB checkpoint (WAL folded into the compressed file); used by benchmarks and tools. */
  checkpoint(): Promise<void> {
    return this.lock.run(async () => {
      await this.writer.run('CHECKPOINT');
    });
  }

  /** Flushes everything pending (rollup rows too), rewriting the head log as one compact snapshot of the open chunks. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(() => this.flushLocked(true));
    await this.lock.run(async () => {
      this.closed = true;
      this.loopDelay?.stop();
      await this.assembly.close();
      for (const c of this.idleReaders.splice(0)) c.closeSync();
      this.writer.closeSync();
      this.instance.closeSync();
    });
  }

  private async recomputeBounds(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      const [lo, hi] = this.head.bounds(id);
      this.index.setBounds(id, lo, hi);
      for (const block of this.histograms.blocks()) {
        for (const p of block.bySeries.get(id) ?? []) this.index.touch(id, p.t);
      }
    }
    for (let i = 0; i < ids.length; i += READ_BATCH_SERIES * 10) {
      const inBatch = `series_id IN ${idList(ids.slice(i, i + READ_BATCH_SERIES * 10))}`;
      await forEachRow(
        this.writer,
        `SELECT series_id, min(lo), max(hi) FROM (SELECT series_id, min_ts AS lo, max_ts AS hi FROM chunks WHERE ${inBatch} UNION ALL SELECT series_id, ts, ts FROM histograms WHERE ${inBatch}) GROUP BY series_id`,
        (get) => {
          this.index.touch(get(0) as number, get(1) as number);
          this.index.touch(get(0) as number, get(2) as number);
        },
      );
    }
  }

  private retentionMs(tenant: string): number {
    return this.retention.get(tenant) ?? this.defaultRetentionMs;
  }

  private retentionCutoff(tenant: string): number {
    return this.now() - this.retentionMs(tenant);
  }

  private sortedByLabels(ids: number[]): number[] {
    const labels = this.index.labelsById;
    return ids.sort((a, b) => compareLabels(labels[a]!, labels[b]!));
  }

  private async acquireReader(): Promise<DuckDBConnection> {
    return this.idleReaders.pop() ?? (await this.instance.connect());
  }

  private releaseReader(conn: DuckDBConnection): void {
    if (this.closed) conn.closeSync();
    else this.idleReaders.push(conn);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('metric store is closed');
  }
}

function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function limitSorted(values: Set<string>, limit: number | undefined): string[] {
  const out = [...values].sort();
  return limit === undefined ? out : out.slice(0, limit);
}

/** The first `n` elements of a run array this read owns, without a copy when it is all of it. */
function ownedPrefix(a: Float64Array, n: number): Float64Array {
  return n === a.length ? a : a.subarray(0, n);
}
