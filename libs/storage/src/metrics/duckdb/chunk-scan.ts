import { DuckDBBlobVector, type DuckDBConnection } from '@duckdb/node-api';
import { blobCells, forEachMaterializedChunk, msBound } from './duckdb-io.js';
import { preparedIdRead } from './sample-reader.js';
import type { ChunkRows } from './series-assembly.js';

/**
 * How long the first read of an idle lane waits for others to join its scan; the large lane
 * waits a little longer, so that small reads sent with it start first (see ChunkScanner).
 */
const GATHER_MS = 1;
const LARGE_GATHER_MS = 2;

/** Reads of at most this many series share scans of their own, beside the larger ones'. */
export const SMALL_READ_SERIES = 64;

interface ScanRequest {
  readonly ids: readonly number[];
  /** Slot of each id in the reader's {@link ChunkRows}. */
  readonly slotOf: ReadonlyMap<number, number>;
  /** Inclusive millisecond bounds, as the reader's own statement would have bound them. */
  readonly from: number;
  readonly to: number;
  readonly rows: ChunkRows;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Chunk rows for concurrent reads, one table scan for every read waiting.
 *
 * Chunks are written sorted by series within each flush, so every row group holds every
 * series and DuckDB's zone maps cannot prune by `series_id`: a read of 4 series scans the
 * range's rows as a read of 1,000 does (~5–8 ms against ~20 ms, measured on the query
 * bench's 24 h). A cold dashboard sends its panels at once; one scan per selector made nine
 * scans compete for DuckDB's threads, and the panel of 4 series got its rows after ~400 ms.
 *
 * So reads take turns in two lanes, small reads (≤ {@link SMALL_READ_SERIES} series) and
 * large ones, each running one scan at a time: the reads that arrive while their lane's scan
 * runs wait for it, then share the next one. Its id condition covers all their series, its
 * time bounds the widest, and each row goes to every reader of its series whose range it
 * overlaps (exactly the rows the reader's own statement would have returned; rows of series
 * nobody asked for, which a dense id span lets in, are dropped as before). A small scan
 * fetches few bytes, so a light panel never waits for a large scan, and at most two scans
 * compete for DuckDB's threads. A read waits for at most the scan its lane is running. A large
 * scan about to start waits for the small scan in progress, if any (once: small scans take a
 * few ms): sharing DuckDB's threads with a large scan made a 4-series scan take ~40 ms.
 *
 * Every reader has collected its head runs before it waits here, so the statement that reads
 * its rows starts after that, as the store's rule for a flush committing meanwhile needs.
 */
export class ChunkScanner {
  private readonly small: ScanLane;
  private readonly large: ScanLane;

  constructor(acquire: () => Promise<DuckDBConnection>, release: (conn: DuckDBConnection) => void) {
    this.small = new ScanLane(acquire, release, GATHER_MS);
    this.large = new ScanLane(acquire, release, LARGE_GATHER_MS, () => this.small.inProgress);
  }

  /** Pushes into `rows` the chunk rows of `ids` overlapping `[start, end]`; `slotOf` maps each id to its slot. */
  read(ids: readonly number[], slotOf: ReadonlyMap<number, number>, start: number, end: number, rows: ChunkRows): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const lane = ids.length <= SMALL_READ_SERIES ? this.small : this.large;
      lane.add({ ids, slotOf, from: msBound(start, 'ceil'), to: msBound(end, 'floor'), rows, resolve, reject });
    });
  }
}

/** Reads that take turns, one scan at a time, each scan serving every read waiting. */
class ScanLane {
  private queued: ScanRequest[] = [];
  private running = false;
  /** The scan running, settled when it ends (never rejects). */
  inProgress: Promise<void> | undefined;

  constructor(
    private readonly acquire: () => Promise<DuckDBConnection>,
    private readonly release: (conn: DuckDBConnection) => void,
    private readonly gatherMs: number,
    /** A scan of another lane to let finish before each scan of this one. */
    private readonly after?: () => Promise<void> | undefined,
  ) {}

  add(request: ScanRequest): void {
    this.queued.push(request);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    let conn: DuckDBConnection | undefined;
    try {
      // Reads sent together (a dashboard's panels) reach the store over a few event-loop
      // turns (a reader connection to open, other selects' head reads): gather them first.
      await new Promise<void>((resolve) => setTimeout(resolve, this.gatherMs));
      conn = await this.acquire();
      while (this.queued.length > 0) {
        const first = this.after?.();
        if (first !== undefined) await first;
        const batch = this.queued;
        this.queued = [];
        const running = scan(conn, batch);
        this.inProgress = running.then(
          () => undefined,
          () => undefined,
        );
        try {
          await running;
          for (const r of batch) r.resolve();
        } catch (err) {
          for (const r of batch) r.reject(err);
        } finally {
          this.inProgress = undefined;
        }
      }
    } catch (err) {
      for (const r of this.queued.splice(0)) r.reject(err);
    } finally {
      if (conn !== undefined) this.release(conn);
      this.running = false;
      // A read queued after the loop's last look (while the connection was released).
      if (this.queued.length > 0) void this.pump();
    }
  }
}

/** One statement over the union of `batch`'s series and ranges; each row handed to the readers it belongs to. */
async function scan(conn: DuckDBConnection, batch: readonly ScanRequest[]): Promise<void> {
  if (batch.length === 1) {
    const only = batch[0]!;
    return scanInto(conn, only.ids, only.from, only.to, (id, minT, maxT, count, data) => {
      const slot = only.slotOf.get(id);
      // A dense span may include series not asked for.
      if (slot !== undefined) only.rows.push(slot, minT, maxT, count, data);
    });
  }
  // Readers of each series, as indexes into `batch`: one entry for most series.
  const readers = new Map<number, number | number[]>();
  let from = Infinity;
  let to = -Infinity;
  for (let k = 0; k < batch.length; k++) {
    const r = batch[k]!;
    if (r.from < from) from = r.from;
    if (r.to > to) to = r.to;
    for (const id of r.ids) {
      const had = readers.get(id);
      if (had === undefined) readers.set(id, k);
      else if (typeof had === 'number') readers.set(id, had === k ? had : [had, k]);
      else if (!had.includes(k)) had.push(k);
    }
  }
  const give = (r: ScanRequest, id: number, minT: number, maxT: number, count: number, data: Uint8Array): void => {
    if (maxT < r.from || minT > r.to) return;
    r.rows.push(r.slotOf.get(id)!, minT, maxT, count, data);
  };
  await scanInto(conn, [...readers.keys()], from, to, (id, minT, maxT, count, data) => {
    const who = readers.get(id);
    if (who === undefined) return;
    if (typeof who === 'number') give(batch[who]!, id, minT, maxT, count, data);
    else for (const k of who) give(batch[k]!, id, minT, maxT, count, data);
  });
}

async function scanInto(
  conn: DuckDBConnection,
  ids: readonly number[],
  from: number,
  to: number,
  onRow: (id: number, minT: number, maxT: number, count: number, data: Uint8Array) => void,
): Promise<void> {
  const read = preparedIdRead(
    (which) => `SELECT series_id, min_ts::DOUBLE, max_ts::DOUBLE, count, data FROM chunks WHERE ${which} AND max_ts >= $1 AND min_ts <= $2`,
    ids,
    [from, to],
  );
  await forEachMaterializedChunk(conn, read.sql, read.params, (rowCount, [idCol, minCol, maxCol, countCol, dataCol]) => {
    if (!(dataCol instanceof DuckDBBlobVector)) throw new Error(`chunks.data read as ${dataCol?.type.toString()}, not BLOB`);
    const data = blobCells(dataCol, rowCount);
    for (let r = 0; r < rowCount; r++) {
      onRow(idCol!.getItem(r) as number, minCol!.getItem(r) as number, maxCol!.getItem(r) as number, countCol!.getItem(r) as number, data[r]!);
    }
  });
}
