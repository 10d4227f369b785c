import { BIGINT, BLOB, DOUBLE, DuckDBBlobValue, DuckDBBlobVector, DuckDBDataChunk, INTEGER, UINTEGER, USMALLINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBPreparedStatement, DuckDBResult, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import type { RollupRow } from './rollups.js';

/**
 * Tables. Float samples live in `chunks`, one row per compressed chunk of one series (see
 * chunk-codec.ts), written sorted by series within each flush; `head_log` holds the bytes the
 * open head chunks gained per flush (see ChunkHead.packLog). Series ids are global, so data
 * rows carry no tenant. Histograms are one BLOB per sample (see histogram-codec).
 */
export const SCHEMA = [
  // `labels` is the series key or JSON (see `storedLabels`); `ref` its 16-byte series ref
  // (ADR 0010), NULL only in rows written before the column existed until `open` fills them.
  `CREATE TABLE IF NOT EXISTS series (id UINTEGER NOT NULL, tenant VARCHAR NOT NULL, labels VARCHAR NOT NULL, ref BLOB)`,
  `ALTER TABLE series ADD COLUMN IF NOT EXISTS ref BLOB`,
  `CREATE TABLE IF NOT EXISTS chunks (series_id UINTEGER NOT NULL, min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL, count USMALLINT NOT NULL, data BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS head_log (seq BIGINT NOT NULL, data BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS histograms (series_id UINTEGER NOT NULL, ts BIGINT NOT NULL, h BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rollups (resolution_ms INTEGER NOT NULL, series_id UINTEGER NOT NULL, bucket BIGINT NOT NULL,
     count DOUBLE, sum DOUBLE, min DOUBLE, max DOUBLE, first_ts BIGINT, first_value DOUBLE,
     last_ts BIGINT, last_value DOUBLE, increase DOUBLE)`,
  // Rollups behind the maintainer's watermark, packed: rows per resolution, series and UTC day
  // (a part per pack step while the day fills, merged into one row once it is complete), a BLOB per field
  // (rollup-span-codec.ts); packed buckets are no longer in `rollups`, and a read merges the
  // two (rollup-span-table.ts).
  `CREATE TABLE IF NOT EXISTS rollup_spans (resolution_ms INTEGER NOT NULL, series_id UINTEGER NOT NULL, span_start BIGINT NOT NULL,
     first_bucket BIGINT NOT NULL, last_bucket BIGINT NOT NULL, buckets BLOB NOT NULL, count BLOB NOT NULL, sum BLOB NOT NULL,
     min BLOB NOT NULL, max BLOB NOT NULL, first_ts BLOB NOT NULL, first_value BLOB NOT NULL, last_ts BLOB NOT NULL,
     last_value BLOB NOT NULL, increase BLOB NOT NULL)`,
  // Dirty rollup buckets persisted with the data that dirtied them; see ADR 0003.
  `CREATE TABLE IF NOT EXISTS rollup_pending (resolution_ms INTEGER NOT NULL, series_id UINTEGER NOT NULL, bucket BIGINT NOT NULL)`,
  // Staging for the (resolution, series, bucket) keys a rollup refresh replaces; always empty between transactions.
  `CREATE TABLE IF NOT EXISTS rollup_refresh (resolution_ms INTEGER NOT NULL, series_id UINTEGER NOT NULL, bucket BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS exemplars (series_id UINTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL, labels VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS metadata (tenant VARCHAR NOT NULL, metric VARCHAR NOT NULL, type VARCHAR NOT NULL, help VARCHAR NOT NULL, unit VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS retention (tenant VARCHAR PRIMARY KEY, retention_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value DOUBLE NOT NULL)`,
];

const ROWS_PER_CHUNK = 2048;

/**
 * Writes columns through an appender in 2,048-row data chunks: several times faster than
 * row-by-row appends (STACK.md) and no per-row objects besides the BIGINT conversion.
 */
export class ChunkWriter {
  private readonly columns: { type: DuckDBType; values: (number | bigint | DuckDBBlobValue | string)[] }[];
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    types: readonly DuckDBType[],
  ) {
    this.columns = types.map((type) => ({ type, values: new Array(ROWS_PER_CHUNK) }));
  }

  /** Sets column `c` of the current row; call {@link endRow} after the last column. */
  set(c: number, value: number | bigint | Uint8Array | string): void {
    this.columns[c]!.values[this.rows] = value instanceof Uint8Array ? new DuckDBBlobValue(value) : value;
  }

  /**
   * Ends the row; returns whether that filled a data chunk and handed it to the appender. A
   * flush's loops await {@link yieldToQueued} then, so that one data chunk (2,048 rows, a
   * millisecond or two), not a wave of a million rows, is what an append waits behind.
   */
  endRow(): boolean {
    if (++this.rows < ROWS_PER_CHUNK) return false;
    this.emit();
    return true;
  }

  close(): void {
    this.emit();
    this.appender.flushSync();
    this.appender.closeSync();
  }

  private emit(): void {
    if (this.rows === 0) return;
    const chunk = DuckDBDataChunk.create(
      this.columns.map((c) => c.type),
      this.rows,
    );
    for (let c = 0; c < this.columns.length; c++) {
      const vector = chunk.getColumnVector(c);
      const values = this.columns[c]!.values;
      for (let r = 0; r < this.rows; r++) vector.setItem(r, values[r] as never);
      vector.flush();
    }
    this.appender.appendDataChunk(chunk);
    this.rows = 0;
  }
}

/**
 * Resolves once the event loop has run what was queued before it (appends and reads on the
 * store thread). A flush snapshots its inputs synchronously first, so what it writes does not
 * change while appends run between its data chunks (see DuckDBMetricStore.flushLocked).
 */
export function yieldToQueued(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const CHUNK_TYPES = [UINTEGER, BIGINT, BIGINT, USMALLINT, BLOB] as const;
export const HEAD_LOG_TYPES = [BIGINT, BLOB] as const;
export const HISTOGRAM_TYPES = [UINTEGER, BIGINT, BLOB] as const;
export const SERIES_TYPES = [UINTEGER, VARCHAR, VARCHAR, BLOB] as const;
export const PENDING_TYPES = [INTEGER, UINTEGER, BIGINT] as const;
export const ROLLUP_TYPES = [INTEGER, UINTEGER, BIGINT, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BIGINT, DOUBLE, BIGINT, DOUBLE, DOUBLE] as const;
export const ROLLUP_SPAN_TYPES = [INTEGER, UINTEGER, BIGINT, BIGINT, BIGINT, BLOB, BLOB, BLOB, BLOB, BLOB, BLOB, BLOB, BLOB, BLOB, BLOB] as const;
/** Field columns of `rollups` and `rollup_spans`, in `SPAN_FIELDS` (the port's `RollupField`) order. */
export const ROLLUP_FIELD_COLUMNS = ['count', 'sum', 'min', 'max', 'first_ts', 'first_value', 'last_ts', 'last_value', 'increase'] as const;

export async function openWriter(conn: DuckDBConnection, table: string, types: readonly DuckDBType[]): Promise<ChunkWriter> {
  return new ChunkWriter(await conn.createAppender(table), types);
}

/** Returns whether the row filled a data chunk (see {@link ChunkWriter.endRow}). */
export function writeRollupRow(w: ChunkWriter, resolutionMs: number, id: number, r: RollupRow): boolean {
  w.set(0, resolutionMs);
  w.set(1, id);
  w.set(2, BigInt(r.bucket));
  w.set(3, r.count);
  w.set(4, r.sum);
  w.set(5, r.min);
  w.set(6, r.max);
  w.set(7, BigInt(r.firstTs));
  w.set(8, r.firstValue);
  w.set(9, BigInt(r.lastTs));
  w.set(10, r.lastValue);
  w.set(11, r.increase);
  return w.endRow();
}

/** Rows of a query as plain JS numbers/strings/bytes, chunk by chunk (no row objects). */
export async function forEachRow(
  conn: DuckDBConnection,
  sql: string,
  onRow: (get: (column: number) => unknown) => void,
): Promise<void> {
  await readRows(await conn.stream(sql), onRow);
}

/** Statements kept prepared per connection; a dashboard repeats the same few reads. */
const STATEMENTS_PER_CONNECTION = 64;
const preparedByConnection = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/**
 * {@link forEachRow} for a statement whose `$1…$n` are BIGINT parameters (time bounds), kept
 * prepared on `conn` by its text: parsing and planning the SQL on every read cost a refresh
 * about as much as reading its rows (`prepare` and `extractStatements` in its CPU profile).
 * Callers own `conn` for the duration (one statement runs on a connection at a time).
 */
export async function forEachPreparedRow(
  conn: DuckDBConnection,
  sql: string,
  params: readonly number[],
  onRow: (get: (column: number) => unknown) => void,
): Promise<void> {
  await readRows(await streamPrepared(conn, sql, params), onRow);
}

/**
 * The result of a prepared read (as {@link forEachPreparedRow}) a data chunk at a time: hot
 * readers take the columns straight from DuckDB's vectors, without a getter call and type
 * tests per cell. `vectors` are valid during the call only. Streamed: for reads of any size
 * (loading the series table at open); see {@link forEachMaterializedChunk} for sample reads.
 */
export async function forEachPreparedChunk(
  conn: DuckDBConnection,
  sql: string,
  params: readonly number[],
  onChunk: (rowCount: number, vectors: readonly DuckDBVector[]) => void,
): Promise<void> {
  const result = await streamPrepared(conn, sql, params);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const vectors: DuckDBVector[] = [];
    for (let c = 0; c < chunk.columnCount; c++) vectors.push(chunk.getColumnVector(c));
    onChunk(chunk.rowCount, vectors);
  }
}

/** Data chunks (2,048 rows) a materialized read takes in between two looks at the event loop. */
const YIELD_EVERY_CHUNKS = 8;

/**
 * {@link forEachPreparedChunk} over a materialized result: one asynchronous call (DuckDB's
 * threads scanning in parallel), then its chunks walked synchronously. A streamed result costs
 * a round trip through the thread pool and the event loop per data chunk, and a selective
 * scan of the chunks table returns ~150 chunks of a few hundred rows: with queries evaluating
 * beside it, each trip waited for a turn of the event loop, and a 4-series read took ~0.5 s
 * to arrive. Materialized, the same scans cost as much CPU or less (4 series: 4.4 against
 * 12.9 ms; 1,000: 26.9 against 25.6; 4,250: 59.8 against 65.6); the whole result is held
 * until the call returns, so it is for reads whose rows the caller keeps anyway.
 */
export async function forEachMaterializedChunk(
  conn: DuckDBConnection,
  sql: string,
  params: readonly number[],
  onChunk: (rowCount: number, vectors: readonly DuckDBVector[]) => void,
): Promise<void> {
  const result = await (await boundStatement(conn, sql, params)).run();
  const chunks = result.chunkCount;
  for (let k = 0; k < chunks; k++) {
    // A cold read's rows take ~1 µs each to take in: let queries beside it run every ~16,000.
    if (k > 0 && k % YIELD_EVERY_CHUNKS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const chunk = result.getChunk(k);
    if (chunk.rowCount === 0) continue;
    const vectors: DuckDBVector[] = [];
    for (let c = 0; c < chunk.columnCount; c++) vectors.push(chunk.getColumnVector(c));
    onChunk(chunk.rowCount, vectors);
  }
}

async function streamPrepared(conn: DuckDBConnection, sql: string, params: readonly number[]): Promise<DuckDBResult> {
  return (await boundStatement(conn, sql, params)).stream();
}

/** `sql` prepared on `conn` (kept, most recently used last) with `params` bound. */
async function boundStatement(conn: DuckDBConnection, sql: string, params: readonly number[]): Promise<DuckDBPreparedStatement> {
  let cache = preparedByConnection.get(conn);
  if (cache === undefined) preparedByConnection.set(conn, (cache = new Map()));
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = await conn.prepare(sql);
    if (cache.size >= STATEMENTS_PER_CONNECTION) {
      const [oldestSql, oldest] = cache.entries().next().value!;
      cache.delete(oldestSql);
      oldest.destroySync();
    }
  } else cache.delete(sql);
  // Most recently used last.
  cache.set(sql, statement);
  for (let i = 0; i < params.length; i++) statement.bindBigInt(i + 1, BigInt(params[i]!));
  return statement;
}

async function readRows(result: DuckDBResult, onRow: (get: (column: number) => unknown) => void): Promise<void> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const vectors: DuckDBVector[] = Array.from({ length: chunk.columnCount }, (_, c) => chunk.getColumnVector(c));
    let row = 0;
    const get = (c: number): unknown => {
      const vector = vectors[c]!;
      if (vector instanceof DuckDBBlobVector) return blobBytes(vector, row);
      const v = vector.getItem(row);
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof DuckDBBlobValue) return v.bytes;
      return v;
    };
    for (row = 0; row < chunk.rowCount; row++) onRow(get);
  }
}

/**
 * A BLOB cell's bytes without `getItem`'s extra copy and value object. Payloads of up to 12
 * bytes are stored inline in the vector, whose memory goes with the data chunk: those are
 * copied so the caller may keep them past the next fetch.
 */
export function blobBytes(vector: DuckDBBlobVector, row: number): Uint8Array | null {
  const bytes = vector.getItemBytes(row);
  return bytes !== null && bytes.length <= 12 ? bytes.slice() : bytes;
}

/** Bytes of a `duckdb_string_t` cell: a 4-byte length, then the payload inline (≤ 12 bytes) or a 4-byte prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_BYTES = 12;

/**
 * The BLOB cells of rows `[0, rowCount)` of a vector from a NOT NULL column, copied out of
 * DuckDB's memory so they outlive the data chunk.
 *
 * Copying cell by cell (`getItemBytes`) costs a native call and an ArrayBuffer per cell: ~0.6 µs,
 * which for a cold read of 80,000 chunk rows was more than DuckDB's own scan. A scan returns
 * the payloads of consecutive rows mostly back to back in memory, so runs of cells whose
 * pointers continue each other are copied with one call and handed out as views of the copy.
 * Only runs proven contiguous (each pointer is the previous one plus its length) are copied
 * that way, so every byte copied belongs to a cell of the run; anything else takes the
 * per-cell path, as does a vector whose layout is not the one this relies on
 * (@duckdb/node-api 1.5's `DuckDBBlobVector`, which keeps the cells in `dataView`).
 */
export function blobCells(vector: DuckDBBlobVector, rowCount: number): Uint8Array[] {
  const out = new Array<Uint8Array>(rowCount);
  const view = (vector as unknown as { dataView?: unknown }).dataView;
  if (!(view instanceof DataView) || view.byteLength < rowCount * STRING_T_BYTES) {
    for (let r = 0; r < rowCount; r++) out[r] = notNull(blobBytes(vector, r), r);
    return out;
  }
  const pointerAt = (cell: number): number => view.getUint32(cell + 12, true) * 4294967296 + view.getUint32(cell + 8, true);
  let r = 0;
  while (r < rowCount) {
    const cell = r * STRING_T_BYTES;
    const len = view.getUint32(cell, true);
    if (len <= INLINE_BYTES) {
      // A run of inline cells (a span's bucket BLOB, constant and derived fields: 5–11 bytes)
      // is copied into one buffer and handed out as views, not an ArrayBuffer per cell.
      let e = r + 1;
      let total = len;
      while (e < rowCount && view.getUint32(e * STRING_T_BYTES, true) <= INLINE_BYTES) total += view.getUint32(e++ * STRING_T_BYTES, true);
      const bytes = new Uint8Array(total);
      const src = new Uint8Array(view.buffer, view.byteOffset, rowCount * STRING_T_BYTES);
      let at = 0;
      for (; r < e; r++) {
        const n = view.getUint32(r * STRING_T_BYTES, true);
        const from = r * STRING_T_BYTES + 4;
        for (let k = 0; k < n; k++) bytes[at + k] = src[from + k]!;
        out[r] = bytes.subarray(at, at + n);
        at += n;
      }
      continue;
    }
    const first = pointerAt(cell);
    let total = len;
    let e = r + 1;
    while (e < rowCount) {
      const next = e * STRING_T_BYTES;
      const nextLen = view.getUint32(next, true);
      if (nextLen <= INLINE_BYTES || pointerAt(next) !== first + total) break;
      total += nextLen;
      e++;
    }
    // Reads the pointer of cell r and copies `total` bytes from it: cells r … e - 1 back to back.
    const bytes = bindings.get_data_from_pointer(view.buffer as ArrayBuffer, view.byteOffset + cell + 8, total);
    let at = 0;
    for (; r < e; r++) {
      const n = view.getUint32(r * STRING_T_BYTES, true);
      out[r] = bytes.subarray(at, at + n);
      at += n;
    }
  }
  return out;
}

function notNull(bytes: Uint8Array | null, row: number): Uint8Array {
  if (bytes === null) throw new Error(`BLOB cell ${row} is NULL in a column read as NOT NULL`);
  return bytes;
}

/** A millisecond bound as a BIGINT-safe integer. */
export function msBound(t: number, round: 'ceil' | 'floor'): number {
  if (t === Infinity || t > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (t === -Infinity || t < Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  return round === 'ceil' ? Math.ceil(t) : Math.floor(t);
}

/** SQL literal for a millisecond bound, clamped to BIGINT-safe integers. */
export function msLiteral(t: number, round: 'ceil' | 'floor'): string {
  return String(msBound(t, round));
}

/** SQL literal for a string. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `IN (…)` list of series ids: integers we generated, so inlining them is safe. */
export function idList(ids: readonly number[]): string {
  return `(${ids.join(',')})`;
}
