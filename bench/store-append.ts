/**
 * Append throughput of the embedded metric store. 100 k node_exporter-like series scraped
 * every 15 s (counters growing, gauges wandering), appended in 2,000-sample batches, with a
 * flush every ~2 s of wall time as the processor does. Prints samples/s, flush cost, bytes
 * on disk per sample and RSS.
 *
 *   npm run build && npx node dist/bench/store-append.js [series=100000] [scrapes=40]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromRecord, MetricBatchBuilder, type Labels, type MetricBatch } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';

const SERIES = Number(process.argv[2] ?? 100_000);
const SCRAPES = Number(process.argv[3] ?? 40);
const BATCH = 2_000;
const STEP_MS = 15_000;
const FLUSH_EVERY_MS = 2_000;

const METRICS = [
  ['node_cpu_seconds_total', 'counter'],
  ['node_network_receive_bytes_total', 'counter'],
  ['node_disk_read_bytes_total', 'counter'],
  ['node_memory_MemAvailable_bytes', 'gauge'],
  ['node_load1', 'gauge'],
  ['node_filesystem_avail_bytes', 'gauge'],
] as const;

interface SeriesState {
  labels: Labels;
  counter: boolean;
  value: number;
}

function makeSeries(): SeriesState[] {
  const out: SeriesState[] = [];
  for (let i = 0; i < SERIES; i++) {
    const [name, kind] = METRICS[i % METRICS.length]!;
    out.push({
      labels: labelsFromRecord({
        __name__: name,
        job: 'node',
        instance: `host-${Math.floor(i / 600)}:9100`,
        cpu: String(i % 16),
        mode: ['user', 'system', 'idle', 'iowait'][i % 4]!,
        device: `dev${Math.floor(i / 6) % 25}`,
        region: ['eu-west-1', 'us-east-1'][i % 2]!,
      }),
      counter: kind === 'counter',
      value: kind === 'counter' ? Math.floor(Math.random() * 1e9) : Math.random() * 1e9,
    });
  }
  return out;
}

function scrapeBatches(series: SeriesState[], t: number): MetricBatch[] {
  const batches: MetricBatch[] = [];
  for (let i = 0; i < series.length; i += BATCH) {
    const b = new MetricBatchBuilder('default', BATCH, BATCH);
    for (let j = i; j < Math.min(i + BATCH, series.length); j++) {
      const s = series[j]!;
      // Counters grow by whole units; gauges wander with two decimals, as node_exporter's do.
      s.value = s.counter ? s.value + Math.floor(Math.random() * 5000) : Math.round((s.value + (Math.random() - 0.5) * 1e6) * 100) / 100;
      b.addSeries(s.labels);
      // Scrape timestamps jitter by a few milliseconds, as real scrapes do.
      b.addSample(t + Math.floor(Math.random() * 5), s.value);
    }
    batches.push(b.build());
  }
  return batches;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pharos-bench-'));
  const store = await DuckDBMetricStore.open({ dir });
  const series = makeSeries();
  const start = Math.floor(Date.now() / STEP_MS) * STEP_MS - SCRAPES * STEP_MS;
  let samples = 0;
  let appendMs = 0;
  const flushMs: number[] = [];
  let lastFlush = performance.now();
  const t0 = performance.now();
  for (let s = 0; s < SCRAPES; s++) {
    const batches = scrapeBatches(series, start + s * STEP_MS);
    for (const batch of batches) {
      const a = performance.now();
      const r = await store.append(batch);
      appendMs += performance.now() - a;
      samples += r.samplesStored;
      if (performance.now() - lastFlush >= FLUSH_EVERY_MS) {
        const f = performance.now();
        await store.flush();
        flushMs.push(performance.now() - f);
        lastFlush = performance.now();
      }
    }
  }
  const f = performance.now();
  await store.flush();
  flushMs.push(performance.now() - f);
  const totalMs = performance.now() - t0;
  const beforeCheckpoint = await store.stats();
  const c = performance.now();
  await store.checkpoint();
  const checkpointMs = performance.now() - c;
  const stats = await store.stats();
  const rss = process.memoryUsage().rss;
  await store.close();
  const closedBytes = (await statSize(join(dir, 'metrics.duckdb')));
  await rm(dir, { recursive: true, force: true });
  const flushTotal = flushMs.reduce((a, b) => a + b, 0);
  const report = {
    series: SERIES,
    samples,
    appendSamplesPerSec: Math.round(samples / (appendMs / 1000)),
    endToEndSamplesPerSec: Math.round(samples / (totalMs / 1000)),
    flushes: flushMs.length,
    flushMsAvg: Math.round(flushTotal / flushMs.length),
    flushMsMax: Math.round(Math.max(...flushMs)),
    flushShareOfTime: Number((flushTotal / totalMs).toFixed(2)),
    checkpointMs: Math.round(checkpointMs),
    bytesOnDiskBeforeCheckpoint: beforeCheckpoint.bytesOnDisk,
    bytesOnDisk: stats.bytesOnDisk,
    bytesPerSample: Number((stats.bytesOnDisk / samples).toFixed(2)),
    bytesPerSampleAfterClose: Number((closedBytes / samples).toFixed(2)),
    rssMB: Math.round(rss / 2 ** 20),
  };
  console.log(JSON.stringify(report, null, 2));
}

async function statSize(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path)).size;
}

await main();
