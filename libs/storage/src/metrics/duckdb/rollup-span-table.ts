import { DuckDBBlobVector, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { blobCells, forEachRow, openWriter, ROLLUP_FIELD_COLUMNS, ROLLUP_SPAN_TYPES, ROLLUP_TYPES, writeRollupRow, yieldToQueued } from './duckdb-io.js';
import { doubles } from './rollup-columns.js';
import { decodeSpanBuckets, encodeSpanBuckets, SPAN_FIELDS, SPAN_MS, spanBucketCount, spanStart } from './rollup-span-codec.js';
import { decodeSpanFields, encodeSpanFields, planSpanDecode } from './rollup-span-fields.js';

/**
 * The packed rollup table: reads of it, and moves between the two rollup tables (docs/adr/0003,
 * "Packed days"). `rollups` holds a row per (resolution, series, bucket) for the recent,
 * still-changing part; `rollup_spans` rows per (resolution, series, UTC day), a packed BLOB
 * per field, for the buckets of the day behind the maintainer's watermark. A bucket is in
 * exactly one of them: a day is packed in parts as it fills (a row of `rollup_spans` each,
 * the rest of the day still rows), merged into one span once the day is complete. Anything that must
 * change a packed bucket (a dirty bucket's recomputation, a delete, retention cutting through
 * it, a crash recovery re-deriving it) first unpacks its span back into rows, and a later flush
 * packs it again. All of it runs inside the caller's transaction, so a reader (one snapshot for
 * both tables) sees each bucket once.
 */

/**
 * Rows one call packs at most (a flush calls once per resolution), so one flush stays short:
 * ~1 µs a row of SQL and ~0.3 µs to encode it, plus, in the pass that completes a day, the
 * day's parts decoded and encoded again as one span (`packStepMs` in rollup-maintainer.ts). Enough to keep
 * up with 100 k series whose data time runs 150× the wall clock (bench:ingest at 1 M samples/s:
 * ~110 k rows closed per 2 s flush).
 */
export const PACK_ROWS_PER_CALL = 150_000;
/**
 * The encoding hands the store thread's loop back after this many spans (series-days, ~10 ms), so
 * appends and reads wait behind that rather than behind the whole batch's ~0.1 s.
 */
const PACK_SPANS_PER_YIELD = 64;

const FIELD_COLUMNS = ROLLUP_FIELD_COLUMNS.map((c) => `${c}::DOUBLE`).join(', ');

/**
 * A packing pass under way at one resolution: it packs the rows in `[from, to)` (part of one
 * UTC day: `from` was the lowest bucket still in rows when the pass began) for the series in
 * `(afterId, lastId]`, a range of series ids per call. Rows are stored in the order their
 * buckets closed, every series interleaved, so a statement that picks some series scans all
 * the rows in its bucket range: bounding that range to the slice (which DuckDB's zone maps on
 * `bucket` prune to) keeps a call's cost independent of how many rows wait to be packed
 * behind it, and picking series by id range needs no `DISTINCT` over them.
 */
export interface PackPass {
  readonly from: number;
  readonly to: number;
  /** Series up to this id are packed. */
  readonly afterId: number;
  /** The slice's highest series id when the pass began; those added since wait for the next pass. */
  readonly lastId: number;
}

/** What {@link packRollupRows} did: rows packed, and the pass to go on with (`null`: the next call starts one). */
export interface PackResult {
  readonly rows: number;
  readonly pass: PackPass | null;
}

/**
 * Packs about `rowBudget` rows of `rollups` at `resolutionMs` with a bucket before `below` (a
 * bucket boundary) into their days' spans, merged with the part of each day already packed:
 * the next id ranges of `pass`'s series, then (no pass, one finished, or one whose slice
 * reaches past `below`, which moves back when a series starts in the past) those of a new pass
 * over the lowest bucket's day, and so on while the budget lasts. Returns the rows packed (0
 * with a `null` pass: nothing left before `below`). Rows that appear behind a pass (late and
 * recomputed buckets, unpacked spans, the rows of stores written before packing existed) are
 * packed by a later one.
 */
export async function packRollupRows(conn: DuckDBConnection, resolutionMs: number, below: number, pass: PackPass | null = null, rowBudget = PACK_ROWS_PER_CALL): Promise<PackResult> {
  if (below % resolutionMs !== 0) throw new RangeError(`rollups are packed up to a bucket boundary, not ${below}`);
  if (pass !== null && pass.to > below) pass = null;
  let rows = 0;
  // A new pass packs a row at least (its slice's lowest series has one), so this ends.
  while (rows < rowBudget) {
    pass ??= await startPass(conn, resolutionMs, below);
    if (pass === null) break;
    const part = await packPassPart(conn, resolutionMs, pass, rowBudget - rows);
    rows += part.rows;
    pass = part.pass;
    if (pass !== null) break;
  }
  return { rows, pass };
}

/** The next id range of `pass`'s series, about `rowBudget` rows. */
async function packPassPart(conn: DuckDBConnection, resolutionMs: number, pass: PackPass, rowBudget: number): Promise<PackResult> {
  const slice = `resolution_ms = ${resolutionMs} AND bucket >= ${pass.from} AND bucket < ${pass.to}`;
  const { day, wholeDay } = sliceDay(pass);
  // A series costs its rows in the slice and, when the slice completes the day, the buckets of
  // its parts before it (decoded and encoded again, no SQL: a third of a row's cost each).
  const perSeries = (pass.to - pass.from) / resolutionMs + (wholeDay ? (pass.from - day) / resolutionMs / 3 : 0);
  const seriesPerCall = Math.max(1, Math.floor(rowBudget / perSeries));
  const rangeEnd = (after: number): number => Math.min(after + seriesPerCall, pass.lastId);
  let afterId = pass.afterId;
  let rows = await readSliceRows(conn, slice, afterId, rangeEnd(afterId));
  if (rows.n === 0) {
    // No rows in that id range (series without buckets in the slice): on from the next id that has some.
    const next = await minOf(conn, 'series_id', `${slice} AND series_id > ${rangeEnd(afterId)}`);
    if (next === undefined || next > pass.lastId) return { rows: 0, pass: null };
    afterId = next - 1;
    rows = await readSliceRows(conn, slice, afterId, rangeEnd(afterId));
  }
  const throughId = rangeEnd(afterId);
  await packDay(conn, resolutionMs, pass, afterId, throughId, rows);
  await conn.run(`DELETE FROM rollups WHERE ${slice} AND series_id > ${afterId} AND series_id <= ${throughId}`);
  return { rows: rows.n, pass: throughId >= pass.lastId ? null : { ...pass, afterId: throughId } };
}

/** The day `pass`'s slice lies in, and whether the slice completes it (reaches its end). */
function sliceDay(pass: PackPass): { day: number; wholeDay: boolean } {
  const day = spanStart(pass.from);
  return { day, wholeDay: pass.to === day + SPAN_MS };
}

/** A pass over the day of the lowest bucket in rows before `below`, or `null` when there is none. */
async function startPass(conn: DuckDBConnection, resolutionMs: number, below: number): Promise<PackPass | null> {
  const from = await minOf(conn, 'bucket', `resolution_ms = ${resolutionMs} AND bucket < ${below}`);
  if (from === undefined) return null;
  const to = Math.min(below, spanStart(from) + SPAN_MS);
  let pass: PackPass | null = null;
  await forEachRow(conn, `SELECT min(series_id)::DOUBLE, max(series_id)::DOUBLE FROM rollups WHERE resolution_ms = ${resolutionMs} AND bucket >= ${from} AND bucket < ${to}`, (get) => {
    const [lo, hi] = [get(0), get(1)];
    if (typeof lo === 'number' && typeof hi === 'number') pass = { from, to, afterId: lo - 1, lastId: hi };
  });
  return pass;
}

/** The lowest `column` of the `rollups` rows matching `where`, or `undefined` when none does. */
async function minOf(conn: DuckDBConnection, column: 'bucket' | 'series_id', where: string): Promise<number | undefined> {
  let min: number | undefined;
  await forEachRow(conn, `SELECT min(${column})::DOUBLE FROM rollups WHERE ${where}`, (get) => {
    const v = get(0);
    if (typeof v === 'number') min = v;
  });
  return min;
}

/** Rows of `slice` for the series in `(afterId, throughId]`, by series and bucket: `ids`, `buckets`, then the fields in {@link SPAN_FIELDS} order. */
interface SliceRows {
  readonly n: number;
  readonly ids: Float64Array;
  readonly buckets: Float64Array;
  readonly fields: Float64Array[];
}

async function readSliceRows(conn: DuckDBConnection, slice: string, afterId: number, throughId: number): Promise<SliceRows> {
  const result = await conn.run(`SELECT series_id::DOUBLE, bucket::DOUBLE, ${FIELD_COLUMNS} FROM rollups WHERE ${slice} AND series_id > ${afterId} AND series_id <= ${throughId} ORDER BY series_id, bucket`);
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
  return { n, ids, buckets, fields };
}

/**
 * Packs `rows` (those of `pass`'s slice) for the series in `(afterId, throughId]` into spans
 * of the slice's day. Most series get a new part of the day (its earlier parts
 * stay as they were: nothing is decoded or encoded again); the parts of a series whose rows
 * fall among a part's buckets (late and recomputed buckets) are merged with its rows into one
 * span. When the slice completes the day, every series' parts in the range are
 * merged into one span, so a day settles as one span a series: a read of a long range decodes
 * a span a day, and each bucket is encoded twice (in its part, then in its day) rather than
 * once for every part of the day that follows it.
 */
async function packDay(conn: DuckDBConnection, resolutionMs: number, pass: PackPass, afterId: number, throughId: number, rows: SliceRows): Promise<void> {
  const { day, wholeDay } = sliceDay(pass);
  const { n, ids, buckets, fields } = rows;
  const spanRange = `resolution_ms = ${resolutionMs} AND series_id > ${afterId} AND series_id <= ${throughId} AND span_start = ${day}`;
  const merged = wholeDay ? await readParts(conn, spanRange) : await partsAmongRows(conn, spanRange, rows, pass.from, pass.to);
  const mergedIds = [...merged.keys()];
  const spans: PackedSpan[] = [];
  let a = 0;
  let sinceYield = 0;
  const encodeSpan = (id: number, span: SpanRows): void => {
    const blobs = [encodeSpanBuckets(day, resolutionMs, span.buckets, span.from, span.count), ...encodeSpanFields(span.fields, span.from, span.count, span.buckets)];
    spans.push({ id, day, blobs, first: span.buckets[span.from]!, last: span.buckets[span.from + span.count - 1]! });
  };
  while (a < n) {
    // Appends and reads on the store thread run between batches of series, as between the
    // flush's other data chunks (the rows are this call's own arrays).
    if (++sinceYield === PACK_SPANS_PER_YIELD) {
      sinceYield = 0;
      await yieldToQueued();
    }
    const id = ids[a]!;
    let e = a + 1;
    while (e < n && ids[e] === id) e++;
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
    const parts = merged.get(id);
    let span: SpanRows = { buckets, fields, from: a, count: w - a };
    if (parts !== undefined) {
      span = mergeRows(decodeParts(parts, resolutionMs), buckets, fields, a, w);
      merged.delete(id);
    }
    encodeSpan(id, span);
    a = e;
  }
  // Series of a completed day without rows in it: their parts merged, a single one as it was.
  for (const [id, parts] of merged) {
    if (parts.length === 1) spans.push(parts[0]!);
    else encodeSpan(id, decodeParts(parts, resolutionMs));
  }
  if (spans.length === 0) return;
  // A range DELETE costs a fraction of one that joins a list of keys: a completed day's spans
  // are all deleted and written again (those without rows as they were).
  if (wholeDay) await conn.run(`DELETE FROM rollup_spans WHERE ${spanRange}`);
  else if (mergedIds.length > 0) await conn.run(`DELETE FROM rollup_spans WHERE ${spanRange} AND series_id IN (${mergedIds.join(', ')})`);
  const out = await openWriter(conn, 'rollup_spans', ROLLUP_SPAN_TYPES);
  for (const s of spans) {
    out.set(0, resolutionMs);
    out.set(1, s.id);
    out.set(2, BigInt(s.day));
    out.set(3, BigInt(s.first));
    out.set(4, BigInt(s.last));
    for (let b = 0; b < s.blobs.length; b++) out.set(5 + b, s.blobs[b]!);
    if (out.endRow()) await yieldToQueued();
  }
  out.close();
}

/** A span of one series and day: its bucket BLOB, then its fields' in {@link SPAN_FIELDS} order. */
interface PackedSpan {
  readonly id: number;
  readonly day: number;
  readonly first: number;
  readonly last: number;
  readonly blobs: Uint8Array[];
}

/** The spans matching `where`, by series (a day's parts in no particular order). */
async function readParts(conn: DuckDBConnection, where: string): Promise<Map<number, PackedSpan[]>> {
  const out = new Map<number, PackedSpan[]>();
  const result = await conn.run(
    `SELECT series_id::DOUBLE, span_start::DOUBLE, first_bucket::DOUBLE, last_bucket::DOUBLE, buckets, ${ROLLUP_FIELD_COLUMNS.join(', ')} FROM rollup_spans WHERE ${where}`,
  );
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const [sid, day, first, last] = [0, 1, 2, 3].map((c) => doubles(chunk.getColumnVector(c), rows)) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const cells = blobColumns(chunk, 4, rows);
    for (let r = 0; r < rows; r++) {
      const span = { id: sid[r]!, day: day[r]!, first: first[r]!, last: last[r]!, blobs: cells.map((col) => col[r]!) };
      const parts = out.get(span.id);
      if (parts === undefined) out.set(span.id, [span]);
      else parts.push(span);
    }
  }
  return out;
}

/**
 * The parts matching `where` of the series whose rows' first and last bucket enclose some of a
 * part's (late or recomputed buckets: rarely any), by series: merged with the rows, so that
 * the parts of a day never overlap. Only the parts' bounds are read for the others.
 */
async function partsAmongRows(conn: DuckDBConnection, where: string, rows: SliceRows, from: number, to: number): Promise<Map<number, PackedSpan[]>> {
  const among = new Set<number>();
  // Only a part reaching into the slice `[from, to)` can enclose a row's bucket: usually none.
  const reaching = `${where} AND last_bucket >= ${from} AND first_bucket < ${to}`;
  await forEachRow(conn, `SELECT series_id::DOUBLE, first_bucket::DOUBLE, last_bucket::DOUBLE FROM rollup_spans WHERE ${reaching}`, (get) => {
    const id = get(0) as number;
    const [first, last] = rowBounds(rows, id);
    if (first <= (get(2) as number) && last >= (get(1) as number)) among.add(id);
  });
  return among.size === 0 ? new Map() : readParts(conn, `${where} AND series_id IN (${[...among].join(', ')})`);
}

/** The first and last bucket of series `id`'s rows in `rows` (by series and bucket); `[Infinity, -Infinity]`: none. */
function rowBounds(rows: SliceRows, id: number): [number, number] {
  const { ids, buckets, n } = rows;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  if (lo === n || ids[lo] !== id) return [Infinity, -Infinity];
  let e = lo + 1;
  while (e < n && ids[e] === id) e++;
  return [buckets[lo]!, buckets[e - 1]!];
}

function blobColumns(chunk: DuckDBDataChunk, from: number, rows: number): Uint8Array[][] {
  const cells: Uint8Array[][] = [];
  for (let c = from; c < chunk.columnCount; c++) {
    const vector = chunk.getColumnVector(c);
    if (!(vector instanceof DuckDBBlobVector)) throw new Error(`rollup_spans column ${c} read as ${vector.type.toString()}, not BLOB`);
    cells.push(blobCells(vector, rows));
  }
  return cells;
}

/** Columns of a span's rows: `buckets`, then the fields in {@link SPAN_FIELDS} order, rows `[from, from + count)`. */
interface SpanRows {
  readonly buckets: Float64Array;
  readonly fields: Float64Array[];
  readonly from: number;
  readonly count: number;
}

const ALL_FIELDS = planSpanDecode(SPAN_FIELDS.map((_, f) => f));

/** Every bucket and field of a span (its bucket BLOB, then the fields' in {@link SPAN_FIELDS} order). */
function decodeWholeSpan(blobs: readonly Uint8Array[], start: number, resolutionMs: number): SpanRows {
  const n = spanBucketCount(blobs[0]!);
  const buckets = new Float64Array(n);
  const fields = SPAN_FIELDS.map(() => new Float64Array(n));
  decodeSpanInto(blobs, start, resolutionMs, buckets, fields, 0);
  return { buckets, fields, from: 0, count: n };
}

/** Decodes every bucket and field of a span into `buckets` and `fields` from `at`; returns its bucket count. */
function decodeSpanInto(blobs: readonly Uint8Array[], start: number, resolutionMs: number, buckets: Float64Array, fields: readonly Float64Array[], at: number): number {
  const n = decodeSpanBuckets(blobs[0]!, start, resolutionMs, buckets, at, -Infinity, Infinity, new Int32Array(2));
  decodeSpanFields(
    ALL_FIELDS,
    ALL_FIELDS.fields.map((f) => blobs[f + 1]!),
    0,
    0,
    n,
    fields,
    at,
    buckets,
  );
  return n;
}

/** Every bucket and field of a day's parts, by bucket (where parts overlap, a later-starting part's bucket replaces an earlier one's). */
function decodeParts(parts: readonly PackedSpan[], resolutionMs: number): SpanRows {
  const sorted = [...parts].sort((x, y) => x.first - y.first);
  let disjoint = true;
  for (let k = 1; k < sorted.length; k++) if (sorted[k]!.first <= sorted[k - 1]!.last) disjoint = false;
  if (!disjoint) {
    let span = decodeWholeSpan(sorted[0]!.blobs, sorted[0]!.day, resolutionMs);
    for (let k = 1; k < sorted.length; k++) {
      const next = decodeWholeSpan(sorted[k]!.blobs, sorted[k]!.day, resolutionMs);
      span = mergeRows(span, next.buckets, next.fields, 0, next.count);
    }
    return span;
  }
  // The usual case: each part decoded straight after the one before, in one set of columns.
  let n = 0;
  for (const p of sorted) n += spanBucketCount(p.blobs[0]!);
  const buckets = new Float64Array(n);
  const fields = SPAN_FIELDS.map(() => new Float64Array(n));
  let at = 0;
  for (const p of sorted) at += decodeSpanInto(p.blobs, p.day, resolutionMs, buckets, fields, at);
  return { buckets, fields, from: 0, count: n };
}

/** A packed span's rows and rows `[a, e)` of `buckets`/`fields`, by bucket; a row replaces a packed bucket. */
function mergeRows(span: SpanRows, buckets: Float64Array, fields: readonly Float64Array[], a: number, e: number): SpanRows {
  const cap = span.count + e - a;
  const mb = new Float64Array(cap);
  const mf = SPAN_FIELDS.map(() => new Float64Array(cap));
  let m = 0;
  let i = 0;
  let j = a;
  while (i < span.count || j < e) {
    const fromRow = j < e && (i >= span.count || buckets[j]! <= span.buckets[i]!);
    if (fromRow) {
      if (i < span.count && buckets[j] === span.buckets[i]) i++;
      mb[m] = buckets[j]!;
      for (let f = 0; f < mf.length; f++) mf[f]![m] = fields[f]![j]!;
      j++;
    } else {
      mb[m] = span.buckets[i]!;
      for (let f = 0; f < mf.length; f++) mf[f]![m] = span.fields[f]![i]!;
      i++;
    }
    m++;
  }
  return { buckets: mb, fields: mf, from: 0, count: m };
}

/**
 * Moves the spans matching `where` (a condition on `rollup_spans` columns) back into rows of
 * `rollups`; returns how many spans were unpacked.
 */
export async function unpackRollupSpans(conn: DuckDBConnection, where: string): Promise<number> {
  const spans: { res: number; id: number; start: number; blobs: Uint8Array[] }[] = [];
  const result = await conn.run(`SELECT resolution_ms::DOUBLE, series_id::DOUBLE, span_start::DOUBLE, buckets, ${ROLLUP_FIELD_COLUMNS.join(', ')} FROM rollup_spans WHERE ${where}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const [res, sid, start] = [0, 1, 2].map((c) => doubles(chunk.getColumnVector(c), rows)) as [Float64Array, Float64Array, Float64Array];
    const cells = blobColumns(chunk, 3, rows);
    for (let r = 0; r < rows; r++) spans.push({ res: res[r]!, id: sid[r]!, start: start[r]!, blobs: cells.map((col) => col[r]!) });
  }
  if (spans.length === 0) return 0;
  const out = await openWriter(conn, 'rollups', ROLLUP_TYPES);
  for (const s of spans) {
    const { buckets, fields, count: n } = decodeWholeSpan(s.blobs, s.start, s.res);
    for (let i = 0; i < n; i++) {
      const [count, sum, min, max, firstTs, firstValue, lastTs, lastValue, increase] = fields.map((c) => c[i]!) as [number, number, number, number, number, number, number, number, number];
      writeRollupRow(out, s.res, s.id, { bucket: buckets[i]!, count, sum, min, max, firstTs, firstValue, lastTs, lastValue, increase });
    }
  }
  out.close();
  await conn.run(`DELETE FROM rollup_spans WHERE ${where}`);
  return spans.length;
}
