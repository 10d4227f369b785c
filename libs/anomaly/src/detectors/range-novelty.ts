import { checkPoint } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';

/** Options of {@link RangeNoveltyDetector}; every field has a default. */
export interface RangeNoveltyOptions {
  /** Margin beyond the range seen so far, as a fraction of that range, that is still normal. */
  readonly tolerance?: number;
  /** Points seen before any non-zero score is given (the seen range is meaningless before). */
  readonly warmup?: number;
}

/** JSON state of {@link RangeNoveltyDetector}; `lo` and `hi` are 0 before the first point (JSON has no infinities). */
export interface RangeNoveltyState {
  readonly count: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Flags a value beyond every value seen so far by more than `tolerance` of the
 * range seen so far: a new extreme. Scores 0 inside the widened range, and
 * e/(e + margin) outside it, with e the excess beyond the seen range, so just
 * past the margin scores 0.5 and farther out scores higher.
 *
 * Why: many incidents first show as a value the series has never reached (a
 * saturated CPU, a latency or temperature off the chart), and a detector that
 * adapts its baseline learns such a level away within a few points. Numenta's
 * NAB entry overrides its learned score the same way ("spatial anomaly", 5%).
 * It uses only the range seen so far, never the file's full range (that would
 * be look-ahead), and costs two comparisons per point.
 */
export class RangeNoveltyDetector implements Detector<RangeNoveltyState> {
  private readonly tolerance: number;
  private readonly warmup: number;
  private count = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(options: RangeNoveltyOptions = {}) {
    this.tolerance = options.tolerance ?? 0.05;
    this.warmup = options.warmup ?? 100;
    if (!(this.tolerance > 0 && Number.isFinite(this.tolerance))) throw new RangeError(`tolerance must be a finite number > 0, got ${this.tolerance}`);
    if (!(Number.isInteger(this.warmup) && this.warmup >= 1)) throw new RangeError(`warmup must be an integer ≥ 1, got ${this.warmup}`);
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    let score = 0;
    let reason = 'within the range seen so far';
    const span = this.hi - this.lo;
    if (this.count >= this.warmup && span > 0) {
      const margin = this.tolerance * span;
      const excess = value > this.hi ? value - this.hi : value < this.lo ? this.lo - value : 0;
      if (excess > margin) {
        score = excess / (excess + margin);
        reason = `value ${value} is ${(excess / span).toFixed(2)}× the seen range ${value > this.hi ? 'above its maximum' : 'below its minimum'}`;
      }
    }
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    this.count++;
    return { score, reason };
  }

  snapshot(): RangeNoveltyState {
    return this.count === 0 ? { count: 0, lo: 0, hi: 0 } : { count: this.count, lo: this.lo, hi: this.hi };
  }

  restore(state: RangeNoveltyState): void {
    this.count = state.count;
    this.lo = state.count === 0 ? Number.POSITIVE_INFINITY : state.lo;
    this.hi = state.count === 0 ? Number.NEGATIVE_INFINITY : state.hi;
  }
}
