import type { PanelGrid } from '../../features/dashboards/panels/panel-data';

/** The grid step nearest to `timeMs`, clamped to the grid. */
export function nearestStep(grid: PanelGrid, timeMs: number): number {
  if (grid.steps <= 0) throw new RangeError('the grid has no steps');
  if (grid.steps === 1) return 0;
  const i = Math.round((timeMs - grid.startMs) / grid.stepMs);
  return i < 0 ? 0 : i >= grid.steps ? grid.steps - 1 : i;
}

export interface TooltipRow {
  readonly index: number;
  readonly name: string;
  readonly color: string;
  readonly value: number;
  readonly text: string;
}

/**
 * The rows of the hover tooltip at step `i`: every visible series with a point there,
 * highest value first (as Grafana's "sort descending"), formatted in the panel's unit.
 */
export function tooltipRows(
  series: readonly { readonly name: string; readonly values: Float64Array }[],
  visible: readonly boolean[],
  i: number,
  color: (index: number) => string,
  format: (value: number) => string,
): TooltipRow[] {
  const rows: TooltipRow[] = [];
  for (let k = 0; k < series.length; k++) {
    if (!visible[k]) continue;
    const s = series[k]!;
    const value = s.values[i];
    if (value === undefined || Number.isNaN(value)) continue;
    rows.push({ index: k, name: s.name, color: color(k), value, text: format(value) });
  }
  return rows.sort((a, b) => b.value - a.value || a.index - b.index);
}
