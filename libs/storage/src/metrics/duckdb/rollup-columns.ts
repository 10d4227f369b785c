import { DuckDBDoubleVector, type DuckDBVector } from '@duckdb/node-api';

/** Column helpers shared by the rollup reader and the span table. */

/** Series id → index in the batch: a dense table when the ids are close together (the usual case), else a map. */
export class SlotIndex {
  private readonly base: number;
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(ids: readonly number[]) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of ids) (lo = Math.min(lo, id)), (hi = Math.max(hi, id));
    this.base = lo;
    if (ids.length > 0 && hi - lo < 8 * ids.length + 4096) {
      this.dense = new Int32Array(hi - lo + 1).fill(-1);
      ids.forEach((id, i) => (this.dense![id - lo] = i));
    } else this.sparse = new Map(ids.map((id, i) => [id, i]));
  }

  of(id: number): number {
    const i = this.dense !== undefined ? (this.dense[id - this.base] ?? -1) : (this.sparse!.get(id) ?? -1);
    if (i < 0) throw new Error(`rollup read returned series ${id}, which it did not ask for`);
    return i;
  }
}

/**
 * The vector's values as one Float64Array view (@duckdb/node-api 1.5's
 * `DuckDBDoubleVector.items`, private in its typings): one read per chunk instead of a call
 * per cell. Every column is cast to DOUBLE and NOT NULL, so its items are its values; any
 * other layout is copied cell by cell.
 */
export function doubles(vector: DuckDBVector, rows: number): Float64Array {
  if (!(vector instanceof DuckDBDoubleVector)) throw new Error(`rollup column read as ${vector.type.toString()}, not DOUBLE`);
  const items = (vector as unknown as { readonly items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= rows) return items.subarray(0, rows);
  const copy = new Float64Array(rows);
  for (let k = 0; k < rows; k++) copy[k] = vector.getItem(k) ?? Number.NaN;
  return copy;
}
