import { checkPoint, deviationScore, LazyResult, scaleFloor } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';

/** Options of {@link SeasonalBaselineDetector}; every field has a default. */
export interface SeasonalBaselineOptions {
  /** The series' value range, if known (NAB's one allowed prior). */
  readonly range?: SeriesRange;
  /** Scale floor as a fraction of the range (see EwmaResidualDetector). */
  readonly floorFraction?: number;
  /** Smoothing of the deseasonalised level. */
  readonly levelAlpha?: number;
  /** Smoothing of each phase bucket's seasonal offset (each bucket sees one point in B). */
  readonly seasonAlpha?: number;
  /** Smoothing of the residual scale and of each candidate's prediction error. */
  readonly scaleAlpha?: number;
  /** Residuals are clipped at this many σ before they are learned from. */
  readonly clipAt?: number;
  /** Standardised residual that scores 0.5. */
  readonly halfScoreAt?: number;
  /** A seasonal candidate is chosen only if its error is below this fraction of the non-seasonal one. */
  readonly minGain?: number;
  /** Points seen before any non-zero score is given. */
  readonly warmup?: number;
}

/** JSON state of {@link SeasonalBaselineDetector}. */
export interface SeasonalBaselineState {
  readonly count: number;
  readonly firstTimestamp: number;
  readonly level: number;
  readonly absResidual: number;
  readonly profiles: number[][];
  readonly errors: number[];
  readonly seen: number[][];
  readonly selected: number;
}

const DAY_MS = 86_400_000;
/**
 * The candidate seasons: machine and human activity repeats daily and weekly.
 * Phases come from the timestamps, not the point index, so gaps and irregular
 * steps keep the phase right. Buckets: 30 min of a day, 1 h of a week.
 */
const CANDIDATES: readonly { readonly name: string; readonly periodMs: number; readonly buckets: number }[] = [
  { name: 'daily', periodMs: DAY_MS, buckets: 48 },
  { name: 'weekly', periodMs: 7 * DAY_MS, buckets: 168 },
];
const NONE = -1;
const ABS_DEV_TO_SIGMA = Math.sqrt(Math.PI / 2);

/**
 * Residual from a level plus a seasonal profile, with the season chosen
 * automatically. Every candidate season (daily, weekly) keeps its own profile
 * of per-phase offsets from the level and its own running out-of-sample
 * prediction error; the candidate with the lowest error is used once it has
 * seen two full periods and beats the plain level by `minGain`, so a series
 * without seasonality falls back to an EWMA level and one whose weekly cycle
 * is stronger than its daily one switches to weekly on its own.
 *
 * Suits series driven by people or schedules (traffic, request counts, taxi
 * rides, batch jobs): a value normal at 3 pm but not at 3 am is caught.
 */
export class SeasonalBaselineDetector implements Detector<SeasonalBaselineState> {
  private readonly range: SeriesRange | undefined;
  private readonly floorFraction: number;
  private readonly levelAlpha: number;
  private readonly seasonAlpha: number;
  private readonly scaleAlpha: number;
  private readonly clipAt: number;
  private readonly halfScoreAt: number;
  private readonly minGain: number;
  private readonly warmup: number;

  private count = 0;
  private firstTimestamp = 0;
  private level = 0;
  private absResidual = 0;
  private readonly profiles: Float64Array[];
  /** Per candidate, then the plain level last: EWMA absolute prediction error. */
  private readonly errors: Float64Array;
  /** Per candidate: buckets that have had at least one point (a profile is trusted once all have). */
  private readonly seen: Uint8Array[];
  private selected = NONE;

  constructor(options: SeasonalBaselineOptions = {}) {
    this.range = options.range;
    this.floorFraction = options.floorFraction ?? 1e-2;
    this.levelAlpha = options.levelAlpha ?? 0.05;
    this.seasonAlpha = options.seasonAlpha ?? 0.1;
    this.scaleAlpha = options.scaleAlpha ?? 0.01;
    this.clipAt = options.clipAt ?? 4;
    this.halfScoreAt = options.halfScoreAt ?? 4;
    this.minGain = options.minGain ?? 0.8;
    this.warmup = options.warmup ?? 50;
    this.profiles = CANDIDATES.map((c) => new Float64Array(c.buckets));
    this.seen = CANDIDATES.map((c) => new Uint8Array(c.buckets));
    this.errors = new Float64Array(CANDIDATES.length + 1);
  }

  /** Name of the season in use, or `none`. */
  get season(): string {
    return this.selected === NONE ? 'none' : CANDIDATES[this.selected]!.name;
  }

  update(timestampMs: number, value: number): DetectorResult {
    checkPoint(timestampMs, value);
    if (this.count === 0) {
      this.count = 1;
      this.firstTimestamp = timestampMs;
      this.level = value;
      return FIRST_POINT;
    }
    const sigma = Math.max(ABS_DEV_TO_SIGMA * this.absResidual, scaleFloor(this.range, this.level, this.floorFraction));
    const limit = this.clipAt * sigma;
    const nc = CANDIDATES.length;

    // Out-of-sample errors of every candidate, before anything learns from this point.
    const plainError = Math.min(Math.abs(value - this.level), limit);
    const a = Math.max(this.scaleAlpha, 1 / this.count);
    this.errors[nc]! += a * (plainError - this.errors[nc]!);
    let predicted = this.level;
    for (let c = 0; c < nc; c++) {
      const cand = CANDIDATES[c]!;
      const bucket = phaseBucket(timestampMs, cand.periodMs, cand.buckets);
      const offset = this.profiles[c]![bucket]!;
      if (c === this.selected) predicted = this.level + offset;
      const err = Math.min(Math.abs(value - this.level - offset), limit);
      this.errors[c]! += a * (err - this.errors[c]!);
    }

    const residual = value - predicted;
    const z = Math.abs(residual) / sigma;
    const warming = this.count < this.warmup;
    const score = warming ? 0 : deviationScore(z, this.halfScoreAt);

    // Learn: level from the deseasonalised value, each profile from the value less the level.
    const clipped = warming ? residual : Math.max(-limit, Math.min(limit, residual));
    this.level += this.levelAlpha * clipped;
    this.absResidual += a * (Math.abs(clipped) - this.absResidual);
    const base = this.level;
    for (let c = 0; c < nc; c++) {
      const cand = CANDIDATES[c]!;
      const bucket = phaseBucket(timestampMs, cand.periodMs, cand.buckets);
      const p = this.profiles[c]!;
      const target = Math.max(-limit * 4, Math.min(limit * 4, value - base));
      p[bucket] = this.seen[c]![bucket] === 0 ? target : p[bucket]! + this.seasonAlpha * (target - p[bucket]!);
      this.seen[c]![bucket] = 1;
    }
    this.count++;
    this.select(timestampMs);

    return warming ? new LazyResult(0, explainWarmup, this.count, this.warmup) : new LazyResult(score, explainResidual, value, residual / sigma, predicted, this.selected);
  }

  /** Picks the candidate with the lowest error among those that have seen two full periods. */
  private select(timestampMs: number): void {
    const nc = CANDIDATES.length;
    let best = NONE;
    let bestError = this.errors[nc]! * this.minGain;
    for (let c = 0; c < nc; c++) {
      if (timestampMs - this.firstTimestamp < 2 * CANDIDATES[c]!.periodMs) continue;
      if (this.errors[c]! < bestError) {
        best = c;
        bestError = this.errors[c]!;
      }
    }
    this.selected = best;
  }

  snapshot(): SeasonalBaselineState {
    return {
      count: this.count,
      firstTimestamp: this.firstTimestamp,
      level: this.level,
      absResidual: this.absResidual,
      profiles: this.profiles.map((p) => Array.from(p)),
      errors: Array.from(this.errors),
      seen: this.seen.map((s) => Array.from(s)),
      selected: this.selected,
    };
  }

  restore(state: SeasonalBaselineState): void {
    if (state.profiles.length !== CANDIDATES.length) throw new Error('SeasonalBaselineDetector.restore: state has a different set of seasons');
    this.count = state.count;
    this.firstTimestamp = state.firstTimestamp;
    this.level = state.level;
    this.absResidual = state.absResidual;
    state.profiles.forEach((p, c) => this.profiles[c]!.set(p));
    this.errors.set(state.errors);
    this.seen.forEach((s, c) => s.set(state.seen[c]!));
    this.selected = state.selected;
  }
}

const FIRST_POINT = Object.freeze(new LazyResult(0, () => 'first point'));

function explainWarmup(count: number, warmup: number): string {
  return `warming up (${count}/${warmup})`;
}

function explainResidual(value: number, z: number, predicted: number, selected: number): string {
  const where = selected === NONE ? 'level' : `${CANDIDATES[selected]!.name} baseline`;
  return `value ${value} is ${Math.abs(z).toFixed(2)}σ ${z >= 0 ? 'above' : 'below'} the ${where} ${predicted.toPrecision(6)}`;
}

function phaseBucket(timestampMs: number, periodMs: number, buckets: number): number {
  const phase = (((timestampMs % periodMs) + periodMs) % periodMs) / periodMs;
  return Math.min(buckets - 1, Math.floor(phase * buckets));
}
