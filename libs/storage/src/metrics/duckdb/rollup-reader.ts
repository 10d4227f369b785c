import type { DuckDBConnection } from '@duckdb/node-api';
import type { Labels } from '#pharos/metric-model';
import { ROLLUP_FIELDS, type RollupField, type SeriesRollups } from '../port.js';
import { idList } from './duckdb-io.js';
import { ColumnSlabs, readRowChunks, readSpanBlobs, SlotIndex, type RowChunks, type SpanBlobs } from './rollup-columns.js';
import { decodeSpanBuckets, SPAN_FIELDS } from './rollup-span-codec.js';
import { decodeSpanFields, planSpanDecode } from './rollup-span-fields.js';
import type { Run } from './chunk-head.js';
import { computeRollups, type RollupRow } from './rollups.js';

/**
 * The read side of the rollup tables, column by column and only the columns asked for. A 7 d
 * panel reads ~2,000 five-minute buckets for each of its series, so the cost is per bucket:
 * no object per row, no sort in DuckDB, no copy per series. Buckets behind the maintainer's
 * watermark are packed, a BLOB per series, day and field (`rollup_spans`, rollup-span-codec.ts),
 * and decoded straight into place (with the fields the asked ones are coded against,
 * rollup-span-fields.ts); the recent hours are rows (`rollups`), later than the spans of their
 * day. One read transaction fetches the spans' BLOBs (streamed) and the rows (as DuckDB's data
 * chunks, counted per series as they arrive); every series then gets its columns, sized for
 * its spans' buckets in the range, its stored rows and the maintainer's in-memory rows, from
 * slabs shared by the series of the read (not zero-filled: every place handed out is written);
 * spans are decoded into them in bucket order, and the rows are scattered after them. Each
 * series' answer is views of its columns.
 *
 * The table is written in bucket-closing order (interleaved by series), so the scatter is a
 * counting sort by series; a series with no gap (count = span) has each row put at its
 * bucket's place, any other is sorted after (only series whose dirty buckets were rewritten).
 *
 * The maintainer's in-memory state (rows not yet written, open buckets, dirty marks) comes as
 * a snapshot taken under the store's lock (`RollupMaintainer.snapshot`); everything here runs
 * without it, so flushes do not wait for a read.
 */

/** Table column of each field. */
const COLUMN: Readonly<Record<RollupField, string>> = {
  count: 'count',
  sum: 'sum',
  min: 'min',
  max: 'max',
  firstTimestamp: 'first_ts',
  firstValue: 'first_value',
  lastTimestamp: 'last_ts',
  lastValue: 'last_value',
  increase: 'increase',
};

/** `RollupRow` key of each field. */
export const ROW_KEY: Readonly<Record<RollupField, Exclude<keyof RollupRow, 'bucket'>>> = {
  count: 'count',
  sum: 'sum',
  min: 'min',
  max: 'max',
  firstTimestamp: 'firstTs',
  firstValue: 'firstValue',
  lastTimestamp: 'lastTs',
  lastValue: 'lastValue',
  increase: 'increase',
};

const EMPTY = new Float64Array(0);
/** Series per read: bounds the columns one read allocates (~2,000 buckets × 8 bytes × fields each at 5 m over 7 d). */
const BATCH = 1000;

/**
 * `fields` of a `RollupQuery` in `SeriesRollups` order without repeats (absent: all); an
 * unknown name is refused rather than answered with an empty column.
 */
export function normalizeFields(fields: readonly string[] | undefined): readonly RollupField[] {
  if (fields === undefined) return ROLLUP_FIELDS;
  for (const f of fields) if (!Object.hasOwn(COLUMN, f)) throw new Error(`unknown rollup field "${f}" (known: ${ROLLUP_FIELDS.join(', ')})`);
  return ROLLUP_FIELDS.filter((f) => fields.includes(f));
}

/** What memory holds over one series' stored rows. */
export interface SeriesOverlay {
  /** Rows sorted by bucket; each replaces a stored row of the same bucket. */
  readonly rows: readonly RollupRow[];
  /** Buckets whose stored rows are stale (dirty): dropped unless `rows` has them. */
  readonly dropped?: ReadonlySet<number>;
}

/**
 * Rollups of `ids` at `resolutionMs` with a bucket in `[first, last]`, stored rows merged
 * with `overlays`, as one answer per series with any row (in `ids` order). `fields` are
 * filled, the other fields are empty. The columns are views of slabs shared by the series of
 * this call and owned by its caller alone.
 */
export async function readSeriesRollups(
  conn: DuckDBConnection,
  resolutionMs: number,
  ids: readonly number[],
  first: number,
  last: number,
  fields: readonly RollupField[],
  overlays: ReadonlyMap<number, SeriesOverlay>,
  labelsOf: (id: number) => Labels,
): Promise<SeriesRollups[]> {
  const read = async (dense: boolean): Promise<StoredRows> => readStored(conn, resolutionMs, ids, first, last, fields, overlays, dense);
  let stored = await read(true);
  // A series whose count matched its span but held a bucket twice (the table never should)
  // left a hole: placed in arrival order and sorted instead.
  if (stored.holes) stored = await read(false);
  const out: SeriesRollups[] = [];
  for (let i = 0; i < ids.length; i++) {
    const cols = stored.cols[i];
    if (cols === undefined) continue;
    let n = stored.stored[i]!;
    if (stored.ordered[i] !== 1 && !ascending(cols[0]!, 0, n)) sortRun(cols, 0, n);
    const overlay = overlays.get(ids[i]!);
    if (overlay !== undefined) n = merge(cols, fields, 0, n, overlay);
    // Places left by overlay rows that replaced stored ones: never handed out, but not left uninitialized.
    if (n < cols[0]!.length) for (const col of cols) col.fill(0, n);
    if (n === 0) continue;
    const view = (f: RollupField): Float64Array => {
      const c = fields.indexOf(f);
      return c < 0 ? EMPTY : cols[c + 1]!.subarray(0, n);
    };
    out.push({
      labels: labelsOf(ids[i]!),
      bucketStarts: cols[0]!.subarray(0, n),
      count: view('count'),
      sum: view('sum'),
      min: view('min'),
      max: view('max'),
      firstTimestamp: view('firstTimestamp'),
      firstValue: view('firstValue'),
      lastTimestamp: view('lastTimestamp'),
      lastValue: view('lastValue'),
      increase: view('increase'),
    });
  }
  return out;
}

/**
 * Stored buckets of a batch: series i's are `[0, stored[i])` of each of its columns (its
 * packed spans' buckets, then its rows), with room for its overlay after them; undefined for a
 * series with neither.
 */
interface StoredRows {
  /** Per series: `[bucketStarts, ...fields]`. */
  readonly cols: (Float64Array[] | undefined)[];
  readonly stored: Int32Array;
  /** 1: the series' buckets are known to ascend (its spans follow each other, its rows are dense and after them). */
  readonly ordered: Uint8Array;
  /** A series placed by bucket has a place no row filled. */
  readonly holes: boolean;
}

async function readStored(
  conn: DuckDBConnection,
  resolutionMs: number,
  ids: readonly number[],
  first: number,
  last: number,
  fields: readonly RollupField[],
  overlays: ReadonlyMap<number, SeriesOverlay>,
  placeDense: boolean,
): Promise<StoredRows> {
  const inBatch = `resolution_ms = ${resolutionMs} AND series_id IN ${idList(ids)}`;
  const slots = new SlotIndex(ids);
  const plan = planSpanDecode(fields.map((f) => SPAN_FIELDS.indexOf(f)));
  let spans: SpanBlobs;
  let rows: RowChunks;
  // One snapshot for the spans and the rows: a flush may commit between the statements.
  await conn.run('BEGIN TRANSACTION');
  try {
    spans = await readSpanBlobs(conn, `${inBatch} AND last_bucket >= ${first} AND first_bucket <= ${last}`, plan.fields, slots, ids.length, resolutionMs, first, last);
    rows = await readRowChunks(conn, `${inBatch} AND bucket BETWEEN ${first} AND ${last}`, fields.map((f) => COLUMN[f]), slots, ids.length);
  } finally {
    await conn.run('COMMIT');
  }
  const { counts, lo, hi } = rows;
  const cols: (Float64Array[] | undefined)[] = new Array(ids.length);
  const into: (Float64Array[] | undefined)[] = new Array(ids.length);
  const slabs = new ColumnSlabs();
  for (let i = 0; i < ids.length; i++) {
    const n = spans.buckets[i]! + counts[i]! + (overlays.get(ids[i]!)?.rows.length ?? 0);
    if (n === 0) continue;
    const c = slabs.take(fields.length + 1, n);
    cols[i] = c;
    into[i] = c.slice(1);
  }
  slabs.finish();
  // Spans in (series, first bucket) order, each decoded straight into its series' columns.
  const spanFill = new Int32Array(ids.length);
  const ordered = new Uint8Array(ids.length).fill(1);
  const lastDecoded = new Float64Array(ids.length).fill(-Infinity);
  const range = new Int32Array(2);
  const width = spans.width;
  for (let j = 0; j < spans.order.length; j++) {
    const k = spans.order[j]!;
    const s = spans.slot[k]!;
    const at = spanFill[s]!;
    const buckets = cols[s]![0]!;
    const n = decodeSpanBuckets(spans.blobs[k * width]!, spans.start[k]!, resolutionMs, buckets, at, first, last, range);
    if (n === 0) continue;
    spanFill[s] = at + n;
    decodeSpanFields(plan, spans.blobs, k * width + 1, range[0]!, range[1]!, into[s]!, at, buckets);
    // A span's buckets ascend (the codec's invariant); spans in first-bucket order follow each other unless they overlap.
    if (!(buckets[at]! > lastDecoded[s]!)) ordered[s] = 0;
    lastDecoded[s] = buckets[at + n - 1]!;
  }
  // Rows after their series' spans. A series whose rows fill every bucket from its first to
  // its last (the usual case) has each put at its bucket's place; any other in arrival order,
  // sorted after (unfilled places of dense series stay NaN: a repeated bucket shows as a hole).
  const denseFrom = new Float64Array(ids.length).fill(Number.NaN);
  const fill = spanFill.slice();
  for (let i = 0; i < ids.length; i++) {
    if (counts[i]! === 0) continue;
    if (placeDense && (hi[i]! - lo[i]!) / resolutionMs + 1 === counts[i]!) denseFrom[i] = lo[i]!;
    if (!(denseFrom[i]! > lastDecoded[i]!)) ordered[i] = 0;
    cols[i]![0]!.fill(Number.NaN, spanFill[i], spanFill[i]! + counts[i]!);
  }
  for (const chunk of rows.chunks) {
    const n = chunk.slot.length;
    const slot = chunk.slot;
    const src = chunk.cols;
    const bucket = src[0]!;
    for (let k = 0; k < n; k++) {
      const s = slot[k]!;
      const from = denseFrom[s]!;
      const base = spanFill[s]!;
      const p = from === from ? base + (bucket[k]! - from) / resolutionMs : fill[s]!++;
      if (!(p >= base && p < base + counts[s]!)) throw new Error(`rollup rows of series ${ids[s]} changed during a read`);
      const dst = cols[s]!;
      for (let c = 0; c < dst.length; c++) dst[c]![p] = src[c]![k]!;
    }
  }
  let holes = false;
  for (let i = 0; i < ids.length && !holes; i++) {
    if (denseFrom[i] !== denseFrom[i]) continue;
    const buckets = cols[i]![0]!;
    for (let p = spanFill[i]!; p < spanFill[i]! + counts[i]!; p++) if (buckets[p] !== buckets[p]) holes = true;
  }
  const stored = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) stored[i] = spanFill[i]! + counts[i]!;
  return { cols, stored, ordered, holes };
}

/** Whether `[from, to)` is sorted with every place filled (a NaN is a hole). */
function ascending(buckets: Float64Array, from: number, to: number): boolean {
  if (from < to && buckets[from] !== buckets[from]) return false;
  for (let i = from + 1; i < to; i++) if (!(buckets[i]! >= buckets[i - 1]!)) return false;
  return true;
}

/** Sorts rows `[a, a + n)` of every column by bucket (stable): a series whose dirty buckets were rewritten. */
function sortRun(cols: Float64Array[], a: number, n: number): void {
  const buckets = cols[0]!;
  const order = Array.from({ length: n }, (_, k) => a + k).sort((x, y) => buckets[x]! - buckets[y]! || x - y);
  const tmp = new Float64Array(n);
  for (const col of cols) {
    for (let k = 0; k < n; k++) tmp[k] = col[order[k]!]!;
    col.set(tmp, a);
  }
}

/**
 * Merges `overlay` into the sorted rows `[a, a + n)`, in place (the slot has room for every
 * overlay row); returns the series' row count. Overlay rows replace stored rows of their
 * bucket, stored rows of dropped buckets go.
 */
function merge(cols: Float64Array[], fields: readonly RollupField[], a: number, n: number, overlay: SeriesOverlay): number {
  const rows = overlay.rows;
  const dropped = overlay.dropped !== undefined && overlay.dropped.size > 0 ? overlay.dropped : undefined;
  const buckets = cols[0]!;
  const put = (at: number, r: RollupRow): void => {
    buckets[at] = r.bucket;
    for (let c = 0; c < fields.length; c++) cols[c + 1]![at] = r[ROW_KEY[fields[c]!]];
  };
  // The usual case: rows newer than every stored one (open and not yet written buckets).
  if (dropped === undefined && (n === 0 || rows.length === 0 || rows[0]!.bucket > buckets[a + n - 1]!)) {
    for (let j = 0; j < rows.length; j++) put(a + n + j, rows[j]!);
    return n + rows.length;
  }
  // Otherwise merged into scratch columns, then copied back over the slot.
  const merged = cols.map(() => new Float64Array(n + rows.length));
  let m = 0;
  let i = a;
  let j = 0;
  while (i < a + n || j < rows.length) {
    if (j < rows.length && (i >= a + n || rows[j]!.bucket <= buckets[i]!)) {
      if (i < a + n && rows[j]!.bucket === buckets[i]!) i++;
      const r = rows[j++]!;
      merged[0]![m] = r.bucket;
      for (let c = 0; c < fields.length; c++) merged[c + 1]![m] = r[ROW_KEY[fields[c]!]];
      m++;
    } else {
      if (dropped === undefined || !dropped.has(buckets[i]!)) {
        for (let c = 0; c < cols.length; c++) merged[c]![m] = cols[c]![i]!;
        m++;
      }
      i++;
    }
  }
  for (let c = 0; c < cols.length; c++) cols[c]!.set(merged[c]!.subarray(0, m), a);
  return m;
}

/**
 * Rollups of a snapshot's series (in its order): stored rows, overlaid with its in-memory
 * rows, dirty buckets recomputed from raw (`readRaw`); only `fields` are filled. Needs no
 * lock: the snapshot is all of the maintainer's state it reads.
 */
export async function* readSnapshotRollups(
  conn: DuckDBConnection,
  snap: RollupSnapshot,
  readRaw: RawReader,
  labelsOf: (id: number) => Labels,
  fields: readonly RollupField[],
): AsyncGenerator<SeriesRollups> {
  const { ids, resolutionMs, first, last } = snap;
  if (first > last) return;
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const overlays = new Map<number, Map<number, RollupRow>>();
    for (const id of batch) {
      const m = snap.overlays.get(id);
      if (m !== undefined) overlays.set(id, new Map(m));
    }
    let lo = Infinity;
    let hi = -Infinity;
    const dirtyIds: number[] = [];
    for (const id of batch) {
      const set = snap.dirty.get(id);
      if (set === undefined) continue;
      dirtyIds.push(id);
      for (const b of set) (lo = Math.min(lo, b)), (hi = Math.max(hi, b));
    }
    if (dirtyIds.length > 0) {
      const data = await readRaw(conn, dirtyIds, lo, hi + resolutionMs - 1);
      for (const id of dirtyIds) {
        const wanted = snap.dirty.get(id)!;
        let m = overlays.get(id);
        if (m !== undefined) for (const b of wanted) m.delete(b);
        const run = data.get(id);
        if (run === undefined) continue;
        for (const row of computeRollups(run[0], run[1], run[2], resolutionMs, (b) => wanted.has(b))) {
          if (m === undefined) overlays.set(id, (m = new Map()));
          m.set(row.bucket, row);
        }
      }
    }
    const merged = new Map<number, SeriesOverlay>();
    for (const id of batch) {
      const m = overlays.get(id);
      const dropped = snap.dirty.get(id);
      if (m === undefined && dropped === undefined) continue;
      merged.set(id, { rows: m === undefined ? [] : [...m.values()].sort((a, b) => a.bucket - b.bucket), ...(dropped === undefined ? {} : { dropped }) });
    }
    yield* await readSeriesRollups(conn, resolutionMs, batch, first, last, fields, merged, labelsOf);
  }
}

/** In-memory rollup state of one read, taken under the store's lock (`RollupMaintainer.snapshot`). */
export interface RollupSnapshot {
  readonly ids: readonly number[];
  readonly resolutionMs: number;
  /** First and last bucket start read. */
  readonly first: number;
  readonly last: number;
  /** Rows held in memory, by series and bucket. */
  readonly overlays: ReadonlyMap<number, ReadonlyMap<number, RollupRow>>;
  /** Dirty (or refreshing) buckets, by series. */
  readonly dirty: ReadonlyMap<number, ReadonlySet<number>>;
}

/** Reads deduplicated float samples of `ids` in `[start, end]` (disk and head). */
export type RawReader = (conn: DuckDBConnection, ids: readonly number[], start: number, end: number) => Promise<Map<number, Run>>;
