import type { CostProfile } from './profiles.js';
import { MAX_TP, scaledSigmoid } from './sigmoid.js';
import { probationaryLength, resolveWindows } from './windows.js';
import type { RowWindow, TimeWindow } from './windows.js';

/** `RowLabels.windowOf` value for a row outside every window. */
export const OUTSIDE = -1;
/** `RowLabels.windowOf` value for a row in the probationary period. */
export const PROBATIONARY = -2;

/**
 * What one file's rows are worth if detected, independent of the detector and
 * of the profile's weights, so it can be computed once and scored many times.
 */
export interface RowLabels {
  readonly rowCount: number;
  readonly probationaryLength: number;
  readonly windows: readonly RowWindow[];
  /** Per row: index into `windows`, or OUTSIDE, or PROBATIONARY. */
  readonly windowOf: Int32Array;
  /**
   * Per row: scaled sigmoid of the row's position. For a row in a window it is
   * the unweighted true-positive value; outside it is the unweighted
   * false-positive value (−1 when no window has ended before the row).
   */
  readonly sigma: Float64Array;
  /** Windows that have at least one row after the probationary period: the ones that can be missed. */
  readonly scoredWindows: readonly number[];
}

/**
 * Labels every row of one file (NAB's `calcSweepScore`). Window positions use
 * the full window width even when part of it falls in the probationary period,
 * as NAB does; probationary rows are only marked, never valued.
 */
export function labelRows(timestamps: readonly number[], windows: readonly TimeWindow[]): RowLabels {
  const rowCount = timestamps.length;
  const rowWindows = resolveWindows(timestamps, windows);
  const probation = probationaryLength(rowCount);
  const windowOf = new Int32Array(rowCount).fill(OUTSIDE);
  const sigma = new Float64Array(rowCount);
  const scored = new Set<number>();
  let next = 0;
  let prev: RowWindow | undefined;
  for (let i = 0; i < rowCount; i++) {
    const cur = rowWindows[next];
    if (cur !== undefined && i >= cur.left && i <= cur.right) {
      const width = cur.right - cur.left + 1;
      sigma[i] = scaledSigmoid(-(cur.right - i + 1) / width);
      if (i >= probation) {
        windowOf[i] = next;
        scored.add(next);
      }
      if (i === cur.right) {
        prev = cur;
        next++;
      }
    } else {
      // y = (i − R) / (w − 1) measured from the most recent window that ended. A
      // one-row window gives y = ∞ and so the full penalty (NAB itself would
      // divide by zero; its windows are never that narrow).
      sigma[i] = prev === undefined ? -1 : scaledSigmoid((i - prev.right) / (prev.right - prev.left));
    }
    if (i < probation) windowOf[i] = PROBATIONARY;
  }
  return {
    rowCount,
    probationaryLength: probation,
    windows: rowWindows,
    windowOf,
    sigma,
    scoredWindows: [...scored].sort((a, b) => a - b),
  };
}

/** Weighted value of a detection at row `i` (NAB's per-row "sweep score"). */
export function detectionValue(labels: RowLabels, i: number, profile: CostProfile): number {
  const s = labels.sigma[i]!;
  // Same operation order as NAB (σ·w / maxTP, σ·w) so that values agree to the last bit.
  return labels.windowOf[i]! >= 0 ? (s * profile.tpWeight) / MAX_TP : s * profile.fpWeight;
}

/** One file's result at one threshold. Counts are rows after the probationary period. */
export interface FileScore {
  /** Raw score: best detection value per window (or −fnWeight if missed) plus every false positive's value. */
  readonly score: number;
  /** Detected rows inside windows. */
  readonly tp: number;
  /** Undetected rows inside windows. */
  readonly fn: number;
  /** Detected rows outside windows. */
  readonly fp: number;
  /** Undetected rows outside windows. */
  readonly tn: number;
  /** Rows in the file, probationary ones included. */
  readonly total: number;
}

/**
 * Scores one file at a threshold: a row is a detection when its anomaly score is
 * greater than or equal to the threshold. Only the earliest detection in a
 * window counts (it has the highest value, so taking the maximum is the same).
 */
export function scoreFile(
  labels: RowLabels,
  anomalyScores: ArrayLike<number>,
  threshold: number,
  profile: CostProfile,
): FileScore {
  if (anomalyScores.length !== labels.rowCount) {
    throw new Error(`expected ${labels.rowCount} anomaly scores, got ${anomalyScores.length}`);
  }
  const best = new Map<number, number>();
  for (const w of labels.scoredWindows) best.set(w, -profile.fnWeight);
  let fpSum = 0;
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (let i = labels.probationaryLength; i < labels.rowCount; i++) {
    const w = labels.windowOf[i]!;
    const detected = anomalyScores[i]! >= threshold;
    if (w >= 0) {
      if (detected) {
        tp++;
        const v = detectionValue(labels, i, profile);
        if (v > best.get(w)!) best.set(w, v);
      } else fn++;
    } else if (detected) {
      fp++;
      fpSum += detectionValue(labels, i, profile);
    } else tn++;
  }
  let score = fpSum;
  for (const v of best.values()) score += v;
  return { score, tp, fn, fp, tn, total: labels.rowCount };
}
