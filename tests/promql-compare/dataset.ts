import { CUSTOM_BUCKETS_SCHEMA, type NativeHistogram } from '#pharos/metric-model';
import { HistogramBuilder } from './histogram-builder.js';
import { SeededRandom } from './random.js';
import { finish, Generator, offGrid, OUTAGE, SCRAPE_INTERVAL_MS, type SeriesDraft, type Target } from './series-builders.js';

/**
 * Which targets a series can be loaded into. `all`: Prometheus 2.42, 3.x and Pharos.
 * `v3`: features Prometheus 2.42 cannot ingest (custom-bucket and float native histograms);
 * queries over them are compared against 3.x only.
 */
export type SeriesAudience = 'all' | 'v3';

export interface GeneratedSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly audience: SeriesAudience;
  /** Float samples in time order (ms). */
  readonly timestamps: Float64Array;
  /**
   * A staleness marker is {@link STALE_NAN}, bit for bit: kept in a typed array because V8
   * canonicalises NaN payloads stored in plain number arrays, which would turn markers into
   * ordinary NaN samples.
   */
  readonly values: Float64Array;
  /** Native-histogram samples in time order. */
  readonly histTimestamps: Float64Array;
  readonly histograms: readonly NativeHistogram[];
}

export interface Dataset {
  readonly seed: number;
  /** First scrape slot, ms; a multiple of the scrape interval. */
  readonly startMs: number;
  /** Last scrape slot, ms. */
  readonly endMs: number;
  readonly intervalMs: number;
  readonly series: readonly GeneratedSeries[];
}

export interface DatasetOptions {
  readonly seed: number;
  /** Must be a multiple of 60 s so "aligned" evaluation times land on samples. */
  readonly startMs: number;
  readonly durationMs: number;
}


const NHCB_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Builds the comparison data set: deterministic for a seed and start. Covers counters with
 * resets, gauges with gaps, series that go stale (explicit markers) and come back, classic
 * histograms and summaries, native histograms (exponential integer, float gauge histograms,
 * custom buckets), NaN and ±Inf, UTF-8 label values (and one with a newline), regular,
 * jittered, sparse and exactly aligned timestamps.
 */
export function generateDataset(options: DatasetOptions): Dataset {
  if (options.startMs % 60_000 !== 0) throw new Error(`startMs must be a multiple of 60 s, got ${options.startMs}`);
  if (options.durationMs < OUTAGE.toMs + 30 * 60_000) throw new Error(`durationMs must be at least ${OUTAGE.toMs + 30 * 60_000} ms to hold the outage`);
  const rnd = new SeededRandom(options.seed);
  const slots = Math.floor(options.durationMs / SCRAPE_INTERVAL_MS) + 1;
  const series: SeriesDraft[] = [];
  const g = new Generator(rnd, options.startMs, slots, series);

  const targets: Target[] = [];
  for (let k = 1; k <= 3; k++) targets.push({ job: 'api', instance: `api-${k}:8080`, offsetMs: rnd.int(100, 14_000), jitterMs: k === 3 ? 900 : 0 });
  for (let k = 1; k <= 2; k++) targets.push({ job: 'db', instance: `db-${k}:9100`, offsetMs: rnd.int(100, 14_000), jitterMs: 0 });
  for (let k = 1; k <= 4; k++) targets.push({ job: 'worker', instance: `worker-${k}:9100`, offsetMs: rnd.int(100, 14_000), jitterMs: k === 4 ? 2500 : 0 });

  for (const target of targets) {
    const outage = target.instance === 'api-2:8080';
    const slotsOf = g.slots(target, outage);
    const base = { job: target.job, instance: target.instance };
    g.gauge({ __name__: 'up', ...base }, slotsOf, (s) => (s.up ? 1 : 0), { keepWhenDown: true });
    const version = target.instance === 'db-2:9100' ? ['1.4.2', '1.5.0'] : ['1.4.2'];
    if (version.length === 2) {
      // A version upgrade mid-way: the old info series goes stale, a new one starts.
      const cut = Math.floor(slots * 0.55);
      g.gauge({ __name__: 'build_info', ...base, version: version[0]! }, slotsOf.filter((s) => s.i < cut), () => 1, { staleAtEnd: true });
      g.gauge({ __name__: 'build_info', ...base, version: version[1]! }, slotsOf.filter((s) => s.i >= cut), () => 1);
    } else {
      g.gauge({ __name__: 'build_info', ...base, version: version[0]! }, slotsOf, () => 1);
    }
    const gaps = target.job === 'worker' ? [[rnd.int(200, 300), rnd.int(330, 380)], [rnd.int(600, 640), rnd.int(660, 720)]] : [];
    const inGap = (i: number): boolean => gaps.some(([a, b]) => i >= a! && i < b!);
    let mem = rnd.between(2e8, 8e8);
    g.gauge({ __name__: 'process_resident_memory_bytes', ...base }, slotsOf.filter((s) => !inGap(s.i)), () => (mem = Math.max(1e7, mem + rnd.normal() * 5e6)));
  }

  for (const target of targets.filter((t) => t.job === 'api')) {
    const slotsOf = g.slots(target, target.instance === 'api-2:8080');
    const base = { job: 'api', instance: target.instance };
    for (const method of ['GET', 'POST', 'PUT']) {
      for (const code of ['200', '404', '500']) {
        const perSecond = (method === 'GET' ? 20 : method === 'POST' ? 4 : 0.3) * (code === '200' ? 1 : code === '404' ? 0.05 : 0.01);
        g.counter({ __name__: 'http_requests_total', ...base, method, code }, slotsOf, perSecond, { resetChance: method === 'PUT' ? 0.004 : 0.001 });
      }
    }
    for (const handler of ['/api/v1/query', '/healthz']) {
      g.classicHistogram('http_request_duration_seconds', { ...base, handler }, slotsOf, handler === '/healthz' ? 0.01 : 0.2, handler === '/healthz' ? 5 : 30);
    }
    const schema = target.instance === 'api-1:8080' ? 3 : target.instance === 'api-2:8080' ? 0 : -1;
    g.nativeHistogram({ __name__: 'http_request_duration_native_seconds', ...base }, slotsOf, new HistogramBuilder(schema, 2 ** -10), 0.2, 25);
    g.nativeHistogram({ __name__: 'http_request_duration_nhcb_seconds', ...base }, slotsOf, new HistogramBuilder(CUSTOM_BUCKETS_SCHEMA, 0, NHCB_BOUNDS), 0.2, 25, 'v3');
  }

  for (const target of targets.filter((t) => t.job === 'db')) {
    const slotsOf = g.slots(target, false);
    const base = { job: 'db', instance: target.instance };
    g.summary('rpc_duration_seconds', { ...base, service: 'storage' }, slotsOf);
    for (const device of ['sda', 'sdb']) {
      let free = rnd.between(5e10, 2e11);
      const drain = rnd.between(1e5, 3e6);
      g.gauge({ __name__: 'node_filesystem_free_bytes', ...base, device }, slotsOf, () => (free = Math.max(0, free - drain * 15 + rnd.normal() * 2e6)));
    }
    g.counter({ __name__: 'rpc_errors_total', ...base, service: 'storage' }, slotsOf, 0.02, { resetChance: 0.002 });
  }

  for (const target of targets.filter((t) => t.job === 'worker')) {
    const slotsOf = g.slots(target, false);
    for (const cpu of ['0', '1']) {
      for (const mode of ['idle', 'user', 'system']) {
        const share = mode === 'idle' ? 0.7 : mode === 'user' ? 0.22 : 0.08;
        g.counter({ __name__: 'node_cpu_seconds_total', job: 'worker', instance: target.instance, cpu, mode }, slotsOf, share, { resetChance: 0 });
      }
    }
    // A gauge native histogram with float counts and negative buckets (3.x only: 2.42 cannot store float histograms).
    g.gaugeHistogram({ __name__: 'queue_wait_delta_native_seconds', job: 'worker', instance: target.instance }, slotsOf);
  }

  // Batch tasks: each runs for a while, then its series gets a staleness marker; some come back.
  const batch: Target = { job: 'batch', instance: 'batch-runner:9091', offsetMs: rnd.int(100, 14_000), jitterMs: 300 };
  const batchSlots = g.slots(batch, false);
  for (let task = 1; task <= 6; task++) {
    const from = rnd.int(0, Math.floor(slots * 0.4));
    const to = from + rnd.int(60, Math.floor(slots * 0.5));
    const again = task % 2 === 0 ? [to + rnd.int(30, 80), to + rnd.int(120, 200)] : undefined;
    const inRun = (i: number): boolean => (i >= from && i < to) || (again !== undefined && i >= again[0]! && i < again[1]!);
    let progress = 0;
    const labels = { __name__: 'batch_task_progress_ratio', job: 'batch', instance: batch.instance, task: `t${task}` };
    g.runs(labels, batchSlots, inRun, () => (progress = Math.min(1, progress + rnd.between(0, 0.01))));
  }

  // Values with edge cases: NaN, ±Inf, negatives, zeros, and UTF-8 / control characters in label values.
  const misc: Target = { job: 'misc', instance: 'misc:1', offsetMs: rnd.int(100, 14_000), jitterMs: 0 };
  const miscSlots = g.slots(misc, false);
  const kinds: [string, (i: number) => number][] = [
    ['nan', () => NaN],
    ['inf', () => Infinity],
    ['neg_inf', () => -Infinity],
    ['mixed', (i) => [1, NaN, Infinity, -Infinity, -2.5, 0, 3.25e12, -0][i % 8]!],
  ];
  for (const [kind, f] of kinds) g.gauge({ __name__: 'special_values', job: 'misc', instance: misc.instance, kind }, miscSlots, (s) => f(s.i));
  const cities = ['Zürich', '東京', 'São Paulo', 'naïve ☃', 'line1\nline2', 'quote"back\\slash'];
  for (const city of cities) {
    let temp = rnd.between(-10, 30);
    g.gauge({ __name__: 'temperature_celsius', job: 'misc', instance: misc.instance, city }, miscSlots, () => (temp += rnd.normal() * 0.3));
  }
  // A UTF-8 metric name (quoted `{"pharos.utf8.gauge"}` selector syntax exists only in 3.x).
  g.gauge({ __name__: 'pharos.utf8.gauge', job: 'misc', instance: misc.instance, 'ünï.côdé': '✓' }, miscSlots, (s) => s.i % 17);

  // Exactly aligned samples (timestamps multiples of 15 s) so window boundaries coincide with samples.
  const aligned: Target = { job: 'aligned', instance: 'aligned:1', offsetMs: 0, jitterMs: 0 };
  const alignedSlots = g.slots(aligned, false);
  g.gauge({ __name__: 'aligned_gauge', job: 'aligned', instance: aligned.instance }, alignedSlots, (s) => s.i % 10);
  g.gauge({ __name__: 'aligned_counter_total', job: 'aligned', instance: aligned.instance }, alignedSlots, (s) => s.i * 3);
  // A sparse series with irregular gaps of 20 s to 7 min (longer than the 5 m lookback at times).
  const sparse: number[] = [];
  for (let t = options.startMs + rnd.int(0, 60_000); t < options.startMs + options.durationMs; t += rnd.int(20_000, 420_000)) sparse.push(offGrid(t, false));
  g.raw({ __name__: 'sparse_gauge', job: 'misc', instance: misc.instance }, sparse, sparse.map(() => Math.round(rnd.between(0, 1000)) / 10));

  return { seed: options.seed, startMs: options.startMs, endMs: options.startMs + (slots - 1) * SCRAPE_INTERVAL_MS, intervalMs: SCRAPE_INTERVAL_MS, series: series.map(finish) };
}

/** Number of float and histogram samples of a data set for one audience. */
export function datasetSize(dataset: Dataset, audience: SeriesAudience): { series: number; floats: number; histograms: number } {
  let series = 0;
  let floats = 0;
  let histograms = 0;
  for (const s of dataset.series) {
    if (audience === 'all' && s.audience !== 'all') continue;
    series++;
    floats += s.timestamps.length;
    histograms += s.histTimestamps.length;
  }
  return { series, floats, histograms };
}
