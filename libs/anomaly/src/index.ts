export type { CostProfile, ProfileName } from './nab/profiles.js';
export { NAB_PROFILES, PROFILE_NAMES } from './nab/profiles.js';
export { scaledSigmoid, MAX_TP } from './nab/sigmoid.js';
export type { TimeWindow, RowWindow } from './nab/windows.js';
export { probationaryLength, resolveWindows, PROBATION_FRACTION } from './nab/windows.js';
export type { RowLabels, FileScore } from './nab/scorer.js';
export { labelRows, scoreFile, detectionValue, OUTSIDE, PROBATIONARY } from './nab/scorer.js';
export type { ScoredFile, CorpusScore } from './nab/optimise.js';
export {
  optimiseThreshold,
  scoreCorpus,
  normaliseScore,
  referenceScores,
  countWindows,
  NO_DETECTION_THRESHOLD,
} from './nab/optimise.js';
export type { NabSeries, NabResultRow } from './nab/loader.js';
export {
  parseNabTimestamp,
  parseNabCsv,
  parseWindowsJson,
  parseProfilesJson,
  parseResultsTable,
  loadNabCsv,
  loadWindows,
  loadProfiles,
} from './nab/loader.js';
export type { Detector, DetectorResult, SeriesRange } from './detectors/detector.js';
export { deviationScore } from './detectors/detector.js';
export { NullDetector } from './detectors/null-detector.js';
export type { EwmaResidualOptions, EwmaResidualState } from './detectors/ewma-residual.js';
export { EwmaResidualDetector } from './detectors/ewma-residual.js';
export type { RobustBaselineOptions, RobustBaselineState } from './detectors/robust-baseline.js';
export { RobustBaselineDetector } from './detectors/robust-baseline.js';
export { RollingMedian } from './detectors/rolling-median.js';
export type { SuppressRepeatsOptions, SuppressRepeatsState } from './detectors/suppress-repeats.js';
export { SuppressRepeats } from './detectors/suppress-repeats.js';
export type { DetectorFactory, NabEvaluationInput, NabDetectorResult, NabEvaluation } from './eval/eval-nab.js';
export type { NabCorpus, NabCorpusSeries } from './eval/eval-nab.js';
export { evaluateNab, listNabFiles, runDetector, loadNabCorpus, scoreNabRun } from './eval/eval-nab.js';
export type { GroupOutlierOptions, MemberVerdict } from './outliers/group-outliers.js';
export { findGroupOutliers } from './outliers/group-outliers.js';
export type { GeneratedGroup, PlantedKind, OutlierDetectionScore } from './outliers/generated-groups.js';
export { generateGroups, scoreOutlierDetection, PLANTED_KINDS } from './outliers/generated-groups.js';
export type { ContextNoveltyOptions, ContextNoveltyState } from './detectors/context-novelty.js';
export { ContextNoveltyDetector } from './detectors/context-novelty.js';
export type { AlertGateOptions, AlertGateState } from './detectors/alert-gate.js';
export { AlertGate } from './detectors/alert-gate.js';
export type { LevelShiftOptions, LevelShiftState } from './detectors/level-shift.js';
export { LevelShiftDetector } from './detectors/level-shift.js';
export type { SeasonalBaselineOptions, SeasonalBaselineState } from './detectors/seasonal-baseline.js';
export { SeasonalBaselineDetector } from './detectors/seasonal-baseline.js';
export type { EnsembleMember, EnsembleState } from './detectors/ensemble.js';
export { EnsembleDetector } from './detectors/ensemble.js';
export { seededRandom, gaussianFrom } from './seeded-random.js';
export type { FeatureState } from './learned/features.js';
export { FEATURE_NAMES, FEATURE_COUNT, FEATURE_VERSION, FeatureExtractor, seriesFeatures } from './learned/features.js';
export type { OnnxModelOptions } from './learned/onnx-model.js';
export { OnnxAnomalyModel, checkModelSignature, defaultModelPath, MODEL_FILE, MODEL_INPUT, MODEL_OUTPUT } from './learned/onnx-model.js';
export type { LearnedScorerOptions, LearnedSeriesSnapshot } from './learned/learned-scorer.js';
export { LearnedSeriesState, scoreSeriesLearned, scoreLatestLearned } from './learned/learned-scorer.js';
export type { TailCalibratedOptions, TailCalibratedState } from './detectors/tail-calibrated.js';
export { TailCalibrated } from './detectors/tail-calibrated.js';
export {
  STATISTICAL_DETECTORS,
  ENSEMBLE_WEIGHTS,
  ENSEMBLE_MISFIT_WEIGHT,
  ENSEMBLE_ALERT_AT,
  ENSEMBLE_REST_POINTS,
  defaultEnsemble,
} from './eval/catalogue.js';
export type { RangeNoveltyOptions, RangeNoveltyState } from './detectors/range-novelty.js';
export { RangeNoveltyDetector } from './detectors/range-novelty.js';
export type { AnomalyLikelihoodOptions, AnomalyLikelihoodState } from './detectors/anomaly-likelihood.js';
export { AnomalyLikelihood } from './detectors/anomaly-likelihood.js';
export type { ContextPredictionOptions, ContextPredictionState } from './detectors/context-prediction.js';
export { ContextPredictionDetector } from './detectors/context-prediction.js';
export { LazyResult, RescoredResult } from './detectors/detector.js';
export type { ProfileScores } from './eval/cross-validation.js';
export { crossValidatedScore, nestedCrossValidatedScore, nabCategory } from './eval/cross-validation.js';
