/**
 * Speed and memory of the anomaly detectors (issue 5 §5), on one core:
 * - statistical detectors: points/s fed one at a time through `update`;
 * - the learned ONNX model: points/s for features + batched scoring, and for
 *   the ONNX run alone, at several batch sizes;
 * - memory per series: JSON state size and measured heap per instance.
 *
 * Run: `npm run build && node --expose-gc dist/bench/ml/anomaly.js [--json]`.
 * Synthetic input (a daily season, noise, a few spikes and shifts) so that it
 * needs no dataset; the NAB quality figures come from `pharos ml eval-nab`.
 */
import {
  FEATURE_COUNT,
  LearnedSeriesState,
  OnnxAnomalyModel,
  STATISTICAL_DETECTORS,
  defaultModelPath,
  scoreLatestLearned,
  scoreSeriesLearned,
  seriesFeatures,
  type Detector,
} from '#pharos/anomaly';

const POINTS = 1_000_000;
const STEP_MS = 300_000;

function syntheticSeries(n: number): { timestamps: Float64Array; values: Float64Array } {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  let level = 50;
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_400_000_000_000 + i * STEP_MS;
    if (i % 20_000 === 10_000) level += (rnd() - 0.5) * 20;
    const spike = rnd() < 0.0005 ? 30 : 0;
    values[i] = level + 10 * Math.sin((2 * Math.PI * i) / 288) + (rnd() + rnd() + rnd() - 1.5) * 2 + spike;
  }
  return { timestamps, values };
}

function timeIt(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function timeItAsync(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function heapPerInstance(make: () => object, count: number): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const keep: object[] = [];
  for (let i = 0; i < count; i++) keep.push(make());
  gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  return keep.length > 0 ? (after - before) / count : null;
}

interface Row {
  readonly name: string;
  readonly pointsPerSecond: number;
  readonly stateBytes: number | null;
  readonly heapBytesPerSeries: number | null;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const { timestamps, values } = syntheticSeries(POINTS);
  const range = { min: Math.min(...values.subarray(0, 100_000)), max: Math.max(...values.subarray(0, 100_000)) + 40 };
  const rows: Row[] = [];

  for (const [name, factory] of Object.entries(STATISTICAL_DETECTORS)) {
    const d: Detector = factory(range);
    // Warm the JIT on a prefix with a separate instance, then time a fresh one.
    const warm = factory(range);
    for (let i = 0; i < 50_000; i++) warm.update(timestamps[i]!, values[i]!);
    let sink = 0;
    const seconds = timeIt(() => {
      for (let i = 0; i < POINTS; i++) sink += d.update(timestamps[i]!, values[i]!).score;
    });
    if (!Number.isFinite(sink)) throw new Error(`${name}: non-finite scores`);
    rows.push({
      name,
      pointsPerSecond: POINTS / seconds,
      stateBytes: JSON.stringify(d.snapshot()).length,
      heapBytesPerSeries: heapPerInstance(() => factory(range), 2000),
    });
  }

  const model = await OnnxAnomalyModel.load(defaultModelPath());
  try {
    // Warm-up run.
    await scoreSeriesLearned(model, range, timestamps.subarray(0, 20_000), values.subarray(0, 20_000));
    for (const batchRows of [256, 4096, 16_384]) {
      const seconds = await timeItAsync(async () => {
        await scoreSeriesLearned(model, range, timestamps, values, { batchRows });
      });
      rows.push({ name: `learnedOnnx features+run, batch ${batchRows}`, pointsPerSecond: POINTS / seconds, stateBytes: null, heapBytesPerSeries: null });
    }
    const features = seriesFeatures(range, timestamps, values);
    for (const batchRows of [256, 4096, 16_384]) {
      const seconds = await timeItAsync(async () => {
        for (let start = 0; start < POINTS; start += batchRows) {
          const n = Math.min(batchRows, POINTS - start);
          await model.score(features.subarray(start * FEATURE_COUNT, (start + n) * FEATURE_COUNT), n);
        }
      });
      rows.push({ name: `learnedOnnx run only, batch ${batchRows}`, pointsPerSecond: POINTS / seconds, stateBytes: null, heapBytesPerSeries: null });
    }
    // The inline case: one point of each of 10 000 series per run.
    const seriesCount = 10_000;
    const states = Array.from({ length: seriesCount }, () => new LearnedSeriesState(range));
    const ts = new Float64Array(seriesCount);
    const vs = new Float64Array(seriesCount);
    const scratch = new Float32Array(seriesCount * FEATURE_COUNT);
    const steps = 50;
    const seconds = await timeItAsync(async () => {
      for (let s = 0; s < steps; s++) {
        for (let k = 0; k < seriesCount; k++) {
          ts[k] = timestamps[s]!;
          vs[k] = values[(s * 7 + k) % POINTS]!;
        }
        await scoreLatestLearned(model, states, ts, vs, scratch);
      }
    });
    rows.push({
      name: `learnedOnnx ${seriesCount} series × 1 point per run`,
      pointsPerSecond: (seriesCount * steps) / seconds,
      stateBytes: JSON.stringify(states[0]!.snapshot()).length,
      heapBytesPerSeries: heapPerInstance(() => new LearnedSeriesState(range), 2000),
    });
  } finally {
    await model.close();
  }

  if (json) {
    process.stdout.write(JSON.stringify({ points: POINTS, rows }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`anomaly detectors, one core, ${POINTS.toLocaleString('en')} points (targets: statistical ≥ 1 M/s, ONNX ≥ 200 k/s)\n`);
  process.stdout.write(`${'detector'.padEnd(46)} ${'points/s'.padStart(12)} ${'state JSON B'.padStart(13)} ${'heap B/series'.padStart(14)}\n`);
  for (const r of rows) {
    const heap = r.heapBytesPerSeries === null ? '-' : Math.round(r.heapBytesPerSeries).toLocaleString('en');
    const state = r.stateBytes === null ? '-' : r.stateBytes.toLocaleString('en');
    process.stdout.write(`${r.name.padEnd(46)} ${Math.round(r.pointsPerSecond).toLocaleString('en').padStart(12)} ${state.padStart(13)} ${heap.padStart(14)}\n`);
  }
  if ((globalThis as { gc?: () => void }).gc === undefined) process.stdout.write('(run node with --expose-gc for heap per series)\n');
}

await main();
