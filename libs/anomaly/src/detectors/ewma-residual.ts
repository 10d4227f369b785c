import { checkPoint, deviationScore, scaleFloor, LazyResult } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';

/** Options of {@link EwmaResidualDetector}; every field has a default. */
export interface EwmaResidualOptions {
  /** Smoothing of the level (weight of the newest point). */
  readonly levelAlpha?: number;
  /** Smoothing of the scale, the EWMA of absolute residuals. */
  readonly scaleAlpha?: number;
  /** Residuals are clipped at this many scale units before they are learned from. */
  readonly clipAt?: number;
  /** Standardised residual that scores 0.5. */
  readonly halfScoreAt?: number;
  /** Points seen before any non-zero score is given. */
  readonly warmup?: number;
  /** The series' value range, if known (NAB's one allowed prior). */
  readonly range?: SeriesRange;
  /**
   * Scale floor as a fraction of the range (used only with `range`): a move
   * smaller than 1% of everything the series does is not worth an alert, and
   * without a floor quantised series (MAD 0) turn any step into a huge z.
   */
  readonly floorFraction?: number;
}

/** JSON state of {@link EwmaResidualDetector}. */
export interface EwmaResidualState {
  readonly count: number;
  readonly level: number;
  readonly absDeviation: number;
}

// E|X| = σ·√(2/π) for a normal X, so σ ≈ 1.2533·E|X|: makes z read as "sigmas".
const ABS_DEV_TO_SIGMA = Math.sqrt(Math.PI / 2);

/**
 * Scores each point by its residual from an exponentially weighted level,
 * standardised by an exponentially weighted mean absolute residual.
 *
 * The residual is clipped (Huber-style) before it updates level and scale, so
 * one spike neither drags the level nor inflates the scale enough to hide the
 * next one; a lasting level shift still gets learned, at a rate bounded by the
 * clip, because the clipped residuals keep pushing in the same direction.
 */
export class EwmaResidualDetector implements Detector<EwmaResidualState> {
  private readonly levelAlpha: number;
  private readonly scaleAlpha: number;
  private readonly clipAt: number;
  private readonly halfScoreAt: number;
  private readonly warmup: number;
  private readonly range: SeriesRange | undefined;
  private readonly floorFraction: number;

  private count = 0;
  private level = 0;
  private absDeviation = 0;

  constructor(options: EwmaResidualOptions = {}) {
    this.levelAlpha = options.levelAlpha ?? 0.05;
    this.scaleAlpha = options.scaleAlpha ?? 0.02;
    this.clipAt = options.clipAt ?? 4;
    this.halfScoreAt = options.halfScoreAt ?? 4;
    this.warmup = options.warmup ?? 30;
    this.range = options.range;
    this.floorFraction = options.floorFraction ?? 1e-2;
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    if (this.count === 0) {
      this.count = 1;
      this.level = value;
      return new LazyResult(0, explainFirst);
    }
    const predicted = this.level;
    const residual = value - predicted;
    const sigma = Math.max(ABS_DEV_TO_SIGMA * this.absDeviation, scaleFloor(this.range, this.level, this.floorFraction));
    const z = Math.abs(residual) / sigma;
    const warming = this.count < this.warmup;
    const score = warming ? 0 : deviationScore(z, this.halfScoreAt);

    // While warming up the scale is not yet trustworthy, so nothing is clipped.
    const limit = warming ? Number.POSITIVE_INFINITY : this.clipAt * sigma;
    const clipped = Math.max(-limit, Math.min(limit, residual));
    this.level += this.levelAlpha * clipped;
    this.absDeviation += this.scaleAlpha * (Math.abs(clipped) - this.absDeviation);
    this.count++;

    return warming ? new LazyResult(0, explainWarmup, this.count, this.warmup) : new LazyResult(score, explainResidual, value, residual / sigma, predicted);
  }

  snapshot(): EwmaResidualState {
    return {
      count: this.count,
      level: this.level,
      absDeviation: this.absDeviation,
    };
  }

  restore(state: EwmaResidualState): void {
    this.count = state.count;
    this.level = state.level;
    this.absDeviation = state.absDeviation;
  }
}

function explainFirst(): string {
  return 'first point';
}

function explainWarmup(count: number, warmup: number): string {
  return `warming up (${count}/${warmup})`;
}

function explainResidual(value: number, z: number, predicted: number): string {
  return `value ${value} is ${Math.abs(z).toFixed(2)}σ ${z >= 0 ? 'above' : 'below'} the EWMA level ${predicted.toPrecision(6)}`;
}
