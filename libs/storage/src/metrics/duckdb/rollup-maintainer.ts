import type { DuckDBConnection } from '@duckdb/node-api';
import { isStaleNaN, type Labels } from '#pharos/metric-model';
import type { RollupField, SeriesRollups } from '../port.js';
import { forEachRow, idList, openWriter, PENDING_TYPES, ROLLUP_TYPES, writeRollupRow, yieldToQueued } from './duckdb-io.js';
import { AccumulatorColumns, ACC_CLOSED, ACC_DIRTY, ACC_NONE, ACC_OPEN, RowBuffer } from './rollup-accumulators.js';
import { readSnapshotRollups, type RawReader, type RollupSnapshot } from './rollup-reader.js';
import { SPAN_MS } from './rollup-span-codec.js';
import { packRollupRows, unpackRollupSpans, type PackPass } from './rollup-span-table.js';
import { BucketSet, bucketStart, computeRollups, type RollupRow } from './rollups.js';

const WATERMARK_KEY = 'rollup_watermark_';
/** Series per SQL statement. */
const BATCH = 1000;
/** Rows and recomputed buckets written per flush at most, so one flush stays short. */
const ROWS_PER_FLUSH = 250_000;
const REFRESH_PER_FLUSH = 20_000;
/**
 * Buckets are packed once the watermark is this far past them: most late samples (a sender's
 * retries) come sooner, and a later one unpacks the span holding its bucket into rows again,
 * which costs little while the day is open: its spans are parts of a step (24 buckets at 5 m).
 */
const PACK_DELAY_MS = 900_000;
/**
 * Buckets are packed up to a multiple of this, 2 h or 6 buckets (5 m: 2 h, 24 buckets; 1 h:
 * 6 h), each step's buckets a new part of their day's span, merged into one span once the day
 * is complete (rollup-span-table.ts). Rows (~45 bytes a bucket against ~3 packed) hold at most
 * the delay and a step of buckets; a shorter step costs more CPU, as the encoders pick a mode
 * per field and part: ~0.3–0.7 µs a bucket in parts of 24, ~0.6–1.0 µs in parts of 12,
 * ~0.15–0.3 µs in a day's 288 (docs/adr/0003, "Parts that stay until the day is complete").
 */
function packStepMs(resolutionMs: number): number {
  return Math.max(2 * 3_600_000, 6 * resolutionMs);
}


/** What one flush writes for the rollups; built synchronously, then written in the flush's transaction. */
export interface RollupFlushPlan {
  readonly rows: number[];
  readonly refresh: [number, number, number][][];
  readonly marks: number[];
  readonly watermarks: number[];
  /** Per resolution, the packing pass to go on with after this flush, set while it is written. */
  readonly packPasses: (PackPass | null)[];
}

/**
 * Keeps the 5 m / 1 h rollups incrementally, the embedded counterpart of TimescaleDB
 * continuous aggregates. Each in-order sample updates its series' current-bucket accumulator
 * in O(1); when the series moves to the next bucket (or stays idle past the bucket's end plus
 * a grace period) the row is closed and written by a following flush. Out-of-order samples,
 * deletes and late samples mark their bucket dirty: queries and flushes recompute dirty
 * buckets from the raw samples, so answers are never stale.
 *
 * Crash safety: per resolution a watermark W is committed with each flush; every bucket
 * before W is written or listed in `rollup_pending` (dirty marks are persisted by the flush
 * that carries their samples). On open, rows from W on are deleted and re-derived from raw
 * samples, which also rebuilds the accumulators.
 *
 * Buckets before W less 15 minutes (for late samples), rounded down to a step (2 h at 5 m, 6 h at
 * 1 h; `packStepMs`), are packed by the flushes into parts of their days' spans in `rollup_spans`: a pass
 * over a step's rows, a range of series per flush, each pass a new part of the day, the day's
 * parts merged into one span by the pass that completes it; whatever must change a packed
 * bucket (a dirty bucket's rewrite, a delete, retention, the re-derivation on open) unpacks its
 * span into rows first, in the same transaction (rollup-span-table.ts).
 */
export class RollupMaintainer {
  private readonly acc: AccumulatorColumns[];
  private readonly rows: RowBuffer[];
  private readonly dirty: BucketSet[];
  /** Marks being recomputed by the running flush: still dirty for queries. */
  private readonly refreshing: BucketSet[];
  private newMarks: [number, number, number][] = [];
  private readonly watermarks: number[];
  /** Per resolution, the packing pass the next flush goes on with (`null`: it starts one). */
  private readonly packPasses: (PackPass | null)[];
  private newestT = -Infinity;
  /**
   * Flush generation (incremented by each `planFlush`) in which each series last had an
   * in-order sample. An open bucket is closed for idleness only when its series had no sample
   * for `idleMs` of wall time, besides the data-time test (see `planFlush`).
   */
  private lastSeen = new Uint32Array(0);
  private generation = 1;
  /** `[generation, wall ms it began]` pairs, oldest first: only as far back as `idleMs` needs. */
  private readonly generationStarts: number[] = [];

  /**
   * @param idleMs wall time without a sample after which a series' open bucket may close
   *   (once data time is also past it); 0: no sample since the previous flush plan.
   */
  constructor(
    readonly resolutions: readonly number[],
    private readonly graceMs: number,
    private readonly readRaw: RawReader,
    private readonly idleMs = 0,
    private readonly clock: () => number = Date.now,
  ) {
    this.generationStarts.push(this.generation, clock());
    this.acc = resolutions.map(() => new AccumulatorColumns());
    this.rows = resolutions.map(() => new RowBuffer());
    this.dirty = resolutions.map(() => new BucketSet());
    this.refreshing = resolutions.map(() => new BucketSet());
    this.watermarks = resolutions.map(() => -Infinity);
    this.packPasses = resolutions.map(() => null);
  }

  /**
   * Loads watermarks and pending marks, then re-derives buckets from each watermark on for
   * the series whose float data reaches it (`seriesMaxT(id)`), rebuilding accumulators.
   */
  async load(conn: DuckDBConnection, ids: readonly number[], seriesMaxT: (id: number) => number): Promise<void> {
    await forEachRow(conn, `SELECT key, value FROM meta WHERE key LIKE '${WATERMARK_KEY}%'`, (get) => {
      const r = this.resolutions.indexOf(Number((get(0) as string).slice(WATERMARK_KEY.length)));
      if (r >= 0) this.watermarks[r] = get(1) as number;
    });
    await forEachRow(conn, `SELECT resolution_ms, series_id, bucket FROM rollup_pending`, (get) => {
      const r = this.resolutions.indexOf(get(0) as number);
      if (r >= 0) this.dirty[r]!.add(get(1) as number, get(2) as number);
    });
    const from = Math.min(...this.watermarks);
    const live = ids.filter((id) => seriesMaxT(id) >= from);
    if (live.length === 0) return;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (let r = 0; r < this.resolutions.length; r++) {
        const w = this.watermarks[r]!;
        const res = this.resolutions[r]!;
        if (Number.isFinite(w)) {
          // Days packed while the watermark was later (it moves back when a new series starts
          // in the past) are re-derived like the rest: unpacked first, their rows from W dropped.
          await unpackRollupSpans(conn, `resolution_ms = ${res} AND last_bucket >= ${w}`);
          await conn.run(`DELETE FROM rollups WHERE resolution_ms = ${res} AND bucket >= ${w}`);
        } else {
          await conn.run(`DELETE FROM rollup_spans WHERE resolution_ms = ${res}`);
          await conn.run(`DELETE FROM rollups WHERE resolution_ms = ${res}`);
        }
      }
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    for (let i = 0; i < live.length; i += BATCH * 10) {
      const batch = live.slice(i, i + BATCH * 10);
      const data = await this.readRaw(conn, batch, Number.isFinite(from) ? from : -Infinity, Infinity);
      for (const [id, [ts, vs, n]] of data) {
        for (let r = 0; r < this.resolutions.length; r++) {
          const w = this.watermarks[r]!;
          const out = computeRollups(ts, vs, n, this.resolutions[r]!, (b) => b >= w);
          if (out.length === 0) continue;
          const acc = this.acc[r]!;
          acc.ensure(id);
          for (let k = 0; k < out.length - 1; k++) {
            acc.restore(id, out[k]!);
            this.rows[r]!.pushFrom(acc, id);
          }
          acc.restore(id, out[out.length - 1]!);
        }
        if (ts[n - 1]! > this.newestT) this.newestT = ts[n - 1]!;
      }
    }
  }

  /**
   * The newest generation whose series, if that was their last sample, have been idle for
   * `idleMs`: every generation before the newest one that began at least `idleMs` ago (with
   * `idleMs` 0, before the current one). Forgets the starts it will not need again.
   */
  private idleGenerations(): number {
    const starts = this.generationStarts;
    const before = this.clock() - this.idleMs;
    let k = -1;
    for (let i = 0; i < starts.length; i += 2) if (starts[i + 1]! <= before) k = i;
    if (k < 0) return 0;
    const through = starts[k]! - 1;
    if (k > 0) starts.splice(0, k);
    return through;
  }

  /** An in-order float sample (later than every other sample of the series). */
  onSample(id: number, t: number, v: number): void {
    if (t > this.newestT) this.newestT = t;
    if (id >= this.lastSeen.length) this.growLastSeen(id);
    this.lastSeen[id] = this.generation;
    if (isStaleNaN(v)) return;
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const acc = this.acc[r]!;
      if (id >= acc.state.length) acc.ensure(id);
      const b = Math.floor(t / res) * res;
      const state = acc.state[id]!;
      if (state === ACC_NONE) {
        // No accumulator: a new series, or one without data from the watermark on after a
        // restart, whose last bucket before the watermark may be stored. A sample there must
        // recompute the bucket; opening it would shadow (and later duplicate) the stored row.
        if (b < this.watermarks[r]!) this.mark(r, id, b);
        else acc.open(id, b, t, v);
      } else if (acc.bucket(id) === b) {
        if (state === ACC_CLOSED) this.mark(r, id, b);
        else acc.add(id, t, v);
      } else {
        if (state === ACC_OPEN) this.rows[r]!.pushFrom(acc, id);
        acc.open(id, b, t, v);
      }
    }
  }

  private growLastSeen(id: number): void {
    const grown = new Uint32Array(Math.max(id + 1, 2 * this.lastSeen.length, 1024));
    grown.set(this.lastSeen);
    this.lastSeen = grown;
  }

  /** A sample at or before the series' newest: its buckets must be recomputed. */
  onOutOfOrder(id: number, t: number): void {
    for (let r = 0; r < this.resolutions.length; r++) this.mark(r, id, bucketStart(t, this.resolutions[r]!));
  }

  private mark(r: number, id: number, b: number): void {
    const acc = this.acc[r]!;
    if (id < acc.state.length && acc.state[id] === ACC_OPEN && acc.bucket(id) === b) acc.state[id] = ACC_DIRTY;
    if (this.dirty[r]!.add(id, b)) this.newMarks.push([this.resolutions[r]!, id, b]);
  }

  /**
   * Snapshot of what the next flush writes: closes idle buckets, picks closed rows and dirty
   * closed buckets (bounded per flush unless `drain`) and computes the watermarks that hold
   * once it commits.
   */
  planFlush(drain = false): RollupFlushPlan {
    const rows: number[] = [];
    const refresh: [number, number, number][][] = [];
    const watermarks: number[] = [];
    // Samples appended from now on belong to the next generation.
    const idleThrough = this.idleGenerations();
    this.generation++;
    this.generationStarts.push(this.generation, this.clock());
    const lastSeen = this.lastSeen;
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const acc = this.acc[r]!;
      const buffer = this.rows[r]!;
      let w = Infinity;
      for (let id = 0; id < acc.state.length; id++) {
        const state = acc.state[id]!;
        if (state !== ACC_OPEN && state !== ACC_DIRTY) continue;
        const b = acc.bucket(id);
        // Closed once the newest sample of any series is a grace period past the bucket's end
        // and this series had no sample since the previous plan. The data-time test alone
        // closes the buckets of senders that lag the others (a Prometheus shard catching up,
        // a backfill beside live traffic, or data time running ahead of the wall clock in a
        // benchmark); their next in-order sample then hits a closed bucket, which must be
        // recomputed from raw samples. The second test keeps those open until the series
        // really falls idle (`idleMs` of wall clock), at the price of dead series' rows being
        // written that much later. It must outlast a sender's pauses (retries after a 503,
        // a stream backlog delivered partition by partition): at a million series, closing
        // after one 2 s flush interval made every pause a recomputation, which slowed the
        // store, which lengthened the pauses.
        if (b + res + this.graceMs <= this.newestT && !(id < lastSeen.length && lastSeen[id]! > idleThrough)) {
          if (state === ACC_OPEN) buffer.pushFrom(acc, id);
          acc.state[id] = ACC_CLOSED;
        } else if (b < w) w = b;
      }
      const take = drain ? buffer.length : Math.min(buffer.length, ROWS_PER_FLUSH);
      for (let i = take; i < buffer.length; i++) if (buffer.bucket(i) < w) w = buffer.bucket(i);
      rows.push(take);
      const due: [number, number, number][] = [];
      for (const [id, b] of this.dirty[r]!) {
        if (!drain && due.length >= REFRESH_PER_FLUSH) break;
        const s = id < acc.state.length ? acc.state[id]! : ACC_NONE;
        if ((s === ACC_OPEN || s === ACC_DIRTY) && acc.bucket(id) === b) continue;
        due.push([r, id, b]);
      }
      for (const [, id, b] of due) {
        this.dirty[r]!.delete(id, b);
        this.refreshing[r]!.add(id, b);
      }
      refresh.push(due);
      watermarks.push(Number.isFinite(w) ? w : Number.isFinite(this.newestT) ? bucketStart(this.newestT, res) + res : this.watermarks[r]!);
    }
    const marks = this.newMarks.length;
    return { rows, refresh, marks: [marks], watermarks, packPasses: this.resolutions.map(() => null) };
  }

  /** Writes a plan inside the flush's transaction on `conn` (the raw data it recomputes from is already written). */
  async writeFlush(conn: DuckDBConnection, plan: RollupFlushPlan): Promise<void> {
    await this.persistMarks(conn, plan.marks[0]!);
    const out = await openWriter(conn, 'rollups', ROLLUP_TYPES);
    for (let r = 0; r < this.resolutions.length; r++) {
      const buffer = this.rows[r]!;
      const dirty = this.dirty[r]!;
      const refreshing = this.refreshing[r]!;
      for (let i = 0; i < plan.rows[r]!; i++) {
        const id = buffer.ids[i]!;
        const b = buffer.bucket(i);
        // A bucket marked dirty after it closed is recomputed instead.
        if (dirty.has(id, b) || refreshing.has(id, b)) continue;
        // Buckets of every series close together (up to ROWS_PER_FLUSH rows): appends run between data chunks.
        if (writeRollupRow(out, this.resolutions[r]!, id, buffer.row(i))) await yieldToQueued();
      }
    }
    out.close();
    await this.rewrite(conn, plan.refresh.flat());
    for (let r = 0; r < this.resolutions.length; r++) {
      const w = plan.watermarks[r]!;
      if (Number.isFinite(w) && w !== this.watermarks[r]) {
        await conn.run(`INSERT OR REPLACE INTO meta VALUES ('${WATERMARK_KEY}${this.resolutions[r]}', ${w})`);
      }
      // Buckets behind the watermark (every one written or pending) are packed into their days'
      // spans, a range of series per flush; rows of older stores go the same way.
      if (Number.isFinite(w)) {
        const step = packStepMs(this.resolutions[r]!);
        const packed = await packRollupRows(conn, this.resolutions[r]!, Math.floor((w - PACK_DELAY_MS) / step) * step, this.packPasses[r]);
        plan.packPasses[r] = packed.pass;
      }
    }
  }

  commitFlush(plan: RollupFlushPlan): void {
    this.newMarks.splice(0, plan.marks[0]!);
    for (let r = 0; r < this.resolutions.length; r++) {
      this.rows[r]!.dropFirst(plan.rows[r]!);
      for (const [, id, b] of plan.refresh[r]!) this.refreshing[r]!.delete(id, b);
      this.watermarks[r] = plan.watermarks[r]!;
      this.packPasses[r] = plan.packPasses[r]!;
    }
  }

  abortFlush(plan: RollupFlushPlan): void {
    for (let r = 0; r < this.resolutions.length; r++) {
      for (const [, id, b] of plan.refresh[r]!) {
        this.refreshing[r]!.delete(id, b);
        this.dirty[r]!.add(id, b);
      }
    }
  }

  /** Writes the first `n` new dirty marks to `rollup_pending` (inside a transaction). */
  private async persistMarks(conn: DuckDBConnection, n: number): Promise<void> {
    if (n === 0) return;
    const w = await openWriter(conn, 'rollup_pending', PENDING_TYPES);
    for (let i = 0; i < n; i++) {
      const [res, id, b] = this.newMarks[i]!;
      w.set(0, res);
      w.set(1, id);
      w.set(2, BigInt(b));
      if (w.endRow()) await yieldToQueued();
    }
    w.close();
  }

  /**
   * Applies a delete of `[start, end]` (all time when both infinite) for `ids` inside the
   * delete's transaction: rows of buckets wholly inside go, edge buckets become dirty (and
   * their marks are persisted here). Returns the commit step.
   */
  async onDelete(conn: DuckDBConnection, ids: readonly number[], start: number, end: number): Promise<() => void> {
    const idSet = new Set(ids);
    const allTime = start === -Infinity && end === Infinity;
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      const inside = (b: number): boolean => b >= start && b + res - 1 <= end;
      for (let i = 0; i < ids.length; i += BATCH * 10) {
        const inBatch = `series_id IN ${idList(ids.slice(i, i + BATCH * 10))} AND resolution_ms = ${res}`;
        if (allTime) {
          await conn.run(`DELETE FROM rollups WHERE ${inBatch}`);
          await conn.run(`DELETE FROM rollup_spans WHERE ${inBatch}`);
          await conn.run(`DELETE FROM rollup_pending WHERE ${inBatch}`);
        } else {
          await unpackRollupSpans(conn, `${inBatch} AND span_start <= ${clampLiteral(end)} AND span_start + ${SPAN_MS} > ${clampLiteral(start)}`);
          await conn.run(`DELETE FROM rollups WHERE ${inBatch} AND bucket >= ${clampLiteral(start)} AND bucket + ${res - 1} <= ${clampLiteral(end)}`);
        }
      }
      this.rows[r]!.filter((id, b) => !idSet.has(id) || (!allTime && !inside(b)));
      const acc = this.acc[r]!;
      for (const id of ids) {
        if (allTime) {
          this.dirty[r]!.deleteSeries(id);
          if (id < acc.state.length) acc.state[id] = ACC_NONE;
          continue;
        }
        for (const t of [start, end]) if (Number.isFinite(t)) this.mark(r, id, bucketStart(t, res));
        if (id < acc.state.length && acc.state[id] !== ACC_NONE && inside(acc.bucket(id))) acc.state[id] = ACC_CLOSED;
      }
    }
    if (allTime) this.newMarks = this.newMarks.filter(([, id]) => !idSet.has(id));
    const n = this.newMarks.length;
    await this.persistMarks(conn, n);
    return () => this.newMarks.splice(0, n);
  }

  /** Drops rollup data of buckets ending before `cutoff` for `ids` (inside the caller's transaction). */
  async onRetention(conn: DuckDBConnection, ids: readonly number[], cutoff: number): Promise<void> {
    const idSet = new Set(ids);
    for (let r = 0; r < this.resolutions.length; r++) {
      const res = this.resolutions[r]!;
      for (let i = 0; i < ids.length; i += BATCH * 10) {
        const inBatch = `series_id IN ${idList(ids.slice(i, i + BATCH * 10))} AND resolution_ms = ${res}`;
        await conn.run(`DELETE FROM rollup_spans WHERE ${inBatch} AND last_bucket + ${res} <= ${clampLiteral(cutoff)}`);
        await unpackRollupSpans(conn, `${inBatch} AND first_bucket + ${res} <= ${clampLiteral(cutoff)}`);
        await conn.run(`DELETE FROM rollups WHERE ${inBatch} AND bucket + ${res} <= ${clampLiteral(cutoff)}`);
        await conn.run(`DELETE FROM rollup_pending WHERE ${inBatch} AND bucket + ${res} <= ${clampLiteral(cutoff)}`);
      }
      this.rows[r]!.filter((id, b) => !idSet.has(id) || b + res > cutoff);
      const acc = this.acc[r]!;
      for (const id of ids) {
        const buckets = this.dirty[r]!.buckets(id);
        if (buckets !== undefined) for (const b of [...buckets]) if (b + res <= cutoff) this.dirty[r]!.delete(id, b);
        if (id < acc.state.length && acc.state[id] !== ACC_NONE && acc.bucket(id) + res <= cutoff) acc.state[id] = ACC_CLOSED;
      }
    }
  }

  /**
   * Recomputes the given `[resolution index, series, bucket]` keys from raw data and replaces
   * their rows and pending marks; `conn` must be inside a transaction.
   */
  private async rewrite(conn: DuckDBConnection, due: readonly [number, number, number][]): Promise<void> {
    if (due.length === 0) return;
    const staged = await openWriter(conn, 'rollup_refresh', PENDING_TYPES);
    for (const [r, id, b] of due) {
      staged.set(0, this.resolutions[r]!);
      staged.set(1, id);
      staged.set(2, BigInt(b));
      if (staged.endRow()) await yieldToQueued();
    }
    staged.close();
    const match = `r.resolution_ms = s.resolution_ms AND r.series_id = s.series_id AND r.bucket = s.bucket`;
    // A recomputed bucket within a span's buckets: the span goes back to rows (packed again
    // later). One outside them (in the rows after a day's packed part) leaves the span alone.
    await unpackRollupSpans(
      conn,
      `EXISTS (SELECT 1 FROM rollup_refresh s WHERE s.resolution_ms = rollup_spans.resolution_ms AND s.series_id = rollup_spans.series_id AND s.bucket BETWEEN rollup_spans.first_bucket AND rollup_spans.last_bucket)`,
    );
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
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        let lo = Infinity;
        let hi = -Infinity;
        for (const id of batch) for (const b of bySeries.get(id)!) (lo = Math.min(lo, b)), (hi = Math.max(hi, b));
        const data = await this.readRaw(conn, batch, lo, hi + res - 1);
        for (const id of batch) {
          const run = data.get(id);
          if (run === undefined) continue;
          const wanted = bySeries.get(id)!;
          for (const row of computeRollups(run[0], run[1], run[2], res, (b) => wanted.has(b))) writeRollupRow(out, res, id, row);
        }
      }
    }
    out.close();
  }

  /**
   * What memory holds over the stored rows of `ids` for buckets starting in `[start, end]`:
   * closed rows not yet written, open accumulators, and dirty buckets (stored rows stale,
   * recomputed from raw by {@link read}). Synchronous, so the caller takes the store's lock
   * for this alone: rows and marks move only under it (flush, delete, retention), and the
   * stored rows read afterwards may only be newer. A row both in the snapshot and written
   * meanwhile is the same row (the overlay wins); a bucket rewritten meanwhile was dirty or
   * refreshing here, so it is recomputed either way.
   */
  snapshot(ids: readonly number[], resolutionMs: number, start: number, end: number): RollupSnapshot {
    const r = this.resolutions.indexOf(resolutionMs);
    const first = Math.ceil(start / resolutionMs) * resolutionMs;
    const last = bucketStart(end, resolutionMs);
    const overlays = new Map<number, Map<number, RollupRow>>();
    const dirty = new Map<number, Set<number>>();
    const snap: RollupSnapshot = { ids, resolutionMs, first, last, overlays, dirty };
    if (first > last || ids.length === 0 || r < 0) return snap;
    const put = (id: number, row: RollupRow): void => {
      let m = overlays.get(id);
      if (m === undefined) overlays.set(id, (m = new Map()));
      m.set(row.bucket, row);
    };
    const wanted = new Set(ids);
    const buffer = this.rows[r]!;
    for (let i = 0; i < buffer.length; i++) {
      const id = buffer.ids[i]!;
      const b = buffer.bucket(i);
      if (b >= first && b <= last && wanted.has(id)) put(id, buffer.row(i));
    }
    const acc = this.acc[r]!;
    for (const id of ids) {
      if (id < acc.state.length && acc.state[id] === ACC_OPEN) {
        const b = acc.bucket(id);
        if (b >= first && b <= last) put(id, acc.row(id));
      }
      for (const set of [this.dirty[r]!, this.refreshing[r]!]) {
        for (const b of set.buckets(id) ?? []) {
          if (b < first || b > last) continue;
          let s = dirty.get(id);
          if (s === undefined) dirty.set(id, (s = new Set()));
          s.add(b);
        }
      }
    }
    return snap;
  }

  /** Rollups of a snapshot's series (in its order), `fields` filled; needs no lock (see `readSnapshotRollups`). */
  read(conn: DuckDBConnection, snap: RollupSnapshot, labelsOf: (id: number) => Labels, fields: readonly RollupField[]): AsyncGenerator<SeriesRollups> {
    return readSnapshotRollups(conn, snap, this.readRaw, labelsOf, fields);
  }
}

function clampLiteral(t: number): string {
  if (t >= Number.MAX_SAFE_INTEGER) return String(Number.MAX_SAFE_INTEGER);
  if (t <= Number.MIN_SAFE_INTEGER) return String(Number.MIN_SAFE_INTEGER);
  return String(Math.floor(t));
}
