import { checkPoint, LazyResult } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';

/** Options of {@link ContextNoveltyDetector}; every field has a default. */
export interface ContextNoveltyOptions {
  /** The series' value range (NAB's one allowed prior). Without it the range is learned as points arrive. */
  readonly range?: SeriesRange;
  /** Quantisation levels across the range. */
  readonly levels?: number;
  /** Longest context (in quantised steps) whose novelty is checked. */
  readonly order?: number;
  /** log2 of the bits in the seen-context filter (memory: 2^bits / 8 bytes). */
  readonly filterBits?: number;
  /** Points learned from before any non-zero score is given. */
  readonly warmup?: number;
  /** Points in the short average of raw novelty that is compared against its history. */
  readonly shortWindow?: number;
  /** Smoothing of the long-run mean and variance of that short average. */
  readonly longAlpha?: number;
  /** `likelihood` (default) reports how unusual recent novelty is; `raw` reports the short average itself. */
  readonly output?: 'likelihood' | 'raw';
}

/** JSON state of {@link ContextNoveltyDetector}; `filter` has 2^filterBits / 32 entries. */
export interface ContextNoveltyState {
  readonly count: number;
  readonly history: number[];
  readonly filter: number[];
  readonly lo: number;
  readonly hi: number;
  readonly recent: number[];
  readonly recentSum: number;
  readonly mean: number;
  readonly variance: number;
}

// Two independent 32-bit mixes of the context hash choose the filter bits (a
// Bloom filter with k = 2): one bit alone would make crowded filters report
// too many contexts as seen.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Scores how *unseen* the recent context of a series is, rather than how far a
 * value deviates: values are quantised over the series range, and each point
 * checks whether the sequences of the last 1…order levels ending at it have
 * occurred before (kept in a fixed-size Bloom filter, so memory is constant).
 * The raw novelty is the weighted share of those sequences never seen.
 *
 * Raw novelty is high on noisy series all the time, so what is reported is how
 * unusual the *recent average* novelty is against its own long-run mean and
 * variance (as HTM's anomaly likelihood does): a series that always
 * surprises a little scores low, a familiar one that suddenly does something
 * new scores high. This is what the best published NAB entries (HTM, CAD OSE,
 * ARTime) have in common: they model the recurrence of patterns, so a level
 * or shape the series has never shown is caught whether or not it is large.
 */
export class ContextNoveltyDetector implements Detector<ContextNoveltyState> {
  private readonly levels: number;
  private readonly order: number;
  private readonly mask: number;
  private readonly warmup: number;
  private readonly shortWindow: number;
  private readonly longAlpha: number;
  private readonly learnRange: boolean;
  private readonly rawOutput: boolean;

  private count = 0;
  private lo: number;
  private hi: number;
  /** The last `order` levels, newest at `count % order`. */
  private readonly history: Int32Array;
  private readonly filter: Int32Array;
  /** Ring of the last `shortWindow` raw novelties. */
  private readonly recent: Float64Array;
  private recentSum = 0;
  private mean = 0;
  private variance = 0;

  constructor(options: ContextNoveltyOptions = {}) {
    this.levels = options.levels ?? 8;
    this.order = options.order ?? 2;
    const bits = options.filterBits ?? 18;
    if (!Number.isInteger(this.levels) || this.levels < 2) throw new RangeError(`levels must be an integer ≥ 2, got ${this.levels}`);
    if (!Number.isInteger(this.order) || this.order < 1 || this.order > 32) throw new RangeError(`order must be an integer in [1, 32], got ${this.order}`);
    if (!Number.isInteger(bits) || bits < 10 || bits > 26) throw new RangeError(`filterBits must be an integer in [10, 26], got ${bits}`);
    this.mask = (1 << bits) - 1;
    this.filter = new Int32Array(1 << (bits - 5));
    this.history = new Int32Array(this.order);
    this.warmup = options.warmup ?? 150;
    this.shortWindow = options.shortWindow ?? 6;
    this.recent = new Float64Array(this.shortWindow);
    this.longAlpha = options.longAlpha ?? 0.002;
    this.rawOutput = options.output === 'raw';
    const range = options.range;
    this.learnRange = range === undefined || !(range.max > range.min);
    this.lo = this.learnRange ? Number.POSITIVE_INFINITY : range!.min;
    this.hi = this.learnRange ? Number.NEGATIVE_INFINITY : range!.max;
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    if (this.learnRange) {
      if (value < this.lo) this.lo = value;
      if (value > this.hi) this.hi = value;
    }
    const span = this.hi - this.lo;
    let level = span > 0 ? Math.floor(((value - this.lo) / span) * this.levels) : 0;
    if (level < 0) level = 0;
    else if (level >= this.levels) level = this.levels - 1;

    const order = this.order;
    const pos = this.count % order;
    this.history[pos] = level;
    const available = Math.min(this.count + 1, order);

    // Hash the contexts newest-first, so the k-th hash covers the last k levels.
    let h = 0x9e3779b9;
    let unseenWeight = 0;
    let totalWeight = 0;
    for (let k = 1; k <= available; k++) {
      const l = this.history[(pos - k + 1 + order) % order]!;
      h = Math.imul(h ^ (l + 1), 0x01000193) + k;
      const a = mix(h);
      const b = mix(a ^ 0x5bd1e995);
      const ia = a & this.mask;
      const ib = b & this.mask;
      const seen = (this.filter[ia >>> 5]! & (1 << (ia & 31))) !== 0 && (this.filter[ib >>> 5]! & (1 << (ib & 31))) !== 0;
      if (!seen) {
        unseenWeight += k;
        this.filter[ia >>> 5]! |= 1 << (ia & 31);
        this.filter[ib >>> 5]! |= 1 << (ib & 31);
      }
      totalWeight += k;
    }
    const raw = unseenWeight / totalWeight;

    const slot = this.count % this.shortWindow;
    this.recentSum += raw - this.recent[slot]!;
    this.recent[slot] = raw;
    const n = Math.min(this.count + 1, this.shortWindow);
    const short = this.recentSum / n;

    let score = 0;
    if (this.count >= this.warmup && this.rawOutput) score = Math.min(1, Math.max(0, short));
    else if (this.count >= this.warmup) {
      const sd = Math.sqrt(this.variance) + 1e-3;
      const z = (short - this.mean) / sd;
      score = z > 0 ? 1 - 0.5 * erfc(z / Math.SQRT2) : 0;
      // Most of the mass is near 0.5 for z≈0; stretch the tail so thresholds resolve it.
      score = score <= 0.5 ? 0 : (score - 0.5) * 2;
    }
    // Learn the long-run level of the short average (Welford-free EWMA form).
    if (this.count === 0) this.mean = short;
    else {
      const alpha = Math.max(this.longAlpha, 1 / (this.count + 1));
      const d = short - this.mean;
      this.mean += alpha * d;
      this.variance = (1 - alpha) * (this.variance + alpha * d * d);
    }
    this.count++;
    return score > 0 ? new LazyResult(score, explainNovel, short, this.mean, Math.sqrt(this.variance)) : new LazyResult(0, explainFamiliar, raw);
  }

  snapshot(): ContextNoveltyState {
    return {
      count: this.count,
      history: Array.from(this.history),
      filter: Array.from(this.filter),
      lo: this.lo,
      hi: this.hi,
      recent: Array.from(this.recent),
      recentSum: this.recentSum,
      mean: this.mean,
      variance: this.variance,
    };
  }

  restore(state: ContextNoveltyState): void {
    if (state.filter.length !== this.filter.length || state.history.length !== this.history.length || state.recent.length !== this.recent.length) {
      throw new Error('ContextNoveltyDetector.restore: state was taken with different options');
    }
    this.count = state.count;
    this.history.set(state.history);
    this.filter.set(state.filter);
    this.lo = state.lo;
    this.hi = state.hi;
    this.recent.set(state.recent);
    this.recentSum = state.recentSum;
    this.mean = state.mean;
    this.variance = state.variance;
  }
}

function explainNovel(short: number, mean: number, sd: number): string {
  return `recent context novelty ${short.toFixed(2)} vs usual ${mean.toFixed(2)}±${sd.toFixed(2)}`;
}

function explainFamiliar(raw: number): string {
  return `context familiar (novelty ${raw.toFixed(2)})`;
}

/** Complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886976 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
