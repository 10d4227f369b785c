import type { Labels } from '#pharos/metric-model';
import type { AggregateExpr } from '../ast.js';
import { sideBuckets, type HistogramBucket } from '../histogram/buckets.js';
import { formatFloatF, formatFloatG } from './go-format.js';
import { groupLabels, withoutGroupingNames } from './grouping.js';
import { labelsKey, setLabel, signature } from './labels.js';
import { OutputSet } from './output-set.js';
import { evalError, type QueryContext } from './query-context.js';
import { HIST_POINT, NO_POINT, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/** `count_values("label", v)`: one output series per distinct value (and group) at each step. */
export async function countValues(
  ctx: QueryContext,
  expr: AggregateExpr,
  input: readonly StepSeries[],
  valueLabel: string,
  grid: StepGrid,
): Promise<StepSeries[]> {
  if (valueLabel === '') throw evalError(`invalid label name "${valueLabel}"`);
  const names = new Set(expr.grouping);
  if (!expr.without) names.add(valueLabel);
  const withoutNames = withoutGroupingNames(names);
  const out = new OutputSet(grid.numSteps);
  const counts = new Map<string, { labels: Labels; count: number }>();
  for (let step = 0; step < grid.numSteps; step++) {
    const pause = ctx.poll(input.length + 1);
    if (pause !== undefined) await pause;
    counts.clear();
    for (const s of input) {
      const kind = s.kinds[step];
      if (kind === NO_POINT) continue;
      const text = kind === HIST_POINT ? histogramText(s.hists![step]!) : formatFloatF(s.floats[step]!);
      const metric = setLabel(s.labels, valueLabel, text);
      const key = expr.without ? signature(metric, withoutNames, false) : signature(metric, names, true);
      const group = counts.get(key);
      if (group === undefined) counts.set(key, { labels: groupLabels(expr, metric, names, withoutNames), count: 1 });
      else group.count++;
    }
    for (const { labels, count } of counts.values()) out.addFloat(out.seriesFor(labels, labelsKey(labels)), step, count);
  }
  return out.series;
}

/** Prometheus' `FloatHistogram.String()`, which `count_values` uses for histogram values. */
export function histogramText(h: FloatHistogram): string {
  const parts = [`{count:${formatFloatG(h.count)}, sum:${formatFloatG(h.sum)}`];
  const bucket = (b: HistogramBucket): string =>
    `${b.lowerInclusive ? '[' : '('}${formatFloatG(b.lower)},${formatFloatG(b.upper)}${b.upperInclusive ? ']' : ')'}:${formatFloatG(b.count)}`;
  const negative = sideBuckets(h, false).filter((b) => b.count !== 0);
  for (let i = negative.length - 1; i >= 0; i--) parts.push(bucket(negative[i]!));
  if (h.zeroCount !== 0) {
    parts.push(bucket({ lower: -h.zeroThreshold, upper: h.zeroThreshold, lowerInclusive: true, upperInclusive: true, count: h.zeroCount, index: 0 }));
  }
  for (const b of sideBuckets(h, true)) if (b.count !== 0) parts.push(bucket(b));
  return `${parts.join(', ')}}`;
}
