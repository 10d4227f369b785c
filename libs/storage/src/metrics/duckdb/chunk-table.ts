import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeRange, type ClosedChunk } from './chunk-head.js';
import { encodeSealedChunks } from './chunk-packer.js';
import { CHUNK_TYPES, forEachRow, msLiteral, openWriter, type ChunkWriter } from './duckdb-io.js';
import { SampleColumns } from './sample-order.js';
import { chunkOverlap } from './sample-reader.js';

/** Writes and rewrites of the `chunks` table. */
/** Returns whether the row filled a data chunk (see {@link ChunkWriter.endRow}). */
export function writeChunk(cw: ChunkWriter, id: number, c: { minT: number; maxT: number; count: number; data: Uint8Array }): boolean {
  cw.set(0, id);
  cw.set(1, BigInt(c.minT));
  cw.set(2, BigInt(c.maxT));
  cw.set(3, c.count);
  cw.set(4, c.data);
  return cw.endRow();
}

/** Deletes the samples of `ids` in `[start, end]` from the chunks on disk, re-encoding chunks that keep some. */
export async function rewriteChunks(conn: DuckDBConnection, ids: readonly number[], start: number, end: number): Promise<void> {
  const where = chunkOverlap(ids, start, end, true);
  const kept: ClosedChunk[] = [];
  await forEachRow(conn, `SELECT series_id, min_ts, max_ts, count, data FROM chunks WHERE ${where} AND NOT (min_ts >= ${msLiteral(start, 'ceil')} AND max_ts <= ${msLiteral(end, 'floor')})`, (get) => {
    const id = get(0) as number;
    const run = decodeRange(get(4) as Uint8Array, get(1) as number, get(3) as number, -Infinity, Infinity)!;
    const [ts, vs, n] = run;
    const keepTs: number[] = [];
    const keepVs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (ts[i]! >= start && ts[i]! <= end) continue;
      keepVs[keepTs.length] = vs[i]!;
      keepTs.push(ts[i]!);
    }
    for (const c of encodeSealedChunks(Float64Array.from(keepTs), keepVs, keepTs.length)) kept.push({ id, ...c });
  });
  await conn.run(`DELETE FROM chunks WHERE ${where}`);
  if (kept.length === 0) return;
  const cw = await openWriter(conn, 'chunks', CHUNK_TYPES);
  for (const c of kept) writeChunk(cw, c.id, c);
  cw.close();
}

/** Converts a store written by the row-per-sample layout (table `samples`) to chunks, once. */
export async function migrateSampleRows(conn: DuckDBConnection): Promise<void> {
  let exists = false;
  await forEachRow(conn, `SELECT 1 FROM information_schema.tables WHERE table_name = 'samples'`, () => (exists = true));
  if (!exists) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    const cw = await openWriter(conn, 'chunks', CHUNK_TYPES);
    let lastId = -1;
    let cols = new SampleColumns(16);
    const emit = (): void => {
      if (lastId < 0 || cols.length === 0) return;
      // Rows were deduplicated only at read: resolve duplicates with the port's rule.
      cols.normalize();
      for (const c of encodeSealedChunks(cols.ts, cols.vs, cols.length)) writeChunk(cw, lastId, c);
    };
    await forEachRow(conn, `SELECT series_id, ts, value FROM samples ORDER BY series_id, ts`, (get) => {
      const id = get(0) as number;
      if (id !== lastId) {
        emit();
        lastId = id;
        cols = new SampleColumns(16);
      }
      cols.push(get(1) as number, get(2) as number);
    });
    emit();
    cw.close();
    await conn.run('DROP TABLE samples');
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
