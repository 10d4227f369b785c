import { SERIES_REF_WORDS } from '#pharos/metric-model';
import { DuckDBBlobVector, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { blobCells, forEachPreparedChunk, openWriter, SERIES_TYPES, yieldToQueued, type ChunkWriter } from './duckdb-io.js';
import { storedLabels, type CreatedSeries, type SeriesIndex } from './series-index.js';

/** Bytes of a persisted series ref: its four words, little-endian (as SHA-256 gave them). */
const REF_BYTES = 4 * SERIES_REF_WORDS;

/**
 * Fills `index` from the `series` table, a data chunk at a time. Rows store each series' ref,
 * so opening hashes nothing; rows written before the `ref` column existed get theirs computed
 * here and persisted (with their labels in the key form) before `open` returns, once.
 */
export async function loadSeries(conn: DuckDBConnection, index: SeriesIndex): Promise<void> {
  const ref = new Uint32Array(SERIES_REF_WORDS);
  const missing: number[] = [];
  let missingRefs = new Uint32Array(0);
  let tenant = '';
  await forEachPreparedChunk(conn, `SELECT id, tenant, labels, coalesce(ref, ''::BLOB) FROM series ORDER BY id`, [], (rows, vectors) => {
    const [idCol, tenantCol, labelsCol, refCol] = vectors as [DuckDBVector<number>, DuckDBVector<string>, DuckDBVector<string>, DuckDBVector];
    if (!(refCol instanceof DuckDBBlobVector)) throw new Error(`series.ref is not a BLOB column`);
    const refCells = blobCells(refCol, rows);
    const labelCells = textCells(labelsCol, rows);
    for (let r = 0; r < rows; r++) {
      const id = idCol.getItem(r)!;
      // One string per tenant rather than one per row: rows come tenant after tenant.
      const t = tenantCol.getItem(r)!;
      if (t !== tenant) tenant = t;
      const bytes = refCells[r]!;
      if (bytes.length === REF_BYTES) {
        readRef(bytes, ref);
        index.restore(tenant, id, labelCells[r]!, ref, 0, true);
      } else if (bytes.length === 0) {
        const at = SERIES_REF_WORDS * missing.length;
        if (at === missingRefs.length) missingRefs = grown(missingRefs);
        index.restore(tenant, id, labelCells[r]!, missingRefs, at, false);
        missing.push(id);
      } else throw new Error(`series ${id} has a ${bytes.length}-byte ref; refs are ${REF_BYTES} bytes`);
    }
  });
  if (missing.length > 0) await migrateOldRows(conn, index, { ids: missing, refs: missingRefs });
}

/**
 * Appends the rows of newly created series (inside the caller's transaction). The ref comes
 * from the index, computed when the series was created.
 */
export async function writeSeries(conn: DuckDBConnection, index: SeriesIndex, created: CreatedSeries): Promise<void> {
  const w = await openWriter(conn, 'series', SERIES_TYPES);
  await writeRows(w, index, created);
  w.close();
}

async function writeRows(w: ChunkWriter, index: SeriesIndex, rows: CreatedSeries): Promise<void> {
  for (let i = 0; i < rows.ids.length; i++) {
    const id = rows.ids[i]!;
    w.set(0, id);
    w.set(1, index.tenantById[id]!);
    w.set(2, storedLabels(index.labelsById[id]!));
    w.set(3, refBytes(rows.refs, SERIES_REF_WORDS * i));
    // A million new series are a second of rows: appends run between data chunks.
    if (w.endRow()) await yieldToQueued();
  }
}

/** Stores the refs of rows from before the `ref` column, and their labels in the key form, in one transaction. */
async function migrateOldRows(conn: DuckDBConnection, index: SeriesIndex, rows: CreatedSeries): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`CREATE TEMP TABLE series_migration (id UINTEGER NOT NULL, tenant VARCHAR NOT NULL, labels VARCHAR NOT NULL, ref BLOB NOT NULL)`);
    const w = await openWriter(conn, 'series_migration', SERIES_TYPES);
    await writeRows(w, index, rows);
    w.close();
    await conn.run(`UPDATE series SET labels = m.labels, ref = m.ref FROM series_migration m WHERE series.id = m.id`);
    await conn.run(`DROP TABLE series_migration`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Bytes of a `duckdb_string_t` cell. */
const STRING_T_BYTES = 16;

/**
 * The strings of a NOT NULL VARCHAR vector's rows `[0, rowCount)`. A VARCHAR vector is laid
 * out as a BLOB one, so its bytes come out in contiguous runs ({@link blobCells}) rather than
 * through a native call and an ArrayBuffer per cell, as `getItem` takes them.
 */
function textCells(vector: DuckDBVector<string>, rowCount: number): string[] {
  const out = new Array<string>(rowCount);
  // blobCells' own fallback reads cell by cell through a BLOB vector's method, which a
  // VARCHAR vector lacks: take that path here instead.
  const view = (vector as unknown as { dataView?: unknown }).dataView;
  if (!(view instanceof DataView) || view.byteLength < rowCount * STRING_T_BYTES) {
    for (let r = 0; r < rowCount; r++) out[r] = vector.getItem(r)!;
    return out;
  }
  const cells = blobCells(vector as unknown as DuckDBBlobVector, rowCount);
  for (let r = 0; r < rowCount; r++) out[r] = utf8.decode(cells[r]!);
  return out;
}

/** A ref's 16 stored bytes, little-endian words. */
export function refBytes(refs: Uint32Array, at: number): Uint8Array {
  const out = new Uint8Array(REF_BYTES);
  const view = new DataView(out.buffer);
  for (let k = 0; k < SERIES_REF_WORDS; k++) view.setUint32(4 * k, refs[at + k]!, true);
  return out;
}

function readRef(bytes: Uint8Array, out: Uint32Array): void {
  for (let k = 0, b = 0; k < SERIES_REF_WORDS; k++, b += 4) {
    out[k] = (bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) | (bytes[b + 3]! << 24)) >>> 0;
  }
}

function grown(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(Math.max(SERIES_REF_WORDS * 1024, 2 * a.length));
  out.set(a);
  return out;
}
