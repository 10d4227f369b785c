import type { Labels } from '#pharos/metric-model';
import type { AggregateExpr } from '../ast.js';
import { groupLabels, withoutGroupingNames } from './grouping.js';
import { signature } from './labels.js';
import type { StepSeriesSink } from './range-eval.js';
import { FLOAT_POINT, HIST_POINT, NO_POINT, newStepSeries, type StepSeries } from './step-values.js';

/** The aggregations {@link FloatAggregationFold} computes. */
export type FoldableOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group';

export function isFoldable(op: string): op is FoldableOp {
  return op === 'sum' || op === 'avg' || op === 'count' || op === 'min' || op === 'max' || op === 'group';
}

/** One output group: its series (whose floats hold the running value) and the cells' extra state. */
interface Group {
  readonly out: StepSeries;
  /** Kahan compensation (sum, avg). */
  comp: Float64Array | undefined;
  /** Samples folded (avg). */
  count: Float64Array | undefined;
  /** Running mean once the sum overflowed (avg). */
  mean: Float64Array | undefined;
  incremental: Uint8Array | undefined;
  /** Whether a series was folded in yet. */
  started: boolean;
  /** Whether every step has a value (so presence need not be checked). */
  full: boolean;
}

/**
 * `sum`, `avg`, `count`, `min`, `max` and `group` over float samples, folded one input series
 * at a time over all steps: each series' group is resolved once, and its column is added
 * straight into the group's per-step accumulators (the output series' own `floats`, plus a
 * compensation column). No per-step or per-sample objects; nothing of the input is kept, so
 * a producer may hand over a reused scratch series (see `StepSeriesSink`).
 *
 * For every (group, step) the samples are folded in input order with Prometheus'
 * `aggregation` arithmetic (Kahan–Neumaier `kahansum.Inc`, the incremental mean once a sum
 * overflows), so results are bit-identical to folding step by step. Memory: the output plus a
 * compensation column per group (avg: three), i.e. about twice the output, whereas holding the
 * input vector first would cost the input's size, at least the output's.
 */
export class FloatAggregationFold implements StepSeriesSink {
  private readonly byKey = new Map<string, Group>();
  private readonly groups: Group[] = [];
  private readonly names: ReadonlySet<string>;
  private readonly withoutNames: ReadonlySet<string>;
  /** Points of the input series folded so far. */
  inputPoints = 0;

  constructor(
    private readonly expr: AggregateExpr,
    private readonly op: FoldableOp,
    private readonly numSteps: number,
  ) {
    this.names = new Set(expr.grouping);
    this.withoutNames = withoutGroupingNames(this.names);
  }

  /** Folds one float-only series; it is not kept. */
  accept(series: StepSeries): void {
    const group = this.groupOf(series.labels);
    this.inputPoints += series.points;
    if (series.points === 0) return;
    const started = group.started;
    group.started = true;
    const kinds = series.kinds;
    const floats = series.floats;
    const out = group.out;
    const seen = out.kinds;
    const value = out.floats;
    const n = this.numSteps;
    switch (this.op) {
      case 'sum': {
        const comp = (group.comp ??= new Float64Array(n));
        if (series.points === n && group.full) {
          // Every step present on both sides (the common case): no presence checks.
          for (let step = 0; step < n; step++) {
            const f = floats[step]!;
            const sum = value[step]!;
            const t = sum + f;
            if (t === Infinity || t === -Infinity) comp[step] = 0;
            else if (Math.abs(sum) >= Math.abs(f)) comp[step] = comp[step]! + (sum - t + f);
            else comp[step] = comp[step]! + (f - t + sum);
            value[step] = t;
          }
          return;
        }
        if (series.points === n && !started) {
          // The group's first series, present everywhere: its values are the sums so far.
          seen.fill(FLOAT_POINT);
          value.set(floats);
          group.full = true;
          return;
        }
        for (let step = 0; step < n; step++) {
          const kind = kinds[step];
          if (kind === NO_POINT) continue;
          if (kind === HIST_POINT) throw new Error('FloatAggregationFold got a histogram');
          const f = floats[step]!;
          if (seen[step] === NO_POINT) {
            seen[step] = FLOAT_POINT;
            value[step] = f;
            continue;
          }
          // Kahan–Neumaier step, inline (Prometheus' kahansum.Inc).
          const sum = value[step]!;
          const t = sum + f;
          if (t === Infinity || t === -Infinity) comp[step] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) comp[step] = comp[step]! + (sum - t + f);
          else comp[step] = comp[step]! + (f - t + sum);
          value[step] = t;
        }
        return;
      }
      case 'avg':
        this.foldAvg(group, kinds, floats);
        return;
      case 'count':
        for (let step = 0; step < n; step++) {
          const kind = kinds[step];
          if (kind === NO_POINT) continue;
          if (kind === HIST_POINT) throw new Error('FloatAggregationFold got a histogram');
          if (seen[step] === NO_POINT) {
            seen[step] = FLOAT_POINT;
            value[step] = 1;
          } else value[step] = value[step]! + 1;
        }
        return;
      case 'group':
        for (let step = 0; step < n; step++) {
          const kind = kinds[step];
          if (kind === NO_POINT) continue;
          if (kind === HIST_POINT) throw new Error('FloatAggregationFold got a histogram');
          seen[step] = FLOAT_POINT;
          value[step] = 1;
        }
        return;
      case 'max':
      case 'min': {
        const isMax = this.op === 'max';
        for (let step = 0; step < n; step++) {
          const kind = kinds[step];
          if (kind === NO_POINT) continue;
          if (kind === HIST_POINT) throw new Error('FloatAggregationFold got a histogram');
          const f = floats[step]!;
          if (seen[step] === NO_POINT) {
            seen[step] = FLOAT_POINT;
            value[step] = f;
            continue;
          }
          const v = value[step]!;
          if (isMax ? v < f || Number.isNaN(v) : v > f || Number.isNaN(v)) value[step] = f;
        }
        return;
      }
    }
  }

  /** The output series, in the order their groups were first met; groups without points are left out. */
  result(): StepSeries[] {
    const out: StepSeries[] = [];
    for (const g of this.groups) if (this.finish(g)) out.push(g.out);
    return out;
  }

  /** Turns a group's accumulators into its values; false when it has no point. */
  private finish(g: Group): boolean {
    const s = g.out;
    const kinds = s.kinds;
    const value = s.floats;
    let points = 0;
    for (let step = 0; step < this.numSteps; step++) {
      if (kinds[step] === NO_POINT) continue;
      points++;
      if (this.op === 'sum') value[step] = value[step]! + g.comp![step]!;
      else if (this.op === 'avg') {
        const c = g.comp![step]!;
        const n = g.count![step]!;
        if (g.incremental![step] === 1) value[step] = g.mean![step]! + c;
        else value[step] = value[step]! / n + c / n;
      }
    }
    s.points = points;
    return points > 0;
  }

  private foldAvg(group: Group, kinds: Uint8Array, floats: Float64Array): void {
    const n = this.numSteps;
    const comp = (group.comp ??= new Float64Array(n));
    const count = (group.count ??= new Float64Array(n));
    const mean = (group.mean ??= new Float64Array(n));
    const incremental = (group.incremental ??= new Uint8Array(n));
    const seen = group.out.kinds;
    const value = group.out.floats;
    for (let step = 0; step < n; step++) {
      const kind = kinds[step];
      if (kind === NO_POINT) continue;
      if (kind === HIST_POINT) throw new Error('FloatAggregationFold got a histogram');
      const f = floats[step]!;
      if (seen[step] === NO_POINT) {
        seen[step] = FLOAT_POINT;
        value[step] = f;
        mean[step] = f;
        count[step] = 1;
        continue;
      }
      const c = ++count[step]!;
      if (incremental[step] === 0) {
        const sum = value[step]!;
        const t = sum + f;
        if (t !== Infinity && t !== -Infinity) {
          if (Math.abs(sum) >= Math.abs(f)) comp[step] = comp[step]! + (sum - t + f);
          else comp[step] = comp[step]! + (f - t + sum);
          value[step] = t;
          continue;
        }
        // The running sum would overflow: continue with an incremental mean, as Prometheus does.
        incremental[step] = 1;
        mean[step] = sum / (c - 1);
        comp[step] = comp[step]! / (c - 1);
      }
      // kahansum.Inc(f / c, q * mean, q * comp)
      const q = (c - 1) / c;
      const inc = f / c;
      const m = q * mean[step]!;
      let k = q * comp[step]!;
      const t = m + inc;
      if (t === Infinity || t === -Infinity) k = 0;
      else if (Math.abs(m) >= Math.abs(inc)) k += m - t + inc;
      else k += inc - t + m;
      mean[step] = t;
      comp[step] = k;
    }
  }

  private groupOf(labels: Labels): Group {
    const expr = this.expr;
    const key = expr.without ? signature(labels, this.withoutNames, false) : signature(labels, this.names, true);
    let g = this.byKey.get(key);
    if (g === undefined) {
      const out = newStepSeries(groupLabels(expr, labels, this.names, this.withoutNames), this.numSteps);
      g = { out, comp: undefined, count: undefined, mean: undefined, incremental: undefined, started: false, full: false };
      this.byKey.set(key, g);
      this.groups.push(g);
    }
    return g;
  }
}
