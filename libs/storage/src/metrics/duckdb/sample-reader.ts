import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeHistogram } from './histogram-codec.js';
import { forEachRow, idList, msLiteral } from './duckdb-io.js';
import { mergeHistogramRuns, type HeadBlock, type HistogramPoint } from './head.js';
import { mergeRuns, SampleColumns } from './sample-order.js';

/** Series read per SQL statement: keeps `IN` lists and result sets bounded. */
export const READ_BATCH_SERIES = 1000;

export interface SeriesData {
  readonly samples: Map<number, SampleColumns>;
  readonly histograms: Map<number, HistogramPoint[]>;
}

/**
 * Reads the samples of `ids` in `[start, end]` from DuckDB and merges the head generations
 * over them, resolving duplicates (flushed data replayed into the head, or rows written
 * twice after a crash) with the port's rule. `blocks` must be taken before the query starts
 * so a flush committing meanwhile shows its samples at least once.
 */
export async function readSeries(
  conn: DuckDBConnection,
  blocks: readonly HeadBlock[],
  ids: readonly number[],
  start: number,
  end: number,
  withHistograms: boolean,
): Promise<SeriesData> {
  const samples = new Map<number, SampleColumns>();
  const histograms = new Map<number, HistogramPoint[]>();
  if (ids.length === 0 || start > end) return { samples, histograms };
  const range = `ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`;
  const where = `series_id IN ${idList(ids)} AND ${range}`;

  let cols: SampleColumns | undefined;
  let lastId = -1;
  await forEachRow(conn, `SELECT series_id, ts, value FROM samples WHERE ${where} ORDER BY series_id, ts`, (get) => {
    const id = get(0) as number;
    if (id !== lastId) {
      cols = new SampleColumns(16);
      samples.set(id, cols);
      lastId = id;
    }
    cols!.pushResolved(get(1) as number, get(2) as number);
  });

  for (const id of ids) {
    const runs: [Float64Array, Float64Array, number][] = [];
    const stored = samples.get(id);
    if (stored !== undefined) runs.push([stored.ts, stored.vs, stored.length]);
    for (const block of blocks) {
      const head = block.series(id);
      if (head === undefined) continue;
      const lo = lowerBound(head.ts, head.length, start);
      const hi = upperBound(head.ts, head.length, end);
      if (hi > lo) runs.push([head.ts.subarray(lo, hi), head.vs.subarray(lo, hi), hi - lo]);
    }
    if (runs.length === 0 || (runs.length === 1 && stored !== undefined)) continue;
    samples.set(id, mergeRuns(runs));
  }

  if (withHistograms) {
    const storedH = new Map<number, HistogramPoint[]>();
    await forEachRow(conn, `SELECT series_id, ts, h FROM histograms WHERE ${where} ORDER BY series_id, ts`, (get) => {
      const id = get(0) as number;
      let list = storedH.get(id);
      if (list === undefined) storedH.set(id, (list = []));
      list.push({ t: get(1) as number, h: decodeHistogram(get(2) as Uint8Array) });
    });
    for (const id of ids) {
      const runs: HistogramPoint[][] = [];
      const stored = storedH.get(id);
      if (stored !== undefined) runs.push(stored);
      for (const block of blocks) {
        const head = block.seriesHistograms(id);
        if (head !== undefined) runs.push(head.filter((p) => p.t >= start && p.t <= end));
      }
      const merged = runs.length === 0 ? [] : mergeHistogramRuns(runs);
      if (merged.length > 0) histograms.set(id, merged);
    }
  }
  return { samples, histograms };
}

/** First index with `ts[i] >= t`. */
function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with `ts[i] > t`. */
function upperBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Which of `ids` hold any sample in `[start, end]`, flushed or in the head. Used by the
 * metadata queries (`series`, `labelNames`, `labelValues`) so they answer exactly.
 */
export async function seriesWithData(
  conn: DuckDBConnection,
  blocks: readonly HeadBlock[],
  ids: readonly number[],
  start: number,
  end: number,
): Promise<Set<number>> {
  const found = new Set<number>();
  const unknown: number[] = [];
  for (const id of ids) {
    if (blocks.some((b) => b.hasDataIn(id, start, end))) found.add(id);
    else unknown.push(id);
  }
  const range = `ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`;
  for (let i = 0; i < unknown.length; i += READ_BATCH_SERIES * 10) {
    const batch = unknown.slice(i, i + READ_BATCH_SERIES * 10);
    const where = `series_id IN ${idList(batch)} AND ${range}`;
    await forEachRow(
      conn,
      `SELECT DISTINCT series_id FROM samples WHERE ${where} UNION SELECT DISTINCT series_id FROM histograms WHERE ${where}`,
      (get) => found.add(get(0) as number),
    );
  }
  return found;
}
