import type { FunctionImpl } from './contract.js';
import { DATE_FUNCTIONS } from './date.js';
import { HISTOGRAM_FUNCTIONS } from './histogram-functions.js';
import { INTEGRAL_FUNCTIONS } from './integral.js';
import { LABEL_FUNCTIONS } from './labels.js';
import { MATH_FUNCTIONS } from './math.js';
import { OVER_TIME_FUNCTIONS } from './over-time.js';
import { RATE_FUNCTIONS } from './rate.js';
import { SORT_FUNCTIONS } from './sort.js';
import { TREND_FUNCTIONS } from './trend.js';

/**
 * Every PromQL function of Prometheus 3.x by name, except those the evaluator implements itself
 * because they need more than one step's arguments or the query's own parameters (`absent`,
 * `absent_over_time`, `timestamp`, `scalar`, `vector`, `time`, `pi`, `info`, and the
 * experimental `start`, `end`, `range`, `step`, `min_of`, `max_of`). `holt_winters` is the old
 * name of `double_exponential_smoothing`.
 */
export const FUNCTIONS: ReadonlyMap<string, FunctionImpl> = new Map<string, FunctionImpl>([
  ...RATE_FUNCTIONS,
  ...OVER_TIME_FUNCTIONS,
  ...TREND_FUNCTIONS,
  ...INTEGRAL_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...SORT_FUNCTIONS,
  ...LABEL_FUNCTIONS,
  ...HISTOGRAM_FUNCTIONS,
]);
