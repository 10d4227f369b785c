import { DuckDBDoubleVector, type DuckDBConnection } from '@duckdb/node-api';
import type { Labels } from '#pharos/metric-model';
import type { SeriesRollups } from '../port.js';
import { idList } from './duckdb-io.js';
import type { RollupRow } from './rollups.js';

/**
 * The read side of the rollup table, column by column. A 7 d panel reads ~2,000 five-minute
 * buckets for each of its series: building a row object per bucket, a map per series and
 * arrays of numbers (the first version) cost ~2.5 µs a bucket, more than reading the raw
 * samples. Here DuckDB sorts the rows by series and bucket, every column is copied a data
 * chunk at a time from its vector into one Float64Array, and each series' rollups are views
 * of its run of rows, merged with the maintainer's in-memory rows only where it has some.
 */

/** `SeriesRollups` fields in table order after `series_id`. */
const FIELDS = ['bucketStarts', 'count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;
type Field = (typeof FIELDS)[number];
const SELECT =
  'series_id::DOUBLE, bucket::DOUBLE, count::DOUBLE, sum::DOUBLE, min::DOUBLE, max::DOUBLE, ' +
  'first_ts::DOUBLE, first_value::DOUBLE, last_ts::DOUBLE, last_value::DOUBLE, increase::DOUBLE';

/** Stored rows of some series, sorted by (series, bucket); `runOf(id)` is a series' row range. */
export class StoredRollups {
  private readonly runs = new Map<number, [number, number]>();

  /** `ids[i]` is the series of row i. */
  constructor(
    readonly columns: Readonly<Record<Field, Float64Array>>,
    ids: Float64Array,
    length: number,
  ) {
    for (let i = 0; i < length; ) {
      const id = ids[i]!;
      let j = i + 1;
      while (j < length && ids[j] === id) j++;
      this.runs.set(id, [i, j]);
      i = j;
    }
  }

  runOf(id: number): readonly [number, number] | undefined {
    return this.runs.get(id);
  }
}

/**
 * Rows of `ids` at `resolutionMs` with a bucket in `[first, last]`, sorted by series and
 * bucket. DuckDB sorts them (a stable counting sort here, plus sorting each series whose
 * rewritten buckets break insertion order, cost about twice the CPU of DuckDB's sort on
 * 2 M rows).
 */
export async function readStoredRollups(conn: DuckDBConnection, resolutionMs: number, ids: readonly number[], first: number, last: number): Promise<StoredRollups> {
  const where = `resolution_ms = ${resolutionMs} AND series_id IN ${idList(ids)} AND bucket BETWEEN ${first} AND ${last}`;
  // Counted first (DuckDB reads two narrow columns for it), so the columns are allocated once.
  let capacity = 1;
  const counted = await conn.stream(`SELECT count(*)::DOUBLE FROM rollups WHERE ${where}`);
  const countChunk = await counted.fetchChunk();
  if (countChunk !== null && countChunk.rowCount > 0) capacity = Math.max(1, Number(countChunk.getColumnVector(0).getItem(0) ?? 1));
  let idCol: Float64Array = new Float64Array(capacity);
  let cols: Float64Array[] = FIELDS.map(() => new Float64Array(capacity));
  let n = 0;
  const result = await conn.stream(`SELECT ${SELECT} FROM rollups WHERE ${where} ORDER BY series_id, bucket`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    if (n + rows > capacity) {
      // Rows written since the count.
      capacity = Math.max(n + rows, capacity * 2);
      idCol = grow(idCol, capacity, n);
      cols = cols.map((c) => grow(c, capacity, n));
    }
    for (let c = 0; c <= FIELDS.length; c++) {
      const vector = chunk.getColumnVector(c);
      // Every column is cast to DOUBLE and NOT NULL: its items are the values.
      if (!(vector instanceof DuckDBDoubleVector)) throw new Error(`rollup column ${c} read as ${vector.type.toString()}, not DOUBLE`);
      const into = c === 0 ? idCol : cols[c - 1]!;
      const items = itemsOf(vector, rows);
      if (items !== undefined) into.set(items, n);
      else for (let k = 0; k < rows; k++) into[n + k] = vector.getItem(k) ?? Number.NaN;
    }
    n += rows;
  }
  const columns = Object.fromEntries(FIELDS.map((f, i) => [f, cols[i]!])) as Record<Field, Float64Array>;
  return new StoredRollups(columns, idCol, n);
}

/**
 * The vector's values as one Float64Array view, when the vector keeps them so
 * (@duckdb/node-api 1.5's `DuckDBDoubleVector.items`, private in its typings): one copy per
 * column and chunk instead of a call per cell. Any other layout takes the per-cell path.
 */
function itemsOf(vector: DuckDBDoubleVector, rows: number): Float64Array | undefined {
  const items = (vector as unknown as { readonly items?: unknown }).items;
  return items instanceof Float64Array && items.length >= rows ? items.subarray(0, rows) : undefined;
}

function grow(a: Float64Array, capacity: number, used: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a.subarray(0, used));
  return b;
}

/**
 * One series' rollups: its stored rows (`run` of `stored`) without the buckets in `dropped`,
 * merged with `overlay` (rows sorted by bucket that replace stored ones of the same bucket).
 * Without an overlay or drops, the columns are views of the stored read (owned by this query
 * alone, so the port's ownership rule holds).
 */
export function seriesRollups(
  labels: Labels,
  stored: StoredRollups | undefined,
  run: readonly [number, number] | undefined,
  overlay: readonly RollupRow[],
  dropped: ReadonlySet<number> | undefined,
): SeriesRollups | undefined {
  const [a, b] = run ?? [0, 0];
  if (overlay.length === 0 && (dropped === undefined || dropped.size === 0)) {
    if (stored === undefined || b === a) return undefined;
    const c = stored.columns;
    return {
      labels,
      bucketStarts: c.bucketStarts.subarray(a, b),
      count: c.count.subarray(a, b),
      sum: c.sum.subarray(a, b),
      min: c.min.subarray(a, b),
      max: c.max.subarray(a, b),
      firstTimestamp: c.firstTimestamp.subarray(a, b),
      firstValue: c.firstValue.subarray(a, b),
      lastTimestamp: c.lastTimestamp.subarray(a, b),
      lastValue: c.lastValue.subarray(a, b),
      increase: c.increase.subarray(a, b),
    };
  }
  const size = b - a + overlay.length;
  const out = Object.fromEntries(FIELDS.map((f) => [f, new Float64Array(size)])) as Record<Field, Float64Array>;
  let n = 0;
  let j = 0;
  const putRow = (r: RollupRow): void => {
    out.bucketStarts[n] = r.bucket;
    out.count[n] = r.count;
    out.sum[n] = r.sum;
    out.min[n] = r.min;
    out.max[n] = r.max;
    out.firstTimestamp[n] = r.firstTs;
    out.firstValue[n] = r.firstValue;
    out.lastTimestamp[n] = r.lastTs;
    out.lastValue[n] = r.lastValue;
    out.increase[n] = r.increase;
    n++;
  };
  // Stored rows go over in runs (one copy per column), broken where an overlay row or a drop falls.
  let from = a;
  const copyRun = (to: number): void => {
    if (to <= from) return;
    for (const f of FIELDS) out[f].set(stored!.columns[f].subarray(from, to), n);
    n += to - from;
  };
  const buckets = stored?.columns.bucketStarts;
  const drops = dropped !== undefined && dropped.size > 0 ? dropped : undefined;
  for (let i = a; i < b; i++) {
    const bucket = buckets![i]!;
    const replaced = j < overlay.length && overlay[j]!.bucket <= bucket;
    if (!replaced && (drops === undefined || !drops.has(bucket))) continue;
    copyRun(i);
    from = i + 1;
    while (j < overlay.length && overlay[j]!.bucket < bucket) putRow(overlay[j++]!);
    if (j < overlay.length && overlay[j]!.bucket === bucket) putRow(overlay[j++]!);
    else if (drops === undefined || !drops.has(bucket)) from = i;
  }
  copyRun(b);
  while (j < overlay.length) putRow(overlay[j++]!);
  if (n === 0) return undefined;
  return {
    labels,
    bucketStarts: out.bucketStarts.subarray(0, n),
    count: out.count.subarray(0, n),
    sum: out.sum.subarray(0, n),
    min: out.min.subarray(0, n),
    max: out.max.subarray(0, n),
    firstTimestamp: out.firstTimestamp.subarray(0, n),
    firstValue: out.firstValue.subarray(0, n),
    lastTimestamp: out.lastTimestamp.subarray(0, n),
    lastValue: out.lastValue.subarray(0, n),
    increase: out.increase.subarray(0, n),
  };
}
