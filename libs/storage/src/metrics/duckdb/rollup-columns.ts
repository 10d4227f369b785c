import { DuckDBBlobVector, DuckDBDoubleVector, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { blobCells, ROLLUP_FIELD_COLUMNS } from './duckdb-io.js';
import { spanRowRange } from './rollup-span-codec.js';

/**
 * Column helpers shared by the rollup reader and the span table, and the reader's fetches: a
 * batch's span BLOBs and rows as DuckDB hands them over, and the slabs its columns come from.
 */

/** Series id → index in the batch: a dense table when the ids are close together (the usual case), else a map. */
export class SlotIndex {
  private readonly base: number;
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(ids: readonly number[]) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of ids) (lo = Math.min(lo, id)), (hi = Math.max(hi, id));
    this.base = lo;
    if (ids.length > 0 && hi - lo < 8 * ids.length + 4096) {
      this.dense = new Int32Array(hi - lo + 1).fill(-1);
      ids.forEach((id, i) => (this.dense![id - lo] = i));
    } else this.sparse = new Map(ids.map((id, i) => [id, i]));
  }

  of(id: number): number {
    const i = this.dense !== undefined ? (this.dense[id - this.base] ?? -1) : (this.sparse!.get(id) ?? -1);
    if (i < 0) throw new Error(`rollup read returned series ${id}, which it did not ask for`);
    return i;
  }
}

/**
 * The vector's values as one Float64Array view (@duckdb/node-api 1.5's
 * `DuckDBDoubleVector.items`, private in its typings): one read per chunk instead of a call
 * per cell. Every column is cast to DOUBLE and NOT NULL, so its items are its values; any
 * other layout is copied cell by cell.
 */
export function doubles(vector: DuckDBVector, rows: number): Float64Array {
  if (!(vector instanceof DuckDBDoubleVector)) throw new Error(`rollup column read as ${vector.type.toString()}, not DOUBLE`);
  const items = (vector as unknown as { readonly items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= rows) return items.subarray(0, rows);
  const copy = new Float64Array(rows);
  for (let k = 0; k < rows; k++) copy[k] = vector.getItem(k) ?? Number.NaN;
  return copy;
}

/**
 * Hands out the series' columns from 1 MiB slabs that are not zero-filled (the reader writes
 * every place it hands out). A 7 d read at 5 m fills ~80 MB of columns for 1,000 counters: as
 * one zero-filled array per column that was fresh memory from the kernel every read (~25–40 ms
 * of page faults); an allocation per series made thousands of ArrayBuffers for the GC to track
 * and free. The slabs are shared by the series of one read only (the port's contract).
 */
export class ColumnSlabs {
  private slab = new Float64Array(0);
  private used = 0;

  /** `columns` Float64Arrays of `n` values each, back to back in one slab. */
  take(columns: number, n: number): Float64Array[] {
    const need = columns * n;
    if (this.used + need > this.slab.length) {
      this.finish();
      const bytes = Buffer.allocUnsafeSlow(8 * Math.max(need, SLAB_VALUES));
      this.slab = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
      this.used = 0;
    }
    const out: Float64Array[] = [];
    for (let c = 0; c < columns; c++) out.push(this.slab.subarray(this.used + c * n, this.used + (c + 1) * n));
    this.used += need;
    return out;
  }

  /** Zeroes the current slab's unused rest: a view's buffer shows no stale memory. */
  finish(): void {
    this.slab.fill(0, this.used);
    this.used = this.slab.length;
  }
}

/** 1 MiB of doubles: about a dozen series of a 7 d read at 5 m, with four fields. */
const SLAB_VALUES = 131_072;

/**
 * Span rows of a batch: the BLOBs of span k are `blobs[k × width, (k + 1) × width)`, its bucket
 * BLOB first, then the plan's fields; `order` lists the spans by series slot and first bucket
 * (a day may have more than one span while its parts wait to be merged).
 */
export interface SpanBlobs {
  readonly width: number;
  readonly blobs: Uint8Array[];
  readonly slot: Int32Array;
  readonly start: Float64Array;
  readonly order: Int32Array;
  /** Buckets of the spans in the range, per slot. */
  readonly buckets: Int32Array;
}

/**
 * The spans of `rollup_spans` matching `where` (bucket BLOB and `fields`' BLOBs, indexes in
 * `SPAN_FIELDS`). Streamed rather than materialized: a materialized result copies every BLOB
 * into DuckDB's result collection first (~29 vs ~17 ms CPU for the 8,000 spans of a 7 d read
 * of 1,000 counters); the streamed chunks are smaller (18 instead of 4 there), but their BLOBs
 * still lie in long contiguous runs that `blobCells` copies in one call each.
 */
export async function readSpanBlobs(
  conn: DuckDBConnection,
  where: string,
  fields: readonly number[],
  slots: SlotIndex,
  count: number,
  resolutionMs: number,
  first: number,
  last: number,
): Promise<SpanBlobs> {
  const width = 1 + fields.length;
  const blobs: Uint8Array[] = [];
  let slot: Int32Array = new Int32Array(256);
  let start: Float64Array = new Float64Array(256);
  let firstBucket: Float64Array = new Float64Array(256);
  let n = 0;
  const buckets = new Int32Array(count);
  const range = new Int32Array(2);
  const columns = ['buckets', ...fields.map((f) => ROLLUP_FIELD_COLUMNS[f]!)].join(', ');
  const result = await conn.stream(`SELECT series_id::DOUBLE, span_start::DOUBLE, first_bucket::DOUBLE, ${columns} FROM rollup_spans WHERE ${where}`);
  let sorted = true;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    if (n + rows > slot.length) {
      const grown = Math.max(2 * slot.length, n + rows);
      slot = grownInt32(slot, grown);
      start = grownFloat64(start, grown);
      firstBucket = grownFloat64(firstBucket, grown);
    }
    const sid = doubles(chunk.getColumnVector(0), rows);
    const day = doubles(chunk.getColumnVector(1), rows);
    const from = doubles(chunk.getColumnVector(2), rows);
    const base = blobs.length;
    blobs.length = base + rows * width;
    for (let c = 0; c < width; c++) {
      const vector = chunk.getColumnVector(3 + c);
      if (!(vector instanceof DuckDBBlobVector)) throw new Error(`rollup_spans column ${3 + c} read as ${vector.type.toString()}, not BLOB`);
      const cells = blobCells(vector, rows);
      for (let k = 0; k < rows; k++) blobs[base + k * width + c] = cells[k]!;
    }
    for (let k = 0; k < rows; k++) {
      const s = slots.of(sid[k]!);
      slot[n] = s;
      start[n] = day[k]!;
      firstBucket[n] = from[k]!;
      if (n > 0 && (s < slot[n - 1]! || (s === slot[n - 1]! && from[k]! <= firstBucket[n - 1]!))) sorted = false;
      buckets[s]! += spanRowRange(blobs[base + k * width]!, day[k]!, resolutionMs, first, last, range);
      n++;
    }
  }
  slot = slot.subarray(0, n);
  start = start.subarray(0, n);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  if (!sorted) order.sort((x, y) => slot[x]! - slot[y]! || firstBucket[x]! - firstBucket[y]!);
  return { width, blobs, slot, start, order, buckets };
}

/** Rows of `rollups` as read, a data chunk at a time, with each series' count and first and last bucket. */
export interface RowChunks {
  /** Per chunk: each row's series slot, and `[bucket, ...fields]`. */
  readonly chunks: { readonly slot: Int32Array; readonly cols: Float64Array[] }[];
  readonly counts: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * The rows of `rollups` matching `where`, `columns` only, kept as DuckDB hands them over
 * (no ORDER BY): the caller sizes each series' slot from the counts and scatters them. One
 * statement; the counts come from the rows (a `GROUP BY` first cost as much again). Materialized
 * rather than streamed: full data chunks, half the chunk fetches.
 */
export async function readRowChunks(conn: DuckDBConnection, where: string, columns: readonly string[], slots: SlotIndex, count: number): Promise<RowChunks> {
  const counts = new Int32Array(count);
  const lo = new Float64Array(count).fill(Infinity);
  const hi = new Float64Array(count).fill(-Infinity);
  const chunks: { slot: Int32Array; cols: Float64Array[] }[] = [];
  const select = ['series_id::DOUBLE', 'bucket::DOUBLE', ...columns.map((c) => `${c}::DOUBLE`)].join(', ');
  const result = await conn.run(`SELECT ${select} FROM rollups WHERE ${where}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const sid = doubles(chunk.getColumnVector(0), rows);
    const cols: Float64Array[] = [];
    for (let c = 1; c < chunk.columnCount; c++) cols.push(doubles(chunk.getColumnVector(c), rows));
    const bucket = cols[0]!;
    const slot = new Int32Array(rows);
    for (let k = 0; k < rows; k++) {
      const s = slots.of(sid[k]!);
      slot[k] = s;
      counts[s]!++;
      const b = bucket[k]!;
      if (b < lo[s]!) lo[s] = b;
      if (b > hi[s]!) hi[s] = b;
    }
    chunks.push({ slot, cols });
  }
  return { chunks, counts, lo, hi };
}

function grownInt32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function grownFloat64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
