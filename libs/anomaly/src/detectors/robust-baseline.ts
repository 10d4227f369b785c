import { checkPoint, deviationScore, scaleFloor, LazyResult } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';
import { RollingMedian } from './rolling-median.js';

/** Options of {@link RobustBaselineDetector}; every field has a default. */
export interface RobustBaselineOptions {
  /** Points in the rolling window that gives the median and MAD. */
  readonly window?: number;
  /** Points seen before any non-zero score is given. */
  readonly warmup?: number;
  /** Robust z (in σ units via 1.4826·MAD) that scores 0.5. */
  readonly halfScoreAt?: number;
  /** CUSUM slack: standardised drift ignored per point. */
  readonly cusumSlack?: number;
  /** CUSUM sum that scores 0.5. */
  readonly cusumHalfScoreAt?: number;
  /** Standardised residuals are clipped here before entering the CUSUM, so one spike alone is not a level shift. */
  readonly cusumClip?: number;
  /** The series' value range, if known (NAB's one allowed prior). */
  readonly range?: SeriesRange;
  /**
   * Scale floor as a fraction of the range (used only with `range`): a move
   * smaller than 1% of everything the series does is not worth an alert, and
   * without a floor quantised series (MAD 0) turn any step into a huge z.
   */
  readonly floorFraction?: number;
}

/** JSON state of {@link RobustBaselineDetector}; `window` holds at most `options.window` values. */
export interface RobustBaselineState {
  readonly count: number;
  readonly window: number[];
  readonly cusumUp: number;
  readonly cusumDown: number;
}

// MAD·1.4826 estimates σ for normal data, so z reads as "sigmas".
const MAD_TO_SIGMA = 1.4826;

/**
 * Scores each point against the median and MAD of the preceding window
 * (robust to the very outliers it looks for), and adds a two-sided CUSUM on
 * the standardised residuals to catch level shifts that are too small per
 * point to stand out but persist. The score is the larger of the two parts.
 *
 * The CUSUM sums are capped at twice the half-score value so that once the
 * window has absorbed a shift the score decays within a bounded number of
 * points instead of staying high for as long as it took to build up.
 */
export class RobustBaselineDetector implements Detector<RobustBaselineState> {
  private readonly warmup: number;
  private readonly halfScoreAt: number;
  private readonly cusumSlack: number;
  private readonly cusumHalfScoreAt: number;
  private readonly cusumClip: number;
  private readonly range: SeriesRange | undefined;
  private readonly floorFraction: number;
  private readonly baseline: RollingMedian;

  private count = 0;
  private cusumUp = 0;
  private cusumDown = 0;

  constructor(options: RobustBaselineOptions = {}) {
    this.baseline = new RollingMedian(options.window ?? 128);
    this.warmup = options.warmup ?? 30;
    this.halfScoreAt = options.halfScoreAt ?? 5;
    this.cusumSlack = options.cusumSlack ?? 0.5;
    this.cusumHalfScoreAt = options.cusumHalfScoreAt ?? 10;
    this.cusumClip = options.cusumClip ?? 4;
    this.range = options.range;
    this.floorFraction = options.floorFraction ?? 1e-2;
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    this.count++;
    if (this.count <= this.warmup || this.baseline.length === 0) {
      this.baseline.push(value);
      return new LazyResult(0, explainWarmup, this.count, this.warmup);
    }
    const median = this.baseline.median();
    const sigma = Math.max(MAD_TO_SIGMA * this.baseline.mad(median), scaleFloor(this.range, median, this.floorFraction));
    const signed = (value - median) / sigma;
    const z = Math.abs(signed);

    const step = Math.max(-this.cusumClip, Math.min(this.cusumClip, signed));
    const cap = 2 * this.cusumHalfScoreAt;
    this.cusumUp = Math.min(cap, Math.max(0, this.cusumUp + step - this.cusumSlack));
    this.cusumDown = Math.min(cap, Math.max(0, this.cusumDown - step - this.cusumSlack));
    this.baseline.push(value);

    const spike = deviationScore(z, this.halfScoreAt);
    const cusum = Math.max(this.cusumUp, this.cusumDown);
    const shift = deviationScore(cusum, this.cusumHalfScoreAt);
    if (shift > spike) return new LazyResult(shift, explainShift, this.cusumUp >= this.cusumDown ? 1 : -1, cusum, median);
    return new LazyResult(spike, explainSpike, value, signed, median);
  }

  snapshot(): RobustBaselineState {
    return {
      count: this.count,
      window: this.baseline.values(),
      cusumUp: this.cusumUp,
      cusumDown: this.cusumDown,
    };
  }

  restore(state: RobustBaselineState): void {
    this.count = state.count;
    this.baseline.load(state.window);
    this.cusumUp = state.cusumUp;
    this.cusumDown = state.cusumDown;
  }
}

function explainWarmup(count: number, warmup: number): string {
  return `warming up (${count}/${warmup})`;
}

function explainShift(direction: number, cusum: number, median: number): string {
  return `${direction > 0 ? 'upward' : 'downward'} level shift: CUSUM ${cusum.toFixed(1)} over median ${median.toPrecision(6)}`;
}

function explainSpike(value: number, z: number, median: number): string {
  return `value ${value} is ${Math.abs(z).toFixed(2)}σ ${z >= 0 ? 'above' : 'below'} the rolling median ${median.toPrecision(6)}`;
}
