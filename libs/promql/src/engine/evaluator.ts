import { RESET_HINT_GAUGE } from '#pharos/metric-model';
import type { AggregateExpr, BinaryExpr, Call, Expr, SubqueryExpr, UnaryExpr, VectorSelector } from '../ast.js';
import type { FunctionImpl, RangeFunctionImpl } from '../functions/contract.js';
import { scaleHistogram } from '../histogram/arithmetic.js';
import { aggregate } from './aggregate.js';
import { countValues } from './count-values.js';
import { scalarScalar, setOperation, vectorScalar, vectorVector } from './binary.js';
import { evalBuiltin, isBuiltin } from './builtin-calls.js';
import { dropMetricName } from './labels.js';
import { mergeSameLabelsets } from './output-set.js';
import { resolveAt, typeOf, unwrapParens } from './preprocess.js';
import { PromQLError } from './query-api.js';
import { evalError, type QueryContext, type SampleStats } from './query-context.js';
import { callVectorFunction } from './vector-call.js';
import { evalRangeFunction, streamsToSink } from './range-eval.js';
import { FloatAggregationFold, isFoldable } from './aggregate-fold.js';
import { countsAsSum } from './downsampled-reads.js';
import { withDetectedResetHints } from './histogram-stats.js';
import { evalVectorSelector, fetchSeries, sliceWindow } from './selectors.js';
import { checkExtendedRangeArgument, evalSmoothedSelector, extendedMatrixWindows, extensionOf } from './extended-selectors.js';
import {
  FLOAT_POINT,
  HIST_POINT,
  makeGrid,
  newStepSeries,
  totalPoints,
  type EvalValue,
  type RangeInput,
  type RawSeries,
  type StepGrid,
  type StepSeries,
} from './step-values.js';
import type { FloatHistogram } from './values.js';

/** What every evaluator of one query shares. */
export interface EvaluationEnv {
  readonly ctx: QueryContext;
  readonly functions: ReadonlyMap<string, FunctionImpl>;
  /** Step-invariant subtrees (see `stepInvariantRoots`). */
  readonly invariant: ReadonlySet<Expr>;
  /** Selectors read as Prometheus' `HistogramStatsIterator` reads them (see `histogramStatsSelectors`). */
  readonly histogramStats?: ReadonlySet<VectorSelector>;
}

/**
 * Evaluates an expression over all steps of a grid, as Prometheus' `evaluator.eval`: every node
 * returns its value at every step; subqueries and step-invariant subtrees get evaluators of
 * their own grids.
 */
export class Evaluator {
  constructor(
    readonly env: EvaluationEnv,
    readonly grid: StepGrid,
    readonly stats: SampleStats,
  ) {}

  get ctx(): QueryContext {
    return this.env.ctx;
  }

  async eval(expr: Expr): Promise<EvalValue> {
    await this.ctx.maybeYield();
    const type = typeOf(expr);
    if (this.grid.numSteps > 1 && this.env.invariant.has(expr) && (type === 'vector' || type === 'scalar')) {
      return this.evalOnceAndRepeat(expr);
    }
    const before = this.ctx.currentSamples;
    const value = await this.evalNode(expr);
    // Inputs of the node are released; its result stays in memory (Prometheus' accounting).
    if (value.type === 'vector' && expr.kind !== 'VectorSelector') this.ctx.setSamples(before + totalPoints(value.series));
    return value;
  }

  async vector(expr: Expr): Promise<StepSeries[]> {
    const v = await this.eval(expr);
    if (v.type !== 'vector') throw new PromQLError('bad_data', `expected instant vector, got ${v.type}`);
    return v.series;
  }

  async scalar(expr: Expr): Promise<Float64Array> {
    const v = await this.eval(expr);
    if (v.type !== 'scalar') throw new PromQLError('bad_data', `expected scalar, got ${v.type}`);
    return v.values;
  }

  stepTime(step: number): number {
    return this.grid.start + step * this.grid.interval;
  }

  /** A step-invariant subtree: evaluated at the first step only, then repeated at every step. */
  private async evalOnceAndRepeat(expr: Expr): Promise<EvalValue> {
    const child = this.stats.child();
    const once = new Evaluator(this.env, makeGrid(this.grid.start, this.grid.start, this.grid.interval), child);
    const value = await once.evalNode(expr);
    const n = this.grid.numSteps;
    for (let step = 0; step < n; step++) this.stats.incrementAtStep(step, child.total);
    if (value.type === 'scalar') return { type: 'scalar', values: new Float64Array(n).fill(value.values[0]!) };
    if (value.type !== 'vector') return value;
    const series = value.series.map((s) => {
      const out = newStepSeries(s.labels, n);
      if (s.kinds[0] === HIST_POINT) {
        out.kinds.fill(HIST_POINT);
        out.hists = new Array<FloatHistogram | undefined>(n).fill(s.hists![0]);
      } else {
        out.kinds.fill(FLOAT_POINT);
        out.floats.fill(s.floats[0]!);
      }
      out.points = n;
      return out;
    });
    this.ctx.addSamples(totalPoints(series) - totalPoints(value.series));
    return { type: 'vector', series };
  }

  private async evalNode(expr: Expr): Promise<EvalValue> {
    switch (expr.kind) {
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(this.grid.numSteps).fill(expr.value) };
      case 'StringLiteral':
        return { type: 'string', value: expr.value };
      case 'ParenExpr':
        return this.eval(expr.expr);
      case 'UnaryExpr':
        return this.evalUnary(expr);
      case 'VectorSelector':
        return { type: 'vector', series: await this.evalSelector(expr) };
      case 'MatrixSelector': {
        if (this.grid.numSteps !== 1) throw new PromQLError('bad_data', 'cannot do range evaluation of matrix selector');
        const input = await this.rangeInput(expr, undefined);
        const end = (input.atMs ?? this.grid.start) - input.offsetMs;
        const series =
          input.extended === undefined
            ? sliceWindow(input.series, end, input.rangeMs)
            : extendedMatrixWindows(input.series, end, input.rangeMs, this.ctx.options.lookbackMs, input.extended === 'smoothed');
        for (const s of series) this.stats.incrementAtStep(0, s.timestamps.length + s.histTimestamps.length);
        return { type: 'matrix', series };
      }
      case 'SubqueryExpr':
        return { type: 'matrix', series: (await this.evalSubquery(expr, false)).series };
      case 'Call':
        return this.evalCall(expr);
      case 'AggregateExpr':
        return this.evalAggregate(expr);
      case 'BinaryExpr':
        return this.evalBinary(expr);
    }
  }

  private async evalUnary(expr: UnaryExpr): Promise<EvalValue> {
    const v = await this.eval(expr.expr);
    if (expr.op === '+') return v;
    if (v.type === 'scalar') return { type: 'scalar', values: v.values.map((x) => -x) };
    if (v.type !== 'vector') throw new PromQLError('bad_data', `unary minus on ${v.type}`);
    const out: StepSeries[] = [];
    for (const s of v.series) {
      const negated = newStepSeries(dropMetricName(s.labels), this.grid.numSteps);
      for (let step = 0; step < this.grid.numSteps; step++) {
        const kind = s.kinds[step];
        negated.kinds[step] = kind!;
        if (kind === FLOAT_POINT) negated.floats[step] = -s.floats[step]!;
        else if (kind === HIST_POINT) {
          // A negated counter is not a counter.
          (negated.hists ??= new Array(this.grid.numSteps))[step] = { ...scaleHistogram(s.hists![step]!, -1), resetHint: RESET_HINT_GAUGE };
        }
      }
      negated.points = s.points;
      out.push(negated);
    }
    // Series that only differed by name merge when their points do not overlap (Prometheus 3).
    return { type: 'vector', series: mergeSameLabelsets(out) };
  }

  /** Reads an instant-vector selector over this evaluator's steps. */
  async evalSelector(expr: VectorSelector, enclosing?: string): Promise<StepSeries[]> {
    const series = await this.fetchForSelector(expr, 0, enclosing);
    const at = resolveAt(expr.at, this.ctx.options.queryStart, this.ctx.options.queryEnd);
    if (expr.smoothed === true) return await evalSmoothedSelector(this.ctx, this.stats, series, this.grid, expr.offsetMs, at, expr.pos);
    return await evalVectorSelector(this.ctx, this.stats, series, this.grid, expr.offsetMs, at);
  }

  /** Fetches a selector's series for the span this evaluator needs (lookback or range included). */
  async fetchForSelector(expr: VectorSelector, rangeMs: number, enclosing: string | undefined): Promise<RawSeries[]> {
    const { options } = this.ctx;
    if (rangeMs > options.limits.maxRangeMs) {
      throw new PromQLError('bad_data', `the query time range exceeds the limit (query length: ${rangeMs / 1000}s, limit: ${options.limits.maxRangeMs / 1000}s)`);
    }
    const at = resolveAt(expr.at, options.queryStart, options.queryEnd);
    const first = (at ?? this.grid.start) - expr.offsetMs;
    const last = (at ?? this.grid.end) - expr.offsetMs;
    // Windows are left-open: samples exactly `lookback` (or `range`) before are never needed.
    // An anchored or smoothed range reaches one lookback further back for its left edge; a
    // smoothed selector also one lookback forward for the sample after its right edge.
    const modifier = extensionOf(expr);
    const back = rangeMs > 0 ? rangeMs + (modifier === undefined ? 0 : options.lookbackMs) : options.lookbackMs;
    const start = first - back + 1;
    const end = modifier === 'smoothed' ? last + options.lookbackMs : last;
    const series = await fetchSeries(this.ctx, { selector: expr, start, end, rangeMs, stepMs: this.grid.interval, enclosing });
    return this.env.histogramStats?.has(expr) ? withDetectedResetHints(series) : series;
  }

  /** A range-vector argument: a matrix selector's series or a subquery's result. */
  async rangeInput(arg: Expr, enclosing: string | undefined): Promise<RangeInput> {
    const e = unwrapParens(arg);
    if (e.kind === 'MatrixSelector') {
      const vs = e.vector;
      const series = await this.fetchForSelector(vs, e.rangeMs, enclosing);
      const atMs = resolveAt(vs.at, this.ctx.options.queryStart, this.ctx.options.queryEnd);
      const extended = extensionOf(vs);
      return { series, rangeMs: e.rangeMs, offsetMs: vs.offsetMs, atMs, ...(extended === undefined ? {} : { extended }) };
    }
    if (e.kind === 'SubqueryExpr') return this.evalSubquery(e, true);
    throw new PromQLError('bad_data', `expected a range vector, got ${typeOf(e)}`);
  }

  /**
   * Evaluates a subquery on its own grid: steps at absolute multiples of its resolution, the
   * first after `start - offset - range`, the last at or before `end - offset` (Prometheus'
   * alignment), with `@` replacing the outer evaluation times.
   */
  async evalSubquery(e: SubqueryExpr, asRangeArgument: boolean): Promise<RangeInput> {
    const { options } = this.ctx;
    if (e.rangeMs > options.limits.maxRangeMs) {
      throw new PromQLError('bad_data', `the query time range exceeds the limit (query length: ${e.rangeMs / 1000}s, limit: ${options.limits.maxRangeMs / 1000}s)`);
    }
    const atMs = resolveAt(e.at, options.queryStart, options.queryEnd);
    const interval = e.stepMs > 0 ? e.stepMs : options.defaultEvalIntervalMs;
    const outerStart = atMs ?? this.grid.start;
    const outerEnd = atMs ?? this.grid.end;
    const from = outerStart - e.offsetMs - e.rangeMs;
    // Go's integer division truncates toward zero; keep that for times before the epoch.
    let start = interval * Math.trunc(from / interval);
    if (start <= from) start += interval;
    const grid = makeGrid(start, outerEnd - e.offsetMs, interval);
    const childStats = this.stats.childWithSteps(grid.start, grid.interval, grid.numSteps);
    const child = new Evaluator(this.env, grid, childStats);
    const series = grid.numSteps === 0 ? [] : await child.vector(e.expr);
    // A function over the subquery counts what its windows consume; a bare subquery, all of it.
    if (asRangeArgument) this.stats.mergeSubquery(childStats, this.grid, e.offsetMs, e.rangeMs, atMs);
    else this.stats.mergeSubquery(childStats, this.grid, 0, 0, undefined);
    const raw = series.map((s) => toRawSeries(s, grid));
    return { series: raw, rangeMs: e.rangeMs, offsetMs: e.offsetMs, atMs, fromSubquery: true };
  }

  private async evalCall(e: Call): Promise<EvalValue> {
    checkExtendedRangeArgument(e);
    if (isBuiltin(e.func)) return evalBuiltin(this, e);
    const impl = this.env.functions.get(e.func);
    if (impl === undefined) throw new PromQLError('bad_data', `unknown function with name "${e.func}"`);
    if (impl.kind === 'range') return { type: 'vector', series: await this.evalRangeCall(e, impl, undefined) };
    return { type: 'vector', series: await callVectorFunction(this, e, impl) };
  }

  /**
   * A range function's call. With `fold`, its output series stream into the aggregation as they
   * are computed, when they can (`streamsToSink`), and the result is empty; `fold.inputPoints`
   * then tells what was folded. Otherwise, or when they cannot, they are returned.
   */
  private async evalRangeCall(e: Call, impl: RangeFunctionImpl, fold: FloatAggregationFold | undefined): Promise<StepSeries[]> {
    const index = e.args.findIndex((a) => typeOf(unwrapParens(a)) === 'matrix');
    if (index < 0) throw new PromQLError('bad_data', `function "${e.func}" expects a range vector argument`);
    const scalars: Float64Array[] = [];
    for (let i = 0; i < e.args.length; i++) if (i !== index) scalars.push(await this.scalar(e.args[i]!));
    const input = await this.rangeInput(e.args[index]!, e.func);
    // Downsampled count_over_time reads per-bucket counts: their sum counts the samples.
    const fn = countsAsSum(this.ctx, e, input) ? this.env.functions.get('sum_over_time') : impl;
    if (fn?.kind !== 'range') throw new PromQLError('internal', 'sum_over_time is not a range function');
    const sink = fold !== undefined && streamsToSink(fn, input) ? fold : undefined;
    return await evalRangeFunction(this.ctx, this.stats, e, fn, input, scalars, this.grid, sink);
  }

  /**
   * `sum`/`avg`/`count`/`min`/`max`/`group` directly over a range function (`sum(rate(x[5m]))`,
   * the commonest dashboard shape): the function's series are folded as they are computed
   * instead of being held as a whole vector first. Undefined when the shape does not allow it;
   * the caller then evaluates the usual way. Sample accounting is the unfused path's: the
   * call's output counts as held until the aggregation's result replaces it.
   */
  private async tryFoldRangeCall(e: AggregateExpr): Promise<StepSeries[] | undefined> {
    if (!isFoldable(e.op) || e.param !== undefined) return undefined;
    const call = unwrapParens(e.expr);
    if (call.kind !== 'Call' || isBuiltin(call.func) || (this.grid.numSteps > 1 && this.env.invariant.has(call))) return undefined;
    const impl = this.env.functions.get(call.func);
    if (impl?.kind !== 'range') return undefined;
    checkExtendedRangeArgument(call);
    await this.ctx.maybeYield();
    const before = this.ctx.currentSamples;
    const fold = new FloatAggregationFold(e, e.op, this.grid.numSteps);
    const unfolded = await this.evalRangeCall(call, impl, fold);
    // As `eval` does for the call node: its output is what stays in memory.
    this.ctx.setSamples(before + fold.inputPoints + totalPoints(unfolded));
    if (fold.inputPoints === 0 && unfolded.length > 0) return await aggregate(this.ctx, e, unfolded, undefined, this.grid);
    return fold.result();
  }

  private async evalAggregate(e: AggregateExpr): Promise<EvalValue> {
    if (e.op === 'count_values') {
      const p = e.param === undefined ? undefined : unwrapParens(e.param);
      if (p?.kind !== 'StringLiteral') throw new PromQLError('bad_data', 'count_values needs a string parameter');
      const input = await this.vector(e.expr);
      return { type: 'vector', series: await countValues(this.ctx, e, input, p.value, this.grid) };
    }
    const folded = await this.tryFoldRangeCall(e);
    if (folded !== undefined) return { type: 'vector', series: folded };
    const param = e.param === undefined ? undefined : await this.scalar(e.param);
    const input = await this.vector(e.expr);
    return { type: 'vector', series: await aggregate(this.ctx, e, input, param, this.grid) };
  }

  private async evalBinary(e: BinaryExpr): Promise<EvalValue> {
    const lt = typeOf(e.lhs);
    const rt = typeOf(e.rhs);
    if (lt === 'scalar' && rt === 'scalar') {
      const l = await this.scalar(e.lhs);
      const r = await this.scalar(e.rhs);
      return { type: 'scalar', values: scalarScalar(e.op, l, r) };
    }
    if (lt === 'vector' && rt === 'vector') {
      const l = await this.vector(e.lhs);
      const r = await this.vector(e.rhs);
      const series = e.op === 'and' || e.op === 'or' || e.op === 'unless'
        ? await setOperation(this.ctx, e, l, r, this.grid)
        : await vectorVector(this.ctx, e, l, r, this.grid);
      return { type: 'vector', series };
    }
    if (lt === 'vector' && rt === 'scalar') {
      const l = await this.vector(e.lhs);
      const r = await this.scalar(e.rhs);
      return { type: 'vector', series: await vectorScalar(this.ctx, e, l, r, false, this.grid) };
    }
    if (lt === 'scalar' && rt === 'vector') {
      const l = await this.scalar(e.lhs);
      const r = await this.vector(e.rhs);
      return { type: 'vector', series: await vectorScalar(this.ctx, e, r, l, true, this.grid) };
    }
    throw evalError(`binary expression must contain only scalar and instant vector types`);
  }
}

/** A subquery's output series as raw samples at its step times. */
function toRawSeries(s: StepSeries, grid: StepGrid): RawSeries {
  let floats = 0;
  let hists = 0;
  for (let i = 0; i < grid.numSteps; i++) {
    if (s.kinds[i] === FLOAT_POINT) floats++;
    else if (s.kinds[i] === HIST_POINT) hists++;
  }
  const timestamps = new Float64Array(floats);
  const values = new Float64Array(floats);
  const histTimestamps = new Float64Array(hists);
  const histograms: FloatHistogram[] = [];
  for (let i = 0, f = 0; i < grid.numSteps; i++) {
    const t = grid.start + i * grid.interval;
    if (s.kinds[i] === FLOAT_POINT) {
      timestamps[f] = t;
      values[f++] = s.floats[i]!;
    } else if (s.kinds[i] === HIST_POINT) {
      histTimestamps[histograms.length] = t;
      const h = s.hists![i]!;
      // A subquery may skip or repeat samples, so explicit counter-reset hints no longer hold.
      histograms.push(h.resetHint === 1 || h.resetHint === 2 ? { ...h, resetHint: 0 } : h);
    }
  }
  return { labels: s.labels, timestamps, values, histTimestamps, histograms };
}
