import type { NativeHistogram } from '#pharos/metric-model';
import { histogramWins } from './histogram-codec.js';

export interface HistogramPoint {
  readonly t: number;
  readonly h: NativeHistogram;
}

/** Native histogram samples appended since one flush began, by series. */
export class HistogramBlock {
  readonly bySeries = new Map<number, HistogramPoint[]>();

  append(id: number, t: number, h: NativeHistogram): void {
    let list = this.bySeries.get(id);
    if (list === undefined) this.bySeries.set(id, (list = []));
    list.push({ t, h });
  }

  /** The series' histograms, sorted and deduplicated; `undefined` when it has none here. */
  series(id: number): HistogramPoint[] | undefined {
    const list = this.bySeries.get(id);
    if (list === undefined || list.length === 0) return undefined;
    const normalized = normalizeHistograms(list);
    if (normalized !== list) this.bySeries.set(id, normalized);
    return normalized;
  }

  hasDataIn(id: number, start: number, end: number): boolean {
    const hs = this.bySeries.get(id);
    if (hs !== undefined) for (const p of hs) if (p.t >= start && p.t <= end) return true;
    return false;
  }

  removeRange(ids: Iterable<number>, start: number, end: number): void {
    for (const id of ids) {
      const hs = this.bySeries.get(id);
      if (hs !== undefined) this.bySeries.set(id, hs.filter((p) => p.t < start || p.t > end));
    }
  }
}

/**
 * The histogram head: native histograms are rare next to float samples, so they keep the
 * simple design of one generation per flush interval (a flush seals the active generation
 * and keeps it readable until DuckDB has committed it) and one row per sample on disk.
 */
export class HistogramHead {
  active = new HistogramBlock();
  private sealed: HistogramBlock[] = [];

  /** Every generation, oldest first; a read takes this snapshot before querying DuckDB. */
  blocks(): HistogramBlock[] {
    return [...this.sealed, this.active];
  }

  seal(): HistogramBlock {
    const block = this.active;
    this.sealed.push(block);
    this.active = new HistogramBlock();
    return block;
  }

  release(block: HistogramBlock): void {
    this.sealed = this.sealed.filter((b) => b !== block);
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
  return mergeHistogramRuns([list]);
}

/** Merges histogram runs, resolving equal timestamps with the port's rule. */
export function mergeHistogramRuns(runs: readonly (readonly HistogramPoint[])[]): HistogramPoint[] {
  const all = runs.flat().sort((a, b) => a.t - b.t);
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
