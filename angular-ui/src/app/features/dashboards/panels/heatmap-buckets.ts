import type { HeatmapOptions } from '@pharos/dashboard-model';
import { seriesSelector, type Labels } from '../../../shared/series/legend-format';
import type { PanelData, PanelSeries } from './panel-data';

/**
 * What the heatmap draws: one matrix of rows × steps per histogram (or one for all series),
 * a Float64Array laid out step-major so a step's column is contiguous.
 */
export interface HeatmapMatrix {
  /** The histogram's labels other than `le` as a selector ("" when it has none). */
  readonly name: string;
  /** Number of rows: buckets in ascending `le`, or series in panel order. Row 0 is drawn at the bottom. */
  readonly rows: number;
  readonly steps: number;
  /** Per row, the bucket's lower bound (exclusive; the previous `le`, 0 or -Inf below the first). NaN for series rows. */
  readonly lower: Float64Array;
  /** Per row, the bucket's `le` (inclusive upper bound; +Inf for the last). NaN for series rows. */
  readonly upper: Float64Array;
  /** Per row, the series' name (source "series") or "" (buckets, named by their bounds). */
  readonly rowNames: readonly string[];
  /** `cells[step * rows + row]`: observations in that bucket during that step (or the series' value); NaN = no data. */
  readonly cells: Float64Array;
  /** Smallest and largest finite cell (both 0 when there is none). */
  readonly min: number;
  readonly max: number;
}

/** A heatmap the data cannot make; the message names the series and what is wrong with it. */
export class HeatmapDataError extends Error {
  override readonly name = 'HeatmapDataError';
}

/** The heatmap of a panel's data as its `source` option says. */
export function buildHeatmap(data: PanelData, source: HeatmapOptions['source']): HeatmapMatrix[] {
  if (data.series.length === 0) return [];
  return source === 'series' ? [heatmapFromSeries(data)] : heatmapFromBuckets(data);
}

/** Every series is a row, its values the cells, unchanged. */
export function heatmapFromSeries(data: PanelData): HeatmapMatrix {
  const rows = data.series.length;
  const steps = data.grid.steps;
  const cells = new Float64Array(rows * steps);
  data.series.forEach((s, r) => {
    checkLength(s, steps);
    const v = s.values;
    for (let t = 0; t < steps; t++) cells[t * rows + r] = v[t]!;
  });
  const [min, max] = finiteRange(cells);
  return {
    name: '',
    rows,
    steps,
    lower: new Float64Array(rows).fill(NaN),
    upper: new Float64Array(rows).fill(NaN),
    rowNames: data.series.map((s) => s.name),
    cells,
    min,
    max,
  };
}

/**
 * Classic histograms from their `_bucket` series. Series are grouped by target and labels other
 * than `le` (one heatmap per histogram), buckets sorted by `le` numerically with `+Inf` last,
 * and each step's cumulative counts turned into per-bucket counts.
 *
 * Raw bucket counters — series that still carry a `__name__` ending in `_bucket`, which
 * `rate`, `increase` and aggregations drop — are first turned into increases per step, as
 * PromQL's `increase` treats counters: a drop is a reset (the new value is the increase since
 * it), a step after a gap takes the increase over the whole gap, and the first step, having
 * nothing before it, is no data. Rates and increases computed by the query are used as they are.
 *
 * Across buckets the counts are made monotonic as `histogram_quantile` does (a bucket reading
 * fewer than the one below it, which rate precision and scrapes landing at different times can
 * cause, holds 0), and a bucket missing at a step is no data there while the next present
 * bucket counts everything above the last present one, so each step's total stays right.
 */
export function heatmapFromBuckets(data: PanelData): HeatmapMatrix[] {
  const steps = data.grid.steps;
  const groups = new Map<string, { refId: string; labels: Labels; members: { le: number; series: PanelSeries }[] }>();
  for (const s of data.series) {
    checkLength(s, steps);
    const leText = s.labels['le'];
    if (leText === undefined) {
      throw new HeatmapDataError(
        `series ${describe(s)} has no "le" label: a bucket heatmap needs classic histogram _bucket series (or set the heatmap's source to "series")`,
      );
    }
    const le = parseLe(leText, s);
    const { le: _, ...rest } = s.labels;
    const key = `${s.refId}\u0000${seriesSelector(rest)}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { refId: s.refId, labels: rest, members: [] };
      groups.set(key, g);
    }
    g.members.push({ le, series: s });
  }
  const refIds = new Set([...groups.values()].map((g) => g.refId));
  return [...groups.values()].map((g) => {
    g.members.sort((a, b) => a.le - b.le);
    for (let i = 1; i < g.members.length; i++) {
      if (g.members[i]!.le === g.members[i - 1]!.le) {
        throw new HeatmapDataError(`series ${describe(g.members[i]!.series)} repeats le="${g.members[i]!.series.labels['le']}" of another series of the same histogram`);
      }
    }
    const selector = seriesSelector(g.labels);
    const name = (selector === '{}' ? '' : selector) + (refIds.size > 1 ? ` (${g.refId})` : '');
    return bucketMatrix(name, g.members, steps);
  });
}

function bucketMatrix(name: string, members: readonly { le: number; series: PanelSeries }[], steps: number): HeatmapMatrix {
  const rows = members.length;
  const lower = new Float64Array(rows);
  const upper = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    upper[r] = members[r]!.le;
    // As histogram_quantile: the lowest bucket starts at 0 when its bound is positive.
    lower[r] = r > 0 ? members[r - 1]!.le : members[0]!.le > 0 ? 0 : -Infinity;
  }
  // First the cumulative counts per step (step-major), as increases for raw counters.
  const cells = new Float64Array(rows * steps);
  for (let r = 0; r < rows; r++) {
    const s = members[r]!.series;
    const v = s.values;
    if (isRawBucketCounter(s)) {
      let prev = NaN;
      for (let t = 0; t < steps; t++) {
        const x = v[t]!;
        if (Number.isNaN(x)) {
          cells[t * rows + r] = NaN;
          continue;
        }
        cells[t * rows + r] = Number.isNaN(prev) ? NaN : x >= prev ? x - prev : x;
        prev = x;
      }
    } else {
      for (let t = 0; t < steps; t++) cells[t * rows + r] = v[t]!;
    }
  }
  // Then de-cumulate each step's column in place.
  for (let t = 0; t < steps; t++) {
    const base = t * rows;
    let below = 0;
    for (let r = 0; r < rows; r++) {
      const c = cells[base + r]!;
      if (Number.isNaN(c)) continue;
      cells[base + r] = c > below ? c - below : 0;
      if (c > below) below = c;
    }
  }
  const [min, max] = finiteRange(cells);
  return { name, rows, steps, lower, upper, rowNames: members.map(() => ''), cells, min, max };
}

function isRawBucketCounter(s: PanelSeries): boolean {
  return s.labels['__name__']?.endsWith('_bucket') ?? false;
}

const INF = /^\+?inf$/i;

function parseLe(text: string, s: PanelSeries): number {
  if (INF.test(text)) return Infinity;
  const v = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(v)) throw new HeatmapDataError(`series ${describe(s)} has le="${text}", which is not a number`);
  return v;
}

function checkLength(s: PanelSeries, steps: number): void {
  if (s.values.length !== steps) {
    throw new HeatmapDataError(`series ${describe(s)} has ${s.values.length} values for a grid of ${steps} steps`);
  }
}

function describe(s: PanelSeries): string {
  return `${s.refId} ${seriesSelector(s.labels)}`;
}

function finiteRange(cells: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c < min && c !== -Infinity) min = c;
    if (c > max && c !== Infinity) max = c;
  }
  return min > max ? [0, 0] : [min, max];
}
