import { checkPoint } from '../detectors/detector.js';
import type { SeriesRange } from '../detectors/detector.js';

/**
 * Streaming features of the learned anomaly model. `ml/pharos_ml/features.py`
 * computes the same features in the same order with the same arithmetic (both
 * in float64); `features.test.ts` pins the two together with a vector file that
 * the Python side writes. Change both or neither, and bump FEATURE_VERSION.
 */
export const FEATURE_NAMES = [
  'position_in_range',
  'z_fast_level',
  'z_slow_level',
  'level_shift',
  'log_scale_ratio',
  'z_step',
  'novelty_order3',
  'novelty_order2',
  'novelty_recent',
  'novelty_baseline',
  'novelty_excess',
  'maturity',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;
export const FEATURE_VERSION = 1;

const LEVELS = 8;
const FAST = 0.1;
const SLOW = 0.01;
const NOVELTY_RECENT = 0.1;
const NOVELTY_LONG = 0.005;
const CLIP = 10;
const MIN_SIGMA = 0.01;
const ABS_DEV_TO_SIGMA = 1.2533141373155001;
const MATURITY_POINTS = 1000;

/** JSON state of {@link FeatureExtractor}. */
export interface FeatureState {
  readonly n: number;
  readonly prevX: number;
  readonly fast: number;
  readonly slow: number;
  readonly fastDev: number;
  readonly slowDev: number;
  readonly stepDev: number;
  readonly q1: number;
  readonly q2: number;
  readonly counts2: number[];
  readonly counts3: number[];
  readonly noveltyRecent: number;
  readonly noveltyLong: number;
}

function clip(x: number): number {
  return x > CLIP ? CLIP : x < -CLIP ? -CLIP : x;
}

/**
 * Computes one feature row per point, in O(1) time and memory, from the value
 * normalised to the series range (so one model serves series of any unit):
 * deviations from a fast and a slow EWMA level in units of the slow scale, the
 * gap between the two levels (a shift under way), the ratio of fast to slow
 * scale (a variance change), the step size, and how unseen the current run of
 * quantised levels is (exact counts of 2- and 3-level sequences over 8
 * levels: 576 counters) now and on average.
 */
export class FeatureExtractor {
  private readonly lo: number;
  private readonly span: number;
  private n = 0;
  private prevX = 0;
  private fast = 0;
  private slow = 0;
  private fastDev = 0;
  private slowDev = 0;
  private stepDev = 0;
  private q1 = 0;
  private q2 = 0;
  private readonly counts2 = new Float64Array(LEVELS * LEVELS);
  private readonly counts3 = new Float64Array(LEVELS * LEVELS * LEVELS);
  private noveltyRecent = 0;
  private noveltyLong = 0;

  constructor(range: SeriesRange) {
    if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.max < range.min) {
      throw new RangeError(`invalid series range [${range.min}, ${range.max}]`);
    }
    this.lo = range.min;
    this.span = range.max - range.min;
  }

  /** Writes the features of the point `(t, v)` into `out[offset … offset+FEATURE_COUNT)`, then learns from it. */
  next(timestampMs: number, value: number, out: Float32Array | Float64Array, offset: number): void {
    checkPoint(timestampMs, value);
    const x = this.span > 0 ? (value - this.lo) / this.span : 0;
    let q = Math.floor(x * LEVELS);
    if (q < 0) q = 0;
    else if (q > LEVELS - 1) q = LEVELS - 1;
    if (this.n === 0) {
      this.fast = x;
      this.slow = x;
      this.prevX = x;
      this.q1 = q;
      this.q2 = q;
    }
    const sigma = Math.max(ABS_DEV_TO_SIGMA * this.slowDev, MIN_SIGMA);
    const stepSigma = Math.max(ABS_DEV_TO_SIGMA * this.stepDev, MIN_SIGMA);
    const i2 = this.q1 * LEVELS + q;
    const i3 = (this.q2 * LEVELS + this.q1) * LEVELS + q;
    const novelty3 = 1 / (1 + this.counts3[i3]!);
    const novelty2 = 1 / (1 + this.counts2[i2]!);
    const step = Math.abs(x - this.prevX);

    out[offset] = x;
    out[offset + 1] = clip((x - this.fast) / sigma);
    out[offset + 2] = clip((x - this.slow) / sigma);
    // Learn the levels first so the shift feature includes this point.
    this.fast += FAST * (x - this.fast);
    this.slow += SLOW * (x - this.slow);
    out[offset + 3] = clip((this.fast - this.slow) / sigma);
    this.fastDev += FAST * (Math.abs(x - this.fast) - this.fastDev);
    this.slowDev += SLOW * (Math.abs(x - this.slow) - this.slowDev);
    out[offset + 4] = Math.max(-5, Math.min(5, Math.log((this.fastDev + 1e-3) / (this.slowDev + 1e-3))));
    out[offset + 5] = clip(step / stepSigma);
    this.stepDev += SLOW * (step - this.stepDev);
    out[offset + 6] = novelty3;
    out[offset + 7] = novelty2;
    this.noveltyRecent += NOVELTY_RECENT * (novelty3 - this.noveltyRecent);
    this.noveltyLong += NOVELTY_LONG * (novelty3 - this.noveltyLong);
    out[offset + 8] = this.noveltyRecent;
    out[offset + 9] = this.noveltyLong;
    out[offset + 10] = this.noveltyRecent - this.noveltyLong;
    out[offset + 11] = Math.min(1, this.n / MATURITY_POINTS);

    this.counts2[i2]! += 1;
    this.counts3[i3]! += 1;
    this.q2 = this.q1;
    this.q1 = q;
    this.prevX = x;
    this.n++;
  }

  snapshot(): FeatureState {
    return {
      n: this.n,
      prevX: this.prevX,
      fast: this.fast,
      slow: this.slow,
      fastDev: this.fastDev,
      slowDev: this.slowDev,
      stepDev: this.stepDev,
      q1: this.q1,
      q2: this.q2,
      counts2: Array.from(this.counts2),
      counts3: Array.from(this.counts3),
      noveltyRecent: this.noveltyRecent,
      noveltyLong: this.noveltyLong,
    };
  }

  restore(s: FeatureState): void {
    if (s.counts2.length !== this.counts2.length || s.counts3.length !== this.counts3.length) {
      throw new Error('FeatureExtractor.restore: state has a different feature layout');
    }
    this.n = s.n;
    this.prevX = s.prevX;
    this.fast = s.fast;
    this.slow = s.slow;
    this.fastDev = s.fastDev;
    this.slowDev = s.slowDev;
    this.stepDev = s.stepDev;
    this.q1 = s.q1;
    this.q2 = s.q2;
    this.counts2.set(s.counts2);
    this.counts3.set(s.counts3);
    this.noveltyRecent = s.noveltyRecent;
    this.noveltyLong = s.noveltyLong;
  }
}

/** Features of a whole series, row-major `[values.length × FEATURE_COUNT]`, as the model takes them. */
export function seriesFeatures(range: SeriesRange, timestamps: ArrayLike<number>, values: ArrayLike<number>): Float32Array {
  if (timestamps.length !== values.length) throw new RangeError(`${timestamps.length} timestamps but ${values.length} values`);
  const out = new Float32Array(values.length * FEATURE_COUNT);
  const fx = new FeatureExtractor(range);
  for (let i = 0; i < values.length; i++) fx.next(timestamps[i]!, values[i]!, out, i * FEATURE_COUNT);
  return out;
}
