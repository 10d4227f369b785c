/**
 * Holt-Winters needs one observation per step. Real series have jitter, gaps and the odd
 * duplicate, so they are first put on a regular grid: the step is the median interval (robust
 * to gaps), each sample lands in the cell nearest its timestamp (the later one wins), and empty
 * cells are NaN — the model treats those as missing rather than inventing values.
 */
export interface RegularSeries {
  readonly startMs: number;
  readonly stepMs: number;
  /** One value per step; NaN where no sample fell. */
  readonly values: Float64Array;
}

/** Median of the positive intervals between consecutive timestamps; 0 when there are none. */
export function medianIntervalMs(timestamps: ArrayLike<number>): number {
  const intervals: number[] = [];
  for (let i = 1; i < timestamps.length; i++) {
    const d = timestamps[i]! - timestamps[i - 1]!;
    if (d > 0) intervals.push(d);
  }
  if (intervals.length === 0) return 0;
  intervals.sort((a, b) => a - b);
  return intervals[intervals.length >> 1]!;
}

export function toRegularGrid(timestamps: ArrayLike<number>, values: ArrayLike<number>, stepMs = medianIntervalMs(timestamps)): RegularSeries {
  if (timestamps.length !== values.length) throw new Error(`timestamps (${timestamps.length}) and values (${values.length}) differ in length`);
  if (timestamps.length === 0) return { startMs: 0, stepMs: stepMs || 1, values: new Float64Array(0) };
  if (!(stepMs > 0)) throw new Error('a regular grid needs at least two distinct timestamps or an explicit step');
  const startMs = timestamps[0]!;
  const last = timestamps[timestamps.length - 1]!;
  if (last < startMs) throw new Error('timestamps must be in ascending order');
  const cells = Math.round((last - startMs) / stepMs) + 1;
  const grid = new Float64Array(cells).fill(Number.NaN);
  for (let i = 0; i < timestamps.length; i++) {
    const cell = Math.round((timestamps[i]! - startMs) / stepMs);
    if (cell < 0 || cell >= cells) continue;
    grid[cell] = values[i]!;
  }
  return { startMs, stepMs, values: grid };
}

/**
 * Turns a cumulative counter into per-second rates between consecutive steps. A drop is a
 * reset (the counter restarted from zero), so the increase over that step is the new value, as
 * PromQL's `rate` reads it; a missing neighbour leaves the rate missing.
 */
export function counterToRates(series: RegularSeries): RegularSeries {
  const v = series.values;
  const out = new Float64Array(v.length).fill(Number.NaN);
  const seconds = series.stepMs / 1000;
  for (let i = 1; i < v.length; i++) {
    const prev = v[i - 1]!;
    const cur = v[i]!;
    if (Number.isNaN(prev) || Number.isNaN(cur)) continue;
    out[i] = (cur >= prev ? cur - prev : cur) / seconds;
  }
  return { startMs: series.startMs, stepMs: series.stepMs, values: out };
}
