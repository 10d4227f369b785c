/**
 * Throughput, flush cost, size on disk, memory and read latency of the embedded metric store.
 *
 *   npm run build && node dist/bench/store-append.js [series=100000] [scrapes=480] [flushEveryMs=2000] [jitterMs=0]
 *   node dist/bench/store-append.js reopen <dir>   (opens a store kept with KEEP_DIR=1: open ms, CPU, memory)
 *
 * Data: a fleet of node_exporter-like hosts of 1,000 series each, scraped every 15 s, sent in
 * 2,000-sample batches host by host as remote-write does. Per host: 128 CPU-seconds counters
 * in hundredths (idle grows ~14 s per scrape, user/system less, steal/nice not at all), 480
 * operation counters (interrupts, disk and network operations, netstat/vmstat; a third idle),
 * 48 byte counters (disk/network bytes, in 512-byte sectors or raw bytes), 20 error counters
 * (an increment now and then), 108 byte gauges moving in 4 KiB pages (memory, filesystem
 * free), 20 small integer gauges, 8 two-decimal gauges (load averages, temperatures) and 188
 * constants (sizes, limits, info metrics). Scrape timestamps are on the interval, as
 * Prometheus writes them within its 2 ms timestamp tolerance; `jitterMs` adds uniform
 * jitter to see what unaligned timestamps cost.
 *
 * Timing counts store calls only (generating the batches is excluded). "Sustained" is the
 * rate with a flush every `flushEveryMs` of store time, as the processor flushes every
 * `processor.flush_interval`. Bytes on disk are `du` of the store directory after close.
 */
import { execSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { labelsFromRecord, MetricBatchBuilder, type Labels, type MetricBatch } from '#pharos/metric-model';
import { DuckDBMetricStore, type MetricStore } from '#pharos/storage';

const SERIES = Number(process.argv[2] ?? 100_000);
const SCRAPES = Number(process.argv[3] ?? 480);
const FLUSH_EVERY_MS = Number(process.argv[4] ?? 2_000);
const JITTER_MS = Number(process.argv[5] ?? 0);
const BATCH = 2_000;
const STEP_MS = 15_000;
const PER_HOST = 1_000;

type Kind = 'cpu' | 'ops' | 'bytes' | 'errs' | 'pages' | 'small' | 'decimal' | 'constant';

/** Per-host layout: [kind, count, metric name]. */
const LAYOUT: readonly [Kind, number, string][] = [
  ['cpu', 128, 'node_cpu_seconds_total'],
  ['ops', 480, 'node_ops_total'],
  ['bytes', 48, 'node_io_bytes_total'],
  ['errs', 20, 'node_network_errs_total'],
  ['pages', 108, 'node_memory_bytes'],
  ['small', 20, 'node_sockstat_field'],
  ['decimal', 8, 'node_load'],
  ['constant', 188, 'node_static_field'],
];
const CPU_MODES = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'nice', 'steal'];
const CPU_RATE = [1400, 60, 25, 3, 1, 2, 0, 0];

/** A deterministic pseudo-random generator (xorshift), so runs compare. */
let seed = 0x9e3779b9;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

interface SeriesState {
  readonly labels: Labels;
  readonly kind: Kind;
  readonly rate: number;
  value: number;
}

function makeSeries(): SeriesState[] {
  const out: SeriesState[] = [];
  for (let i = 0; i < SERIES; i++) {
    const host = Math.floor(i / PER_HOST);
    let slot = i % PER_HOST;
    let kindIndex = 0;
    while (slot >= LAYOUT[kindIndex]![1]) slot -= LAYOUT[kindIndex++]![1];
    const [kind, , name] = LAYOUT[kindIndex]!;
    const labels: Record<string, string> = { __name__: name, job: 'node', instance: `host-${host}:9100`, region: ['eu-west-1', 'us-east-1'][host % 2]! };
    let rate = 0;
    let value = 0;
    switch (kind) {
      case 'cpu':
        labels['cpu'] = String(slot >> 3);
        labels['mode'] = CPU_MODES[slot & 7]!;
        rate = CPU_RATE[slot & 7]! * (0.7 + 0.6 * rnd());
        value = Math.round(rnd() * 1e8) / 100;
        break;
      case 'ops':
        labels['field'] = `f${slot}`;
        rate = rnd() < 0.33 ? 0 : Math.exp(rnd() * 9);
        value = Math.floor(rnd() * 1e9);
        break;
      case 'bytes':
        labels['device'] = `dev${slot}`;
        rate = rnd() < 0.3 ? 0 : Math.exp(8 + rnd() * 9);
        value = Math.floor(rnd() * 1e12);
        break;
      case 'pages':
        labels['field'] = `f${slot}`;
        rate = rnd() < 0.4 ? 0 : Math.ceil(rnd() * 40);
        value = Math.floor(rnd() * 4e6) * 4096;
        break;
      case 'small':
        labels['field'] = `f${slot}`;
        value = Math.floor(rnd() * 500);
        break;
      case 'decimal':
        labels['field'] = `f${slot}`;
        value = Math.round(rnd() * 800) / 100;
        break;
      default:
        labels['field'] = `f${slot}`;
        value = slot % 3 === 0 ? 1 : Math.floor(rnd() * 1e12);
    }
    out.push({ labels: labelsFromRecord(labels), kind, rate, value });
  }
  return out;
}

function next(s: SeriesState): number {
  switch (s.kind) {
    case 'cpu':
      if (s.rate > 0) s.value = Math.round((s.value + (s.rate * (0.9 + 0.2 * rnd())) / 100) * 100) / 100;
      break;
    case 'ops':
      if (s.rate > 0) s.value += Math.round(s.rate * (0.7 + 0.6 * rnd()));
      break;
    case 'bytes':
      if (s.rate > 0) s.value += Math.round(s.rate * (0.5 + rnd())) * 512;
      break;
    case 'errs':
      if (rnd() < 0.02) s.value += 1;
      break;
    case 'pages':
      if (s.rate > 0) s.value += Math.round((rnd() - 0.5) * s.rate) * 4096;
      break;
    case 'small':
      s.value = Math.max(0, s.value + Math.round((rnd() - 0.5) * 6));
      break;
    case 'decimal':
      s.value = Math.max(0, Math.round((s.value + (rnd() - 0.5) * 0.2) * 100) / 100);
      break;
  }
  return s.value;
}

function scrapeBatches(series: SeriesState[], t: number): MetricBatch[] {
  const batches: MetricBatch[] = [];
  for (let i = 0; i < series.length; i += BATCH) {
    const b = new MetricBatchBuilder('default', BATCH, BATCH);
    for (let j = i; j < Math.min(i + BATCH, series.length); j++) {
      const s = series[j]!;
      b.addSeries(s.labels);
      // Hosts are scraped at different points of the interval; all series of a scrape share its timestamp.
      const host = Math.floor(j / PER_HOST);
      b.addSample(t + ((host * 37) % STEP_MS) + (JITTER_MS > 0 ? Math.floor(rnd() * (JITTER_MS + 1)) : 0), next(s));
    }
    batches.push(b.build());
  }
  return batches;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function timeRead(store: MetricStore, start: number, end: number): Promise<{ ms: number; series: number; samples: number }> {
  const matchers = [
    { name: '__name__', type: '=' as const, value: 'node_cpu_seconds_total' },
    { name: 'instance', type: '=~' as const, value: 'host-[0-7]:9100' },
  ];
  const t0 = performance.now();
  let series = 0;
  let samples = 0;
  for await (const s of store.select({ tenant: 'default', matchers, start, end })) {
    series++;
    samples += s.timestamps.length;
  }
  return { ms: Math.round(performance.now() - t0), series, samples };
}

async function timeRollups(store: MetricStore, start: number, end: number): Promise<{ ms: number; series: number; buckets: number }> {
  const matchers = [
    { name: '__name__', type: '=' as const, value: 'node_cpu_seconds_total' },
    { name: 'instance', type: '=~' as const, value: 'host-[0-7]:9100' },
  ];
  const t0 = performance.now();
  let series = 0;
  let buckets = 0;
  for await (const r of store.selectRollups({ tenant: 'default', matchers, start, end, resolutionMs: 300_000 })) {
    series++;
    buckets += r.bucketStarts.length;
  }
  return { ms: Math.round(performance.now() - t0), series, buckets };
}

interface IngestResult {
  readonly samples: number;
  readonly appendMs: number;
  /** Append time and samples from the second scrape on: series exist, the steady state. */
  readonly steadyMs: number;
  readonly steadySamples: number;
  /**
   * Process CPU (all threads) during those appends, µs: unlike wall time it holds on a machine
   * shared with other work. An append runs no DuckDB work (its threads may still be finishing
   * a flush), so this is mostly the main thread's, plus V8's GC helpers'.
   */
  readonly steadyCpuUs: number;
  readonly flushMs: number[];
  readonly maxRss: number;
  readonly liveRead: Awaited<ReturnType<typeof timeRead>>;
  readonly liveRollups: Awaited<ReturnType<typeof timeRollups>>;
  readonly closeMs: number;
}

/** Appends the whole run (flushing as the processor would), reads, closes. Its state dies with it, before the reopen. */
async function ingest(dir: string, start: number, end: number): Promise<IngestResult> {
  const store = await DuckDBMetricStore.open({ dir });
  const series = makeSeries();
  let samples = 0;
  let appendMs = 0;
  let steadyMs = 0;
  let steadySamples = 0;
  let steadyCpuUs = 0;
  let sinceFlush = 0;
  const flushMs: number[] = [];
  let maxRss = 0;
  for (let s = 0; s < SCRAPES; s++) {
    const batches = scrapeBatches(series, start + s * STEP_MS);
    for (const batch of batches) {
      const a = performance.now();
      const cpu = process.cpuUsage();
      const r = await store.append(batch);
      const took = performance.now() - a;
      const used = process.cpuUsage(cpu);
      appendMs += took;
      sinceFlush += took;
      samples += r.samplesStored;
      if (s > 0) {
        steadyMs += took;
        steadySamples += r.samplesStored;
        steadyCpuUs += used.user + used.system;
      }
      if (sinceFlush >= FLUSH_EVERY_MS) {
        const f = performance.now();
        await store.flush();
        flushMs.push(performance.now() - f);
        sinceFlush = 0;
        maxRss = Math.max(maxRss, process.memoryUsage().rss);
      }
    }
  }
  const f = performance.now();
  await store.flush();
  flushMs.push(performance.now() - f);
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  const liveRead = await timeRead(store, end - 3_600_000, end);
  const liveRollups = await timeRollups(store, start, end);
  const c = performance.now();
  await store.close();
  return { samples, appendMs, steadyMs, steadySamples, steadyCpuUs, flushMs, maxRss, liveRead, liveRollups, closeMs: performance.now() - c };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pharos-bench-'));
  const start = Math.floor(Date.now() / STEP_MS) * STEP_MS - SCRAPES * STEP_MS;
  const end = start + SCRAPES * STEP_MS;
  const { samples, appendMs, steadyMs, steadySamples, steadyCpuUs, flushMs, maxRss, liveRead, liveRollups, closeMs } = await ingest(dir, start, end);
  const du = Number(execSync(`du -sb ${dir}`).toString().split(/\s+/)[0]);
  const breakdown = await tableSizes(join(dir, 'metrics.duckdb'));
  const o = performance.now();
  const reopened = await DuckDBMetricStore.open({ dir });
  const openMs = performance.now() - o;
  const coldRead = await timeRead(reopened, end - 3_600_000, end);
  const warmRead = await timeRead(reopened, end - 3_600_000, end);
  const coldRollups = await timeRollups(reopened, start, end);
  await reopened.close();
  // KEEP_DIR=1 leaves the store for inspection.
  if (process.env['KEEP_DIR'] === undefined) await rm(dir, { recursive: true, force: true });
  else console.error(`store kept in ${dir}`);
  const flushTotal = flushMs.reduce((x, y) => x + y, 0);
  const sorted = [...flushMs].sort((x, y) => x - y);
  console.log(
    JSON.stringify(
      {
        series: SERIES,
        scrapes: SCRAPES,
        samples,
        flushEveryMs: FLUSH_EVERY_MS,
        jitterMs: JITTER_MS,
        appendOnlySamplesPerSec: Math.round(samples / (appendMs / 1000)),
        appendSteadySamplesPerSec: Math.round(steadySamples / (steadyMs / 1000)),
        appendSteadyCpuNsPerSample: Math.round((steadyCpuUs * 1000) / steadySamples),
        sustainedSamplesPerSec: Math.round(samples / ((appendMs + flushTotal) / 1000)),
        flushes: flushMs.length,
        flushMsP50: Math.round(pct(sorted, 0.5)),
        flushMsMax: Math.round(sorted[sorted.length - 1]!),
        flushShareOfStoreTime: Number((flushTotal / (appendMs + flushTotal)).toFixed(3)),
        closeMs: Math.round(closeMs),
        duBytes: du,
        bytesPerSample: Number((du / samples).toFixed(3)),
        ...breakdown,
        chunkBytesPerSample: Number((breakdown.chunkDataBytes / samples).toFixed(3)),
        rollupBytesPerSample: Number(((breakdown.rollupTableBytes + breakdown.rollupSpanTableBytes) / samples).toFixed(3)),
        maxRssMB: Math.round(maxRss / 2 ** 20),
        reopenMs: Math.round(openMs),
        readLast1hLive: liveRead,
        readLast1hAfterReopen: coldRead,
        readLast1hAfterReopenWarm: warmRead,
        rollups5mWholeRunLive: liveRollups,
        rollups5mWholeRunAfterReopen: coldRollups,
      },
      null,
      2,
    ),
  );
}

/** What the tables hold (blob bytes and row counts), read with a plain DuckDB connection. */
async function tableSizes(
  path: string,
): Promise<{ chunkRows: number; chunkDataBytes: number; rollupRows: number; rollupSpans: number; rollupSpanBytes: number; rollupTableBytes: number; rollupSpanTableBytes: number; headLogBytes: number }> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const one = async (sql: string): Promise<number> => {
    try {
      const rows = await (await conn.run(sql)).getRows();
      return Number(rows[0]?.[0] ?? 0);
    } catch {
      return 0;
    }
  };
  const out = {
    chunkRows: await one('SELECT count(*) FROM chunks'),
    chunkDataBytes: await one('SELECT coalesce(sum(octet_length(data)), 0) FROM chunks'),
    rollupRows: await one('SELECT count(*) FROM rollups'),
    // Packed days (rollup-span-codec.ts): rows, and the bytes of their BLOBs.
    rollupSpans: await one('SELECT count(*) FROM rollup_spans'),
    rollupSpanBytes: await one(
      `SELECT coalesce(sum(${['buckets', 'count', 'sum', 'min', 'max', 'first_ts', 'first_value', 'last_ts', 'last_value', 'increase'].map((c) => `octet_length(${c})`).join(' + ')}), 0) FROM rollup_spans`,
    ),
    // What each rollup table takes in the file: its distinct 256 KiB blocks.
    rollupTableBytes: await one(`SELECT count(DISTINCT block_id) * 262144 FROM pragma_storage_info('rollups') WHERE persistent`),
    rollupSpanTableBytes: await one(`SELECT count(DISTINCT block_id) * 262144 FROM pragma_storage_info('rollup_spans') WHERE persistent`),
    headLogBytes: await one('SELECT coalesce(sum(octet_length(data)), 0) FROM head_log'),
  };
  conn.closeSync();
  instance.closeSync();
  return out;
}

/**
 * Opens a kept store and reports what opening cost: wall and CPU time (the CPU time is the
 * figure to compare on a shared machine) and memory right after (before and after a full GC
 * when run with `--expose-gc`). Opening migrates an older layout once, so the first open of a
 * kept store may differ from the next; closing writes a head-log snapshot.
 */
async function reopen(dir: string | undefined): Promise<void> {
  if (dir === undefined) throw new Error('usage: store-append.js reopen <dir of a kept store>');
  const cpu = process.cpuUsage();
  const o = performance.now();
  const store = await DuckDBMetricStore.open({ dir });
  const openMs = performance.now() - o;
  const used = process.cpuUsage(cpu);
  const m = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const after = process.memoryUsage();
  const MB = 2 ** 20;
  console.log(
    JSON.stringify({
      dir,
      series: (await store.stats()).series,
      openMs: Math.round(openMs),
      openCpuMs: Math.round((used.user + used.system) / 1000),
      rssMB: Math.round(m.rss / MB),
      heapUsedMB: Math.round(m.heapUsed / MB),
      arrayBuffersMB: Math.round(m.arrayBuffers / MB),
      ...(gc === undefined ? {} : { heapUsedAfterGcMB: Math.round(after.heapUsed / MB), arrayBuffersAfterGcMB: Math.round(after.arrayBuffers / MB) }),
    }),
  );
  await store.close();
}

if (process.argv[2] === 'reopen') await reopen(process.argv[3]);
else await main();
