import type { CostProfile } from './profiles.js';
import { detectionValue, scoreFile } from './scorer.js';
import type { FileScore, RowLabels } from './scorer.js';

/** One file of a corpus: its row labels and a detector's anomaly score per row. */
export interface ScoredFile {
  readonly labels: RowLabels;
  readonly anomalyScores: ArrayLike<number>;
}

/**
 * NAB starts its sweep above every possible anomaly score, so "no detections"
 * is always a candidate; NAB uses 1.1.
 */
export const NO_DETECTION_THRESHOLD = 1.1;

/** Raw corpus score at one threshold, with the per-file results it sums. */
export interface CorpusScore {
  readonly threshold: number;
  readonly score: number;
  readonly files: readonly FileScore[];
}

/** Scores every file at one threshold and sums the raw scores. */
export function scoreCorpus(files: readonly ScoredFile[], threshold: number, profile: CostProfile): CorpusScore {
  const results = files.map((f) => scoreFile(f.labels, f.anomalyScores, threshold, profile));
  return { threshold, score: results.reduce((s, r) => s + r.score, 0), files: results };
}

/**
 * Finds the threshold with the highest corpus raw score (NAB's optimiser, done
 * exhaustively): every distinct anomaly score outside the probationary periods
 * is tried, plus NO_DETECTION_THRESHOLD. Lowering the threshold only adds
 * detections, so one pass over the rows in descending score order updates the
 * score incrementally in O(n log n). On a tie the higher threshold wins, as in
 * NAB (its `max` keeps the first of equal scores in descending order).
 *
 * Anomaly scores are expected in [0, 1], as NAB requires of detectors; a score
 * above NO_DETECTION_THRESHOLD would make that candidate detect something.
 * Equal scores are compared after incremental summation, so two thresholds
 * whose scores differ only by float rounding may be ordered either way.
 *
 * The returned score is recomputed from scratch at the chosen threshold so that
 * it does not carry the incremental sum's rounding.
 */
export function optimiseThreshold(files: readonly ScoredFile[], profile: CostProfile): CorpusScore {
  const rows: { score: number; file: number; row: number }[] = [];
  const best: Map<number, number>[] = [];
  let total = 0;
  files.forEach((f, fi) => {
    if (f.anomalyScores.length !== f.labels.rowCount) {
      throw new Error(`file ${fi}: expected ${f.labels.rowCount} anomaly scores, got ${f.anomalyScores.length}`);
    }
    const m = new Map<number, number>();
    for (const w of f.labels.scoredWindows) m.set(w, -profile.fnWeight);
    best.push(m);
    total -= profile.fnWeight * f.labels.scoredWindows.length;
    for (let i = f.labels.probationaryLength; i < f.labels.rowCount; i++) {
      rows.push({ score: f.anomalyScores[i]!, file: fi, row: i });
    }
  });
  rows.sort((a, b) => b.score - a.score);

  let bestThreshold = NO_DETECTION_THRESHOLD;
  let bestScore = total;
  for (let k = 0; k < rows.length; ) {
    const threshold = rows[k]!.score;
    // Add every row at this score before evaluating: ">= threshold" detects them all.
    for (; k < rows.length && rows[k]!.score === threshold; k++) {
      const { file, row } = rows[k]!;
      const labels = files[file]!.labels;
      const w = labels.windowOf[row]!;
      const v = detectionValue(labels, row, profile);
      if (w >= 0) {
        const cur = best[file]!.get(w)!;
        if (v > cur) {
          best[file]!.set(w, v);
          total += v - cur;
        }
      } else total += v;
    }
    if (threshold <= NO_DETECTION_THRESHOLD && total > bestScore) {
      bestScore = total;
      bestThreshold = threshold;
    }
  }
  return scoreCorpus(files, bestThreshold, profile);
}

/** Raw scores of the two reference detectors for a corpus with `windowCount` windows. */
export function referenceScores(windowCount: number, profile: CostProfile): { null: number; perfect: number } {
  return { null: -profile.fnWeight * windowCount, perfect: profile.tpWeight * windowCount };
}

/**
 * The reported NAB score: 100·(S − S_null)/(S_perfect − S_null), so 100 is a
 * perfect detector, 0 one that never fires, and worse than doing nothing is
 * negative.
 */
export function normaliseScore(rawScore: number, windowCount: number, profile: CostProfile): number {
  const ref = referenceScores(windowCount, profile);
  return (100 * (rawScore - ref.null)) / (ref.perfect - ref.null);
}

/** Windows that count in a corpus (those with rows after the probationary period). */
export function countWindows(files: readonly ScoredFile[]): number {
  return files.reduce((n, f) => n + f.labels.scoredWindows.length, 0);
}
