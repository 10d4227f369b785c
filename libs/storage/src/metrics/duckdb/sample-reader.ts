import type { DuckDBConnection } from '@duckdb/node-api';
import { chunkHas, decodeRange, mergeSampleRuns, type ChunkHead, type Run } from './chunk-head.js';
import { decodeChunk } from './chunk-codec.js';
import { decodeHistogram } from './histogram-codec.js';
import { mergeHistogramRuns, type HistogramBlock, type HistogramPoint } from './histogram-head.js';
import { forEachPreparedRow, forEachRow, idList, msBound, msLiteral } from './duckdb-io.js';

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

/**
 * A prepared read of `table` rows of `ids` (`$1`, `$2` are the caller's time bounds): dense id
 * sets share one statement with the span as `$3`, `$4`; sparse ones list their ids, so each
 * set has its statement (a dashboard repeats the same sets).
 */
function preparedIdRead(sql: (ids: string) => string, ids: readonly number[], bounds: [number, number]): { sql: string; params: number[] } {
  const range = denseRange(ids);
  if (range !== undefined) return { sql: sql('series_id BETWEEN $3 AND $4'), params: [...bounds, range[0], range[1]] };
  return { sql: sql(`series_id IN ${idList(ids)}`), params: bounds };
}

/** A chunk row as read: decoded only once every row of its series is known. */
interface StoredChunk {
  readonly data: Uint8Array;
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
}

/**
 * Float samples of `ids` in `[start, end]`: chunks on disk that overlap the range, decoded,
 * merged with the head's chunks and out-of-order buffer; duplicates (a replay, or a chunk
 * written twice around a crash) resolved with the port's rule. The head is read before the
 * query so a flush committing meanwhile shows its samples at least once.
 *
 * A series' disk chunks normally follow each other without overlap; they are then decoded
 * straight into one pair of arrays (no per-chunk arrays, no merge copy). Overlapping ones take
 * the general merge.
 */
export async function readSamples(
  conn: DuckDBConnection,
  head: ChunkHead,
  ids: readonly number[],
  start: number,
  end: number,
): Promise<Map<number, Run>> {
  const runs = new Map<number, Run[]>();
  const stored = new Map<number, StoredChunk[]>();
  const out = new Map<number, Run>();
  if (ids.length === 0 || start > end) return out;
  for (const id of ids) {
    const list: Run[] = [];
    head.collect(id, start, end, list);
    runs.set(id, list);
  }
  const read = preparedIdRead(
    (which) => `SELECT series_id, min_ts, max_ts, count, data FROM chunks WHERE ${which} AND max_ts >= $1 AND min_ts <= $2`,
    ids,
    [msBound(start, 'ceil'), msBound(end, 'floor')],
  );
  await forEachPreparedRow(conn, read.sql, read.params, (get) => {
    const id = get(0) as number;
    if (!runs.has(id)) return;
    let list = stored.get(id);
    if (list === undefined) stored.set(id, (list = []));
    list.push({ minT: get(1) as number, maxT: get(2) as number, count: get(3) as number, data: get(4) as Uint8Array });
  });
  for (const [id, chunks] of stored) {
    const list = runs.get(id)!;
    const joined = joinDisjoint(chunks, list, start, end);
    if (joined !== undefined) {
      list.length = 0;
      if (joined[2] > 0) list.push(joined);
      continue;
    }
    for (const c of chunks) {
      const run = decodeRange(c.data, c.minT, c.count, start, end);
      if (run !== undefined) list.push(run);
    }
  }
  for (const [id, list] of runs) if (list.length > 0) out.set(id, mergeSampleRuns(list));
  return out;
}

/**
 * When a series' disk chunks and head runs do not overlap each other (the usual case), one run
 * of its samples in `[start, end]`: chunks decoded straight into place, head runs copied after
 * or between them. Undefined, having decoded nothing, when some overlap.
 */
function joinDisjoint(chunks: readonly StoredChunk[], headRuns: readonly Run[], start: number, end: number): Run | undefined {
  const pieces: { minT: number; maxT: number; count: number; chunk: StoredChunk | undefined; run: Run | undefined }[] = [];
  for (const c of chunks) pieces.push({ minT: c.minT, maxT: c.maxT, count: c.count, chunk: c, run: undefined });
  for (const r of headRuns) pieces.push({ minT: r[0][0]!, maxT: r[0][r[2] - 1]!, count: r[2], chunk: undefined, run: r });
  if (pieces.length > 1) pieces.sort((a, b) => a.minT - b.minT);
  let total = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0 && pieces[i]!.minT <= pieces[i - 1]!.maxT) return undefined;
    total += pieces[i]!.count;
  }
  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  let at = 0;
  for (const p of pieces) {
    if (p.chunk !== undefined) decodeChunk(p.chunk.data, p.chunk.minT, p.chunk.count, ts, vs, at);
    else {
      ts.set(p.run![0].subarray(0, p.count), at);
      vs.set(p.run![1].subarray(0, p.count), at);
    }
    at += p.count;
  }
  // Sorted and disjoint, so the samples in range are one slice; only edge chunks reach outside it.
  let lo = 0;
  while (lo < total && ts[lo]! < start) lo++;
  let hi = total;
  while (hi > lo && ts[hi - 1]! > end) hi--;
  return lo === 0 && hi === total ? [ts, vs, total] : [ts.subarray(lo, hi), vs.subarray(lo, hi), hi - lo];
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
    // Chunks with an end inside the range certainly have a sample there: no need for their bytes.
    await forEachRow(
      conn,
      `SELECT series_id, min_ts, max_ts, count, CASE WHEN (min_ts BETWEEN ${s} AND ${e}) OR (max_ts BETWEEN ${s} AND ${e}) THEN NULL ELSE data END
       FROM chunks WHERE ${chunkOverlap(batch, start, end)}`,
      (get) => {
        const id = get(0) as number;
        if (found.has(id)) return;
        const data = get(4) as Uint8Array | null;
        if (data === null || chunkHas(data, get(1) as number, get(2) as number, get(3) as number, start, end)) found.add(id);
      },
    );
    await forEachRow(
      conn,
      `SELECT DISTINCT series_id FROM histograms WHERE series_id IN ${idList(batch)} AND ts BETWEEN ${s} AND ${e}`,
      (get) => found.add(get(0) as number),
    );
  }
  return found;
}
