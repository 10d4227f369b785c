import type { RollupRow } from './rollups.js';

/** Accumulator states of a series at one resolution. */
export const ACC_NONE = 0;
/** Open bucket, built from in-order samples only: its row is exact. */
export const ACC_OPEN = 1;
/** Open bucket that out-of-order data, a delete or a restart made inexact: recomputed from raw. */
export const ACC_DIRTY = 2;
/** The bucket was closed (row emitted or marked for recomputation); later samples in it are late. */
export const ACC_CLOSED = 3;

const FIELDS = 10;

/**
 * The current-bucket rollup accumulator of every series at one resolution, as parallel
 * typed arrays (O(1) per in-order sample, no objects): the counterpart of a continuous
 * aggregate's open bucket.
 */
export class AccumulatorColumns {
  state = new Uint8Array(0);
  /** bucket, count, sum, min, max, firstTs, firstValue, lastTs, lastValue, increase. */
  f = new Float64Array(0);

  ensure(id: number): void {
    if (id < this.state.length) return;
    const cap = Math.max(id + 1, this.state.length * 2, 16);
    const state = new Uint8Array(cap);
    state.set(this.state);
    const f = new Float64Array(cap * FIELDS);
    f.set(this.f);
    this.state = state;
    this.f = f;
  }

  bucket(id: number): number {
    return this.f[id * FIELDS]!;
  }

  /** Starts a bucket with its first sample. */
  open(id: number, bucket: number, t: number, v: number): void {
    const o = id * FIELDS;
    const f = this.f;
    f[o] = bucket;
    f[o + 1] = 1;
    f[o + 2] = v;
    f[o + 3] = v;
    f[o + 4] = v;
    f[o + 5] = t;
    f[o + 6] = v;
    f[o + 7] = t;
    f[o + 8] = v;
    f[o + 9] = 0;
    this.state[id] = ACC_OPEN;
  }

  /** Adds a sample later than every sample of the bucket. */
  add(id: number, t: number, v: number): void {
    const o = id * FIELDS;
    const f = this.f;
    const last = f[o + 8]!;
    // A drop is a counter reset: the counter restarted from zero, so all of `v` is new.
    f[o + 9]! += v >= last ? v - last : v;
    f[o + 1]!++;
    f[o + 2]! += v;
    if (v < f[o + 3]!) f[o + 3] = v;
    if (v > f[o + 4]!) f[o + 4] = v;
    f[o + 7] = t;
    f[o + 8] = v;
  }

  /** Restores an accumulator from a row computed over raw data (on open). */
  restore(id: number, row: RollupRow): void {
    const o = id * FIELDS;
    const f = this.f;
    f[o] = row.bucket;
    f[o + 1] = row.count;
    f[o + 2] = row.sum;
    f[o + 3] = row.min;
    f[o + 4] = row.max;
    f[o + 5] = row.firstTs;
    f[o + 6] = row.firstValue;
    f[o + 7] = row.lastTs;
    f[o + 8] = row.lastValue;
    f[o + 9] = row.increase;
    this.state[id] = ACC_OPEN;
  }

  row(id: number): RollupRow {
    return rowAt(this.f, id * FIELDS);
  }
}

/**
 * Closed rollup rows waiting to be written, columnar (a bucket closing for a million series
 * at once is a million rows: no object per row).
 */
export class RowBuffer {
  ids = new Uint32Array(1024);
  f = new Float64Array(1024 * FIELDS);
  length = 0;

  /** Copies series `id`'s accumulator. */
  pushFrom(acc: AccumulatorColumns, id: number): void {
    if (this.length === this.ids.length) {
      const ids = new Uint32Array(this.ids.length * 2);
      ids.set(this.ids);
      const f = new Float64Array(ids.length * FIELDS);
      f.set(this.f);
      this.ids = ids;
      this.f = f;
    }
    this.ids[this.length] = id;
    // A loop, not `set(subarray(…))`: a bucket boundary pushes a row per series, and a view
    // object per row was garbage for nothing.
    const from = acc.f;
    const to = this.f;
    const s = id * FIELDS;
    const d = this.length * FIELDS;
    for (let k = 0; k < FIELDS; k++) to[d + k] = from[s + k]!;
    this.length++;
  }

  bucket(i: number): number {
    return this.f[i * FIELDS]!;
  }

  row(i: number): RollupRow {
    return rowAt(this.f, i * FIELDS);
  }

  /** Removes the first `n` rows (written by a committed flush). */
  dropFirst(n: number): void {
    if (n <= 0) return;
    this.ids.copyWithin(0, n, this.length);
    this.f.copyWithin(0, n * FIELDS, this.length * FIELDS);
    this.length -= n;
  }

  /** Keeps only rows for which `keep(id, bucket)` holds. */
  filter(keep: (id: number, bucket: number) => boolean): void {
    let out = 0;
    for (let i = 0; i < this.length; i++) {
      if (!keep(this.ids[i]!, this.bucket(i))) continue;
      if (out !== i) {
        this.ids[out] = this.ids[i]!;
        this.f.copyWithin(out * FIELDS, i * FIELDS, i * FIELDS + FIELDS);
      }
      out++;
    }
    this.length = out;
  }
}

/** The rollup row whose fields start at `o` in a column of `FIELDS`-wide records. */
function rowAt(f: Float64Array, o: number): RollupRow {
  return {
    bucket: f[o]!,
    count: f[o + 1]!,
    sum: f[o + 2]!,
    min: f[o + 3]!,
    max: f[o + 4]!,
    firstTs: f[o + 5]!,
    firstValue: f[o + 6]!,
    lastTs: f[o + 7]!,
    lastValue: f[o + 8]!,
    increase: f[o + 9]!,
  };
}
