import type { PanelData, PanelSeries } from '../../features/dashboards/panels/panel-data';
import { formatLegend, type Labels } from './legend-format';

/** Prometheus writes infinities as "+Inf"/"-Inf", which Number() reads as NaN. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A range-query series in Prometheus' JSON shape: `[unixSeconds, "value"]` pairs. */
export interface MatrixSeries {
  readonly metric: Labels;
  readonly values?: ReadonlyArray<readonly [number, string]>;
}

/**
 * A Prometheus matrix (from `/api/v1/query_range` over [startMs, endMs] at `stepMs`) on the
 * step grid the canvas renderer draws: one Float64Array per series, NaN where the series has no
 * point. Legend names that collide are numbered, since the renderer keys series by name.
 * Points off the grid (they cannot come from query_range) are placed on the nearest step.
 */
export function matrixToPanelData(matrix: readonly MatrixSeries[], legendFormat: string, startMs: number, endMs: number, stepMs: number): PanelData {
  const steps = Math.max(1, Math.floor((endMs - startMs) / stepMs) + 1);
  const seen = new Map<string, number>();
  const series: PanelSeries[] = new Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) {
    const m = matrix[i]!;
    let name = formatLegend(legendFormat, m.metric);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) name = `${name} (${n + 1})`;
    const values = new Float64Array(steps).fill(NaN);
    const points = m.values ?? [];
    for (let j = 0; j < points.length; j++) {
      const at = Math.round((points[j]![0] * 1000 - startMs) / stepMs);
      if (at >= 0 && at < steps) values[at] = sampleValue(points[j]![1]);
    }
    series[i] = { refId: 'A', name, labels: m.metric, values };
  }
  return { grid: { startMs, endMs: startMs + (steps - 1) * stepMs, stepMs, steps }, series };
}
