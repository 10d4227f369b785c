import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Type-only at the top: the native runtime is loaded on first use, so importing this lib (the
// `pharos` command does) costs nothing until a model is loaded.
import type { InferenceSession } from 'onnxruntime-node';
import { FEATURE_COUNT } from './features.js';

/** Input and output names the model MUST have (ml/train.py exports them). */
export const MODEL_INPUT = 'features';
export const MODEL_OUTPUT = 'probabilities';

/** Options of {@link OnnxAnomalyModel.load}. */
export interface OnnxModelOptions {
  /** Threads per `run`; 1 by default so that a scoring process uses one core per model, as measured. */
  readonly threads?: number;
}

/** Where the committed model lives, relative to the repository root. */
export const MODEL_FILE = 'ml/models/anomaly-mlp.onnx';

/**
 * The committed model's path: found by walking up from this file, so it works
 * from the sources and from the build in dist/ alike.
 */
export function defaultModelPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, MODEL_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${MODEL_FILE} above ${fileURLToPath(import.meta.url)}; pass the model path explicitly`);
    dir = parent;
  }
}

type Metadata = InferenceSession['inputMetadata'][number];

function describe(m: Metadata): string {
  return m.isTensor ? `${m.name}: ${m.type}[${m.shape.map((d) => (typeof d === 'number' ? d : '?')).join(', ')}]` : `${m.name}: not a tensor`;
}

/** True when `dim` is symbolic or -1 (any batch size). */
function isDynamic(dim: number | string): boolean {
  return typeof dim === 'string' || dim < 0;
}

/**
 * Checks the model's signature against what the feature code produces, and
 * returns a list of problems (empty when it fits). Exposed for tests and
 * error messages; {@link OnnxAnomalyModel.load} refuses a model with any.
 */
export function checkModelSignature(inputs: readonly Metadata[], outputs: readonly Metadata[]): string[] {
  const problems: string[] = [];
  if (inputs.length !== 1) problems.push(`expected exactly one input, found ${inputs.length} (${inputs.map(describe).join('; ')})`);
  const input = inputs.find((m) => m.name === MODEL_INPUT);
  if (input === undefined) problems.push(`no input named "${MODEL_INPUT}"`);
  else if (!input.isTensor) problems.push(`input "${MODEL_INPUT}" is not a tensor`);
  else {
    if (input.type !== 'float32') problems.push(`input "${MODEL_INPUT}" is ${input.type}, expected float32`);
    const s = input.shape;
    if (s.length !== 2 || !isDynamic(s[0]!) || s[1] !== FEATURE_COUNT) {
      problems.push(`input "${MODEL_INPUT}" has shape [${s.join(', ')}], expected [batch, ${FEATURE_COUNT}]`);
    }
  }
  const output = outputs.find((m) => m.name === MODEL_OUTPUT);
  if (output === undefined) problems.push(`no output named "${MODEL_OUTPUT}" (outputs: ${outputs.map(describe).join('; ') || 'none'})`);
  else if (!output.isTensor) problems.push(`output "${MODEL_OUTPUT}" is not a tensor`);
  else {
    if (output.type !== 'float32') problems.push(`output "${MODEL_OUTPUT}" is ${output.type}, expected float32`);
    const s = output.shape;
    if (s.length !== 2 || !isDynamic(s[0]!) || s[1] !== 2) {
      problems.push(`output "${MODEL_OUTPUT}" has shape [${s.join(', ')}], expected [batch, 2]`);
    }
  }
  return problems;
}

/**
 * The learned anomaly model (ml/models/anomaly-mlp.onnx) in onnxruntime-node:
 * a batch of feature rows in, the probability that each row is the onset of
 * an anomaly out. Scoring is batched because one `run` costs tens of
 * microseconds of overhead whatever its size: score many series' points, or a
 * window of one series' points, per call.
 */
export class OnnxAnomalyModel {
  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: InferenceSession,
    /** Where the model was loaded from, for messages. */
    readonly source: string,
  ) {}

  /** Loads and validates a model; refuses one whose inputs or outputs do not match the feature code. */
  static async load(path: string, options: OnnxModelOptions = {}): Promise<OnnxAnomalyModel> {
    if (!existsSync(path)) throw new Error(`ONNX model not found: ${path}`);
    const threads = options.threads ?? 1;
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    } catch (e) {
      throw new Error(`cannot load ONNX model ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const problems = checkModelSignature(session.inputMetadata, session.outputMetadata);
    if (problems.length > 0) {
      await session.release();
      throw new Error(`ONNX model ${path} does not match the anomaly features (v${FEATURE_COUNT} columns): ${problems.join('; ')}`);
    }
    return new OnnxAnomalyModel(ort, session, path);
  }

  /**
   * Scores `rows` feature rows (row-major, FEATURE_COUNT columns) and returns
   * P(anomaly) per row. `features` is read, not kept.
   */
  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
    if (features.length < rows * FEATURE_COUNT) {
      throw new RangeError(`expected ${rows * FEATURE_COUNT} feature values for ${rows} rows, got ${features.length}`);
    }
    if (rows === 0) return new Float32Array(0);
    const view = features.length === rows * FEATURE_COUNT ? features : features.subarray(0, rows * FEATURE_COUNT);
    const input = new this.ort.Tensor('float32', view, [rows, FEATURE_COUNT]);
    const out = await this.session.run({ [MODEL_INPUT]: input }, [MODEL_OUTPUT]);
    const probs = out[MODEL_OUTPUT]!.data as Float32Array;
    const p = new Float32Array(rows);
    for (let i = 0; i < rows; i++) p[i] = probs[2 * i + 1]!;
    return p;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
