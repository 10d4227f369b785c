import type { CorpusQuery } from './corpus.js';

/**
 * Every PromQL function of Prometheus 3.16 (promql/parser/functions.go, experimental ones
 * included), so the corpus can be checked to call each at least once.
 */
export const PROMQL_FUNCTIONS = [
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil', 'changes',
  'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'days_in_month', 'day_of_month', 'day_of_week',
  'day_of_year', 'deg', 'end', 'delta', 'deriv', 'exp', 'first_over_time', 'floor', 'histogram_avg', 'histogram_count',
  'histogram_sum', 'histogram_stddev', 'histogram_stdvar', 'histogram_fraction', 'histogram_quantile', 'histogram_quantiles',
  'double_exponential_smoothing', 'hour', 'idelta', 'increase', 'info', 'integral', 'irate', 'label_replace', 'label_join',
  'max_of', 'last_over_time', 'min_of', 'ln', 'log10', 'log2', 'mad_over_time', 'max_over_time', 'min_over_time',
  'ts_of_first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time', 'minute', 'month', 'pi',
  'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'range', 'rate', 'resets', 'round', 'scalar', 'sgn',
  'sin', 'sinh', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'sqrt', 'start', 'start_timestamp', 'step',
  'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'vector', 'year',
] as const;

export const PROMQL_AGGREGATORS = [
  'sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio',
] as const;

/** Operators and modifiers, each with a pattern that finds it in query text. */
export const PROMQL_SYNTAX: readonly (readonly [string, RegExp])[] = [
  ['+', /\S\s*\+\s*\S/],
  ['-', /\S\s+-\s+\S/],
  ['unary -', /(^|[(,]\s*)-[a-z(]/],
  ['*', /\*/],
  ['/', /\S\s*\/\s*\S/],
  ['%', /\s%\s/],
  ['^', /\^/],
  ['atan2', /\batan2\b/],
  ['==', /==/],
  ['!=', /\S\s*!=\s*[\w(]/],
  ['>', /\s>\s/],
  ['<', /\s<\s/],
  ['>=', />=/],
  ['<=', /<=/],
  ['</', /<\//],
  ['>/', />\//],
  ['bool', /\bbool\b/],
  ['and', /\band\b/],
  ['or', /\bor\b/],
  ['unless', /\bunless\b/],
  ['on()', /\bon\s*\(/],
  ['ignoring()', /\bignoring\s*\(/],
  ['group_left', /\bgroup_left\b/],
  ['group_right', /\bgroup_right\b/],
  ['by', /\bby\s*\(/],
  ['without', /\bwithout\s*\(/],
  ['offset', /\boffset\b/],
  ['negative offset', /\boffset\s+-/],
  ['@ time', /@\s*\{\{t:/],
  ['@ start()', /@\s*start\(\)/],
  ['@ end()', /@\s*end\(\)/],
  ['subquery', /\[\d+[smhdwy]+:\d*[smhdwy]*\]/],
  ['=~', /=~/],
  ['!~', /!~/],
  ['string literal', /"[^"]*"|'[^']*'|`[^`]*`/],
];

/** What the corpus does not use, as readable names (empty when every function/operator is covered). */
export function uncovered(queries: readonly CorpusQuery[]): string[] {
  const text = queries.map((q) => q.id);
  const missing: string[] = [];
  for (const f of [...PROMQL_FUNCTIONS, ...PROMQL_AGGREGATORS]) {
    const call = new RegExp(`(^|[^a-z_:])${f}\\s*(\\(|\\s+(by|without)\\b)`);
    if (!text.some((q) => call.test(q))) missing.push(`${f}()`);
  }
  for (const [name, pattern] of PROMQL_SYNTAX) if (!text.some((q) => pattern.test(q))) missing.push(name);
  return missing;
}
