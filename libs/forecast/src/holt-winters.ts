/**
 * Additive Holt-Winters with a damped trend — ETS(A,Ad,A) in error-correction form — updated
 * one observation at a time:
 *
 *   ŷ = ℓ + φb + s[t−m]           e = y − ŷ (clipped, see below)
 *   ℓ ← ℓ + φb + αe               b ← φb + βe               s[t] ← s[t−m] + γe
 *
 * and the h-step forecast ℓ + (φ + … + φʰ)b + s[t+h−m⌈h/m⌉]. With `period` 0 it is Holt's damped
 * trend without a season. A missing observation (NaN) advances time without correcting anything,
 * so gaps are bridged by the model's own forecast.
 *
 * Robustness: the error that drives the updates is clipped at `clip` times a running scale of
 * absolute errors (Huber), so a spike or a single counter-reset artefact moves the level by a
 * bounded amount, while a lasting shift still gets through over a few steps.
 */
export interface HoltWintersParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
  /** Season length in steps; 0 for none. */
  readonly period: number;
}

export interface HoltWintersState {
  readonly params: HoltWintersParams;
  readonly level: number;
  readonly trend: number;
  readonly seasonal: number[];
  /** Index into `seasonal` of the next step's season. */
  readonly seasonIndex: number;
  readonly errorScale: number;
}

/** Errors beyond this many running absolute-error scales are clipped before updating. */
const HUBER_CLIP = 4;
/** Weight of the newest absolute error in the running scale. */
const SCALE_DECAY = 0.02;

export class HoltWinters {
  private level: number;
  private trend: number;
  private readonly seasonal: Float64Array;
  private seasonIndex: number;
  private errorScale: number;

  constructor(
    readonly params: HoltWintersParams,
    level: number,
    trend: number,
    seasonal: ArrayLike<number> = [],
    errorScale = 0,
  ) {
    validateParams(params);
    if (seasonal.length !== params.period) throw new Error(`seasonal has ${seasonal.length} entries, period is ${params.period}`);
    this.level = level;
    this.trend = trend;
    this.seasonal = Float64Array.from(seasonal);
    this.seasonIndex = 0;
    this.errorScale = errorScale;
  }

  /**
   * Classical start: level is the mean of the first season (or the first 12 points), trend
   * the per-step change between the first two seasons (or the two halves of those points),
   * season the first season's deviations. The model then stands at the end of that span.
   */
  static initialise(params: HoltWintersParams, values: ArrayLike<number>): HoltWinters {
    const m = params.period;
    const span = m > 0 ? m : Math.min(values.length, 12);
    const first = meanOf(values, 0, span);
    const level = Number.isNaN(first) ? firstNumber(values) : first;
    // Trend: change between the first two seasons, or between the halves of the first points.
    const half = span >> 1;
    const trend =
      m > 0
        ? values.length >= 2 * m
          ? (meanOf(values, m, 2 * m) - level) / m
          : 0
        : half > 0
          ? (meanOf(values, half, 2 * half) - meanOf(values, 0, half)) / half
          : 0;
    const seasonal = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const v = values[i]!;
      seasonal[i] = Number.isNaN(v) ? 0 : v - level;
    }
    // The level and trend describe the middle of the first season; start from its end.
    return new HoltWinters(params, level + (Number.isNaN(trend) ? 0 : trend) * ((span - 1) / 2), Number.isNaN(trend) ? 0 : trend, seasonal);
  }

  /** Feeds the next step's observation (NaN when missing); returns the one-step error, NaN if missing. */
  update(y: number): number {
    const { alpha, beta, gamma, phi, period } = this.params;
    const season = period > 0 ? this.seasonal[this.seasonIndex]! : 0;
    const dampedTrend = phi * this.trend;
    const predicted = this.level + dampedTrend + season;
    let error = Number.NaN;
    if (Number.isNaN(y)) {
      this.level += dampedTrend;
      this.trend = dampedTrend;
    } else {
      error = y - predicted;
      let e = error;
      const abs = Math.abs(error);
      if (this.errorScale > 0) {
        const bound = HUBER_CLIP * this.errorScale;
        if (e > bound) e = bound;
        else if (e < -bound) e = -bound;
        this.errorScale += SCALE_DECAY * (Math.min(abs, 2 * bound) - this.errorScale);
      } else {
        this.errorScale = abs;
      }
      this.level += dampedTrend + alpha * e;
      this.trend = dampedTrend + beta * e;
      if (period > 0) this.seasonal[this.seasonIndex] = season + gamma * e;
    }
    if (period > 0) this.seasonIndex = this.seasonIndex + 1 === period ? 0 : this.seasonIndex + 1;
    return error;
  }

  /** The forecast `h` steps ahead (h ≥ 1) of the next unseen step being h = 1. */
  forecastAt(h: number): number {
    const { phi, period } = this.params;
    // φ + φ² + … + φʰ in closed form (h φ when φ = 1).
    const damp = phi === 1 ? h : (phi * (1 - phi ** h)) / (1 - phi);
    const season = period > 0 ? this.seasonal[(this.seasonIndex + h - 1) % period]! : 0;
    return this.level + damp * this.trend + season;
  }

  /** Fills `out[i]` with the forecast `i + 1` steps ahead. */
  forecast(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.forecastAt(i + 1);
    return out;
  }

  snapshot(): HoltWintersState {
    return {
      params: this.params,
      level: this.level,
      trend: this.trend,
      seasonal: Array.from(this.seasonal),
      seasonIndex: this.seasonIndex,
      errorScale: this.errorScale,
    };
  }

  static restore(state: HoltWintersState): HoltWinters {
    const model = new HoltWinters(state.params, state.level, state.trend, state.seasonal, state.errorScale);
    if (!Number.isInteger(state.seasonIndex) || state.seasonIndex < 0 || state.seasonIndex >= Math.max(1, state.params.period)) {
      throw new Error(`seasonIndex ${state.seasonIndex} is outside the season of ${state.params.period}`);
    }
    model.seasonIndex = state.params.period > 0 ? state.seasonIndex : 0;
    return model;
  }
}

function validateParams(p: HoltWintersParams): void {
  for (const [name, v] of [['alpha', p.alpha], ['beta', p.beta], ['gamma', p.gamma]] as const) {
    if (!(v >= 0 && v <= 1)) throw new Error(`${name} must be within [0, 1], got ${v}`);
  }
  if (!(p.phi > 0 && p.phi <= 1)) throw new Error(`phi must be within (0, 1], got ${p.phi}`);
  if (!Number.isInteger(p.period) || p.period < 0) throw new Error(`period must be a non-negative integer, got ${p.period}`);
}

function meanOf(values: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let i = from; i < Math.min(to, values.length); i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

function firstNumber(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) return values[i]!;
  return 0;
}
