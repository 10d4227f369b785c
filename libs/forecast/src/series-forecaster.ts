import { fitHoltWinters } from './fit.js';
import { HoltWinters, type HoltWintersParams, type HoltWintersState } from './holt-winters.js';
import { IntervalTracker, type IntervalTrackerState } from './interval-tracker.js';
import { detectSeasonPeriod } from './seasonality.js';

const DAY_MS = 86_400_000;

export interface SeriesForecasterOptions {
  /** Grid step of the series fed to `update` (see `toRegularGrid`). */
  readonly stepMs: number;
  /** How far ahead `forecast` looks, in steps. */
  readonly horizonSteps: number;
  /** Central coverage of the prediction interval; default 0.8. */
  readonly coverage?: number;
  /** Season length in steps, or `auto` (default) to detect a daily or weekly season. */
  readonly period?: number | 'auto';
  /** Steps of history kept for fitting and season detection; default 4 weeks (at least 4 horizons). */
  readonly historySteps?: number;
  /** Steps between refits; default one day. */
  readonly refitEverySteps?: number;
  /** Steps seen before the first fit; default two days (at least two horizons). */
  readonly warmupSteps?: number;
}

export interface Forecast {
  /** Forecast for each of the next `horizonSteps` steps (index 0 is one step ahead). */
  readonly mean: Float64Array;
  /** Interval bounds; NaN until the forecaster has a track record at that horizon. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly params: HoltWintersParams;
}

export interface SeriesForecasterState {
  readonly options: Required<SeriesForecasterOptions>;
  readonly steps: number;
  readonly lastFitStep: number;
  readonly history: number[];
  readonly model?: HoltWintersState;
  readonly tracker: IntervalTrackerState;
}

/**
 * A forecaster for one series, fed one value per grid step in time order (NaN for a missing
 * step): Holt-Winters with a damped trend (ETS(A,Ad,A)), its season detected from the data, its
 * parameters refitted daily on a bounded window of history for the configured horizon, and
 * prediction intervals calibrated on its own past errors. Memory is bounded by `historySteps`
 * (4 weeks of 5-minute steps is 64 KiB) plus the interval tracker's fixed buffers.
 */
export class SeriesForecaster {
  private readonly options: Required<SeriesForecasterOptions>;
  private readonly history: Float64Array;
  private steps = 0;
  private lastFitStep = -1;
  private model: HoltWinters | undefined;
  private tracker: IntervalTracker;
  /** Remembered whole-horizon forecasts waiting for their outcomes, for the interval tracker. */
  private readonly pending: PendingForecast[] = [];
  private readonly checkpointStride: number;

  constructor(options: SeriesForecasterOptions) {
    const stepsPerDay = Math.max(1, Math.round(DAY_MS / options.stepMs));
    const h = options.horizonSteps;
    if (!Number.isInteger(h) || h < 1) throw new Error(`horizonSteps must be a positive integer, got ${h}`);
    if (!(options.stepMs > 0)) throw new Error(`stepMs must be positive, got ${options.stepMs}`);
    this.options = {
      stepMs: options.stepMs,
      horizonSteps: h,
      coverage: options.coverage ?? 0.8,
      period: options.period ?? 'auto',
      historySteps: Math.max(options.historySteps ?? 28 * stepsPerDay, 4 * h),
      refitEverySteps: options.refitEverySteps ?? stepsPerDay,
      warmupSteps: Math.max(options.warmupSteps ?? 2 * stepsPerDay, 2 * h, 24),
    };
    this.history = new Float64Array(this.options.historySteps).fill(Number.NaN);
    this.tracker = new IntervalTracker(h, this.options.coverage);
    this.checkpointStride = Math.max(1, Math.ceil(h / 16));
  }

  /** Observations seen so far. */
  get observed(): number {
    return this.steps;
  }

  /** Feeds the next step's value (NaN when the step has no sample). */
  update(y: number): void {
    const step = this.steps++;
    this.history[step % this.history.length] = y;
    this.resolvePending(step, y);
    if (this.model) this.model.update(y);
    const dueFirst = !this.model && this.steps >= this.options.warmupSteps;
    const dueRefit = this.model && step - this.lastFitStep >= this.options.refitEverySteps;
    if (dueFirst || dueRefit) this.refit(step);
    if (this.model && step % this.checkpointStride === 0) this.remember(step);
  }

  /** The forecast for the next `horizonSteps` steps, or undefined before the first fit. */
  forecast(): Forecast | undefined {
    if (!this.model) return undefined;
    const h = this.options.horizonSteps;
    const mean = this.model.forecast(new Float64Array(h));
    const lower = new Float64Array(h);
    const upper = new Float64Array(h);
    this.tracker.intervals(mean, lower, upper);
    return { mean, lower, upper, params: this.model.params };
  }

  snapshot(): SeriesForecasterState {
    return {
      options: this.options,
      steps: this.steps,
      lastFitStep: this.lastFitStep,
      history: Array.from(this.orderedHistory()),
      ...(this.model ? { model: this.model.snapshot() } : {}),
      tracker: this.tracker.snapshot(),
    };
  }

  /** Restores a forecaster; outcomes of forecasts pending at snapshot time are not carried over. */
  static restore(state: SeriesForecasterState): SeriesForecaster {
    const f = new SeriesForecaster(state.options);
    if (state.history.length > f.history.length) throw new Error('forecaster history is longer than historySteps');
    const first = state.steps - state.history.length;
    state.history.forEach((v, i) => (f.history[(first + i) % f.history.length] = v));
    f.steps = state.steps;
    f.lastFitStep = state.lastFitStep;
    f.model = state.model ? HoltWinters.restore(state.model) : undefined;
    f.tracker = IntervalTracker.restore(state.options.horizonSteps, state.tracker);
    return f;
  }

  private refit(step: number): void {
    const history = this.orderedHistory();
    const period = this.options.period === 'auto' ? detectSeasonPeriod(history, this.options.stepMs) : this.options.period;
    const usable = period > 0 && history.length >= 2 * period ? period : 0;
    const { params } = fitHoltWinters(history, usable, this.options.horizonSteps);
    // Replaying the kept history brings the new model's state up to now.
    const model = HoltWinters.initialise(params, history);
    for (let i = usable > 0 ? usable : Math.min(12, history.length); i < history.length; i++) model.update(history[i]!);
    this.model = model;
    this.lastFitStep = step;
  }

  private orderedHistory(): Float64Array {
    const n = Math.min(this.steps, this.history.length);
    const out = new Float64Array(n);
    const first = this.steps - n;
    for (let i = 0; i < n; i++) out[i] = this.history[(first + i) % this.history.length]!;
    return out;
  }

  private remember(step: number): void {
    const f = this.forecast();
    if (!f) return;
    this.pending.push({ madeAt: step, mean: f.mean, lower: f.lower, upper: f.upper });
  }

  private resolvePending(step: number, y: number): void {
    let drop = 0;
    for (const p of this.pending) {
      const h = step - p.madeAt;
      if (h > this.options.horizonSteps) {
        drop++;
        continue;
      }
      if (Number.isNaN(y)) continue;
      const i = h - 1;
      const lo = p.lower[i]!;
      const covered = Number.isNaN(lo) ? undefined : y >= lo && y <= p.upper[i]!;
      this.tracker.record(h, y - p.mean[i]!, covered);
      if (h === this.options.horizonSteps) drop++;
    }
    // Pending forecasts are in creation order, so the resolved ones are at the front.
    if (drop > 0) this.pending.splice(0, drop);
  }
}

interface PendingForecast {
  readonly madeAt: number;
  readonly mean: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}
