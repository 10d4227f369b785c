import type { Labels } from '#pharos/metric-model';
import type { FloatHistogram } from './values.js';

/**
 * The evaluator's internal values. Every node is evaluated over all steps of its evaluation
 * grid at once (Prometheus' model: a range query evaluates each node over every step, an
 * instant query is a range query of one step). An instant vector over the grid is a set of
 * {@link StepSeries}, each a dense per-step column, so operators index steps directly instead
 * of merging point lists, and no per-sample objects exist between nodes.
 */

/** The evaluation times `start, start + interval, …, end` (ms). */
export interface StepGrid {
  readonly start: number;
  readonly end: number;
  /** Milliseconds between steps; at least 1. */
  readonly interval: number;
  readonly numSteps: number;
}

export function makeGrid(start: number, end: number, interval: number): StepGrid {
  const numSteps = end < start ? 0 : Math.floor((end - start) / interval) + 1;
  return { start, end, interval, numSteps };
}

export const NO_POINT = 0;
export const FLOAT_POINT = 1;
export const HIST_POINT = 2;

/** One output series of an instant-vector node: at step i, `kinds[i]` says what is there. */
export interface StepSeries {
  labels: Labels;
  /** {@link NO_POINT}, {@link FLOAT_POINT} or {@link HIST_POINT} per step. */
  readonly kinds: Uint8Array;
  readonly floats: Float64Array;
  /** Histogram per step, allocated on the first histogram point. */
  hists: (FloatHistogram | undefined)[] | undefined;
  /** Number of points present (floats + histograms). */
  points: number;
}

export function newStepSeries(labels: Labels, numSteps: number): StepSeries {
  return { labels, kinds: new Uint8Array(numSteps), floats: new Float64Array(numSteps), hists: undefined, points: 0 };
}

export function setFloat(s: StepSeries, step: number, f: number): void {
  if (s.kinds[step] === NO_POINT) s.points++;
  s.kinds[step] = FLOAT_POINT;
  s.floats[step] = f;
}

export function setHistogram(s: StepSeries, step: number, h: FloatHistogram): void {
  if (s.kinds[step] === NO_POINT) s.points++;
  s.kinds[step] = HIST_POINT;
  (s.hists ??= new Array<FloatHistogram | undefined>(s.kinds.length))[step] = h;
}

/**
 * Raw samples of one series as read from the store (or produced by a subquery), sorted by
 * time. Arrays are shared, never mutated.
 */
export interface RawSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly histTimestamps: Float64Array;
  readonly histograms: readonly FloatHistogram[];
}

/** A range-vector argument: raw series and how windows are cut from them at each step. */
export interface RangeInput {
  readonly series: readonly RawSeries[];
  readonly rangeMs: number;
  readonly offsetMs: number;
  /** `@` time: windows end at `at - offset` at every step. */
  readonly atMs: number | undefined;
  /** Set when the series are a subquery's output: its samples were counted already. */
  readonly fromSubquery?: boolean;
  /** The selector's `anchored` / `smoothed` modifier: windows reach a lookback delta further. */
  readonly extended?: 'anchored' | 'smoothed';
}

export type EvalValue =
  | { readonly type: 'vector'; readonly series: StepSeries[] }
  | { readonly type: 'scalar'; readonly values: Float64Array }
  | { readonly type: 'string'; readonly value: string }
  /** Only as the result of an instant query over a matrix selector or subquery. */
  | { readonly type: 'matrix'; readonly series: readonly RawSeries[] };

/** Total points of a vector value, as Prometheus counts samples held in memory. */
export function totalPoints(series: readonly StepSeries[]): number {
  let n = 0;
  for (const s of series) n += s.points;
  return n;
}
