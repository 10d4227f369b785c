export { parseSeriesSelector } from './series-selector.js';
export { unquoteStringLiteral } from './string-literal.js';
export { parsePromQL } from './parser/parse.js';
export type { ParseOptions } from './parser/parse.js';
export type { QueryTimes } from './parser/duration-expr.js';
export { PromQLParseError } from './parser/parse-error.js';
export { parseDuration, formatDuration, DurationParseError } from './parser/duration.js';
export { formatExpr, prettifyExpr } from './parser/format.js';
export { exprToParseQueryJson } from './parser/parse-query-json.js';
export type { ParseQueryJson } from './parser/parse-query-json.js';
export { FUNCTION_SIGNATURES, AGGREGATOR_SIGNATURES, getFunctionSignature } from './parser/function-signatures.js';
export type { FunctionSignature, AggregatorSignature } from './parser/function-signatures.js';
export { typeOf } from './parser/types.js';
export type {
  Expr,
  ValueType,
  PositionRange,
  NumberLiteral,
  StringLiteral,
  AtModifier,
  VectorSelector,
  MatrixSelector,
  SubqueryExpr,
  Call,
  AggregateOp,
  AggregateExpr,
  ArithmeticOp,
  ComparisonOp,
  SetOp,
  BinaryOp,
  VectorMatchCardinality,
  VectorMatching,
  VectorMatchFill,
  BinaryExpr,
  UnaryExpr,
  ParenExpr,
} from './ast.js';
export { FUNCTIONS } from './functions/table.js';
export {
  addHistograms,
  subHistograms,
  scaleHistogram,
  divHistogramByScalar,
  histogramEquals,
  compactHistogram,
  reduceResolution,
  IncompatibleHistogramSchemaError,
} from './histogram/arithmetic.js';
export type { HistogramCombineResult } from './histogram/arithmetic.js';
export { detectHistogramReset } from './histogram/reset.js';
export { KahanHistogramSum } from './histogram/kahan-sum.js';
export { histogramQuantile, histogramFraction, histogramStdDev, histogramStdVar } from './histogram/statistics.js';
export { histogramBuckets, histogramBucketTuples } from './histogram/buckets.js';
export type { HistogramBucket, HistogramBucketTuple, BoundaryRule } from './histogram/buckets.js';
export { runPromQLTestScript, buildLoadBatch } from './promqltest/runner.js';
export type { PromQLTestBackend, PromQLTestOptions, PromQLTestEvalResult, PromQLTestScriptResult } from './promqltest/runner.js';
export { parsePromQLTestScript } from './promqltest/script.js';
export type { PromQLTestCommand, EvalCommand, LoadCommand } from './promqltest/script.js';
export { PromQLTestSyntaxError } from './promqltest/go-syntax.js';
export {
  parseKnownFailures,
  formatKnownFailures,
  checkKnownFailures,
  formatKnownFailureCheck,
  formatPromQLTestSummary,
  formatEvalFailure,
} from './promqltest/report.js';
export type { KnownFailureCheck } from './promqltest/report.js';
export { pharosPromQLTestTarget } from './promqltest/pharos-target.js';
export { PromQLEngine, DEFAULT_QUERY_LIMITS } from './engine/engine.js';
export type { PromQLEngineOptions } from './engine/engine.js';
export { PromQLError, ERROR_HTTP_STATUS } from './engine/query-api.js';
export type {
  QueryEngine,
  InstantQueryRequest,
  RangeQueryRequest,
  ResultSeries,
  QueryValue,
  QueryStats,
  QueryResult,
  PromQLErrorType,
  QueryLimits,
} from './engine/query-api.js';
export { CachingQueryEngine } from './cache/caching-engine.js';
export type { CachingQueryEngineOptions, ResultCacheStats } from './cache/caching-engine.js';
export { Annotations } from './engine/values.js';
export type { FloatHistogram, Sample, Vector, RangeWindow } from './engine/values.js';
