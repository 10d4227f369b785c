import { labelValue, METRIC_NAME_LABEL, type Labels } from '#pharos/metric-model';

/**
 * Annotation texts of the function table, worded as Prometheus 3 words them
 * (`util/annotations/annotations.go`). Functions pass the position of the argument Prometheus
 * reports each one at; `Annotations` renders it as the ` (line:col)` suffix when it has the query
 * text. Metric names go into the text only when an annotation is emitted: looking one up per
 * series per step is a measurable cost in `rate`.
 */

/** Go's `%q` for the strings we quote (metric names, label values). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%g` for float64. */
export function goFormatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // Shortest digits; exponent form when the decimal exponent is < -4 or >= 6 (strconv 'g', -1).
  const [mantissa, e] = f.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return String(f);
}

export function metricNameOf(labels: Labels): string {
  return labelValue(labels, METRIC_NAME_LABEL);
}

function maybeWithMetricName(text: string, metricName: string): string {
  return metricName === '' ? text : `${text} for metric name ${goQuote(metricName)}`;
}

export const Info = {
  possibleNonCounter: (name: string) =>
    `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(name)}`,
  histogramIgnoredInMixedRange: (name: string) =>
    `PromQL info: ignored histograms in a range containing both floats and histograms for metric name ${goQuote(name)}`,
  forcedMonotonicity: (name: string) =>
    maybeWithMetricName(
      'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)',
      name,
    ),
  quantileNaNResult: (name: string) =>
    maybeWithMetricName('PromQL info: input to histogram_quantile has NaN observations, result is NaN', name),
  quantileNaNSkew: (name: string) =>
    maybeWithMetricName('PromQL info: input to histogram_quantile has NaN observations, result is skewed higher', name),
  fractionNaNs: (name: string) =>
    maybeWithMetricName(
      'PromQL info: input to histogram_fraction has NaN observations, which are excluded from all fractions',
      name,
    ),
  mismatchedCustomBuckets: (operation: 'addition' | 'subtraction' | 'aggregation') =>
    `PromQL info: mismatched custom buckets were reconciled during ${operation}`,
} as const;

export const Warning = {
  mixedFloatsHistograms: (name: string) =>
    `PromQL warning: encountered a mix of histograms and floats for metric name ${goQuote(name)}`,
  nativeHistogramNotCounter: (name: string) =>
    `PromQL warning: this native histogram metric is not a counter: ${goQuote(name)}`,
  nativeHistogramNotGauge: (name: string) =>
    `PromQL warning: this native histogram metric is not a gauge: ${goQuote(name)}`,
  mixedExponentialCustom: (name: string) =>
    `PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${goQuote(name)}`,
  invalidIntegralStrategy: (s: number) =>
    `PromQL warning: strategy should be 0, 1, or 2 (default), using 2, got ${goFormatG(s)}`,
  invalidQuantile: (q: number) => `PromQL warning: quantile value should be between 0 and 1, got ${goFormatG(q)}`,
  badBucketLabel: (name: string, label: string) =>
    maybeWithMetricName(`PromQL warning: bucket label "le" is missing or has a malformed value of ${goQuote(label)}`, name),
  mixedClassicNative: (name: string) =>
    maybeWithMetricName('PromQL warning: vector contains a mix of classic and native histograms', name),
  counterResetCollision: (operation: 'addition' | 'subtraction' | 'aggregation') =>
    `PromQL warning: conflicting counter resets during histogram ${operation}`,
} as const;
