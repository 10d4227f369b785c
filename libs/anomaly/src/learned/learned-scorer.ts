import type { SeriesRange } from '../detectors/detector.js';
import { FEATURE_COUNT, FeatureExtractor } from './features.js';
import type { FeatureState } from './features.js';
import type { OnnxAnomalyModel } from './onnx-model.js';

/** Options of the learned scorer. */
export interface LearnedScorerOptions {
  /**
   * Half-life in points of the onset suppression applied to the model's
   * probabilities (as SuppressRepeats does for the statistical detectors):
   * the model was trained to fire at an anomaly's onset, and its later points
   * are repeats.
   */
  readonly halfLife?: number;
  /** Rows per ONNX `run` when a whole series is scored. */
  readonly batchRows?: number;
}

/** JSON state of one series in the learned scorer. */
export interface LearnedSeriesSnapshot {
  readonly features: FeatureState;
  readonly recent: number;
}

/**
 * What the learned scorer keeps per series: the streaming feature state and
 * the suppression memory. O(1) memory (576 counters dominate: ~5 KB).
 */
export class LearnedSeriesState {
  private readonly extractor: FeatureExtractor;
  private readonly decay: number;
  private recent = 0;

  constructor(range: SeriesRange, options: LearnedScorerOptions = {}) {
    this.extractor = new FeatureExtractor(range);
    this.decay = Math.pow(0.5, 1 / (options.halfLife ?? 500));
  }

  /** Writes the features of the next point at `out[offset…]`. */
  features(timestampMs: number, value: number, out: Float32Array, offset: number): void {
    this.extractor.next(timestampMs, value, out, offset);
  }

  /** Turns the model's probability for the next point into the reported score. */
  suppress(probability: number): number {
    const remembered = this.recent * this.decay;
    const p = probability < 0 ? 0 : probability > 1 ? 1 : probability;
    this.recent = Math.max(remembered, p);
    return Math.max(0, p - remembered);
  }

  snapshot(): LearnedSeriesSnapshot {
    return { features: this.extractor.snapshot(), recent: this.recent };
  }

  restore(s: LearnedSeriesSnapshot): void {
    this.extractor.restore(s.features);
    this.recent = s.recent;
  }
}

/**
 * Scores a whole series with the learned model, `batchRows` points per ONNX
 * run. Each point's score depends only on the points before it (features are
 * computed in arrival order), so batching changes speed, not results.
 */
export async function scoreSeriesLearned(
  model: OnnxAnomalyModel,
  range: SeriesRange,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  options: LearnedScorerOptions = {},
): Promise<Float64Array> {
  if (timestamps.length !== values.length) throw new RangeError(`${timestamps.length} timestamps but ${values.length} values`);
  const batch = options.batchRows ?? 4096;
  if (!(Number.isInteger(batch) && batch > 0)) throw new RangeError(`batchRows must be a positive integer, got ${batch}`);
  const state = new LearnedSeriesState(range, options);
  const scores = new Float64Array(values.length);
  const buf = new Float32Array(Math.min(batch, values.length) * FEATURE_COUNT);
  for (let start = 0; start < values.length; start += batch) {
    const rows = Math.min(batch, values.length - start);
    for (let r = 0; r < rows; r++) state.features(timestamps[start + r]!, values[start + r]!, buf, r * FEATURE_COUNT);
    const p = await model.score(buf, rows);
    for (let r = 0; r < rows; r++) scores[start + r] = state.suppress(p[r]!);
  }
  return scores;
}

/**
 * Scores the newest point of many series in one ONNX run (the inline case:
 * one scrape of many series). `states[i]` receives `(timestamps[i], values[i])`.
 * `scratch` MAY be passed to avoid allocating a feature buffer per call.
 */
export async function scoreLatestLearned(
  model: OnnxAnomalyModel,
  states: readonly LearnedSeriesState[],
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  scratch?: Float32Array,
): Promise<Float64Array> {
  const n = states.length;
  if (timestamps.length !== n || values.length !== n) {
    throw new RangeError(`${n} series but ${timestamps.length} timestamps and ${values.length} values`);
  }
  const buf = scratch !== undefined && scratch.length >= n * FEATURE_COUNT ? scratch : new Float32Array(n * FEATURE_COUNT);
  for (let i = 0; i < n; i++) states[i]!.features(timestamps[i]!, values[i]!, buf, i * FEATURE_COUNT);
  const p = await model.score(buf, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = states[i]!.suppress(p[i]!);
  return out;
}
