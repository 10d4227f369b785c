/**
 * Prediction intervals from the forecaster's own track record (split conformal prediction,
 * made adaptive): every so often a whole-horizon forecast is remembered, and as the actual
 * values arrive its signed errors go into per-horizon buckets (one horizon per bucket is
 * recorded, since errors at neighbouring horizons of one forecast are nearly equal). An interval is the forecast plus
 * the errors' lower and upper quantiles. Because real errors are neither normal nor stationary,
 * the quantile level of each bucket is nudged after every outcome (adaptive conformal
 * inference): a miss widens it, a hit narrows it, so coverage tracks the target over time.
 */
export interface IntervalTrackerState {
  readonly coverage: number;
  readonly levels: number[];
  readonly errors: number[][];
  readonly heads: number[];
}

const BUCKETS = 12;
const ERRORS_PER_BUCKET = 256;
/** Step size of the adaptive level update. */
const LEARNING_RATE = 0.01;

export class IntervalTracker {
  private readonly errors: Float64Array[];
  private readonly filled: number[];
  private readonly heads: number[];
  /** Per bucket, the miscoverage α currently used (target 1 − coverage). */
  private readonly alphas: Float64Array;
  private readonly bucketOf: Uint8Array;
  /** The one horizon per bucket whose outcomes are recorded (the bucket's farthest). */
  private readonly representative: Uint8Array;
  private readonly scratch = new Float64Array(ERRORS_PER_BUCKET);

  constructor(
    readonly horizonSteps: number,
    readonly coverage = 0.8,
  ) {
    if (!(coverage > 0 && coverage < 1)) throw new Error(`coverage must be within (0, 1), got ${coverage}`);
    this.errors = Array.from({ length: BUCKETS }, () => new Float64Array(ERRORS_PER_BUCKET));
    this.filled = new Array<number>(BUCKETS).fill(0);
    this.heads = new Array<number>(BUCKETS).fill(0);
    this.alphas = new Float64Array(BUCKETS).fill(1 - coverage);
    // Buckets spaced evenly in log(h): near horizons change fast, far ones slowly.
    this.bucketOf = new Uint8Array(horizonSteps + 1);
    const logMax = Math.log(Math.max(2, horizonSteps));
    for (let h = 1; h <= horizonSteps; h++) this.bucketOf[h] = Math.min(BUCKETS - 1, Math.floor((Math.log(h) / logMax) * BUCKETS));
    // Errors of one forecast at neighbouring horizons are nearly the same number; recording
    // them all would fill a bucket with a handful of forecasts' worth of evidence.
    this.representative = new Uint8Array(horizonSteps + 1);
    for (let h = 1; h <= horizonSteps; h++) if (h === horizonSteps || this.bucketOf[h + 1] !== this.bucketOf[h]) this.representative[h] = 1;
  }

  /** Records the outcome of a forecast made `h` steps earlier with the interval it came with. */
  record(h: number, error: number, covered: boolean | undefined): void {
    if (Number.isNaN(error) || h < 1 || h > this.horizonSteps || this.representative[h] === 0) return;
    const b = this.bucketOf[h]!;
    this.errors[b]![this.heads[b]!] = error;
    this.heads[b] = (this.heads[b]! + 1) % ERRORS_PER_BUCKET;
    if (this.filled[b]! < ERRORS_PER_BUCKET) this.filled[b]!++;
    if (covered !== undefined) {
      const target = 1 - this.coverage;
      const a = this.alphas[b]! + LEARNING_RATE * (target - (covered ? 0 : 1));
      this.alphas[b] = Math.min(0.9, Math.max(0.001, a));
    }
  }

  /** Writes the interval around `mean` (one value per step ahead); NaN bounds when not ready. */
  intervals(mean: Float64Array, lower: Float64Array, upper: Float64Array): void {
    const lo = new Float64Array(BUCKETS).fill(Number.NaN);
    const hi = new Float64Array(BUCKETS).fill(Number.NaN);
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.filled[b]!;
      if (n < 8) continue;
      const sorted = this.scratch.subarray(0, n);
      sorted.set(this.errors[b]!.subarray(0, n));
      sorted.sort();
      const alpha = this.alphas[b]!;
      lo[b] = quantileSorted(sorted, alpha / 2);
      hi[b] = quantileSorted(sorted, 1 - alpha / 2);
    }
    for (let i = 0; i < mean.length; i++) {
      const b = this.bucketOf[Math.min(i + 1, this.horizonSteps)]!;
      lower[i] = mean[i]! + lo[b]!;
      upper[i] = mean[i]! + hi[b]!;
    }
  }

  snapshot(): IntervalTrackerState {
    return {
      coverage: this.coverage,
      levels: Array.from(this.alphas),
      errors: this.errors.map((e, b) => Array.from(e.subarray(0, this.filled[b]!))),
      heads: [...this.heads],
    };
  }

  static restore(horizonSteps: number, state: IntervalTrackerState): IntervalTracker {
    const tracker = new IntervalTracker(horizonSteps, state.coverage);
    if (state.errors.length !== BUCKETS || state.levels.length !== BUCKETS) throw new Error('interval tracker state has the wrong number of buckets');
    for (let b = 0; b < BUCKETS; b++) {
      const errs = state.errors[b]!.slice(0, ERRORS_PER_BUCKET);
      tracker.errors[b]!.set(errs);
      tracker.filled[b] = errs.length;
      tracker.heads[b] = (state.heads[b] ?? 0) % ERRORS_PER_BUCKET;
      tracker.alphas[b] = state.levels[b]!;
    }
    return tracker;
  }
}

/** Linear interpolation between order statistics (type 7, as numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < n ? sorted[i]! + frac * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}
