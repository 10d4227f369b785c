import type { ValueTile } from './stat-model';
import { seriesColor } from '../../../shared/chart/palette';

/** One bar or slice, as ngx-charts takes it. */
export interface ChartValue {
  readonly name: string;
  readonly value: number;
  /** The formatted value for labels and tooltips. */
  readonly text: string;
  readonly color: string;
}

/**
 * Reduced series as bars or slices: series without a value (NaN) or with an infinite one are
 * left out, which a chart cannot size; a pie also drops negative values, which a share cannot
 * be. The colour is the threshold colour when the panel has thresholds, else the series'
 * palette colour (by its position among all series, so it does not shift when one drops out).
 * `omitted` names what was left out, for the chart's accessible summary.
 */
export function chartValues(tiles: readonly ValueTile[], kind: 'bar' | 'pie'): { values: ChartValue[]; omitted: string[] } {
  const values: ChartValue[] = [];
  const omitted: string[] = [];
  tiles.forEach((t, i) => {
    if (!Number.isFinite(t.value) || (kind === 'pie' && t.value < 0)) omitted.push(t.name);
    else values.push({ name: t.name, value: t.value, text: t.text, color: t.color ?? seriesColor(i) });
  });
  return { values, omitted };
}

/** "Bar chart: a 5, b 7; no value for c" */
export function describeChart(kind: string, values: readonly ChartValue[], omitted: readonly string[]): string {
  const shown = values.length === 0 ? 'no data' : values.map((v) => `${v.name} ${v.text}`).join(', ');
  return omitted.length === 0 ? `${kind}: ${shown}` : `${kind}: ${shown}; not shown: ${omitted.join(', ')}`;
}
