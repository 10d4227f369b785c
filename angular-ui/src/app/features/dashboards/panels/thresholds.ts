import type { Threshold } from '@pharos/dashboard-model';

/**
 * The colour of `value` under a panel's thresholds, as Grafana's threshold steps: the last step
 * whose value is ≤ `value` wins, the base step (value null) covers everything below the first.
 * Without thresholds, and for NaN (no data), the caller's base colour — a theme colour, so an
 * unconfigured stat reads like plain text on both themes.
 */
export function thresholdColor(value: number, thresholds: readonly Threshold[], base: string): string {
  if (thresholds.length === 0 || Number.isNaN(value)) return base;
  let color = base;
  for (const t of thresholds) {
    if (t.value === null || value >= t.value) color = t.color;
    else break; // ascending (parseDashboardModel checks), so no later step can match
  }
  return color;
}

/** A stretch of a gauge's scale drawn in one threshold colour; `from` < `to`, both within min..max. */
export interface ThresholdBand {
  readonly from: number;
  readonly to: number;
  readonly color: string;
}

/**
 * The threshold steps cut to a gauge's `min`..`max`, in order and covering it whole (the part
 * below the first step is `base`). Steps outside the range vanish; equal-valued steps collapse to
 * the later one, as the later one is what `thresholdColor` answers there.
 */
export function thresholdBands(min: number, max: number, thresholds: readonly Threshold[], base: string): ThresholdBand[] {
  if (!(max > min)) return [];
  const bands: ThresholdBand[] = [];
  let from = min;
  let color = base;
  for (const t of thresholds) {
    if (t.value === null) {
      color = t.color;
      continue;
    }
    if (t.value <= from) {
      color = t.color;
      continue;
    }
    if (t.value >= max) break;
    bands.push({ from, to: t.value, color });
    from = t.value;
    color = t.color;
  }
  bands.push({ from, to: max, color });
  return bands;
}
