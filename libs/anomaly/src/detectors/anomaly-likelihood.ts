import { erfc } from './context-novelty.js';
import type { Detector, DetectorResult } from './detector.js';

/** Options of {@link AnomalyLikelihood}; every field has a default. */
export interface AnomalyLikelihoodOptions {
  /** Raw scores averaged before they are compared with their history. */
  readonly shortWindow?: number;
  /** Weight of the newest short average in the long-run mean and variance (≈ 2 / (history + 1)). */
  readonly longAlpha?: number;
  /** Points before any non-zero output (the long-run distribution is not known yet). */
  readonly warmup?: number;
  /** Floor of the long-run standard deviation, so a series that never surprised does not make the first small surprise infinite. */
  readonly minStd?: number;
  /** Tail probability that maps to 1 (scores are −log10(tail) / −log10(this)). */
  readonly floorProbability?: number;
}

/** JSON state of {@link AnomalyLikelihood}. */
export interface AnomalyLikelihoodState<S extends object> {
  readonly inner: S;
  readonly count: number;
  readonly recent: number[];
  readonly recentSum: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Turns a detector's raw scores into how unlikely the *recent* raw scores are
 * for this series (HTM's "anomaly likelihood"): the mean of the last
 * `shortWindow` raw scores is compared with a Gaussian of its own history
 * (exponentially weighted mean and variance), and the output is the upper
 * tail probability on a log scale, −log10(tail)/−log10(floorProbability),
 * so 0.5 means "one in 10^5" with the default floor of 10^−10.
 *
 * Why: raw scores are high all the time on noisy series and rare on clean
 * ones; one NAB threshold for every file needs scores that mean the same
 * everywhere. Averaging over a few points turns a lasting change into a
 * stronger signal than one noisy point, and the log scale keeps far tails
 * distinguishable for threshold optimisation. Unlike a rank (TailCalibrated)
 * it does not promise a fixed rate of alarms per series: a series whose raw
 * scores never leave their usual spread never reaches a high likelihood.
 */
export class AnomalyLikelihood<S extends object> implements Detector<AnomalyLikelihoodState<S>> {
  private readonly shortWindow: number;
  private readonly longAlpha: number;
  private readonly warmup: number;
  private readonly minVariance: number;
  private readonly logFloor: number;
  private readonly recent: Float64Array;
  private count = 0;
  private recentSum = 0;
  private mean = 0;
  private variance = 0;

  constructor(
    private readonly inner: Detector<S>,
    options: AnomalyLikelihoodOptions = {},
  ) {
    this.shortWindow = options.shortWindow ?? 10;
    this.longAlpha = options.longAlpha ?? 2 / 3001;
    this.warmup = options.warmup ?? 300;
    const minStd = options.minStd ?? 0.02;
    const floor = options.floorProbability ?? 1e-10;
    if (!(Number.isInteger(this.shortWindow) && this.shortWindow >= 1)) throw new RangeError(`shortWindow must be an integer ≥ 1, got ${this.shortWindow}`);
    if (!(this.longAlpha > 0 && this.longAlpha < 1)) throw new RangeError(`longAlpha must be in (0, 1), got ${this.longAlpha}`);
    if (!(minStd > 0)) throw new RangeError(`minStd must be > 0, got ${minStd}`);
    if (!(floor > 0 && floor < 1)) throw new RangeError(`floorProbability must be in (0, 1), got ${floor}`);
    this.minVariance = minStd * minStd;
    this.logFloor = -Math.log(floor);
    this.recent = new Float64Array(this.shortWindow);
  }

  update(timestampMs: number, value: number): DetectorResult {
    const r = this.inner.update(timestampMs, value);
    const slot = this.count % this.shortWindow;
    this.recentSum += r.score - this.recent[slot]!;
    this.recent[slot] = r.score;
    const short = this.recentSum / Math.min(this.count + 1, this.shortWindow);

    let score = 0;
    if (this.count >= this.warmup) {
      const z = (short - this.mean) / Math.sqrt(Math.max(this.variance, this.minVariance));
      if (z > 0) {
        const tail = Math.max(1e-300, 0.5 * erfc(z / Math.SQRT2));
        score = Math.min(1, -Math.log(tail) / this.logFloor);
      }
    }
    // Learn after scoring; a running mean until the EWMA's horizon is reached.
    const alpha = Math.max(this.longAlpha, 1 / (this.count + 1));
    const d = short - this.mean;
    this.mean += alpha * d;
    this.variance = (1 - alpha) * (this.variance + alpha * d * d);
    this.count++;
    return { score, reason: score > 0 ? `${r.reason} (recent raw ${short.toFixed(3)} vs usual ${this.mean.toFixed(3)}±${Math.sqrt(this.variance).toFixed(3)})` : r.reason };
  }

  snapshot(): AnomalyLikelihoodState<S> {
    return { inner: this.inner.snapshot(), count: this.count, recent: Array.from(this.recent), recentSum: this.recentSum, mean: this.mean, variance: this.variance };
  }

  restore(state: AnomalyLikelihoodState<S>): void {
    if (state.recent.length !== this.recent.length) throw new Error('AnomalyLikelihood.restore: state was taken with a different shortWindow');
    this.inner.restore(state.inner);
    this.count = state.count;
    this.recent.set(state.recent);
    this.recentSum = state.recentSum;
    this.mean = state.mean;
    this.variance = state.variance;
  }
}
