import { formatLegend, type Labels } from '../../../shared/series/legend-format';
import type { PanelData, PanelSeries } from '../panels/panel-data';

/** One push of `liveRangeQuery` (docs/graphql/README.md): FULL replaces, APPEND merges. */
export interface LiveUpdate {
  readonly kind: 'FULL' | 'APPEND';
  readonly startMs: number;
  readonly endMs: number;
  readonly series: ReadonlyArray<{ readonly labels: Labels; readonly timestamps: readonly number[]; readonly values: readonly (number | string)[] }>;
}

interface Row {
  readonly labels: Labels;
  values: Float64Array;
}

function toFloat(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return NaN;
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/**
 * The window of one live target on a sliding step grid. Each update moves the window's end to
 * the update's last step, shifting the values left in place (copyWithin, no per-point
 * objects), and writes the pushed points at their steps; a point at a step already held
 * replaces it, as the protocol says (late samples can change the last step). Series with no
 * point left in the window are dropped.
 */
export class LiveGrid {
  private readonly rows = new Map<string, Row>();
  private endMs = NaN;
  private readonly steps: number;

  constructor(
    readonly refId: string,
    private readonly legendFormat: string,
    readonly windowMs: number,
    readonly stepMs: number,
  ) {
    this.steps = Math.floor(windowMs / stepMs) + 1;
  }

  apply(update: LiveUpdate): void {
    if (update.kind === 'FULL') this.rows.clear();
    const end = Math.floor(update.endMs / this.stepMs) * this.stepMs;
    if (Number.isNaN(this.endMs) || update.kind === 'FULL') this.endMs = end;
    else if (end > this.endMs) this.shift(Math.round((end - this.endMs) / this.stepMs));
    const start = this.endMs - (this.steps - 1) * this.stepMs;
    for (const s of update.series) {
      const key = keyOf(s.labels);
      let row = this.rows.get(key);
      if (!row) {
        row = { labels: s.labels, values: new Float64Array(this.steps).fill(NaN) };
        this.rows.set(key, row);
      }
      for (let i = 0; i < s.timestamps.length; i++) {
        const at = Math.round((s.timestamps[i]! - start) / this.stepMs);
        if (at >= 0 && at < this.steps) row.values[at] = toFloat(s.values[i]!);
      }
    }
  }

  private shift(by: number): void {
    this.endMs += by * this.stepMs;
    for (const [key, row] of this.rows) {
      if (by >= this.steps) row.values.fill(NaN);
      else {
        row.values.copyWithin(0, by);
        row.values.fill(NaN, this.steps - by);
      }
      if (row.values.every(Number.isNaN)) this.rows.delete(key);
    }
  }

  /** The window as panel series (values are copies: the renderer may keep them). */
  series(names: Map<string, number>): PanelSeries[] {
    const out: PanelSeries[] = [];
    for (const row of this.rows.values()) {
      let name = formatLegend(this.legendFormat, row.labels);
      const n = names.get(name) ?? 0;
      names.set(name, n + 1);
      if (n > 0) name = `${name} (${n + 1})`;
      out.push({ refId: this.refId, name, labels: row.labels, values: row.values.slice() });
    }
    return out;
  }

  get grid(): PanelData['grid'] {
    return { startMs: this.endMs - (this.steps - 1) * this.stepMs, endMs: this.endMs, stepMs: this.stepMs, steps: this.steps };
  }
}

/** A panel's data from its live targets (all on the same window and step). */
export function livePanelData(grids: readonly LiveGrid[]): PanelData {
  const names = new Map<string, number>();
  const first = grids[0];
  if (!first) return { grid: { startMs: 0, endMs: 0, stepMs: 1000, steps: 0 }, series: [] };
  return { grid: first.grid, series: grids.flatMap((g) => g.series(names)) };
}
