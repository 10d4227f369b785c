import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_VERSION, FeatureExtractor, seriesFeatures } from './features.js';
import { LearnedSeriesState, scoreLatestLearned, scoreSeriesLearned } from './learned-scorer.js';
import { OnnxAnomalyModel, checkModelSignature, defaultModelPath } from './onnx-model.js';

const TESTDATA = new URL('../../../../ml/testdata/', import.meta.url);

interface VectorCase {
  readonly name: string;
  readonly range: { min: number; max: number };
  readonly timestamps: number[];
  readonly values: number[];
  readonly features: number[][];
  readonly probability: number[];
}
const vectors = JSON.parse(readFileSync(new URL('feature-vectors.json', TESTDATA), 'utf8')) as {
  feature_version: number;
  feature_names: string[];
  cases: VectorCase[];
};

describe('FeatureExtractor against the Python vectors (ml/pharos_ml/features.py)', () => {
  it('has the same feature layout and version', () => {
    expect(vectors.feature_version).toBe(FEATURE_VERSION);
    expect(vectors.feature_names).toEqual([...FEATURE_NAMES]);
    expect(vectors.cases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('computes the same features on %s', (_name, c) => {
    const fx = new FeatureExtractor(c.range);
    const row = new Float64Array(FEATURE_COUNT);
    c.values.forEach((v, i) => {
      fx.next(c.timestamps[i]!, v, row, 0);
      const want = c.features[i]!;
      for (let k = 0; k < FEATURE_COUNT; k++) {
        // Same float64 arithmetic on both sides; only log() may differ in the last bit between libms.
        if (Math.abs(row[k]! - want[k]!) > 1e-9 * Math.max(1, Math.abs(want[k]!))) {
          throw new Error(`${c.name} row ${i} feature ${FEATURE_NAMES[k]}: TS ${row[k]} vs Python ${want[k]}`);
        }
      }
    });
  });

  it('continues identically after a JSON round trip of its state', () => {
    const c = vectors.cases[0]!;
    const a = new FeatureExtractor(c.range);
    const row = new Float64Array(FEATURE_COUNT);
    for (let i = 0; i < 200; i++) a.next(c.timestamps[i]!, c.values[i]!, row, 0);
    const b = new FeatureExtractor(c.range);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const rb = new Float64Array(FEATURE_COUNT);
    for (let i = 200; i < c.values.length; i++) {
      a.next(c.timestamps[i]!, c.values[i]!, row, 0);
      b.next(c.timestamps[i]!, c.values[i]!, rb, 0);
      expect(Array.from(rb)).toEqual(Array.from(row));
    }
  });

  it('refuses a bad range and non-finite points', () => {
    expect(() => new FeatureExtractor({ min: 2, max: 1 })).toThrow(/invalid series range/);
    expect(() => new FeatureExtractor({ min: 0, max: 1 }).next(0, Number.NaN, new Float64Array(FEATURE_COUNT), 0)).toThrow(/not finite/);
  });
});

describe('OnnxAnomalyModel (the committed model in onnxruntime-node)', () => {
  let model: OnnxAnomalyModel;
  beforeAll(async () => {
    model = await OnnxAnomalyModel.load(defaultModelPath());
  });
  afterAll(async () => {
    await model.close();
  });

  it('gives the probabilities scikit-learn gave for the same features', async () => {
    for (const c of vectors.cases) {
      const features = seriesFeatures(c.range, c.timestamps, c.values);
      const p = await model.score(features, c.values.length);
      expect(p).toHaveLength(c.values.length);
      // float32 inference against float64 scikit-learn.
      c.probability.forEach((want, i) => expect(Math.abs(p[i]! - want), `${c.name} row ${i}`).toBeLessThan(1e-4));
    }
  });

  it('scores a series the same whatever the batch size, and many series per run the same as one by one', async () => {
    const c = vectors.cases[1]!;
    const whole = await scoreSeriesLearned(model, c.range, c.timestamps, c.values, { batchRows: 4096 });
    const small = await scoreSeriesLearned(model, c.range, c.timestamps, c.values, { batchRows: 7 });
    expect(Array.from(small)).toEqual(Array.from(whole));
    expect(Math.max(...whole)).toBeGreaterThan(0);

    // Three copies of the series scored point by point across series in one run each.
    const states = [0, 1, 2].map(() => new LearnedSeriesState(c.range));
    const across: number[][] = [[], [], []];
    for (let i = 0; i < c.values.length; i++) {
      const t = [c.timestamps[i]!, c.timestamps[i]!, c.timestamps[i]!];
      const v = [c.values[i]!, c.values[i]!, c.values[i]!];
      const s = await scoreLatestLearned(model, states, t, v);
      for (let k = 0; k < 3; k++) across[k]!.push(s[k]!);
    }
    for (let k = 0; k < 3; k++) across[k]!.forEach((x, i) => expect(Math.abs(x - whole[i]!)).toBeLessThan(1e-12));
  });

  it('refuses a row count that does not match the buffer', async () => {
    await expect(model.score(new Float32Array(FEATURE_COUNT), 2)).rejects.toThrow(/expected 24 feature values/);
  });
});

describe('model validation at load', () => {
  it('refuses a model with the wrong input width, naming the mismatch', async () => {
    const path = fileURLToPath(new URL('wrong-width.onnx', TESTDATA));
    await expect(OnnxAnomalyModel.load(path)).rejects.toThrow(/input "features" has shape \[\?*, 11\], expected \[batch, 12\]|has shape \[, 11\]/);
  });

  it('refuses a file that is not a model, and a missing file', async () => {
    await expect(OnnxAnomalyModel.load(fileURLToPath(new URL('feature-vectors.json', TESTDATA)))).rejects.toThrow(/cannot load ONNX model/);
    await expect(OnnxAnomalyModel.load('/nonexistent/model.onnx')).rejects.toThrow(/not found/);
  });

  it('lists every problem of a signature', () => {
    const problems = checkModelSignature(
      [{ name: 'x', isTensor: true, type: 'float64', shape: [1, 3] }],
      [{ name: 'label', isTensor: true, type: 'int64', shape: ['N'] }],
    );
    expect(problems).toEqual([
      'no input named "features"',
      'no output named "probabilities" (outputs: label: int64[?])',
    ]);
    const typed = checkModelSignature(
      [{ name: 'features', isTensor: true, type: 'float64', shape: ['N', 12] }],
      [{ name: 'probabilities', isTensor: true, type: 'float32', shape: ['N', 3] }],
    );
    expect(typed).toEqual(['input "features" is float64, expected float32', 'output "probabilities" has shape [N, 3], expected [batch, 2]']);
  });
});
