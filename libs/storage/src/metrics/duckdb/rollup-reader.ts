import type { DuckDBConnection } from '@duckdb/node-api';
import type { Labels } from '#pharos/metric-model';
import { ROLLUP_FIELDS, type RollupField, type SeriesRollups } from '../port.js';
import { idList } from './duckdb-io.js';
import { doubles, SlotIndex } from './rollup-columns.js';
import { decodeSpanBuckets, SPAN_FIELDS } from './rollup-span-codec.js';
import { decodeSpanFields, planSpanDecode } from './rollup-span-fields.js';
import { readSpans } from './rollup-span-table.js';
import type { Run } from './chunk-head.js';
import { computeRollups, type RollupRow } from './rollups.js';

/**
 * The read side of the rollup tables, column by column and only the columns asked for. A 7 d
 * panel reads ~2,000 five-minute buckets for each of its series, so the cost is per bucket:
 * no object per row, no sort in DuckDB, no copy per series. Buckets behind the maintainer's
 * watermark are packed, a BLOB per series, day and field (`rollup_spans`, rollup-span-codec.ts),
 * and decoded straight into place (with the fields the asked ones are coded against,
 * rollup-span-fields.ts); the recent hours are rows (`rollups`), later than the spans of their
 * day. DuckDB first counts each series' rows; every series then gets a slot of one
 * Float64Array per column, sized for its
 * spans' buckets, its stored rows and the maintainer's in-memory rows; spans are decoded in
 * day order, and the rows are scattered after them as they arrive, a data chunk at a time.
 * Each series' answer is a view of its slot.
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
 * filled, the other fields are empty. The columns are shared by the series of this call and
 * owned by its caller alone.
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
  const { cols, starts, stored: storedCounts } = stored;
  const out: SeriesRollups[] = [];
  for (let i = 0; i < ids.length; i++) {
    const a = starts[i]!;
    let n = storedCounts[i]!;
    if (!ascending(cols[0]!, a, a + n)) sortRun(cols, a, n);
    const overlay = overlays.get(ids[i]!);
    if (overlay !== undefined) n = merge(cols, fields, a, n, overlay);
    if (n === 0) continue;
    const view = (f: RollupField): Float64Array => {
      const c = fields.indexOf(f);
      return c < 0 ? EMPTY : cols[c + 1]!.subarray(a, a + n);
    };
    out.push({
      labels: labelsOf(ids[i]!),
      bucketStarts: cols[0]!.subarray(a, a + n),
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
 * Stored buckets of a batch: series i's are `[starts[i], starts[i] + stored[i])` of each
 * column (its packed spans' buckets, then its rows), room for its overlay after them.
 */
interface StoredRows {
  /** `[bucketStarts, ...fields]`. */
  readonly cols: Float64Array[];
  readonly starts: Int32Array;
  readonly stored: Int32Array;
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
  const where = `${inBatch} AND bucket BETWEEN ${first} AND ${last}`;
  const slots = new SlotIndex(ids);
  const counts = new Int32Array(ids.length);
  const starts = new Int32Array(ids.length + 1);
  /** Where each series' rows go: after its spans' buckets. */
  const rowBase = new Int32Array(ids.length);
  const spanFill = new Int32Array(ids.length);
  // First bucket of a series whose rows fill every bucket from its first to its last (the
  // usual case): its rows go straight to their places. NaN: placed in arrival order, sorted after.
  const denseFrom = new Float64Array(ids.length).fill(Number.NaN);
  // [bucketStarts, ...fields]
  let cols: Float64Array[] = [];
  // One snapshot for the spans, the count and the rows: a flush may commit between the statements.
  await conn.run('BEGIN TRANSACTION');
  try {
    const plan = planSpanDecode(fields.map((f) => SPAN_FIELDS.indexOf(f)));
    const spans = await readSpans(conn, `${inBatch} AND last_bucket >= ${first} AND first_bucket <= ${last}`, plan.fields, slots, ids.length);
    const counted = await conn.run(
      `SELECT series_id::DOUBLE, count(*)::DOUBLE, min(bucket)::DOUBLE, max(bucket)::DOUBLE FROM rollups WHERE ${where} GROUP BY series_id`,
    );
    let stored = 0;
    for (;;) {
      const chunk = await counted.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const rows = chunk.rowCount;
      const sid = doubles(chunk.getColumnVector(0), rows);
      const n = doubles(chunk.getColumnVector(1), rows);
      const lo = doubles(chunk.getColumnVector(2), rows);
      const hi = doubles(chunk.getColumnVector(3), rows);
      for (let k = 0; k < rows; k++) {
        const s = slots.of(sid[k]!);
        counts[s] = n[k]!;
        if (placeDense && (hi[k]! - lo[k]!) / resolutionMs + 1 === n[k]!) denseFrom[s] = lo[k]!;
        stored += n[k]!;
      }
    }
    for (let i = 0; i < ids.length; i++) starts[i + 1] = starts[i]! + spans.buckets[i]! + counts[i]! + (overlays.get(ids[i]!)?.rows.length ?? 0);
    cols = Array.from({ length: fields.length + 1 }, () => new Float64Array(starts[ids.length]!));
    // Spans in (series, day) order, each decoded straight into its series' slot.
    const range = new Int32Array(2);
    const into = cols.slice(1);
    for (const k of spans.order) {
      const s = spans.slot[k]!;
      const at = starts[s]! + spanFill[s]!;
      const blobs = spans.blobs[k]!;
      spanFill[s]! += decodeSpanBuckets(blobs[0]!, spans.start[k]!, resolutionMs, cols[0]!, at, first, last, range);
      decodeSpanFields(plan, blobs, 1, range[0]!, range[1]!, into, at, cols[0]!);
    }
    for (let i = 0; i < ids.length; i++) rowBase[i] = starts[i]! + spanFill[i]!;
    if (stored > 0) {
      const select = ['series_id::DOUBLE', 'bucket::DOUBLE', ...fields.map((f) => `${COLUMN[f]}::DOUBLE`)].join(', ');
      // No ORDER BY: the scatter below sorts by series and bucket in one pass. Materialized
      // rather than streamed: full data chunks, half the chunk fetches.
      const result = await conn.run(`SELECT ${select} FROM rollups WHERE ${where}`);
      const fill = rowBase.slice();
      const buckets = cols[0]!;
      // Unfilled places of dense series stay NaN: a repeated bucket shows (and is sorted out below).
      for (let i = 0; i < ids.length; i++) buckets.fill(Number.NaN, rowBase[i], rowBase[i]! + counts[i]!);
      let at = new Int32Array(2048);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const rows = chunk.rowCount;
        if (at.length < rows) at = new Int32Array(rows);
        const sid = doubles(chunk.getColumnVector(0), rows);
        const bucket = doubles(chunk.getColumnVector(1), rows);
        for (let k = 0; k < rows; k++) {
          const s = slots.of(sid[k]!);
          const from = denseFrom[s]!;
          const p = from === from ? rowBase[s]! + (bucket[k]! - from) / resolutionMs : fill[s]!++;
          if (!(p >= rowBase[s]! && p < rowBase[s]! + counts[s]!)) throw new Error(`rollup rows of series ${sid[k]} changed during a read`);
          at[k] = p;
        }
        for (let c = 0; c < cols.length; c++) {
          const from = c === 0 ? bucket : doubles(chunk.getColumnVector(c + 1), rows);
          const into = cols[c]!;
          for (let k = 0; k < rows; k++) into[at[k]!] = from[k]!;
        }
      }
    }
  } finally {
    await conn.run('COMMIT');
  }
  let holes = false;
  for (let i = 0; i < ids.length && !holes; i++) {
    if (denseFrom[i] !== denseFrom[i]) continue;
    const buckets = cols[0]!;
    for (let p = rowBase[i]!; p < rowBase[i]! + counts[i]!; p++) if (buckets[p] !== buckets[p]) holes = true;
  }
  const total = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) total[i] = spanFill[i]! + counts[i]!;
  return { cols, starts, stored: total, holes };
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
