import { labelsFromRecord, type NativeHistogram } from '#pharos/metric-model';
import type { Call, Expr } from '../ast.js';
import { parsePromQL } from '../parser/parse.js';
import { Annotations, type FloatHistogram, type RangeWindow, type Vector } from '../engine/values.js';
import type { FunctionArgValue, RangeCallContext, VectorCallContext } from './contract.js';
import { FUNCTIONS } from './table.js';

/** Test helpers: windows, histograms and calls built the way the evaluator builds them. */

export function call(func: string): Call {
  return { kind: 'Call', func, args: [], pos: { start: 0, end: 0 } };
}

/** A window of float samples given as `[seconds, value]` pairs. */
export function floatWindow(points: readonly (readonly [number, number])[], labels: Record<string, string> = { __name__: 'x_total' }): RangeWindow {
  return {
    labels: labelsFromRecord(labels),
    timestamps: Float64Array.from(points.map(([t]) => t * 1000)),
    values: Float64Array.from(points.map(([, v]) => v)),
    floatFrom: 0,
    floatTo: points.length,
    histTimestamps: new Float64Array(0),
    histograms: [],
    histFrom: 0,
    histTo: 0,
  };
}

export function histWindow(points: readonly (readonly [number, FloatHistogram])[], labels: Record<string, string> = { __name__: 'h' }, floats: readonly (readonly [number, number])[] = []): RangeWindow {
  return {
    ...floatWindow(floats, labels),
    histTimestamps: Float64Array.from(points.map(([t]) => t * 1000)),
    histograms: points.map(([, h]) => h),
    histFrom: 0,
    histTo: points.length,
  };
}

export interface HistogramSpec {
  schema?: number;
  count: number;
  sum: number;
  zeroThreshold?: number;
  zeroCount?: number;
  /** Flat [offset, length, …]. */
  pos?: number[];
  posCounts?: number[];
  neg?: number[];
  negCounts?: number[];
  resetHint?: number;
  customValues?: number[];
}

export function hist(s: HistogramSpec): NativeHistogram {
  return {
    isInteger: false,
    schema: s.schema ?? 0,
    zeroThreshold: s.zeroThreshold ?? 0,
    zeroCount: s.zeroCount ?? 0,
    count: s.count,
    sum: s.sum,
    positiveSpans: Int32Array.from(s.pos ?? []),
    positiveCounts: Float64Array.from(s.posCounts ?? []),
    negativeSpans: Int32Array.from(s.neg ?? []),
    negativeCounts: Float64Array.from(s.negCounts ?? []),
    resetHint: s.resetHint ?? 0,
    customValues: Float64Array.from(s.customValues ?? []),
  };
}

/** Evaluates a range function at `t` seconds over `(t - rangeSeconds, t]`. */
/**
 * Evaluates a range function on one window. With `query` (text holding a call to `func`), the
 * call comes from the parser and annotations end in ` (line:col)` as the API renders them.
 */
export function evalRange(func: string, w: RangeWindow, t: number, rangeSeconds: number, scalarArgs: number[] = [], query?: string) {
  const impl = FUNCTIONS.get(func);
  if (impl?.kind !== 'range') throw new Error(`${func} is not a range function`);
  const annotations = new Annotations(query);
  const theCall = query === undefined ? call(func) : findCall(parsePromQL(query), func);
  const ctx: RangeCallContext = { t: t * 1000, windowStart: (t - rangeSeconds) * 1000, windowEnd: t * 1000, annotations, call: theCall };
  return { value: impl.evaluate(w, scalarArgs, ctx), annotations };
}

function findCall(expr: Expr, func: string): Call {
  const stack: Expr[] = [expr];
  for (let e = stack.pop(); e; e = stack.pop()) {
    if (e.kind === 'Call' && e.func === func) return e;
    if (e.kind === 'Call') stack.push(...e.args);
    else if (e.kind === 'AggregateExpr' || e.kind === 'ParenExpr' || e.kind === 'UnaryExpr' || e.kind === 'SubqueryExpr') stack.push(e.expr);
    else if (e.kind === 'BinaryExpr') stack.push(e.lhs, e.rhs);
  }
  throw new Error(`no call to ${func} in the query`);
}

export function vec(...samples: [Record<string, string>, number | FloatHistogram][]): Vector {
  return samples.map(([l, v]) =>
    typeof v === 'number' ? { labels: labelsFromRecord(l), t: 0, f: v } : { labels: labelsFromRecord(l), t: 0, f: 0, h: v },
  );
}

export function evalVector(func: string, args: FunctionArgValue[], tSeconds = 0) {
  const impl = FUNCTIONS.get(func);
  if (impl?.kind !== 'vector') throw new Error(`${func} is not a vector function`);
  const annotations = new Annotations();
  const ctx: VectorCallContext = { t: tSeconds * 1000, annotations, call: call(func) };
  return { value: impl.evaluate(args, ctx), annotations };
}

export const v = (vector: Vector): FunctionArgValue => ({ type: 'vector', vector });
export const s = (value: number): FunctionArgValue => ({ type: 'scalar', value });
export const str = (value: string): FunctionArgValue => ({ type: 'string', value });
