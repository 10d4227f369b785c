import { METADATA_LABEL_NAMES, type Labels } from '#pharos/metric-model';
import type { AggregateExpr } from '../ast.js';
import { deleteLabels, keepLabels, signature } from './labels.js';
import type { StepSeries } from './step-values.js';

export interface Grouping {
  /** Group index of each input series. */
  readonly groupOf: Int32Array;
  /** Output labels of each group. */
  readonly labels: Labels[];
}

/**
 * Labels `without (…)` drops besides the listed ones: the metric name and the type-and-unit
 * metadata labels, which Prometheus 3 adds to every `without` grouping (engine.go, `eval` of
 * `AggregateExpr`) whether or not the type-and-unit feature is on.
 */
const ALWAYS_WITHOUT = METADATA_LABEL_NAMES;

/** The names a `without (…)` grouping removes: the listed ones plus the metadata labels. */
export function withoutGroupingNames(names: Iterable<string>): Set<string> {
  const out = new Set(names);
  for (const n of ALWAYS_WITHOUT) out.add(n);
  return out;
}

export function groupSeries(expr: AggregateExpr, input: readonly StepSeries[]): Grouping {
  const names = new Set(expr.grouping);
  const withoutNames = withoutGroupingNames(names);
  const byKey = new Map<string, number>();
  const labels: Labels[] = [];
  const groupOf = new Int32Array(input.length);
  input.forEach((s, i) => {
    const key = expr.without ? signature(s.labels, withoutNames, false) : signature(s.labels, names, true);
    let g = byKey.get(key);
    if (g === undefined) {
      g = labels.length;
      byKey.set(key, g);
      labels.push(groupLabels(expr, s.labels, names, withoutNames));
    }
    groupOf[i] = g;
  });
  return { groupOf, labels };
}

export function groupLabels(expr: AggregateExpr, labels: Labels, names: ReadonlySet<string>, withoutNames: ReadonlySet<string>): Labels {
  if (expr.without) return deleteLabels(labels, withoutNames);
  if (names.size > 0) return keepLabels(labels, names);
  return [];
}

