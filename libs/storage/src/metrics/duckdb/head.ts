import type { NativeHistogram } from '#pharos/metric-model';
import { histogramWins } from './histogram-codec.js';
import { sortAndDedupe } from './sample-order.js';

export interface HistogramPoint {
  readonly t: number;
  readonly h: NativeHistogram;
}

/** A read-only view of one series' head samples, sorted and deduplicated. */
export interface HeadRun {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly length: number;
}

/**
 * One generation of in-memory samples: what was appended since the previous flush began.
 * Samples go to one columnar log (series id, timestamp, value) so an append is three typed
 * array writes and a generation costs a handful of allocations whatever its series count
 * (per-series buffers made the collector's work mostly garbage collection). Reads and the
 * flush use a per-series view built on demand by a counting sort on series id, which also
 * sorts each series by time and resolves duplicates; it is cached until the next append.
 */
export class HeadBlock {
  readonly histograms = new Map<number, HistogramPoint[]>();
  private ids = new Uint32Array(1024);
  private ts = new Float64Array(1024);
  private vs = new Float64Array(1024);
  private n = 0;
  private view: SortedView | undefined;

  get sampleCount(): number {
    return this.n;
  }

  append(id: number, t: number, v: number): void {
    if (this.n === this.ids.length) this.grow(this.n * 2);
    this.ids[this.n] = id;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    this.view = undefined;
  }

  appendHistogram(id: number, t: number, h: NativeHistogram): void {
    let list = this.histograms.get(id);
    if (list === undefined) {
      list = [];
      this.histograms.set(id, list);
    }
    list.push({ t, h });
  }

  /** The series' samples, sorted and deduplicated; `undefined` when it has none here. */
  series(id: number): HeadRun | undefined {
    const view = this.sorted();
    if (id + 1 >= view.starts.length) return undefined;
    const from = view.starts[id]!;
    const to = view.starts[id + 1]!;
    if (to === from) return undefined;
    return { ts: view.ts.subarray(from, to), vs: view.vs.subarray(from, to), length: to - from };
  }

  seriesHistograms(id: number): HistogramPoint[] | undefined {
    const list = this.histograms.get(id);
    if (list === undefined || list.length === 0) return undefined;
    const normalized = normalizeHistograms(list);
    if (normalized !== list) this.histograms.set(id, normalized);
    return normalized;
  }

  /** True when the series has a float or histogram sample in `[start, end]`. */
  hasDataIn(id: number, start: number, end: number): boolean {
    const run = this.series(id);
    if (run !== undefined) {
      for (let i = 0; i < run.length; i++) if (run.ts[i]! >= start && run.ts[i]! <= end) return true;
    }
    const hs = this.histograms.get(id);
    if (hs !== undefined) for (const p of hs) if (p.t >= start && p.t <= end) return true;
    return false;
  }

  /** Drops the samples of the given series that fall in `[start, end]`. */
  removeRange(ids: ReadonlySet<number>, start: number, end: number): void {
    let out = 0;
    for (let i = 0; i < this.n; i++) {
      const t = this.ts[i]!;
      if (t >= start && t <= end && ids.has(this.ids[i]!)) continue;
      this.ids[out] = this.ids[i]!;
      this.ts[out] = t;
      this.vs[out] = this.vs[i]!;
      out++;
    }
    this.n = out;
    this.view = undefined;
    for (const id of ids) {
      const hs = this.histograms.get(id);
      if (hs !== undefined) this.histograms.set(id, hs.filter((p) => p.t < start || p.t > end));
    }
  }

  /** Every raw sample as appended (used to requeue a failed flush). */
  forEachSample(fn: (id: number, t: number, v: number) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.ids[i]!, this.ts[i]!, this.vs[i]!);
  }

  /** Series ids with data in this block, ascending (the on-disk sort order). */
  seriesIds(): number[] {
    const view = this.sorted();
    const out: number[] = [];
    for (let i = 0; i < view.length; i++) if (i === 0 || view.ids[i] !== view.ids[i - 1]) out.push(view.ids[i]!);
    if (this.histograms.size === 0) return out;
    const all = new Set(out);
    for (const id of this.histograms.keys()) all.add(id);
    return [...all].sort((a, b) => a - b);
  }

  /** All samples sorted by (series, timestamp), duplicates resolved: the flush's input. */
  sorted(): SortedView {
    if (this.view === undefined) this.view = buildSortedView(this.ids, this.ts, this.vs, this.n);
    return this.view;
  }

  private grow(capacity: number): void {
    const ids = new Uint32Array(capacity);
    const ts = new Float64Array(capacity);
    const vs = new Float64Array(capacity);
    ids.set(this.ids.subarray(0, this.n));
    ts.set(this.ts.subarray(0, this.n));
    vs.set(this.vs.subarray(0, this.n));
    this.ids = ids;
    this.ts = ts;
    this.vs = vs;
  }
}

export interface SortedView {
  readonly ids: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly length: number;
  /** `starts[id] .. starts[id + 1]` is series `id`'s range; sized by the largest id present. */
  readonly starts: Uint32Array;
}

function buildSortedView(ids: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): SortedView {
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  // Counting sort on series id: O(n + series), stable, so arrival order survives within a series.
  const starts = new Uint32Array(maxId + 2);
  for (let i = 0; i < n; i++) starts[ids[i]! + 1]!++;
  for (let id = 1; id < starts.length; id++) starts[id]! += starts[id - 1]!;
  const cursor = starts.slice(0, maxId + 1);
  const sIds = new Uint32Array(n);
  const sTs = new Float64Array(n);
  const sVs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = cursor[ids[i]!]!++;
    sIds[at] = ids[i]!;
    sTs[at] = ts[i]!;
    sVs[at] = vs[i]!;
  }
  // Sort and dedupe each series in place, compacting as duplicates go.
  let out = 0;
  for (let id = 0; id <= maxId; id++) {
    const from = starts[id]!;
    const to = starts[id + 1]!;
    starts[id] = out;
    if (to === from) continue;
    const len = sortAndDedupe(sTs.subarray(from, to), sVs.subarray(from, to), to - from);
    if (out !== from) {
      sTs.copyWithin(out, from, from + len);
      sVs.copyWithin(out, from, from + len);
    }
    sIds.fill(id, out, out + len);
    out += len;
  }
  starts[maxId + 1] = out;
  return { ids: sIds, ts: sTs, vs: sVs, length: out, starts };
}

/**
 * The head: the generation receiving appends plus those being flushed. A flush seals the
 * active generation and keeps it readable until DuckDB has committed it, so reads never
 * miss a sample in between (they may see it twice, which duplicate resolution absorbs).
 */
export class Head {
  active = new HeadBlock();
  private sealed: HeadBlock[] = [];

  /** Every generation, oldest first; a read takes this snapshot before querying DuckDB. */
  blocks(): HeadBlock[] {
    return [...this.sealed, this.active];
  }

  seal(): HeadBlock {
    const block = this.active;
    this.sealed.push(block);
    this.active = new HeadBlock();
    return block;
  }

  release(block: HeadBlock): void {
    this.sealed = this.sealed.filter((b) => b !== block);
  }

  get sampleCount(): number {
    let n = this.active.sampleCount;
    for (const b of this.sealed) n += b.sampleCount;
    return n;
  }
}

function normalizeHistograms(list: HistogramPoint[]): HistogramPoint[] {
  let ordered = true;
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.t <= list[i - 1]!.t) {
      ordered = false;
      break;
    }
  }
  if (ordered) return list;
  const sorted = list.slice().sort((a, b) => a.t - b.t);
  const out: HistogramPoint[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.t === p.t) {
      if (histogramWins(p.h, last.h)) out[out.length - 1] = p;
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Merges sorted, deduplicated histogram runs, resolving equal timestamps across runs. */
export function mergeHistogramRuns(runs: readonly (readonly HistogramPoint[])[]): HistogramPoint[] {
  const all = runs.length === 1 ? runs[0]!.slice() : runs.flat().sort((a, b) => a.t - b.t);
  const out: HistogramPoint[] = [];
  for (const p of all) {
    const last = out[out.length - 1];
    if (last !== undefined && last.t === p.t) {
      if (histogramWins(p.h, last.h)) out[out.length - 1] = p;
    } else {
      out.push(p);
    }
  }
  return out;
}
