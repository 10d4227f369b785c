import type { MetricStore } from '#pharos/storage';
import type { Expr } from '../ast.js';
import type { FunctionImpl } from '../functions/contract.js';
import { FUNCTIONS } from '../functions/table.js';
import { parsePromQL, type ParseOptions } from '../parser/parse.js';
import { EvaluationScheduler } from './evaluation-scheduler.js';
import { Evaluator } from './evaluator.js';
import { histogramStatsSelectors } from './histogram-stats.js';
import { compareLabels } from './labels.js';
import { chooseResolution } from './downsampling.js';
import { stepInvariantRoots, typeOf } from './preprocess.js';
import {
  PromQLError,
  type InstantQueryRequest,
  type QueryEngine,
  type QueryLimits,
  type QueryResult,
  type QueryStats,
  type QueryValue,
  type RangeQueryRequest,
  type ResultSeries,
} from './query-api.js';
import { QueryContext, SampleStats } from './query-context.js';
import { FLOAT_POINT, HIST_POINT, makeGrid, type EvalValue, type RawSeries, type StepGrid } from './step-values.js';
import type { FloatHistogram, Sample } from './values.js';

export interface PromQLEngineOptions {
  readonly store: MetricStore;
  /**
   * Turns query text into a syntax tree (default `parsePromQL`); errors it throws are
   * `bad_data`. It gets the query's step and range, which `step()` and `range()` in duration
   * expressions evaluate to.
   */
  readonly parse?: (query: string, options: ParseOptions) => Expr;
  /** Limits, fixed or per tenant; default {@link DEFAULT_QUERY_LIMITS}. */
  readonly limits?: QueryLimits | ((tenant: string) => QueryLimits);
  /** Default 5 m, as Prometheus. */
  readonly lookbackDeltaMs?: number;
  /** Step of subqueries without one (`[1h:]`); default 1 m (Prometheus' default evaluation interval). */
  readonly defaultEvaluationIntervalMs?: number;
  /** The function table; default the full PromQL table. */
  readonly functions?: ReadonlyMap<string, FunctionImpl>;
}

/** Prometheus' defaults: 50 M samples, 2 min timeout; no series or range limit. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxSamples: 50_000_000,
  maxSeries: Number.MAX_SAFE_INTEGER,
  timeoutMs: 120_000,
  maxRangeMs: Number.MAX_SAFE_INTEGER,
};

const MINUTE = 60_000;

/**
 * The PromQL engine: evaluates query text against a {@link MetricStore} with Prometheus 3.x
 * semantics (`promql/engine.go` of 3.16).
 *
 * - Model: as Prometheus, every node is evaluated over all steps at once and an instant query is
 *   a range query of one step. An instant vector over the steps is a set of dense per-step
 *   columns (`StepSeries`), so operators and aggregations index steps in typed arrays.
 * - Reads: each selector node is fetched once, for the span the whole query needs from it
 *   (`selectors.ts`, `SelectRequest` is the seam for a later rollup planner).
 * - Threading: evaluation is a pure function of the store's contents and the request (no clock
 *   but the deadline). It runs on the calling thread and yields to the event loop every ~20 ms
 *   of work, so ingestion keeps flowing and an abort takes effect promptly; it depends on the
 *   store port alone, so it can move to a worker thread with a store proxy later. Concurrent
 *   evaluations take turns in least-attained-service order (`evaluation-scheduler.ts`), so a
 *   cheap panel is not stuck behind the slices of the heavy panels sent with it.
 */
export class PromQLEngine implements QueryEngine {
  private readonly lookbackMs: number;
  private readonly defaultEvalIntervalMs: number;
  private readonly functions: ReadonlyMap<string, FunctionImpl>;
  /** Orders the turns of this engine's concurrent evaluations (see EvaluationScheduler for the policy). */
  private readonly scheduler = new EvaluationScheduler();

  constructor(private readonly options: PromQLEngineOptions) {
    this.lookbackMs = options.lookbackDeltaMs ?? 5 * MINUTE;
    this.defaultEvalIntervalMs = options.defaultEvaluationIntervalMs ?? MINUTE;
    this.functions = options.functions ?? FUNCTIONS;
  }

  async instantQuery(request: InstantQueryRequest): Promise<QueryResult> {
    const expr = this.parse(request.query, { queryTimes: { stepMs: 0, rangeMs: 0 } });
    return this.run(request, expr, request.timeMs, request.timeMs, 0);
  }

  async rangeQuery(request: RangeQueryRequest): Promise<QueryResult> {
    const expr = this.parse(request.query, { queryTimes: { stepMs: request.stepMs, rangeMs: request.endMs - request.startMs } });
    const type = typeOf(expr);
    if (type !== 'vector' && type !== 'scalar') {
      throw new PromQLError(
        'bad_data',
        `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
      );
    }
    if (!(request.stepMs > 0)) throw new PromQLError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (request.endMs < request.startMs) throw new PromQLError('bad_data', 'end timestamp must not be before start time');
    return this.run(request, expr, request.startMs, request.endMs, request.stepMs);
  }

  private parse(query: string, options: ParseOptions): Expr {
    try {
      return (this.options.parse ?? parsePromQL)(query, options);
    } catch (err) {
      if (err instanceof PromQLError) throw err;
      throw new PromQLError('bad_data', (err as Error).message);
    }
  }

  private async run(
    request: InstantQueryRequest | RangeQueryRequest,
    expr: Expr,
    start: number,
    end: number,
    stepMs: number,
  ): Promise<QueryResult> {
    const began = performance.now();
    const configured = this.options.limits;
    const limits = typeof configured === 'function' ? configured(request.tenant) : (configured ?? DEFAULT_QUERY_LIMITS);
    if (stepMs > 0 && end - start > limits.maxRangeMs) {
      throw new PromQLError(
        'bad_data',
        `the query time range exceeds the limit (query length: ${(end - start) / 1000}s, limit: ${limits.maxRangeMs / 1000}s)`,
      );
    }
    const timeoutMs = Math.min(limits.timeoutMs, request.timeoutMs ?? Infinity);
    const lookbackMs = request.lookbackDeltaMs !== undefined && request.lookbackDeltaMs > 0 ? request.lookbackDeltaMs : this.lookbackMs;
    const sourceResolutionMs = chooseResolution(request.maxSourceResolution, stepMs, this.options.store.capabilities.rollupResolutionsMs);
    const ctx = new QueryContext({
      store: this.options.store,
      tenant: request.tenant,
      query: request.query,
      lookbackMs,
      limits,
      deadline: Date.now() + timeoutMs,
      signal: request.signal,
      storeSignal: request.signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]),
      defaultEvalIntervalMs: this.defaultEvalIntervalMs,
      queryStart: start,
      queryEnd: end,
      queryStepMs: stepMs,
      sourceResolutionMs,
      task: this.scheduler.begin(),
    });
    ctx.checkAlive();
    const grid: StepGrid = stepMs > 0 ? makeGrid(start, end, stepMs) : makeGrid(start, start, 1);
    const stats = new SampleStats(request.stats === true && stepMs > 0 ? new Float64Array(grid.numSteps) : undefined, start, grid.interval);
    const prepared = performance.now();
    const evaluator = new Evaluator(
      { ctx, functions: this.functions, invariant: stepInvariantRoots(expr, start, end), histogramStats: histogramStatsSelectors(expr) },
      grid,
      stats,
    );
    let result: EvalValue;
    try {
      result = await evaluator.eval(expr);
    } catch (err) {
      if (err instanceof PromQLError) throw err;
      // A bug, not a bad query: Prometheus reports runtime panics the same way.
      throw new PromQLError('internal', `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    }
    ctx.checkAlive();
    const evaluated = performance.now();
    const value = stepMs > 0 ? rangeValue(result, grid) : instantValue(result, start);
    const sorted = performance.now();
    const out: { -readonly [K in keyof QueryResult]: QueryResult[K] } = { value, annotations: ctx.annotations };
    if (request.stats === true) {
      const seconds = (ms: number): number => ms / 1000;
      const queryStats: QueryStats = {
        timings: {
          evalTotalTime: seconds(sorted - began),
          resultSortTime: seconds(sorted - evaluated),
          queryPreparationTime: seconds(prepared - began),
          innerEvalTime: seconds(evaluated - prepared),
          execQueueTime: 0,
          execTotalTime: seconds(sorted - began),
        },
        samples: {
          totalQueryableSamples: stats.total,
          peakSamples: ctx.peakSamples,
          ...(stats.perStep === undefined
            ? {}
            : { totalQueryableSamplesPerStep: Array.from(stats.perStep, (n, i) => [(start + i * grid.interval) / 1000, n] as const) }),
        },
      };
      out.stats = request.maxSourceResolution === undefined ? queryStats : { ...queryStats, sourceResolutionMs };
    }
    return out;
  }
}

function instantValue(result: EvalValue, t: number): QueryValue {
  switch (result.type) {
    case 'scalar':
      return { resultType: 'scalar', t, f: result.values[0]! };
    case 'string':
      return { resultType: 'string', t, s: result.value };
    case 'vector': {
      const samples: Sample[] = [];
      for (const s of result.series) {
        if (s.kinds[0] === FLOAT_POINT) samples.push({ labels: s.labels, t, f: s.floats[0]! });
        else if (s.kinds[0] === HIST_POINT) samples.push({ labels: s.labels, t, f: 0, h: s.hists![0]! });
      }
      return { resultType: 'vector', samples };
    }
    case 'matrix':
      return { resultType: 'matrix', series: sortSeries(result.series.map(rawToResult)) };
  }
}

function rangeValue(result: EvalValue, grid: StepGrid): QueryValue {
  if (result.type === 'scalar') {
    const timestamps = new Float64Array(grid.numSteps);
    for (let i = 0; i < grid.numSteps; i++) timestamps[i] = grid.start + i * grid.interval;
    return {
      resultType: 'matrix',
      series: [{ labels: [], timestamps, values: result.values, histTimestamps: new Float64Array(0), histograms: [] }],
    };
  }
  if (result.type !== 'vector') throw new PromQLError('bad_data', `invalid expression type "${result.type}" for range query`);
  const series: ResultSeries[] = [];
  // Series with a float at every step share one timestamp array and hand over their values.
  let gridTimes: Float64Array | undefined;
  for (const s of result.series) {
    if (s.points === grid.numSteps && s.hists === undefined) {
      gridTimes ??= Float64Array.from({ length: grid.numSteps }, (_, i) => grid.start + i * grid.interval);
      series.push({ labels: s.labels, timestamps: gridTimes, values: s.floats, histTimestamps: EMPTY, histograms: [] });
      continue;
    }
    let floats = 0;
    let hists = 0;
    let firstFloat = -1;
    let lastFloat = -1;
    const kinds = s.kinds;
    for (let i = 0; i < grid.numSteps; i++) {
      const kind = kinds[i];
      if (kind === FLOAT_POINT) {
        if (firstFloat < 0) firstFloat = i;
        lastFloat = i;
        floats++;
      } else if (kind === HIST_POINT) hists++;
    }
    if (floats + hists === 0) continue;
    // Floats at every step of one run (a panel whose data starts or ends inside the range):
    // views of the shared timestamps and of the values, as for a full series, not copies.
    if (hists === 0 && floats === lastFloat - firstFloat + 1) {
      gridTimes ??= Float64Array.from({ length: grid.numSteps }, (_, i) => grid.start + i * grid.interval);
      series.push({ labels: s.labels, timestamps: gridTimes.subarray(firstFloat, lastFloat + 1), values: s.floats.subarray(firstFloat, lastFloat + 1), histTimestamps: EMPTY, histograms: [] });
      continue;
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
        histograms.push(s.hists![i]!);
      }
    }
    series.push({ labels: s.labels, timestamps, values, histTimestamps, histograms });
  }
  return { resultType: 'matrix', series: sortSeries(series) };
}

const EMPTY = new Float64Array(0);

function rawToResult(s: RawSeries): ResultSeries {
  return { labels: s.labels, timestamps: s.timestamps, values: s.values, histTimestamps: s.histTimestamps, histograms: s.histograms };
}

/** Range results are sorted by label set, as Prometheus sorts a Matrix. */
function sortSeries(series: ResultSeries[]): ResultSeries[] {
  return series.sort((a, b) => compareLabels(a.labels, b.labels));
}
