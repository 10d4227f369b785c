/**
 * Series names for legends and tables. A legend format such as `{{instance}} {{job}}` picks
 * labels, as Grafana's Prometheus data source does; without one a series is named by its
 * selector, `metric{label="value"}`, as the Prometheus UI does.
 */

export type Labels = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/** Escapes a label value as PromQL string literals do. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;
}

/** `metric{a="1", b="2"}` with labels in name order; `{}` for a series without any label. */
export function seriesSelector(labels: Labels): string {
  const name = labels['__name__'] ?? '';
  const pairs = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${quote(labels[k]!)}`);
  return pairs.length === 0 && name !== '' ? name : `${name}{${pairs.join(', ')}}`;
}

/** Applies a legend format; a missing label becomes the empty string, as in Grafana. */
export function formatLegend(format: string, labels: Labels): string {
  if (format.trim() === '') return seriesSelector(labels);
  return format.replace(PLACEHOLDER, (_, name: string) => labels[name] ?? '');
}
