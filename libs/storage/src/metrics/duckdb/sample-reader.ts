import { DuckDBBlobVector, type DuckDBConnection } from '@duckdb/node-api';
import { chunkHas, type ChunkHead, type Run } from './chunk-head.js';
import { decodeHistogram } from './histogram-codec.js';
import { mergeHistogramRuns, type HistogramBlock, type HistogramPoint } from './histogram-head.js';
import { blobCells, forEachMaterializedChunk, forEachPreparedRow, forEachRow, idList, msBound, msLiteral } from './duckdb-io.js';
import { SampleRead } from './sample-read.js';
import { ChunkRows } from './series-assembly.js';

/** Series read per SQL statement: keeps `IN` lists and result sets bounded. */
export const READ_BATCH_SERIES = 1000;

export interface SeriesData {
  readonly samples: Map<number, Run>;
  readonly histograms: Map<number, HistogramPoint[]>;
}

/**
 * SQL condition selecting chunk rows of `ids` that overlap `[start, end]`. Dense
 * id lists become a `BETWEEN` (cheaper to parse and to scan than a long `IN` list); callers
 * then ignore rows of ids they did not ask for; `exact` (deletes) always lists the ids.
 */
export function chunkOverlap(ids: readonly number[], start: number, end: number, exact = false): string {
  const range = exact ? undefined : denseRange(ids);
  const which = range !== undefined ? `series_id BETWEEN ${range[0]} AND ${range[1]}` : `series_id IN ${idList(ids)}`;
  return `${which} AND max_ts >= ${msLiteral(start, 'ceil')} AND min_ts <= ${msLiteral(end, 'floor')}`;
}

/** `[first, last]` of `ids` when they fill at least half of that span, so a `BETWEEN` reads few rows of other series. */
function denseRange(ids: readonly number[]): [number, number] | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const id of ids) {
    if (id < first) first = id;
    if (id > last) last = id;
  }
  return last - first + 1 <= 2 * ids.length ? [first, last] : undefined;
}

/** At most this many `BETWEEN`s in a read's id condition; more scattered ids are listed. */
const MAX_ID_RANGES = 16;

/**
 * `[lo, hi, lo, hi, …]`: at most {@link MAX_ID_RANGES} ranges covering `ids` (runs of
 * consecutive ids, the smallest gaps between them closed), or undefined when they would span
 * more than twice as many ids as asked for (the rows of the others are read, then skipped).
 * DuckDB plans a prepared statement again at each execution, and a long `IN` list cost ~3 µs
 * an id to plan: 3 ms of a refresh that reads 50 rows; a few ranges cost ~0.5 ms.
 */
export function idRanges(ids: readonly number[]): number[] | undefined {
  if (ids.length === 0) return undefined;
  const sorted = Float64Array.from(ids).sort();
  const runs: number[] = [sorted[0]!, sorted[0]!];
  for (let i = 1; i < sorted.length; i++) {
    const id = sorted[i]!;
    if (id === runs[runs.length - 1]! + 1) runs[runs.length - 1] = id;
    else if (id !== runs[runs.length - 1]) runs.push(id, id);
  }
  let ranges = runs;
  const count = runs.length / 2;
  if (count > MAX_ID_RANGES) {
    // Close the count - MAX_ID_RANGES smallest gaps: the fewest ids read in vain.
    const gapOrder = Array.from({ length: count - 1 }, (_, k) => k + 1);
    gapOrder.sort((x, y) => runs[2 * x]! - runs[2 * x - 1]! - (runs[2 * y]! - runs[2 * y - 1]!));
    const closed = new Uint8Array(count);
    for (let j = 0; j < count - MAX_ID_RANGES; j++) closed[gapOrder[j]!] = 1;
    ranges = [runs[0]!, runs[1]!];
    for (let k = 1; k < count; k++) {
      if (closed[k] === 1) ranges[ranges.length - 1] = runs[2 * k + 1]!;
      else ranges.push(runs[2 * k]!, runs[2 * k + 1]!);
    }
  }
  let span = 0;
  for (let k = 0; k < ranges.length; k += 2) span += ranges[k + 1]! - ranges[k]! + 1;
  return span <= 2 * sorted.length ? ranges : undefined;
}

/**
 * A prepared read of rows of `ids` (`$1`, `$2` are the caller's time bounds): ids that a few
 * ranges cover share one statement per range count, the ranges bound from `$3` on; scattered
 * ones list their ids, so each set has its statement (a dashboard repeats the same sets).
 * Rows of ids not asked for may come back; callers skip them.
 */
export function preparedIdRead(sql: (ids: string) => string, ids: readonly number[], bounds: [number, number]): { sql: string; params: number[] } {
  const ranges = idRanges(ids);
  if (ranges === undefined) return { sql: sql(`series_id IN ${idList(ids)}`), params: bounds };
  const between: string[] = [];
  for (let k = 0; k < ranges.length; k += 2) between.push(`series_id BETWEEN $${k + 3} AND $${k + 4}`);
  return { sql: sql(between.length === 1 ? between[0]! : `(${between.join(' OR ')})`), params: [...bounds, ...ranges] };
}

/**
 * Float samples of `ids` in `[start, end]`: chunks on disk that overlap the range, decoded,
 * merged with the head's chunks and out-of-order buffer; duplicates (a replay, or a chunk
 * written twice around a crash) resolved with the port's rule. The head is read before the
 * query so a flush committing meanwhile shows its samples at least once.
 *
 * Rows are taken from DuckDB's vectors column by column (timestamps cast to DOUBLE in SQL: no
 * BigInt per cell) and kept as columns until every row of a series is known; each series is
 * then assembled at its exact size (see `assembleSeries`).
 *
 * With `headTracksDisk` (the store, whose head sees every chunk committed: see
 * {@link ChunkHead.diskMaxT}) series with nothing on disk at or after `start` but the chunks
 * the head keeps are read from the head alone, and a read none of whose series needs the
 * disk (a dashboard refresh, whose window lies in the newest chunks) runs no SQL at all. The
 * bound is taken as each series' head is read, so a flush committing meanwhile cannot hide
 * samples.
 */
export async function readSamples(
  conn: DuckDBConnection,
  head: ChunkHead,
  ids: readonly number[],
  start: number,
  end: number,
  headTracksDisk = false,
): Promise<Map<number, Run>> {
  const read = await readSampleRows(conn, head, ids, start, end, headTracksDisk);
  const out = new Map<number, Run>();
  for (let s = 0; s < ids.length; s++) {
    const run = read.take(s);
    if (run !== undefined) out.set(ids[s]!, run);
  }
  return out;
}

/**
 * Fetches into `rows` the chunk rows of `ids` overlapping `[start, end]` (`slotOf`: each id's
 * slot), as {@link readSampleRows}' own statement does; the store's `ChunkScanner` shares one
 * scan among concurrent reads.
 */
export type ChunkRowSource = (ids: readonly number[], slotOf: ReadonlyMap<number, number>, start: number, end: number, rows: ChunkRows) => Promise<void>;

/**
 * The rows of a {@link readSamples} read (same arguments and rules), fetched and grouped by
 * series; the samples are decoded by {@link SampleRead.take}. `source` fetches the chunk rows
 * instead of a statement on `conn`.
 */
export async function readSampleRows(
  conn: DuckDBConnection,
  head: ChunkHead,
  ids: readonly number[],
  start: number,
  end: number,
  headTracksDisk = false,
  source?: ChunkRowSource,
): Promise<SampleRead> {
  const headRuns: (Run[] | undefined)[] = new Array<Run[] | undefined>(ids.length);
  const rows = new ChunkRows();
  if (ids.length === 0 || start > end) return new SampleRead(rows, new Int32Array(ids.length + 1), new Int32Array(0), headRuns, start, end);
  const slotOf = new Map<number, number>();
  const onDisk: number[] = [];
  let list: Run[] = [];
  for (let s = 0; s < ids.length; s++) {
    const id = ids[s]!;
    const disk = !headTracksDisk || head.diskMaxT(id) >= start;
    head.collect(id, start, end, list, !disk);
    if (list.length > 0) {
      headRuns[s] = list;
      list = [];
    }
    if (!disk) continue;
    slotOf.set(id, s);
    onDisk.push(id);
  }
  if (onDisk.length > 0 && source !== undefined) await source(onDisk, slotOf, start, end, rows);
  else if (onDisk.length > 0) {
    const read = preparedIdRead(
      (which) => `SELECT series_id, min_ts::DOUBLE, max_ts::DOUBLE, count, data FROM chunks WHERE ${which} AND max_ts >= $1 AND min_ts <= $2`,
      onDisk,
      [msBound(start, 'ceil'), msBound(end, 'floor')],
    );
    await forEachMaterializedChunk(conn, read.sql, read.params, (rowCount, [idCol, minCol, maxCol, countCol, dataCol]) => {
      if (!(dataCol instanceof DuckDBBlobVector)) throw new Error(`chunks.data read as ${dataCol?.type.toString()}, not BLOB`);
      const data = blobCells(dataCol, rowCount);
      for (let r = 0; r < rowCount; r++) {
        // A dense span may include series not asked for.
        const slot = slotOf.get(idCol!.getItem(r) as number);
        if (slot === undefined) continue;
        rows.push(slot, minCol!.getItem(r) as number, maxCol!.getItem(r) as number, countCol!.getItem(r) as number, data[r]!);
      }
    });
  }
  const { first, order } = rows.groupBySlot(ids.length);
  return new SampleRead(rows, first, order, headRuns, start, end);
}

/** Native histograms of `ids` in `[start, end]`, disk merged with the head generations `blocks`. */
export async function readHistograms(
  conn: DuckDBConnection,
  blocks: readonly HistogramBlock[],
  ids: readonly number[],
  start: number,
  end: number,
): Promise<Map<number, HistogramPoint[]>> {
  const out = new Map<number, HistogramPoint[]>();
  if (ids.length === 0 || start > end) return out;
  const heads = new Map<number, HistogramPoint[][]>();
  for (const id of ids) {
    for (const block of blocks) {
      const list = block.series(id);
      if (list === undefined) continue;
      const inRange = list.filter((p) => p.t >= start && p.t <= end);
      if (inRange.length === 0) continue;
      let runs = heads.get(id);
      if (runs === undefined) heads.set(id, (runs = []));
      runs.push(inRange);
    }
  }
  const stored = new Map<number, HistogramPoint[]>();
  const wanted = new Set(ids);
  const read = preparedIdRead(
    (which) => `SELECT series_id, ts, h FROM histograms WHERE ${which} AND ts BETWEEN $1 AND $2 ORDER BY series_id, ts`,
    ids,
    [msBound(start, 'ceil'), msBound(end, 'floor')],
  );
  await forEachPreparedRow(conn, read.sql, read.params, (get) => {
    const id = get(0) as number;
    // A dense span may include series not asked for.
    if (!wanted.has(id)) return;
    let list = stored.get(id);
    if (list === undefined) stored.set(id, (list = []));
    list.push({ t: get(1) as number, h: decodeHistogram(get(2) as Uint8Array) });
  });
  for (const id of ids) {
    const runs = heads.get(id) ?? [];
    const s = stored.get(id);
    if (s !== undefined) runs.push(s);
    if (runs.length === 0) continue;
    const merged = mergeHistogramRuns(runs);
    if (merged.length > 0) out.set(id, merged);
  }
  return out;
}

/**
 * Which of `ids` hold any sample in `[start, end]`, flushed or in the head. Used by the
 * metadata queries (`series`, `labelNames`, `labelValues`) so they answer exactly; chunks
 * are decoded only when the range lies strictly inside them.
 */
export async function seriesWithData(
  conn: DuckDBConnection,
  head: ChunkHead,
  blocks: readonly HistogramBlock[],
  ids: readonly number[],
  start: number,
  end: number,
): Promise<Set<number>> {
  const found = new Set<number>();
  const unknown: number[] = [];
  for (const id of ids) {
    if (head.hasDataIn(id, start, end) || blocks.some((b) => b.hasDataIn(id, start, end))) found.add(id);
    else unknown.push(id);
  }
  const s = msLiteral(start, 'ceil');
  const e = msLiteral(end, 'floor');
  for (let i = 0; i < unknown.length; i += READ_BATCH_SERIES * 10) {
    const batch = unknown.slice(i, i + READ_BATCH_SERIES * 10);
    // A chunk with an end inside the range certainly has a sample there: one row per series
    // and no bytes (a 7 d range holds ~170 chunks a series, read cell by cell otherwise).
    const endInRange = `(min_ts BETWEEN ${s} AND ${e} OR max_ts BETWEEN ${s} AND ${e})`;
    await forEachRow(conn, `SELECT DISTINCT series_id FROM chunks WHERE ${chunkOverlap(batch, start, end)} AND ${endInRange}`, (get) => {
      found.add(get(0) as number);
    });
    // Left: series whose overlapping chunks all start before the range and end after it; their
    // bytes say whether a sample falls inside.
    const spanning = batch.filter((id) => !found.has(id));
    if (spanning.length > 0) {
      await forEachRow(
        conn,
        `SELECT series_id, min_ts, max_ts, count, data FROM chunks WHERE ${chunkOverlap(spanning, start, end)} AND NOT ${endInRange}`,
        (get) => {
          const id = get(0) as number;
          if (!found.has(id) && chunkHas(get(4) as Uint8Array, get(1) as number, get(2) as number, get(3) as number, start, end)) found.add(id);
        },
      );
    }
    await forEachRow(
      conn,
      `SELECT DISTINCT series_id FROM histograms WHERE series_id IN ${idList(batch)} AND ts BETWEEN ${s} AND ${e}`,
      (get) => found.add(get(0) as number),
    );
  }
  return found;
}
