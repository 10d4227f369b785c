import type { StatReducer } from '@pharos/dashboard-model';
import type { PanelData } from './panel-data';

/**
 * One number from a series' values, as Grafana's reducers do over non-null points: `last` and
 * `first` are Grafana's lastNotNull / firstNotNull, the others skip NaN (no point) too. A series
 * without any point reduces to NaN, except `count` (0) — the panel then shows "No data" rather
 * than a made-up 0 for a sum or a mean.
 */
export function reduceSeries(values: Float64Array, reducer: StatReducer): number {
  const n = values.length;
  switch (reducer) {
    case 'last':
      for (let i = n - 1; i >= 0; i--) if (!Number.isNaN(values[i]!)) return values[i]!;
      return NaN;
    case 'first':
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) return values[i]!;
      return NaN;
    case 'count': {
      let c = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) c++;
      return c;
    }
    case 'sum':
    case 'mean': {
      let sum = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (!Number.isNaN(v)) {
          sum += v;
          c++;
        }
      }
      if (c === 0) return NaN;
      return reducer === 'sum' ? sum : sum / c;
    }
    case 'max': {
      let m = -Infinity;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v > m) m = v;
        if (!Number.isNaN(v)) c++;
      }
      // A series of only -Inf points has max -Inf; one of only NaN has none.
      return c === 0 ? NaN : m;
    }
    case 'min': {
      let m = Infinity;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v < m) m = v;
        if (!Number.isNaN(v)) c++;
      }
      return c === 0 ? NaN : m;
    }
    default:
      throw new Error(`unknown reducer "${String(reducer satisfies never)}" (expected one of last, first, mean, max, min, sum, count)`);
  }
}

/** A series reduced to one value: what stat, gauge, bar and pie panels show. */
export interface ReducedValue {
  /** Index of the series in `PanelData.series`. */
  readonly index: number;
  readonly name: string;
  readonly value: number;
}

/** Every series of the panel reduced, in the panel's series order. */
export function reduceAll(data: PanelData, reducer: StatReducer): ReducedValue[] {
  return data.series.map((s, index) => ({ index, name: s.name, value: reduceSeries(s.values, reducer) }));
}
