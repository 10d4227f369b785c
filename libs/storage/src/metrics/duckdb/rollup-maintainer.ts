import type { DuckDBConnection } from '@duckdb/node-api';
import type { Labels } from '#pharos/metric-model';
import type { SeriesRollups } from '../port.js';
import {
  forEachRow,
  idList,
  openWriter,
  PENDING_TYPES,
  ROLLUP_TYPES,
  writeRollupRow,
} from './duckdb-io.js';
import type { HeadBlock } from './head.js';
import { BucketSet, bucketStart, computeRollups, RollupColumns, type RollupRow } from './rollups.js';
import { readSeries, READ_BATCH_SERIES } from './sample-reader.js';

const WATERMARK_KEY = 'rollup_watermark_';

/** Buckets a flush dirtied, split by whether they must be persisted as late. */
export class FlushTouches {
  readonly recent: [number, number, number][] = [];
  readonly late: [number, number, number][] = [];
  private readonly lastBucket: number[];
  private lastId = -1;

  constructor(
    private readonly resolutions: readonly number[],
    private readonly watermarks: readonly number[],
  ) {
    this.lastBucket = resolutions.map(() => NaN);
  }

  /** Called for every flushed sample, in series order; consecutive repeats cost a compare. */
  touch(id: number, t: number): void {
    if (id !== this.lastId) {
      this.lastId = id;
      this.lastBucket.fill(NaN);
    }
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const b = bucketStart(t, res);
      if (b === this.lastBucket[r]) continue;
      this.lastBucket[r] = b;
      (b < this.watermarks[r]! ? this.late : this.recent).push([res, id, b]);
    }
  }
}

/**
 * Keeps the 5 m / 1 h rollup tables in step with raw data, the embedded counterpart of
 * TimescaleDB continuous aggregates. Each flush marks the (series, bucket) pairs it touched;
 * a bucket is materialised once closed (its end plus a grace period is behind the newest
 * flushed sample), and queries recompute still-dirty buckets from raw data, so answers are
 * never stale.
 *
 * Crash safety without persisting every mark: per resolution a watermark W is stored with
 * each refresh; every bucket before W is materialised or listed in `rollup_pending` (late data
 * is written there in the flush transaction), and buckets from W on are re-derived from the
 * raw samples on open.
 */
export class RollupMaintainer {
  private readonly recent: BucketSet[];
  private readonly late: BucketSet[];
  private readonly watermarks: number[];
  private maxFlushedTs = -Infinity;
  private nextClosure = -Infinity;

  constructor(
    readonly resolutions: readonly number[],
    private readonly graceMs: number,
  ) {
    this.recent = resolutions.map(() => new BucketSet());
    this.late = resolutions.map(() => new BucketSet());
    this.watermarks = resolutions.map(() => -Infinity);
  }

  async load(conn: DuckDBConnection): Promise<void> {
    await forEachRow(conn, `SELECT key, value FROM meta WHERE key LIKE '${WATERMARK_KEY}%'`, (get) => {
      const r = this.resolutions.indexOf(Number((get(0) as string).slice(WATERMARK_KEY.length)));
      if (r >= 0) this.watermarks[r] = get(1) as number;
    });
    await forEachRow(conn, `SELECT resolution_ms, series_id, bucket FROM rollup_pending`, (get) => {
      const r = this.resolutions.indexOf(get(0) as number);
      if (r >= 0) this.late[r]!.add(get(1) as number, get(2) as number);
    });
    await forEachRow(conn, `SELECT max(ts) FROM samples`, (get) => {
      const v = get(0);
      if (typeof v === 'number') this.maxFlushedTs = v;
    });
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const w = this.watermarks[r]!;
      const where = Number.isFinite(w) ? `WHERE ts >= ${w}` : '';
      await forEachRow(conn, `SELECT DISTINCT series_id, (ts // ${res}) * ${res} FROM samples ${where}`, (get) => {
        this.recent[r]!.add(get(0) as number, get(1) as number);
      });
    }
    this.nextClosure = -Infinity;
  }

  beginFlush(): FlushTouches {
    return new FlushTouches(this.resolutions, this.watermarks);
  }

  /** Writes late marks inside the flush transaction. */
  async persistLate(conn: DuckDBConnection, touches: FlushTouches): Promise<void> {
    if (touches.late.length === 0) return;
    const w = await openWriter(conn, 'rollup_pending', PENDING_TYPES);
    for (const [res, id, b] of touches.late) {
      w.set(0, res);
      w.set(1, id);
      w.set(2, BigInt(b));
      w.endRow();
    }
    w.close();
  }

  /** Records a committed flush's marks. */
  commitFlush(touches: FlushTouches, maxTs: number): void {
    for (const [res, id, b] of touches.recent) this.recent[this.resolutions.indexOf(res)]!.add(id, b);
    for (const [res, id, b] of touches.late) this.late[this.resolutions.indexOf(res)]!.add(id, b);
    if (maxTs > this.maxFlushedTs) this.maxFlushedTs = maxTs;
    for (const list of [touches.recent, touches.late]) {
      for (const [res, , b] of list) {
        const closesAt = b + res + this.graceMs;
        if (closesAt < this.nextClosure) this.nextClosure = closesAt;
      }
    }
  }

  /**
   * Materialises closed buckets (all pending ones when `all`). Runs its own transaction on
   * `conn`; skipped cheaply when no bucket can have closed since the last pass.
   */
  async refresh(conn: DuckDBConnection, all: boolean): Promise<void> {
    if (!all && this.maxFlushedTs < this.nextClosure) return;
    const due: [number, number, number][] = [];
    let nextClosure = Infinity;
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      for (const set of [this.recent[r]!, this.late[r]!]) {
        for (const [id, b] of set) {
          const closesAt = b + res + this.graceMs;
          if (all || closesAt <= this.maxFlushedTs) due.push([r, id, b]);
          else if (closesAt < nextClosure) nextClosure = closesAt;
        }
      }
    }
    this.nextClosure = nextClosure;
    if (due.length === 0) return;
    await conn.run('BEGIN TRANSACTION');
    try {
      await this.rewrite(conn, due);
      for (let r = 0; r < this.resolutions.length; r++) {
        for (const [rr, id, b] of due) {
          if (rr !== r) continue;
          this.recent[r]!.delete(id, b);
          this.late[r]!.delete(id, b);
        }
        // Every remaining recent bucket is at or after the new watermark (see class doc).
        const min = this.recent[r]!.minBucket();
        const w = Number.isFinite(min) ? min : bucketStart(this.maxFlushedTs, this.resolutions[r]!) + this.resolutions[r]!;
        if (Number.isFinite(w) && w > this.watermarks[r]!) {
          this.watermarks[r] = w;
          await conn.run(`INSERT OR REPLACE INTO meta VALUES ('${WATERMARK_KEY}${this.resolutions[r]}', ${w})`);
        }
      }
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      this.nextClosure = -Infinity;
      throw err;
    }
  }

  /**
   * Recomputes the given buckets from flushed raw data and replaces their rows; `conn` must
   * be inside a transaction (deletes use this to fix edge buckets in their own transaction).
   */
  async rewrite(conn: DuckDBConnection, due: readonly [number, number, number][]): Promise<void> {
    if (due.length === 0) return;
    const staged = await openWriter(conn, 'rollup_refresh', PENDING_TYPES);
    for (const [r, id, b] of due) {
      staged.set(0, this.resolutions[r]!);
      staged.set(1, id);
      staged.set(2, BigInt(b));
      staged.endRow();
    }
    staged.close();
    const match = `r.resolution_ms = s.resolution_ms AND r.series_id = s.series_id AND r.bucket = s.bucket`;
    await conn.run(`DELETE FROM rollups r USING rollup_refresh s WHERE ${match}`);
    await conn.run(`DELETE FROM rollup_pending r USING rollup_refresh s WHERE ${match}`);
    await conn.run(`DELETE FROM rollup_refresh`);
    const out = await openWriter(conn, 'rollups', ROLLUP_TYPES);
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const bySeries = new Map<number, Set<number>>();
      for (const [rr, id, b] of due) {
        if (rr !== r) continue;
        let s = bySeries.get(id);
        if (s === undefined) bySeries.set(id, (s = new Set()));
        s.add(b);
      }
      const ids = [...bySeries.keys()].sort((a, b) => a - b);
      for (let i = 0; i < ids.length; i += READ_BATCH_SERIES) {
        const batch = ids.slice(i, i + READ_BATCH_SERIES);
        let lo = Infinity;
        let hi = -Infinity;
        for (const id of batch) for (const b of bySeries.get(id)!) (lo = Math.min(lo, b)), (hi = Math.max(hi, b));
        const data = await readSeries(conn, [], batch, lo, hi + res - 1, false);
        for (const id of batch) {
          const cols = data.samples.get(id);
          if (cols === undefined) continue;
          const wanted = bySeries.get(id)!;
          for (const row of computeRollups(cols.ts, cols.vs, cols.length, res, (b) => wanted.has(b))) {
            writeRollupRow(out, res, id, row);
          }
        }
      }
    }
    out.close();
  }

  /** Drops every mark of a series (its data was deleted for all time). */
  forgetSeries(id: number): void {
    for (const set of [...this.recent, ...this.late]) set.deleteSeries(id);
  }

  /** Drops marks of buckets that end before `cutoff` (retention removed their data). */
  forgetBefore(ids: readonly number[], cutoff: number): void {
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      for (const set of [this.recent[r]!, this.late[r]!]) {
        for (const id of ids) {
          const buckets = set.buckets(id);
          if (buckets === undefined) continue;
          for (const b of [...buckets]) if (b + res <= cutoff) set.delete(id, b);
        }
      }
    }
  }

  /**
   * Rollups of `ids` (in the caller's order) for buckets starting in `[start, end]`: stored
   * rows, with buckets still dirty (pending, or holding head samples) recomputed from raw.
   */
  async *query(
    conn: DuckDBConnection,
    blocks: readonly HeadBlock[],
    ids: readonly number[],
    labelsOf: (id: number) => Labels,
    resolutionMs: number,
    start: number,
    end: number,
  ): AsyncGenerator<SeriesRollups> {
    const r = this.resolutions.indexOf(resolutionMs);
    const first = Math.ceil(start / resolutionMs) * resolutionMs;
    const last = bucketStart(end, resolutionMs);
    if (first > last) return;
    for (let i = 0; i < ids.length; i += READ_BATCH_SERIES) {
      const batch = ids.slice(i, i + READ_BATCH_SERIES);
      const stored = new Map<number, RollupRow[]>();
      await forEachRow(
        conn,
        `SELECT series_id, bucket, count, sum, min, max, first_ts, first_value, last_ts, last_value, increase
         FROM rollups WHERE resolution_ms = ${resolutionMs} AND series_id IN ${idList(batch)}
         AND bucket BETWEEN ${first} AND ${last} ORDER BY series_id, bucket`,
        (get) => {
          const id = get(0) as number;
          let rows = stored.get(id);
          if (rows === undefined) stored.set(id, (rows = []));
          rows.push({
            bucket: get(1) as number,
            count: get(2) as number,
            sum: get(3) as number,
            min: get(4) as number,
            max: get(5) as number,
            firstTs: get(6) as number,
            firstValue: get(7) as number,
            lastTs: get(8) as number,
            lastValue: get(9) as number,
            increase: get(10) as number,
          });
        },
      );
      const dirty = new Map<number, Set<number>>();
      let lo = Infinity;
      let hi = -Infinity;
      const mark = (id: number, b: number): void => {
        if (b < first || b > last) return;
        let s = dirty.get(id);
        if (s === undefined) dirty.set(id, (s = new Set()));
        s.add(b);
        lo = Math.min(lo, b);
        hi = Math.max(hi, b);
      };
      for (const id of batch) {
        for (const set of [this.recent[r]!, this.late[r]!]) for (const b of set.buckets(id) ?? []) mark(id, b);
        for (const block of blocks) {
          const cols = block.series(id);
          if (cols !== undefined) for (let k = 0; k < cols.length; k++) mark(id, bucketStart(cols.ts[k]!, resolutionMs));
        }
      }
      const fresh = new Map<number, RollupRow[]>();
      if (dirty.size > 0) {
        const dirtyIds = batch.filter((id) => dirty.has(id));
        const data = await readSeries(conn, blocks, dirtyIds, lo, hi + resolutionMs - 1, false);
        for (const id of dirtyIds) {
          const cols = data.samples.get(id);
          const wanted = dirty.get(id)!;
          fresh.set(id, cols === undefined ? [] : computeRollups(cols.ts, cols.vs, cols.length, resolutionMs, (b) => wanted.has(b)));
        }
      }
      for (const id of batch) {
        const wanted = dirty.get(id);
        const rows = (stored.get(id) ?? []).filter((row) => wanted === undefined || !wanted.has(row.bucket));
        rows.push(...(fresh.get(id) ?? []));
        if (rows.length === 0) continue;
        rows.sort((a, b) => a.bucket - b.bucket);
        const cols = new RollupColumns();
        for (const row of rows) cols.push(row);
        yield cols.toSeriesRollups(labelsOf(id));
      }
    }
  }
}
