import type { Call } from '../ast.js';
import type { OutputSet } from '../engine/output-set.js';
import type { StepSeries } from '../engine/step-values.js';
import type { Annotations, FloatHistogram, RangeWindow, Vector } from '../engine/values.js';

/**
 * The contract between the evaluator and the PromQL function table: how the engine calls a
 * function at one evaluation step. Argument types are checked by the parser
 * (`parser/function-signatures.ts`) before evaluation.
 */
export type FunctionImpl = RangeFunctionImpl | VectorFunctionImpl;

/**
 * A function over one range-vector argument (`rate`, `*_over_time`, `predict_linear`, …),
 * called once per series per step with that series' window. Scalar arguments (e.g. the `t` of
 * `predict_linear`, the `φ` of `quantile_over_time`) are evaluated at the step and passed in
 * the order they appear, without the range argument.
 */
export interface RangeFunctionImpl {
  readonly kind: 'range';
  /** Prometheus keeps `__name__` for `last_over_time` and `first_over_time` only. */
  readonly keepsName: boolean;
  /** The value at this step, or `undefined` for no output sample. */
  evaluate(window: RangeWindow, scalarArgs: readonly number[], ctx: RangeCallContext): number | FloatHistogram | undefined;
}

export interface RangeCallContext {
  /** Evaluation time of the step. */
  readonly t: number;
  /**
   * The window in sample time, `(windowStart, windowEnd]`: for a selector `x[r] offset o`
   * evaluated at t, `windowStart = t - o - r` and `windowEnd = t - o` (what `rate`'s
   * extrapolation measures against).
   */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly annotations: Annotations;
  /** The call, for positions and metric names in annotations. */
  readonly call: Call;
  /**
   * Set when the argument is an `anchored` or `smoothed` range selector: the window then also
   * holds the samples up to one lookback delta before `windowStart` (and, smoothed, after
   * `windowEnd`), and only the functions that allow the modifier are called with it.
   */
  readonly extended?: 'anchored' | 'smoothed';
}

/**
 * Any other function: evaluated at one step with its arguments evaluated at that step
 * (instant vectors, scalars, strings). It builds its output samples itself, so it decides
 * which labels they carry; output sample time is the step time.
 */
export interface VectorFunctionImpl {
  readonly kind: 'vector';
  evaluate(args: readonly FunctionArgValue[], ctx: VectorCallContext): Vector;
  /**
   * Optional: the same function over every step at once, for arguments that allow it (the
   * evaluator's per-step columns, no per-sample objects). Returns false, having done nothing,
   * when it does not handle these arguments; the evaluator then calls {@link evaluate} step by
   * step. Otherwise it adds its samples to `ctx.out` and returns true, and the answer MUST equal
   * the per-step one: the same series created in the same order (first step first, in the order
   * the per-step calls return them), the same values and the same annotations.
   */
  evaluateGrid?(args: readonly GridArgValue[], ctx: GridCallContext): boolean;
}

/** A vector function's argument over all steps of the evaluation grid. */
export type GridArgValue =
  | { readonly type: 'vector'; readonly series: readonly StepSeries[] }
  | { readonly type: 'scalar'; readonly values: Float64Array }
  | { readonly type: 'string'; readonly value: string };

export interface GridCallContext {
  readonly numSteps: number;
  readonly annotations: Annotations;
  readonly call: Call;
  /** Where the output series go (it fails the query on two samples with one label set at one step). */
  readonly out: OutputSet;
}

export type FunctionArgValue =
  | { readonly type: 'vector'; readonly vector: Vector }
  | { readonly type: 'scalar'; readonly value: number }
  | { readonly type: 'string'; readonly value: string };

export interface VectorCallContext {
  readonly t: number;
  readonly annotations: Annotations;
  readonly call: Call;
}
