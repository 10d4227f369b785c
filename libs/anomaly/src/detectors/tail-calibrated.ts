import { RescoredResult } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';

/** Options of {@link TailCalibrated}. */
export interface TailCalibratedOptions {
  /** Histogram bins over [0, 1] (resolution of the rank). */
  readonly bins?: number;
  /** Scores seen before any non-zero output. */
  readonly warmup?: number;
}

/** JSON state of {@link TailCalibrated}. */
export interface TailCalibratedState<S extends object> {
  readonly inner: S;
  readonly count: number;
  /** Fenwick tree of the score histogram (bins + 1 entries). */
  readonly tree: number[];
}

/**
 * Turns a detector's scores into how rare they are *for this series so far*:
 * with p the share of earlier scores at least as high (counting this one),
 * the output is ln(1/p) / ln(n + 1), which is 1 for a score higher than any
 * before it and near 0 for a common one. The rank is kept in a histogram with
 * a Fenwick tree, so each point costs O(log bins) and memory is fixed.
 *
 * Why: detectors' raw scores live on different scales (a likelihood near 1, a
 * z-score map near 0.1), so combining them directly lets one dominate, and one
 * NAB threshold for all files needs scores that mean the same on every file.
 * An online rank does both without look-ahead. A zero score stays zero (no
 * evidence is not made into evidence).
 */
export class TailCalibrated<S extends object> implements Detector<TailCalibratedState<S>> {
  private readonly bins: number;
  private readonly warmup: number;
  private readonly tree: Float64Array;
  private count = 0;

  constructor(
    private readonly inner: Detector<S>,
    options: TailCalibratedOptions = {},
  ) {
    this.bins = options.bins ?? 1000;
    this.warmup = options.warmup ?? 100;
    if (!(Number.isInteger(this.bins) && this.bins >= 2)) throw new RangeError(`bins must be an integer ≥ 2, got ${this.bins}`);
    this.tree = new Float64Array(this.bins + 1);
  }

  update(timestampMs: number, value: number): DetectorResult {
    const r = this.inner.update(timestampMs, value);
    const b = Math.min(this.bins - 1, Math.floor(r.score * this.bins));
    // Scores in bins below b: prefix sum of the Fenwick tree.
    let below = 0;
    for (let i = b; i > 0; i -= i & -i) below += this.tree[i]!;
    const n = this.count;
    let score = 0;
    if (n >= this.warmup && r.score > 0) {
      const p = (n - below + 1) / (n + 1);
      score = Math.min(1, Math.log(1 / p) / Math.log(n + 1));
    }
    for (let i = b + 1; i <= this.bins; i += i & -i) this.tree[i]! += 1;
    this.count++;
    return score === r.score ? r : new RescoredResult(score, r);
  }

  snapshot(): TailCalibratedState<S> {
    return { inner: this.inner.snapshot(), count: this.count, tree: Array.from(this.tree) };
  }

  restore(state: TailCalibratedState<S>): void {
    if (state.tree.length !== this.tree.length) throw new Error('TailCalibrated.restore: state was taken with a different number of bins');
    this.inner.restore(state.inner);
    this.count = state.count;
    this.tree.set(state.tree);
  }
}
