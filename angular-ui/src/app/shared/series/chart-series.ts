import { formatLegend, type Labels } from './legend-format';

/** One point as ngx-charts' line chart takes it. */
export interface ChartPoint {
  readonly name: Date;
  readonly value: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly series: ChartPoint[];
}

/** A range-query series in Prometheus' JSON shape: `[unixSeconds, "value"]` pairs. */
export interface MatrixSeries {
  readonly metric: Labels;
  readonly values?: ReadonlyArray<readonly [number, string]>;
}

/**
 * Converts a matrix into the chart's input in one pass per series. ngx-charts wants one object
 * per point, so that allocation is unavoidable here; nothing else is copied. Non-finite values
 * (NaN, ±Inf) cannot be drawn on a linear axis and are left out. Legend names that collide get
 * a counter, because the chart keys series by name and would otherwise merge them.
 */
export function toChartSeries(matrix: readonly MatrixSeries[], legendFormat: string): ChartSeries[] {
  const out: ChartSeries[] = new Array(matrix.length);
  const seen = new Map<string, number>();
  for (let i = 0; i < matrix.length; i++) {
    const s = matrix[i]!;
    let name = formatLegend(legendFormat, s.metric);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) name = `${name} (${n + 1})`;
    const values = s.values ?? [];
    const points: ChartPoint[] = [];
    for (let j = 0; j < values.length; j++) {
      const v = Number(values[j]![1]);
      if (Number.isFinite(v)) points.push({ name: new Date(values[j]![0] * 1000), value: v });
    }
    out[i] = { name, series: points };
  }
  return out;
}
