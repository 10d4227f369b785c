import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Labels, MetricBatch } from '#pharos/metric-model';
import {
  UnsupportedQueryError,
  type AppendResult,
  type DeleteQuery,
  type LabelNamesQuery,
  type LabelValuesQuery,
  type MetricStore,
  type MetricStoreCapabilities,
  type MetricStoreStats,
  type RollupQuery,
  type SelectQuery,
  type SeriesQuery,
  type SeriesRollups,
  type SeriesSamples,
} from '../port.js';
import { encodeHistogram } from './histogram-codec.js';
import {
  forEachRow,
  HISTOGRAM_TYPES,
  idList,
  msLiteral,
  openWriter,
  SampleAppender,
  SCHEMA,
  SERIES_TYPES,
  sqlString,
} from './duckdb-io.js';
import { Head, type HeadBlock } from './head.js';
import { RollupMaintainer } from './rollup-maintainer.js';
import { ROLLUP_RESOLUTIONS_MS } from './rollups.js';
import { readSeries, READ_BATCH_SERIES, seriesWithData } from './sample-reader.js';
import { SeriesIndex } from './series-index.js';
import { SerialLock } from './serial-lock.js';

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
}

const DAY_MS = 86_400_000;
const DATABASE_FILE = 'metrics.duckdb';

/**
 * The embedded default metric store: a DuckDB file plus an in-memory head and series index.
 * See `docs/adr/0003-metric-store-duckdb.md` for the layout and why.
 */
export class DuckDBMetricStore implements MetricStore {
  readonly capabilities: MetricStoreCapabilities = {
    rollupResolutionsMs: ROLLUP_RESOLUTIONS_MS,
    nativeHistograms: true,
    exemplars: false,
    deleteSeries: true,
  };

  private readonly index = new SeriesIndex();
  private readonly head = new Head();
  private readonly lock = new SerialLock();
  private readonly retention = new Map<string, number>();
  private retentionDirty = false;
  private unpersistedSeries: number[] = [];
  private readonly idleReaders: DuckDBConnection[] = [];
  private closed = false;
  private readonly now: () => number;
  private readonly defaultRetentionMs: number;

  private constructor(
    private readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly rollups: RollupMaintainer,
    options: DuckDBMetricStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.defaultRetentionMs = options.defaultRetentionMs ?? 15 * DAY_MS;
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
    const store = new DuckDBMetricStore(
      path,
      instance,
      writer,
      new RollupMaintainer(ROLLUP_RESOLUTIONS_MS, options.rollupGraceMs ?? 60_000),
      options,
    );
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const w = this.writer;
    await forEachRow(w, `SELECT id, tenant, labels FROM series ORDER BY id`, (get) => {
      this.index.restore(get(1) as string, get(0) as number, JSON.parse(get(2) as string) as Labels);
    });
    await forEachRow(
      w,
      `SELECT series_id, min(ts), max(ts) FROM (SELECT series_id, ts FROM samples UNION ALL SELECT series_id, ts FROM histograms) GROUP BY series_id`,
      (get) => this.index.setBounds(get(0) as number, get(1) as number, get(2) as number),
    );
    await forEachRow(w, `SELECT tenant, retention_ms FROM retention`, (get) => {
      this.retention.set(get(0) as string, get(1) as number);
    });
    await this.rollups.load(w);
  }

  async append(batch: MetricBatch): Promise<AppendResult> {
    this.assertOpen();
    const cutoff = this.retentionCutoff(batch.tenant);
    const block = this.head.active;
    const ids = new Int32Array(batch.series.length).fill(-1);
    const idOf = (i: number): number => {
      let id = ids[i]!;
      if (id < 0) {
        const r = this.index.getOrCreate(batch.tenant, batch.series[i]!);
        if (r.created) this.unpersistedSeries.push(r.id);
        ids[i] = id = r.id;
      }
      return id;
    };
    const { sampleOffsets: offsets, timestamps, values } = batch;
    let samplesStored = 0;
    let samplesTooOld = 0;
    for (let i = 0; i < batch.series.length; i++) {
      const end = offsets[i + 1]!;
      for (let j = offsets[i]!; j < end; j++) {
        const t = timestamps[j]!;
        if (t < cutoff) {
          samplesTooOld++;
          continue;
        }
        const id = idOf(i);
        block.append(id, t, values[j]!);
        this.index.touch(id, t);
        samplesStored++;
      }
    }
    let histogramsStored = 0;
    for (const h of batch.histograms) {
      if (h.timestamp < cutoff) {
        samplesTooOld++;
        continue;
      }
      const id = idOf(h.seriesIndex);
      block.appendHistogram(id, h.timestamp, h.histogram);
      this.index.touch(id, h.timestamp);
      histogramsStored++;
    }
    return { samplesStored, histogramsStored, samplesTooOld };
  }

  flush(): Promise<void> {
    this.assertOpen();
    return this.lock.run(() => this.flushLocked());
  }

  private async flushLocked(): Promise<void> {
    const block = this.head.seal();
    const newSeries = this.unpersistedSeries;
    this.unpersistedSeries = [];
    const w = this.writer;
    const touches = this.rollups.beginFlush();
    let maxTs = -Infinity;
    await w.run('BEGIN TRANSACTION');
    try {
      if (newSeries.length > 0) {
        const sw = await openWriter(w, 'series', SERIES_TYPES);
        for (const id of newSeries) {
          sw.set(0, id);
          sw.set(1, this.index.tenantById[id]!);
          sw.set(2, JSON.stringify(this.index.labelsById[id]));
          sw.endRow();
        }
        sw.close();
      }
      const sa = new SampleAppender(await w.createAppender('samples'));
      const view = block.sorted();
      for (let k = 0; k < view.length; k++) {
        const id = view.ids[k]!;
        const t = view.ts[k]!;
        sa.add(id, t, view.vs[k]!);
        touches.touch(id, t);
        if (t > maxTs) maxTs = t;
      }
      sa.close();
      if (block.histograms.size > 0) {
        const hw = await openWriter(w, 'histograms', HISTOGRAM_TYPES);
        for (const id of [...block.histograms.keys()].sort((a, b) => a - b)) {
          for (const p of block.seriesHistograms(id) ?? []) {
            hw.set(0, id);
            hw.set(1, BigInt(p.t));
            hw.set(2, encodeHistogram(p.h));
            hw.endRow();
          }
        }
        hw.close();
      }
      await this.rollups.persistLate(w, touches);
      if (this.retentionDirty) {
        this.retentionDirty = false;
        await w.run('DELETE FROM retention');
        for (const [tenant, ms] of this.retention) await w.run(`INSERT INTO retention VALUES (${sqlString(tenant)}, ${ms})`);
      }
      // DuckDB's commit is durable (its own WAL, synced), which is what `flush` promises.
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      this.requeue(block, newSeries);
      throw err;
    }
    this.rollups.commitFlush(touches, maxTs);
    this.head.release(block);
    await this.rollups.refresh(w, false);
  }

  /** Puts a failed flush's data back so the next flush retries it. */
  private requeue(block: HeadBlock, newSeries: number[]): void {
    this.unpersistedSeries.unshift(...newSeries);
    this.retentionDirty = true;
    const active = this.head.active;
    block.forEachSample((id, t, v) => active.append(id, t, v));
    for (const [id, list] of block.histograms) for (const p of list) active.appendHistogram(id, p.t, p.h);
    this.head.release(block);
  }

  async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    this.assertOpen();
    const start = Math.max(query.start, this.retentionCutoff(query.tenant));
    const ids = this.sortedByLabels(this.index.match(query.tenant, query.matchers).filter((id) => this.index.overlaps(id, start, query.end)));
    const blocks = this.head.blocks();
    const limit = query.limitSeries ?? Infinity;
    let emitted = 0;
    const conn = await this.acquireReader();
    try {
      for (let i = 0; i < ids.length && emitted < limit; i += READ_BATCH_SERIES) {
        query.signal?.throwIfAborted();
        const batch = ids.slice(i, i + READ_BATCH_SERIES);
        const data = await readSeries(conn, blocks, batch, start, query.end, true);
        for (const id of batch) {
          const s = data.samples.get(id);
          const h = data.histograms.get(id);
          if (s === undefined && h === undefined) continue;
          yield {
            labels: this.index.labelsById[id]!,
            timestamps: s === undefined ? new Float64Array(0) : s.ts.slice(0, s.length),
            values: s === undefined ? new Float64Array(0) : s.vs.slice(0, s.length),
            histogramTimestamps: Float64Array.from(h ?? [], (p) => p.t),
            histograms: (h ?? []).map((p) => p.h),
          };
          if (++emitted >= limit) return;
        }
      }
    } finally {
      this.releaseReader(conn);
    }
  }

  async *selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups> {
    this.assertOpen();
    if (!this.capabilities.rollupResolutionsMs.includes(query.resolutionMs)) {
      throw new UnsupportedQueryError(
        `rollup resolution ${query.resolutionMs} ms is not maintained (have ${this.capabilities.rollupResolutionsMs.join(', ')})`,
      );
    }
    const start = Math.max(query.start, this.retentionCutoff(query.tenant));
    const ids = this.sortedByLabels(this.index.match(query.tenant, query.matchers));
    const limited = query.limitSeries === undefined ? ids : ids.slice(0, query.limitSeries);
    const blocks = this.head.blocks();
    const conn = await this.acquireReader();
    try {
      // Materialised rows and pending marks must not move under the query: share the write lock.
      const rows: SeriesRollups[] = await this.lock.run(async () => {
        const out: SeriesRollups[] = [];
        for await (const r of this.rollups.query(conn, blocks, limited, (id) => this.index.labelsById[id]!, query.resolutionMs, start, query.end)) {
          query.signal?.throwIfAborted();
          out.push(r);
        }
        return out;
      });
      yield* rows;
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
      const found = await seriesWithData(conn, this.head.blocks(), candidates, start, end);
      return candidates.filter((id) => found.has(id));
    } finally {
      this.releaseReader(conn);
    }
  }

  deleteSeries(query: DeleteQuery): Promise<number> {
    this.assertOpen();
    return this.lock.run(async () => {
      const start = query.start ?? -Infinity;
      const end = query.end ?? Infinity;
      const matched = this.index.match(query.tenant, query.matchers).filter((id) => this.index.overlaps(id, start, end));
      const found = await seriesWithData(this.writer, this.head.blocks(), matched, start, end);
      const ids = matched.filter((id) => found.has(id));
      if (ids.length === 0) return 0;
      const idSet = new Set(ids);
      for (const block of this.head.blocks()) block.removeRange(idSet, start, end);
      const allTime = query.start === undefined && query.end === undefined;
      const range = `ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`;
      const w = this.writer;
      await w.run('BEGIN TRANSACTION');
      try {
        const edges: [number, number, number][] = [];
        for (let i = 0; i < ids.length; i += READ_BATCH_SERIES * 10) {
          const batch = ids.slice(i, i + READ_BATCH_SERIES * 10);
          const inBatch = `series_id IN ${idList(batch)}`;
          await w.run(`DELETE FROM samples WHERE ${inBatch} AND ${range}`);
          await w.run(`DELETE FROM histograms WHERE ${inBatch} AND ${range}`);
          if (allTime) {
            await w.run(`DELETE FROM rollups WHERE ${inBatch}`);
            await w.run(`DELETE FROM rollup_pending WHERE ${inBatch}`);
            continue;
          }
          this.rollups.resolutions.forEach((res, r) => {
            // Buckets wholly inside the range lose all their data; the two edge buckets keep some.
            for (const id of batch) {
              if (Number.isFinite(start)) edges.push([r, id, Math.floor(start / res) * res]);
              if (Number.isFinite(end)) edges.push([r, id, Math.floor(end / res) * res]);
            }
          });
          await w.run(
            `DELETE FROM rollups WHERE ${inBatch} AND bucket >= ${msLiteral(start, 'floor')} AND bucket + resolution_ms - 1 <= ${msLiteral(end, 'floor')}`,
          );
        }
        await this.rollups.rewrite(w, edges);
        await w.run('COMMIT');
      } catch (err) {
        await w.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      if (allTime) for (const id of ids) this.rollups.forgetSeries(id);
      await this.recomputeBounds(ids);
      return ids.length;
    });
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
      const w = this.writer;
      for (const tenant of this.index.tenantNames()) {
        const cutoff = now - this.retentionMs(tenant);
        const ids = this.index.tenantIds(tenant).filter((id) => this.index.minT[id]! < cutoff);
        if (ids.length === 0) continue;
        const idSet = new Set(ids);
        for (const block of this.head.blocks()) block.removeRange(idSet, -Infinity, cutoff - 1);
        const c = msLiteral(cutoff, 'ceil');
        await w.run('BEGIN TRANSACTION');
        try {
          for (let i = 0; i < ids.length; i += READ_BATCH_SERIES * 10) {
            const inBatch = `series_id IN ${idList(ids.slice(i, i + READ_BATCH_SERIES * 10))}`;
            await w.run(`DELETE FROM samples WHERE ${inBatch} AND ts < ${c}`);
            await w.run(`DELETE FROM histograms WHERE ${inBatch} AND ts < ${c}`);
            await w.run(`DELETE FROM rollups WHERE ${inBatch} AND bucket + resolution_ms <= ${c}`);
            await w.run(`DELETE FROM rollup_pending WHERE ${inBatch} AND bucket + resolution_ms <= ${c}`);
          }
          await w.run('COMMIT');
        } catch (err) {
          await w.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
        this.rollups.forgetBefore(ids, cutoff);
        await this.recomputeBounds(ids);
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
    return { series: this.index.size, bytesOnDisk };
  }

  /** Forces a DuckDB checkpoint (WAL folded into the compressed file); used by benchmarks and tools. */
  checkpoint(): Promise<void> {
    return this.lock.run(async () => {
      await this.writer.run('CHECKPOINT');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    await this.lock.run(async () => {
      this.closed = true;
      for (const c of this.idleReaders.splice(0)) c.closeSync();
      this.writer.closeSync();
      this.instance.closeSync();
    });
  }

  private async recomputeBounds(ids: readonly number[]): Promise<void> {
    for (const id of ids) this.index.setBounds(id, Infinity, -Infinity);
    for (const block of this.head.blocks()) {
      for (const id of ids) {
        const cols = block.series(id);
        if (cols !== undefined) for (let k = 0; k < cols.length; k++) this.index.touch(id, cols.ts[k]!);
        for (const p of block.histograms.get(id) ?? []) this.index.touch(id, p.t);
      }
    }
    for (let i = 0; i < ids.length; i += READ_BATCH_SERIES * 10) {
      const inBatch = `series_id IN ${idList(ids.slice(i, i + READ_BATCH_SERIES * 10))}`;
      await forEachRow(
        this.writer,
        `SELECT series_id, min(ts), max(ts) FROM (SELECT series_id, ts FROM samples WHERE ${inBatch} UNION ALL SELECT series_id, ts FROM histograms WHERE ${inBatch}) GROUP BY series_id`,
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
