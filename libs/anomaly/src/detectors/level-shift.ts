import { checkPoint, deviationScore, scaleFloor } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';

/** Options of {@link LevelShiftDetector}; every field has a default. */
export interface LevelShiftOptions {
  /** The series' value range, if known (NAB's one allowed prior). */
  readonly range?: SeriesRange;
  /** Scale floor as a fraction of the range (see EwmaResidualDetector). */
  readonly floorFraction?: number;
  /** Smoothing of the reference level (weight of the newest point) while no shift is under way. */
  readonly levelAlpha?: number;
  /** Smoothing of the noise scale. */
  readonly scaleAlpha?: number;
  /** CUSUM slack k in σ: drift per point that is ignored. */
  readonly slack?: number;
  /** CUSUM value h (in σ) that declares a change point and scores 0.5. */
  readonly decisionAt?: number;
  /** Standardised residuals are clipped here before they enter the sums, so one spike is not a shift. */
  readonly clipAt?: number;
  /** Points seen before any non-zero score is given. */
  readonly warmup?: number;
  /** Points after a declared change point that re-learn the level (running mean) before scoring resumes. */
  readonly relearn?: number;
}

/** JSON state of {@link LevelShiftDetector}. */
export interface LevelShiftState {
  readonly count: number;
  readonly level: number;
  readonly diffScale: number;
  readonly previous: number;
  readonly up: number;
  readonly down: number;
  readonly runSum: number;
  readonly runLength: number;
  readonly sinceChange: number;
}

// For white noise E|x_t − x_{t−1}| = 2σ/√π, so σ ≈ (√π/2)·E|Δx|.
const ABS_DIFF_TO_SIGMA = Math.sqrt(Math.PI) / 2;

/**
 * Change-point (level-shift) detection with a two-sided Page CUSUM.
 *
 * The noise scale is learned from point-to-point differences rather than from
 * residuals around the level, so a shift itself hardly inflates it (a step is
 * one large difference, clipped), and the shift stays visible for as long as
 * the sums need to build up. When a sum crosses `decisionAt` the change point
 * is declared: the reference level jumps to the mean of the run since the sum
 * last left zero (the estimated new level), and both sums restart, so a
 * lasting shift reports once rather than for as long as it lasts.
 */
export class LevelShiftDetector implements Detector<LevelShiftState> {
  private readonly range: SeriesRange | undefined;
  private readonly floorFraction: number;
  private readonly levelAlpha: number;
  private readonly scaleAlpha: number;
  private readonly slack: number;
  private readonly decisionAt: number;
  private readonly clipAt: number;
  private readonly warmup: number;
  private readonly relearn: number;

  private count = 0;
  private level = 0;
  private diffScale = 0;
  private previous = 0;
  private up = 0;
  private down = 0;
  /** Sum and length of the values since the active sum last left zero: the new level if a shift is declared. */
  private runSum = 0;
  private runLength = 0;
  /** Points since the last declared change point, while re-learning (≥ relearn: not re-learning). */
  private sinceChange = Number.MAX_SAFE_INTEGER;

  constructor(options: LevelShiftOptions = {}) {
    this.range = options.range;
    this.floorFraction = options.floorFraction ?? 1e-2;
    this.levelAlpha = options.levelAlpha ?? 0.02;
    this.scaleAlpha = options.scaleAlpha ?? 0.01;
    this.slack = options.slack ?? 0.5;
    this.decisionAt = options.decisionAt ?? 10;
    this.clipAt = options.clipAt ?? 3;
    this.warmup = options.warmup ?? 50;
    this.relearn = options.relearn ?? 50;
    if (!(this.decisionAt > 0)) throw new RangeError(`decisionAt must be positive, got ${this.decisionAt}`);
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    if (this.count === 0) {
      this.count = 1;
      this.level = value;
      this.previous = value;
      return { score: 0, reason: 'first point' };
    }
    const sigma = Math.max(ABS_DIFF_TO_SIGMA * this.diffScale, scaleFloor(this.range, this.level, this.floorFraction));
    const diff = Math.abs(value - this.previous);
    this.previous = value;
    this.count++;
    // 1/n at first: an EWMA started at 0 would understate σ for its first ~1/α points and fire on noise.
    const a = Math.max(this.scaleAlpha, 1 / (this.count - 1));
    const limit = this.count <= this.warmup ? Number.POSITIVE_INFINITY : this.clipAt * 2 * sigma;
    this.diffScale += a * (Math.min(diff, limit) - this.diffScale);
    const z = Math.max(-this.clipAt, Math.min(this.clipAt, (value - this.level) / sigma));
    if (this.count <= this.warmup) {
      this.level += Math.max(this.levelAlpha, 1 / this.count) * (value - this.level);
      return { score: 0, reason: `warming up (${this.count}/${this.warmup})` };
    }

    if (this.sinceChange < this.relearn) {
      // The new level is estimated from points after the change only: the
      // CUSUM run that declared it still mixes in points from before.
      this.sinceChange++;
      this.level += (value - this.level) / this.sinceChange;
      return { score: 0, reason: `re-learning the level after a change point (${this.sinceChange}/${this.relearn})` };
    }
    const wasZero = this.up === 0 && this.down === 0;
    this.up = Math.max(0, this.up + z - this.slack);
    this.down = Math.max(0, this.down - z - this.slack);
    if (this.up === 0 && this.down === 0) {
      this.runSum = 0;
      this.runLength = 0;
      this.level += this.levelAlpha * z * sigma;
    } else {
      if (wasZero) {
        this.runSum = 0;
        this.runLength = 0;
      }
      this.runSum += value;
      this.runLength++;
    }
    const cusum = Math.max(this.up, this.down);
    const score = deviationScore(cusum, this.decisionAt);
    const direction = this.up >= this.down ? 'up' : 'down';
    if (cusum >= this.decisionAt) {
      const from = this.level;
      const estimate = this.runSum / this.runLength;
      this.level = value;
      this.sinceChange = this.relearn > 0 ? 1 : Number.MAX_SAFE_INTEGER;
      this.up = 0;
      this.down = 0;
      this.runSum = 0;
      this.runLength = 0;
      return { score, reason: `level shift ${direction} from ${from.toPrecision(6)} to about ${estimate.toPrecision(6)}` };
    }
    return { score, reason: `CUSUM ${direction} ${cusum.toFixed(2)}σ of ${this.decisionAt}σ` };
  }

  snapshot(): LevelShiftState {
    return {
      count: this.count,
      level: this.level,
      diffScale: this.diffScale,
      previous: this.previous,
      up: this.up,
      down: this.down,
      runSum: this.runSum,
      runLength: this.runLength,
      sinceChange: Math.min(this.sinceChange, this.relearn),
    };
  }

  restore(state: LevelShiftState): void {
    this.count = state.count;
    this.level = state.level;
    this.diffScale = state.diffScale;
    this.previous = state.previous;
    this.up = state.up;
    this.down = state.down;
    this.runSum = state.runSum;
    this.runLength = state.runLength;
    this.sinceChange = state.sinceChange >= this.relearn ? Number.MAX_SAFE_INTEGER : state.sinceChange;
  }
}
