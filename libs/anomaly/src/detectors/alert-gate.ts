import { RescoredResult } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';

/** Options of {@link AlertGate}. */
export interface AlertGateOptions {
  /** Score at or above which a point counts as an alert that closes the gate. */
  readonly alertAt?: number;
  /** Points the gate stays closed after an alert. */
  readonly restPoints?: number;
}

/** JSON state of {@link AlertGate}. */
export interface AlertGateState<S extends object> {
  readonly inner: S;
  /** Points left before the gate opens again (0: open). */
  readonly closedFor: number;
}

/**
 * Passes scores through until one reaches `alertAt`, then reports 0 for the
 * next `restPoints` points while the inner detector keeps learning.
 *
 * Why: an incident is one alert. Without a rest period every later point of
 * the same incident is charged as a false positive (NAB charges each one), and
 * an operator gets paged over and over. Unlike {@link SuppressRepeats}, which
 * subtracts a fading memory of the scores, this gate is absolute: CAD OSE, one
 * of NAB's best entries, does the same.
 */
export class AlertGate<S extends object> implements Detector<AlertGateState<S>> {
  private readonly alertAt: number;
  private readonly restPoints: number;
  private closedFor = 0;

  constructor(
    private readonly inner: Detector<S>,
    options: AlertGateOptions = {},
  ) {
    this.alertAt = options.alertAt ?? 0.5;
    this.restPoints = options.restPoints ?? 300;
    if (!(this.alertAt > 0 && this.alertAt <= 1)) throw new RangeError(`alertAt must be in (0, 1], got ${this.alertAt}`);
    if (!(Number.isInteger(this.restPoints) && this.restPoints >= 0)) throw new RangeError(`restPoints must be a non-negative integer, got ${this.restPoints}`);
  }

  update(timestampMs: number, value: number): DetectorResult {
    const r = this.inner.update(timestampMs, value);
    if (this.closedFor > 0) {
      this.closedFor--;
      return r.score === 0 ? r : new RescoredResult(0, r, noteResting);
    }
    if (r.score >= this.alertAt) this.closedFor = this.restPoints;
    return r;
  }

  snapshot(): AlertGateState<S> {
    return { inner: this.inner.snapshot(), closedFor: this.closedFor };
  }

  restore(state: AlertGateState<S>): void {
    this.inner.restore(state.inner);
    this.closedFor = state.closedFor;
  }
}

function noteResting(reason: string): string {
  return `${reason} (within the rest period of an earlier alert)`;
}
