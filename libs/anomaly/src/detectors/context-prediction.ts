import { checkPoint, LazyResult } from './detector.js';
import type { Detector, DetectorResult, SeriesRange } from './detector.js';

/** Options of {@link ContextPredictionDetector}; every field has a default. */
export interface ContextPredictionOptions {
  /** The series' value range (NAB's one allowed prior). Without it the range is learned as points arrive. */
  readonly range?: SeriesRange;
  /** Quantisation levels across the range. */
  readonly levels?: number;
  /** Longest context, in earlier points, whose prediction is checked. */
  readonly order?: number;
  /** Points learned from before any non-zero score is given. */
  readonly warmup?: number;
  /** A raw score at or above this starts a rest period. */
  readonly alertAt?: number;
  /** Points after a raw score ≥ `alertAt` during which the output is 0 (the detector keeps learning). */
  readonly restPoints?: number;
}

/** Largest transition bit set the options may ask for (2^22 bits, 512 KB; levels^(order+1) dominates it). */
const MAX_TRANSITION_BITS = 1 << 22;

/** JSON state of {@link ContextPredictionDetector}. */
export interface ContextPredictionState {
  readonly count: number;
  readonly lo: number;
  readonly hi: number;
  readonly history: number[];
  /** Bit set of the contexts seen, 32 per entry. */
  readonly contexts: number[];
  /** Bit set of the context → level transitions seen, 32 per entry. */
  readonly transitions: number[];
  /** Points since the last raw score ≥ alertAt (capped, so the state stays finite). */
  readonly sinceAlert: number;
}

/**
 * How badly the recent context of a series failed to predict its current
 * value, in the manner of CAD OSE (Smirnov's contextual anomaly detector, a
 * top NAB entry): values are quantised over the series range into a few
 * levels; the contexts are the last 1…order levels before the point (plus the
 * empty context, i.e. "has this level occurred at all"); each context that has
 * occurred before is a prediction, and the point surprises when its transition
 * from those contexts is new. Our own code after CAD's idea, simplified
 * (no context generalisation by intersecting fact sets, no "active context"
 * facts). Unlike CAD's, its memory is fixed: there are at most
 * Σₖ levels^k contexts, so the seen contexts and transitions are exact bit
 * sets of that size (4,680 transition bits at the defaults: 8 levels, order
 * 3), which no series length can grow or saturate; each point costs O(order).
 *
 * The raw score, given only when the most specific known context did not
 * predict the point, is the mean of (a) the share of known contexts that
 * failed to predict it and (b) the share of all its context→value transitions
 * never seen. So (at order 4) a value that no context of any length foresaw
 * scores 0.8 (1 if the level itself is new), one that the last value allows
 * but the longer familiar contexts do not scores 0.6, and one that the most
 * specific familiar context foresaw scores 0.
 *
 * After a raw score ≥ `alertAt` the output rests at 0 for `restPoints` points,
 * as CAD does: the next points of an incident are new transitions too, and
 * NAB (like an operator) charges each repeat.
 *
 * Suits series that repeat patterns (machine metrics, regular jobs); a series
 * that wanders through new ranges for benign reasons looks novel everywhere.
 */
export class ContextPredictionDetector implements Detector<ContextPredictionState> {
  private readonly levels: number;
  private readonly order: number;
  /** Index of the first context of each order k = 0…order in the context bit set. */
  private readonly offsets: Int32Array;
  private readonly warmup: number;
  private readonly alertAt: number;
  private readonly restPoints: number;
  private readonly learnRange: boolean;

  private count = 0;
  private lo: number;
  private hi: number;
  /** The last `order` levels, newest at `(count − 1) % order`. */
  private readonly history: Int32Array;
  private readonly contexts: Int32Array;
  private readonly transitions: Int32Array;
  private sinceAlert: number;

  constructor(options: ContextPredictionOptions = {}) {
    this.levels = options.levels ?? 8;
    this.order = options.order ?? 3;
    this.warmup = options.warmup ?? 150;
    this.alertAt = options.alertAt ?? 0.75;
    this.restPoints = options.restPoints ?? 50;
    if (!Number.isInteger(this.levels) || this.levels < 2 || this.levels > 1024) throw new RangeError(`levels must be an integer in [2, 1024], got ${this.levels}`);
    if (!Number.isInteger(this.order) || this.order < 1 || this.order > 32) throw new RangeError(`order must be an integer in [1, 32], got ${this.order}`);
    if (!(Number.isInteger(this.warmup) && this.warmup >= 0)) throw new RangeError(`warmup must be an integer ≥ 0, got ${this.warmup}`);
    if (!(this.alertAt > 0 && this.alertAt <= 1)) throw new RangeError(`alertAt must be in (0, 1], got ${this.alertAt}`);
    if (!(Number.isInteger(this.restPoints) && this.restPoints >= 0)) throw new RangeError(`restPoints must be an integer ≥ 0, got ${this.restPoints}`);
    // Contexts of order k take levels^k indices after those of the shorter ones.
    let contextCount = 0;
    for (let k = 0, size = 1; k <= this.order; k++, size *= this.levels) {
      contextCount += size;
      if (contextCount * this.levels > MAX_TRANSITION_BITS) {
        throw new RangeError(`levels^(order+1) must stay below ${MAX_TRANSITION_BITS} (the transition set is exact), got ${this.levels} levels and order ${this.order}`);
      }
    }
    this.offsets = new Int32Array(this.order + 1);
    for (let k = 1, size = 1; k <= this.order; k++, size *= this.levels) this.offsets[k] = this.offsets[k - 1]! + size;
    this.contexts = new Int32Array(Math.ceil(contextCount / 32));
    this.transitions = new Int32Array(Math.ceil((contextCount * this.levels) / 32));
    this.history = new Int32Array(this.order);
    this.sinceAlert = this.restPoints + 1;
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
    const level = this.quantise(value);
    const order = this.order;
    const available = Math.min(this.count, order);
    const newest = (this.count - 1 + order) % order;

    // Context k = the last k levels before this point (k = 0: no context),
    // numbered newest-first in base `levels`, so the k-th extends the (k−1)-th.
    let code = 0;
    let weight = 1;
    let known = 0;
    let foresaw = 0;
    let unseen = 0;
    let specificForesaw = false;
    for (let k = 0; k <= available; k++) {
      if (k > 0) {
        code += this.history[(newest - k + 1 + order) % order]! * weight;
        weight *= this.levels;
      }
      const c = this.offsets[k]! + code;
      const t = c * this.levels + level;
      const contextSeen = test(this.contexts, c);
      const transitionSeen = test(this.transitions, t);
      if (contextSeen) {
        known++;
        if (transitionSeen) foresaw++;
        // Contexts are nested, so the last known one is the most specific.
        specificForesaw = transitionSeen;
      } else set(this.contexts, c);
      if (!transitionSeen) {
        unseen++;
        set(this.transitions, t);
      }
    }
    const raw = specificForesaw ? 0 : ((known === 0 ? 1 : 1 - foresaw / known) + unseen / (available + 1)) / 2;

    this.history[this.count % order] = level;
    this.count++;
    const warming = this.count <= this.warmup;
    const resting = this.sinceAlert <= this.restPoints;
    // The rest period counts from any high raw score, resting or not: an incident keeps surprising.
    if (!warming && raw >= this.alertAt) this.sinceAlert = 0;
    else if (resting) this.sinceAlert++;
    if (warming) return new LazyResult(0, explainWarmup, this.count, this.warmup);
    if (raw === 0) return PREDICTED;
    return new LazyResult(resting ? 0 : raw, resting ? explainResting : explainSurprise, level + 1, this.levels, raw);
  }

  snapshot(): ContextPredictionState {
    return {
      count: this.count,
      lo: Number.isFinite(this.lo) ? this.lo : 0,
      hi: Number.isFinite(this.hi) ? this.hi : 0,
      history: Array.from(this.history),
      contexts: Array.from(this.contexts),
      transitions: Array.from(this.transitions),
      sinceAlert: this.sinceAlert,
    };
  }

  restore(state: ContextPredictionState): void {
    if (state.contexts.length !== this.contexts.length || state.transitions.length !== this.transitions.length || state.history.length !== this.history.length) {
      throw new Error('ContextPredictionDetector.restore: state was taken with different options');
    }
    this.count = state.count;
    if (this.learnRange) {
      this.lo = state.count === 0 ? Number.POSITIVE_INFINITY : state.lo;
      this.hi = state.count === 0 ? Number.NEGATIVE_INFINITY : state.hi;
    }
    this.history.set(state.history);
    this.contexts.set(state.contexts);
    this.transitions.set(state.transitions);
    this.sinceAlert = state.sinceAlert;
  }

  private quantise(value: number): number {
    const span = this.hi - this.lo;
    const level = span > 0 ? Math.floor(((value - this.lo) / span) * this.levels) : 0;
    return level < 0 ? 0 : level >= this.levels ? this.levels - 1 : level;
  }
}

const PREDICTED: DetectorResult = Object.freeze(new LazyResult(0, () => 'the recent context foresaw this value'));

function explainWarmup(count: number, warmup: number): string {
  return `learning contexts (${count}/${warmup})`;
}

function explainSurprise(level: number, levels: number, raw: number): string {
  return `level ${level}/${levels} never followed the recent context (surprise ${raw.toFixed(2)})`;
}

function explainResting(level: number, levels: number, raw: number): string {
  return `${explainSurprise(level, levels, raw)}, within the rest period of an earlier alert`;
}

function test(bits: Int32Array, i: number): boolean {
  return (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}

function set(bits: Int32Array, i: number): void {
  bits[i >>> 5]! |= 1 << (i & 31);
}
