import { DuckDBBlobVector, type DuckDBConnection } from '@duckdb/node-api';
import { blobCells, forEachRow, openWriter, ROLLUP_FIELD_COLUMNS, ROLLUP_SPAN_TYPES, ROLLUP_TYPES, writeRollupRow } from './duckdb-io.js';
import { doubles, type SlotIndex } from './rollup-columns.js';
import {
  decodeSpanBuckets,
  decodeSpanField,
  encodeSpanBuckets,
  encodeSpanField,
  isTimestampField,
  SPAN_FIELDS,
  SPAN_MS,
  spanBucketCount,
  spanStart,
} from './rollup-span-codec.js';

/**
 * The packed rollup table: reads of it, and moves between the two rollup tables (docs/adr/0003,
 * "Packed days"). `rollups` holds a row per (resolution, series, bucket) for the recent,
 * still-changing part; `rollup_spans` a row per (resolution, series, UTC day), a packed BLOB
 * per field, once the day lies wholly before the maintainer's watermark. A day of a series is in exactly one of them: anything that must change a packed
 * day (a dirty bucket's recomputation, a delete, retention cutting through it, a crash
 * recovery re-deriving it) first unpacks it back into rows, and a later flush packs it again.
 * All of it runs inside the caller's transaction, so a reader (one snapshot for both tables)
 * sees each day once.
 */

/** Series packed per flush and resolution at most, so one flush stays short: ~0.3 s of CPU for 500 series × 1 day (312 rows each), ~1 µs a row. */
export const PACK_SERIES_PER_FLUSH = 500;

const FIELD_COLUMNS = ROLLUP_FIELD_COLUMNS.map((c) => `${c}::DOUBLE`).join(', ');

/**
 * Packs the rows of `rollups` at `resolutionMs` with a bucket before `below` (a span
 * boundary) for the first {@link PACK_SERIES_PER_FLUSH} series that have any; returns the
 * rows packed (0: nothing left before `below`). Stores written before packing existed are
 * packed this way too, a batch of series per flush.
 */
export async function packRollupRows(conn: DuckDBConnection, resolutionMs: number, below: number): Promise<number> {
  if (below % SPAN_MS !== 0) throw new RangeError(`rollups are packed up to a span boundary, not ${below}`);
  const where = `resolution_ms = ${resolutionMs} AND bucket < ${below}`;
  let maxId = -1;
  await forEachRow(conn, `SELECT max(series_id) FROM (SELECT DISTINCT series_id FROM rollups WHERE ${where} ORDER BY series_id LIMIT ${PACK_SERIES_PER_FLUSH})`, (get) => {
    const id = get(0);
    if (typeof id === 'number') maxId = id;
  });
  if (maxId < 0) return 0;
  // Every series up to maxId with rows before `below` is among the ones picked.
  const picked = `${where} AND series_id <= ${maxId}`;
  const out = await openWriter(conn, 'rollup_spans', ROLLUP_SPAN_TYPES);
  const result = await conn.run(`SELECT series_id::DOUBLE, bucket::DOUBLE, ${FIELD_COLUMNS} FROM rollups WHERE ${picked} ORDER BY series_id, bucket`);
  let cap = 1024;
  let ids = new Float64Array(cap);
  let buckets = new Float64Array(cap);
  let fields = SPAN_FIELDS.map(() => new Float64Array(cap));
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    if (n + rows > cap) {
      cap = Math.max(2 * cap, n + rows);
      const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        const g = new Float64Array(cap);
        g.set(a.subarray(0, n));
        return g;
      };
      ids = grow(ids);
      buckets = grow(buckets);
      fields = fields.map(grow);
    }
    const cols = [ids, buckets, ...fields];
    for (let c = 0; c < cols.length; c++) cols[c]!.set(doubles(chunk.getColumnVector(c), rows), n);
    n += rows;
  }
  let a = 0;
  while (a < n) {
    const id = ids[a]!;
    const day = spanStart(buckets[a]!);
    let e = a + 1;
    while (e < n && ids[e] === id && buckets[e]! < day + SPAN_MS) e++;
    // A bucket twice (the table never should hold one): the later row stands.
    let w = a;
    for (let i = a; i < e; i++) {
      if (i + 1 < e && buckets[i + 1] === buckets[i]) continue;
      if (w !== i) {
        buckets[w] = buckets[i]!;
        for (const f of fields) f[w] = f[i]!;
      }
      w++;
    }
    out.set(0, resolutionMs);
    out.set(1, id);
    out.set(2, BigInt(day));
    out.set(3, BigInt(buckets[a]!));
    out.set(4, BigInt(buckets[w - 1]!));
    out.set(5, encodeSpanBuckets(day, resolutionMs, buckets, a, w - a));
    for (let f = 0; f < fields.length; f++) out.set(6 + f, encodeSpanField(fields[f]!, a, w - a, isTimestampField(f) ? buckets : undefined));
    out.endRow();
    a = e;
  }
  out.close();
  await conn.run(`DELETE FROM rollups WHERE ${picked}`);
  return n;
}

/**
 * Moves the spans matching `where` (a condition on `rollup_spans` columns) back into rows of
 * `rollups`; returns how many spans were unpacked.
 */
export async function unpackRollupSpans(conn: DuckDBConnection, where: string): Promise<number> {
  const spans: { res: number; id: number; start: number; blobs: Uint8Array[] }[] = [];
  const result = await conn.run(`SELECT resolution_ms, series_id, span_start::DOUBLE, buckets, ${ROLLUP_FIELD_COLUMNS.join(', ')} FROM rollup_spans WHERE ${where}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const cells: Uint8Array[][] = [];
    for (let c = 3; c < chunk.columnCount; c++) {
      const vector = chunk.getColumnVector(c);
      if (!(vector instanceof DuckDBBlobVector)) throw new Error(`rollup_spans column ${c} read as ${vector.type.toString()}, not BLOB`);
      cells.push(blobCells(vector, chunk.rowCount));
    }
    for (let r = 0; r < chunk.rowCount; r++) {
      spans.push({
        res: chunk.getColumnVector(0).getItem(r) as number,
        id: chunk.getColumnVector(1).getItem(r) as number,
        start: chunk.getColumnVector(2).getItem(r) as number,
        blobs: cells.map((col) => col[r]!),
      });
    }
  }
  if (spans.length === 0) return 0;
  const out = await openWriter(conn, 'rollups', ROLLUP_TYPES);
  const range = new Int32Array(2);
  for (const s of spans) {
    const n = spanBucketCount(s.blobs[0]!);
    const cols = Array.from({ length: SPAN_FIELDS.length + 1 }, () => new Float64Array(n));
    decodeSpanBuckets(s.blobs[0]!, s.start, s.res, cols[0]!, 0, -Infinity, Infinity, range);
    for (let f = 0; f < SPAN_FIELDS.length; f++) decodeSpanField(s.blobs[f + 1]!, 0, n, cols[f + 1]!, 0, isTimestampField(f) ? cols[0] : undefined);
    for (let i = 0; i < n; i++) {
      const [bucket, count, sum, min, max, firstTs, firstValue, lastTs, lastValue, increase] = cols.map((c) => c[i]!) as [number, number, number, number, number, number, number, number, number, number];
      writeRollupRow(out, s.res, s.id, { bucket, count, sum, min, max, firstTs, firstValue, lastTs, lastValue, increase });
    }
  }
  out.close();
  await conn.run(`DELETE FROM rollup_spans WHERE ${where}`);
  return spans.length;
}

/** Packed spans of a batch: span k (its bucket BLOB, then the fields') belongs to slot `slot[k]`; `order` lists them by slot and day. */
export interface BatchSpans {
  readonly slot: Int32Array;
  readonly start: Float64Array;
  readonly blobs: Uint8Array[][];
  readonly order: Int32Array;
  /** Buckets the spans hold per slot (an upper bound of those in the range). */
  readonly buckets: Int32Array;
}

export async function readSpans(conn: DuckDBConnection, where: string, fields: readonly number[], slots: SlotIndex, count: number): Promise<BatchSpans> {
  const slot: number[] = [];
  const start: number[] = [];
  const blobs: Uint8Array[][] = [];
  const buckets = new Int32Array(count);
  const columns = ['buckets', ...fields.map((f) => ROLLUP_FIELD_COLUMNS[f]!)].join(', ');
  const result = await conn.run(`SELECT series_id::DOUBLE, span_start::DOUBLE, ${columns} FROM rollup_spans WHERE ${where}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const sid = doubles(chunk.getColumnVector(0), rows);
    const day = doubles(chunk.getColumnVector(1), rows);
    const cells: Uint8Array[][] = [];
    for (let c = 2; c < chunk.columnCount; c++) {
      const vector = chunk.getColumnVector(c);
      if (!(vector instanceof DuckDBBlobVector)) throw new Error(`rollup_spans column ${c} read as ${vector.type.toString()}, not BLOB`);
      cells.push(blobCells(vector, rows));
    }
    for (let k = 0; k < rows; k++) {
      const s = slots.of(sid[k]!);
      slot.push(s);
      start.push(day[k]!);
      blobs.push(cells.map((col) => col[k]!));
      buckets[s]! += spanBucketCount(cells[0]![k]!);
    }
  }
  const order = Int32Array.from(slot.keys()).sort((x, y) => slot[x]! - slot[y]! || start[x]! - start[y]!);
  return { slot: Int32Array.from(slot), start: Float64Array.from(start), blobs, order, buckets };
}
