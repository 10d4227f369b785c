import { MAX_CHUNK_SAMPLES } from './chunk-codec.js';
import { decodeChunk } from './chunk-decoder.js';
import { mergeSampleRuns, type Run } from './chunk-head.js';

const INITIAL_ROWS = 64;

/**
 * The chunk rows of one read, column by column (a cold 24 h read of 1,000 series returns
 * ~80,000 rows: no object per row). Bytes are kept until the rows are decoded.
 */
export class ChunkRows {
  private slots = new Int32Array(INITIAL_ROWS);
  minT = new Float64Array(INITIAL_ROWS);
  maxT = new Float64Array(INITIAL_ROWS);
  count = new Int32Array(INITIAL_ROWS);
  readonly data: Uint8Array[] = [];
  length = 0;

  /** Adds a row of the series at `slot` (its index in the read's id list). */
  push(slot: number, minT: number, maxT: number, count: number, data: Uint8Array): void {
    if (this.length === this.slots.length) this.grow();
    const i = this.length++;
    this.slots[i] = slot;
    this.minT[i] = minT;
    this.maxT[i] = maxT;
    this.count[i] = count;
    this.data.push(data);
  }

  /**
   * Row numbers grouped by slot, in arrival order within a slot (a counting sort): the rows of
   * slot `s` are `order[first[s]]` … `order[first[s + 1] - 1]`.
   */
  groupBySlot(slotCount: number): { first: Int32Array; order: Int32Array } {
    const first = new Int32Array(slotCount + 1);
    const slots = this.slots;
    const n = this.length;
    for (let i = 0; i < n; i++) first[slots[i]! + 1]!++;
    for (let s = 0; s < slotCount; s++) first[s + 1]! += first[s]!;
    const next = first.slice(0, slotCount);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[next[slots[i]!]!++] = i;
    return { first, order };
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T): T => {
      const next = new (a.constructor as new (n: number) => T)(cap);
      next.set(a);
      return next;
    };
    this.slots = grow(this.slots);
    this.minT = grow(this.minT);
    this.maxT = grow(this.maxT);
    this.count = grow(this.count);
  }
}

/** Decoded edge chunks (the ones reaching past the range) before their in-range part is copied out. */
let scratchT = new Float64Array(MAX_CHUNK_SAMPLES);
let scratchV = new Float64Array(MAX_CHUNK_SAMPLES);
let scratch2T = new Float64Array(MAX_CHUNK_SAMPLES);
let scratch2V = new Float64Array(MAX_CHUNK_SAMPLES);

function ensureScratch(n: number): void {
  if (n <= scratchT.length) return;
  scratchT = new Float64Array(n);
  scratchV = new Float64Array(n);
  scratch2T = new Float64Array(n);
  scratch2V = new Float64Array(n);
}

/**
 * One series' samples in `[start, end]` from its chunk rows (`order[from]` … `order[to - 1]`
 * of `rows`, each overlapping the range) and its head runs (already cut to the range), or
 * undefined when there are none.
 *
 * Usually the pieces follow each other without overlap: the result is then allocated at its
 * exact size and the chunks are decoded straight into it; only an edge chunk reaching before
 * `start` or after `end` is decoded aside first (and no further than `end`). Overlapping
 * pieces (out-of-order data, a chunk written twice around a crash) take the general merge.
 */
export function assembleSeries(
  rows: ChunkRows,
  order: Int32Array,
  from: number,
  to: number,
  headRuns: readonly Run[] | undefined,
  start: number,
  end: number,
): Run | undefined {
  // A piece is a chunk row (its row number) or head run k (as -(k + 1)); sorted by first timestamp.
  const pieces: number[] = [];
  for (let k = from; k < to; k++) pieces.push(order[k]!);
  if (headRuns !== undefined) for (let k = 0; k < headRuns.length; k++) pieces.push(-(k + 1));
  const firstT = (p: number): number => (p >= 0 ? rows.minT[p]! : headRuns![-p - 1]![0][0]!);
  const lastT = (p: number): number => {
    if (p >= 0) return rows.maxT[p]!;
    const r = headRuns![-p - 1]!;
    return r[0][r[2] - 1]!;
  };
  // Insertion sort: rows arrive in flush order, which is time order but for rare exceptions.
  for (let i = 1; i < pieces.length; i++) {
    const p = pieces[i]!;
    const t = firstT(p);
    let j = i - 1;
    while (j >= 0 && firstT(pieces[j]!) > t) {
      pieces[j + 1] = pieces[j]!;
      j--;
    }
    pieces[j + 1] = p;
  }
  for (let i = 1; i < pieces.length; i++) {
    if (firstT(pieces[i]!) <= lastT(pieces[i - 1]!)) return mergeOverlapping(rows, pieces, headRuns, start, end);
  }
  // Disjoint, sorted and each overlapping the range: only the first piece can start before
  // `start`, only the last can end after `end`.
  const n = pieces.length;
  const firstPiece = pieces[0]!;
  const lastPiece = pieces[n - 1]!;
  let firstLo = 0;
  let firstHi = -1;
  if (firstPiece >= 0 && (rows.minT[firstPiece]! < start || (n === 1 && rows.maxT[firstPiece]! > end))) {
    ensureScratch(rows.count[firstPiece]!);
    firstHi = decodeChunk(rows.data[firstPiece]!, rows.minT[firstPiece]!, rows.count[firstPiece]!, scratchT, scratchV, 0, end);
    while (firstLo < firstHi && scratchT[firstLo]! < start) firstLo++;
  }
  let lastHi = -1;
  if (n > 1 && lastPiece >= 0 && rows.maxT[lastPiece]! > end) {
    ensureScratch(rows.count[lastPiece]!);
    lastHi = decodeChunk(rows.data[lastPiece]!, rows.minT[lastPiece]!, rows.count[lastPiece]!, scratch2T, scratch2V, 0, end);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = pieces[i]!;
    if (i === 0 && firstHi >= 0) total += firstHi - firstLo;
    else if (i === n - 1 && lastHi >= 0) total += lastHi;
    else total += p >= 0 ? rows.count[p]! : headRuns![-p - 1]![2];
  }
  if (total === 0) return undefined;
  // One allocation for both columns: a fresh ArrayBuffer costs about as much as decoding
  // 2,000 samples into it (zeroing, external-memory accounting, GC), and a cold read makes
  // one per series.
  const both = new Float64Array(2 * total);
  const ts = both.subarray(0, total);
  const vs = both.subarray(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const p = pieces[i]!;
    if (i === 0 && firstHi >= 0) {
      ts.set(scratchT.subarray(firstLo, firstHi), at);
      vs.set(scratchV.subarray(firstLo, firstHi), at);
      at += firstHi - firstLo;
    } else if (i === n - 1 && lastHi >= 0) {
      ts.set(scratch2T.subarray(0, lastHi), at);
      vs.set(scratch2V.subarray(0, lastHi), at);
      at += lastHi;
    } else if (p >= 0) {
      at += decodeChunk(rows.data[p]!, rows.minT[p]!, rows.count[p]!, ts, vs, at);
    } else {
      const [rt, rv, rn] = headRuns![-p - 1]!;
      ts.set(rn === rt.length ? rt : rt.subarray(0, rn), at);
      vs.set(rn === rv.length ? rv : rv.subarray(0, rn), at);
      at += rn;
    }
  }
  return [ts, vs, total];
}

/** Overlapping pieces: each decoded and cut to the range on its own, then merged with the port's duplicate rule. */
function mergeOverlapping(rows: ChunkRows, pieces: readonly number[], headRuns: readonly Run[] | undefined, start: number, end: number): Run | undefined {
  const runs: Run[] = [];
  for (const p of pieces) {
    if (p < 0) {
      runs.push(headRuns![-p - 1]!);
      continue;
    }
    const count = rows.count[p]!;
    const ts = new Float64Array(count);
    const vs = new Float64Array(count);
    const hi = decodeChunk(rows.data[p]!, rows.minT[p]!, count, ts, vs, 0, end);
    let lo = 0;
    while (lo < hi && ts[lo]! < start) lo++;
    if (hi > lo) runs.push([ts.subarray(lo, hi), vs.subarray(lo, hi), hi - lo]);
  }
  return runs.length === 0 ? undefined : mergeSampleRuns(runs);
}
