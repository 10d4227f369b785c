import type { FieldConfig, StatReducer, Threshold } from '@pharos/dashboard-model';
import { valueFormatter } from '../../../shared/units/units';
import type { PanelData } from './panel-data';
import { reduceSeries } from './reduce';
import { thresholdColor } from './thresholds';

/** One reduced series as stat, gauge, bar and pie panels show it. */
export interface ValueTile {
  /** Stable identity for rendering. */
  readonly key: string;
  readonly name: string;
  readonly value: number;
  /** The value in the panel's unit, or "No data". */
  readonly text: string;
  /** The threshold colour of the value; null without thresholds or value (the theme's colours apply). */
  readonly color: string | null;
  /** The series' values (for sparklines). */
  readonly values: Float64Array;
}

export const NO_DATA = 'No data';

/** Every series reduced, formatted and coloured, in panel order. */
export function valueTiles(data: PanelData, reducer: StatReducer, fieldConfig: FieldConfig): ValueTile[] {
  const format = valueFormatter(fieldConfig.unit, fieldConfig.decimals);
  return data.series.map((s, i) => {
    const value = reduceSeries(s.values, reducer);
    return {
      key: `${i}\u0000${s.refId}\u0000${s.name}`,
      name: s.name,
      value,
      text: Number.isNaN(value) ? NO_DATA : format(value),
      color: valueColor(value, fieldConfig.thresholds),
      values: s.values,
    };
  });
}

function valueColor(value: number, thresholds: readonly Threshold[]): string | null {
  if (thresholds.length === 0 || Number.isNaN(value)) return null;
  const c = thresholdColor(value, thresholds, '');
  // Below a first step that is not the base: no colour of the author's applies.
  return c === '' ? null : c;
}

/** "cpu: 42%, mem: 1.5 GiB": a chart's values as one sentence for its accessible name. */
export function describeTiles(kind: string, tiles: readonly ValueTile[]): string {
  if (tiles.length === 0) return `${kind}: no data`;
  return `${kind}: ${tiles.map((t) => (t.name === '' ? t.text : `${t.name} ${t.text}`)).join(', ')}`;
}
