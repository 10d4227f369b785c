import type { SeriesRange } from '../detectors/detector.js';
import { ContextNoveltyDetector } from '../detectors/context-novelty.js';
import { EnsembleDetector } from '../detectors/ensemble.js';
import { EwmaResidualDetector } from '../detectors/ewma-residual.js';
import { LevelShiftDetector } from '../detectors/level-shift.js';
import { RobustBaselineDetector } from '../detectors/robust-baseline.js';
import { SeasonalBaselineDetector } from '../detectors/seasonal-baseline.js';
import { SuppressRepeats } from '../detectors/suppress-repeats.js';
import { TailCalibrated } from '../detectors/tail-calibrated.js';
import type { DetectorFactory } from './eval-nab.js';

/**
 * Weights of the default ensemble's members (see EnsembleDetector). Chosen by
 * cross-validation over NAB categories (bench/ml/RESULTS-anomaly.md): the
 * learned model, the level-shift CUSUM and the EWMA residual each lowered the
 * held-out score when added at any weight tried (0.25, 0.5), so they are not
 * members; seasonal and context novelty at equal weight were best on one
 * fold and within 8 points of the best on the other.
 */
export const ENSEMBLE_WEIGHTS: Readonly<Record<string, number>> = { seasonal: 1, contextNovelty: 1 };

/** The default ensemble: each member onset-suppressed, then rank-calibrated, then noisy-OR. */
export function defaultEnsemble(range: SeriesRange): EnsembleDetector {
  return new EnsembleDetector([
    { name: 'seasonal', weight: ENSEMBLE_WEIGHTS['seasonal']!, detector: new TailCalibrated(new SuppressRepeats(new SeasonalBaselineDetector({ range }))) },
    { name: 'contextNovelty', weight: ENSEMBLE_WEIGHTS['contextNovelty']!, detector: new TailCalibrated(new SuppressRepeats(new ContextNoveltyDetector({ range }))) },
  ]);
}

/**
 * The statistical detectors that `pharos ml eval-nab` scores, by name, each
 * as it is meant to be deployed (with onset suppression). The learned model
 * is scored separately because ONNX runs are asynchronous and batched.
 */
export const STATISTICAL_DETECTORS: Readonly<Record<string, DetectorFactory>> = {
  ewmaResidual: (range) => new SuppressRepeats(new EwmaResidualDetector({ range })),
  robustBaseline: (range) => new SuppressRepeats(new RobustBaselineDetector({ range })),
  seasonal: (range) => new SuppressRepeats(new SeasonalBaselineDetector({ range })),
  levelShift: (range) => new SuppressRepeats(new LevelShiftDetector({ range })),
  contextNovelty: (range) => new SuppressRepeats(new ContextNoveltyDetector({ range })),
  ensemble: defaultEnsemble,
};
