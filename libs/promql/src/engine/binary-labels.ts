import { METADATA_LABEL_NAMES, type Labels } from '#pharos/metric-model';
import type { VectorMatching } from '../ast.js';
import { deleteLabels, dropMetricName, keepLabels, setLabel } from './labels.js';

/** Label sets of vector matching, shared by the per-step and the per-pair binary operators. */

/** The labels of a result sample (Prometheus' `resultMetric`). */
export function resultMetric(lhs: Labels, rhs: Labels, matching: VectorMatching, onNames: ReadonlySet<string>, dropName: boolean): Labels {
  let labels = dropName ? dropMetricName(lhs) : lhs;
  if (matching.card === 'one-to-one') labels = matching.on ? keepLabels(labels, onNames) : deleteLabels(labels, onNames);
  for (const name of matching.include) {
    // Labels named in group_x come from the "one" side.
    let value = '';
    for (let k = 0; k < rhs.length; k += 2) if (rhs[k] === name) value = rhs[k + 1]!;
    labels = setLabel(labels, name, value);
  }
  return labels;
}

/** Prometheus' `Labels.MatchLabels`: the `on` labels, or all but the `ignoring` labels and the name. */
export function matchLabels(labels: Labels, on: boolean, names: ReadonlySet<string>): Labels {
  if (on) return keepLabels(labels, names);
  const without = new Set(names);
  for (const n of METADATA_LABEL_NAMES) without.add(n);
  return deleteLabels(labels, without);
}
