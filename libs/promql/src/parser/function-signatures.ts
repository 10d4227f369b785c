import type { AggregateOp, ValueType } from '../ast.js';

/**
 * The signature of a PromQL function, as Prometheus' `promql/parser/functions.go` declares it.
 * This table is the single source of function names and types: the parser type-checks calls
 * against it and the evaluator looks implementations up by the same names.
 */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /**
   * 0: exactly `argTypes.length` arguments. n > 0: the last argument type may be given up to
   * n more times, and the last declared argument is optional, so `argTypes.length - 1` to
   * `argTypes.length - 1 + n` arguments. -1: like n but unbounded.
   */
  readonly variadic: number;
  readonly returnType: ValueType;
  /** Prometheus 3 gates it behind `--enable-feature=promql-experimental-functions`; Pharos enables it. */
  readonly experimental: boolean;
  /**
   * Set when the name is not a Prometheus 3 function but an alias Pharos keeps for old
   * dashboards; evaluate it as the function named here.
   */
  readonly aliasOf?: string;
}

function fn(
  name: string,
  argTypes: readonly ValueType[],
  variadic: number,
  returnType: ValueType,
  flags: { experimental?: boolean; aliasOf?: string } = {},
): FunctionSignature {
  const sig: FunctionSignature = { name, argTypes, variadic, returnType, experimental: flags.experimental ?? false };
  return flags.aliasOf === undefined ? sig : { ...sig, aliasOf: flags.aliasOf };
}

/** Every function of Prometheus 3.16's `functions.go`, plus Pharos' `holt_winters` alias. */
const SIGNATURES: readonly FunctionSignature[] = [
  fn('abs', ['vector'], 0, 'vector'),
  fn('absent', ['vector'], 0, 'vector'),
  fn('absent_over_time', ['matrix'], 0, 'vector'),
  fn('acos', ['vector'], 0, 'vector'),
  fn('acosh', ['vector'], 0, 'vector'),
  fn('asin', ['vector'], 0, 'vector'),
  fn('asinh', ['vector'], 0, 'vector'),
  fn('atan', ['vector'], 0, 'vector'),
  fn('atanh', ['vector'], 0, 'vector'),
  fn('avg_over_time', ['matrix'], 0, 'vector'),
  fn('ceil', ['vector'], 0, 'vector'),
  fn('changes', ['matrix'], 0, 'vector'),
  fn('clamp', ['vector', 'scalar', 'scalar'], 0, 'vector'),
  fn('clamp_max', ['vector', 'scalar'], 0, 'vector'),
  fn('clamp_min', ['vector', 'scalar'], 0, 'vector'),
  fn('cos', ['vector'], 0, 'vector'),
  fn('cosh', ['vector'], 0, 'vector'),
  fn('count_over_time', ['matrix'], 0, 'vector'),
  fn('day_of_month', ['vector'], 1, 'vector'),
  fn('day_of_week', ['vector'], 1, 'vector'),
  fn('day_of_year', ['vector'], 1, 'vector'),
  fn('days_in_month', ['vector'], 1, 'vector'),
  fn('deg', ['vector'], 0, 'vector'),
  fn('delta', ['matrix'], 0, 'vector'),
  fn('deriv', ['matrix'], 0, 'vector'),
  fn('double_exponential_smoothing', ['matrix', 'scalar', 'scalar'], 0, 'vector', { experimental: true }),
  fn('end', [], 0, 'scalar', { experimental: true }),
  fn('exp', ['vector'], 0, 'vector'),
  fn('first_over_time', ['matrix'], 0, 'vector'),
  fn('floor', ['vector'], 0, 'vector'),
  fn('histogram_avg', ['vector'], 0, 'vector'),
  fn('histogram_count', ['vector'], 0, 'vector'),
  fn('histogram_fraction', ['scalar', 'scalar', 'vector'], 0, 'vector'),
  fn('histogram_quantile', ['scalar', 'vector'], 0, 'vector'),
  fn('histogram_quantiles', ['vector', 'string', 'scalar', 'scalar'], 9, 'vector', { experimental: true }),
  fn('histogram_stddev', ['vector'], 0, 'vector'),
  fn('histogram_stdvar', ['vector'], 0, 'vector'),
  fn('histogram_sum', ['vector'], 0, 'vector'),
  fn('hour', ['vector'], 1, 'vector'),
  fn('idelta', ['matrix'], 0, 'vector'),
  fn('increase', ['matrix'], 0, 'vector'),
  fn('info', ['vector', 'vector'], 1, 'vector', { experimental: true }),
  fn('integral', ['matrix', 'scalar'], 1, 'vector', { experimental: true }),
  fn('irate', ['matrix'], 0, 'vector'),
  fn('label_join', ['vector', 'string', 'string', 'string'], -1, 'vector'),
  fn('label_replace', ['vector', 'string', 'string', 'string', 'string'], 0, 'vector'),
  fn('last_over_time', ['matrix'], 0, 'vector'),
  fn('ln', ['vector'], 0, 'vector'),
  fn('log10', ['vector'], 0, 'vector'),
  fn('log2', ['vector'], 0, 'vector'),
  fn('mad_over_time', ['matrix'], 0, 'vector', { experimental: true }),
  fn('max_of', ['scalar', 'scalar'], 0, 'scalar', { experimental: true }),
  fn('max_over_time', ['matrix'], 0, 'vector'),
  fn('min_of', ['scalar', 'scalar'], 0, 'scalar', { experimental: true }),
  fn('min_over_time', ['matrix'], 0, 'vector'),
  fn('minute', ['vector'], 1, 'vector'),
  fn('month', ['vector'], 1, 'vector'),
  fn('pi', [], 0, 'scalar'),
  fn('predict_linear', ['matrix', 'scalar'], 0, 'vector'),
  fn('present_over_time', ['matrix'], 0, 'vector'),
  fn('quantile_over_time', ['scalar', 'matrix'], 0, 'vector'),
  fn('rad', ['vector'], 0, 'vector'),
  fn('range', [], 0, 'scalar', { experimental: true }),
  fn('rate', ['matrix'], 0, 'vector'),
  fn('resets', ['matrix'], 0, 'vector'),
  fn('round', ['vector', 'scalar'], 1, 'vector'),
  fn('scalar', ['vector'], 0, 'scalar'),
  fn('sgn', ['vector'], 0, 'vector'),
  fn('sin', ['vector'], 0, 'vector'),
  fn('sinh', ['vector'], 0, 'vector'),
  fn('sort', ['vector'], 0, 'vector'),
  fn('sort_by_label', ['vector', 'string'], -1, 'vector', { experimental: true }),
  fn('sort_by_label_desc', ['vector', 'string'], -1, 'vector', { experimental: true }),
  fn('sort_desc', ['vector'], 0, 'vector'),
  fn('sqrt', ['vector'], 0, 'vector'),
  fn('start', [], 0, 'scalar', { experimental: true }),
  fn('start_timestamp', ['vector'], 0, 'vector', { experimental: true }),
  fn('stddev_over_time', ['matrix'], 0, 'vector'),
  fn('stdvar_over_time', ['matrix'], 0, 'vector'),
  fn('step', [], 0, 'scalar', { experimental: true }),
  fn('sum_over_time', ['matrix'], 0, 'vector'),
  fn('tan', ['vector'], 0, 'vector'),
  fn('tanh', ['vector'], 0, 'vector'),
  fn('time', [], 0, 'scalar'),
  fn('timestamp', ['vector'], 0, 'vector'),
  fn('ts_of_first_over_time', ['matrix'], 0, 'vector', { experimental: true }),
  fn('ts_of_last_over_time', ['matrix'], 0, 'vector', { experimental: true }),
  fn('ts_of_max_over_time', ['matrix'], 0, 'vector', { experimental: true }),
  fn('ts_of_min_over_time', ['matrix'], 0, 'vector', { experimental: true }),
  fn('vector', ['scalar'], 0, 'vector'),
  fn('year', ['vector'], 1, 'vector'),
  // Prometheus 3 renamed holt_winters to double_exponential_smoothing and removed the old name.
  fn('holt_winters', ['matrix', 'scalar', 'scalar'], 0, 'vector', { experimental: true, aliasOf: 'double_exponential_smoothing' }),
];

/** Function signatures by name. */
export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map(SIGNATURES.map((s) => [s.name, s]));

/** The signature of the function called `name`, or `undefined` for an unknown name. */
export function getFunctionSignature(name: string): FunctionSignature | undefined {
  return FUNCTION_SIGNATURES.get(name);
}

/** An aggregation operator's parameter and whether Prometheus gates it as experimental. */
export interface AggregatorSignature {
  readonly op: AggregateOp;
  /** Type of the parameter before the vector argument, if the operator takes one. */
  readonly paramType?: ValueType;
  readonly experimental: boolean;
}

const AGGREGATORS: readonly AggregatorSignature[] = [
  { op: 'sum', experimental: false },
  { op: 'avg', experimental: false },
  { op: 'min', experimental: false },
  { op: 'max', experimental: false },
  { op: 'count', experimental: false },
  { op: 'group', experimental: false },
  { op: 'stddev', experimental: false },
  { op: 'stdvar', experimental: false },
  { op: 'topk', paramType: 'scalar', experimental: false },
  { op: 'bottomk', paramType: 'scalar', experimental: false },
  { op: 'quantile', paramType: 'scalar', experimental: false },
  { op: 'count_values', paramType: 'string', experimental: false },
  { op: 'limitk', paramType: 'scalar', experimental: true },
  { op: 'limit_ratio', paramType: 'scalar', experimental: true },
];

/** Aggregation operators by name (`sum`, `topk`, …). */
export const AGGREGATOR_SIGNATURES: ReadonlyMap<string, AggregatorSignature> = new Map(AGGREGATORS.map((a) => [a.op, a]));
