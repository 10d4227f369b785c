import { RescoredResult } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';

/** Options of {@link SuppressRepeats}. */
export interface SuppressRepeatsOptions {
  /** Points after which the memory of an earlier score has halved (500 five-minute points ≈ 1.7 days). */
  readonly halfLife?: number;
}

/** JSON state of {@link SuppressRepeats}. */
export interface SuppressRepeatsState<S extends object> {
  readonly inner: S;
  readonly recent: number;
}

/**
 * Reports the onset of an anomaly rather than its duration: each score is
 * reduced by an exponentially decaying memory of the scores before it, so an
 * excursion that stays high reports once, at its start, and the same size of
 * excursion can report again once the memory has faded.
 *
 * Why: an operator (and NAB's scoring) gains from the first alert of an
 * incident and pays for every repeat, while the inner detectors keep scoring
 * a lasting deviation high until their baseline adapts.
 */
export class SuppressRepeats<S extends object> implements Detector<SuppressRepeatsState<S>> {
  private readonly decay: number;
  private recent = 0;

  constructor(
    private readonly inner: Detector<S>,
    options: SuppressRepeatsOptions = {},
  ) {
    this.decay = Math.pow(0.5, 1 / (options.halfLife ?? 500));
  }

  update(timestampMs: number, value: number): DetectorResult {
    const r = this.inner.update(timestampMs, value);
    const remembered = this.recent * this.decay;
    const score = Math.max(0, r.score - remembered);
    this.recent = Math.max(remembered, r.score);
    return score === r.score ? r : new RescoredResult(score, r, noteRepeat, remembered);
  }

  snapshot(): SuppressRepeatsState<S> {
    return { inner: this.inner.snapshot(), recent: this.recent };
  }

  restore(state: SuppressRepeatsState<S>): void {
    this.inner.restore(state.inner);
    this.recent = state.recent;
  }
}

function noteRepeat(reason: string, remembered: number): string {
  return `${reason} (repeat of a recent score ${remembered.toFixed(3)}, reduced)`;
}
