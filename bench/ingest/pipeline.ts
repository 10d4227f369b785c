/**
 * The metrics write path in one process, without HTTP: remote-write 1.0 bodies go through
 * the decode pool (a real worker thread), the ingestor's limits and produce (embedded stream,
 * group-commit fsync), the processor and the DuckDB store, wired as `pharos start` wires
 * them. It reports CPU per stored sample — the figure that stays meaningful on a machine
 * shared with other work — and is the quick loop for profiling the path:
 *
 *   npm run build && node dist/bench/ingest/pipeline.js [--series 100000] [--steps 24] \
 *     [--warmup-steps 3] [--workers 1] [--inflight 16] [--rounds 1] [--protocol remote-write]
 *
 * `--protocol otlp-grpc|otlp-http` sends the bench's OTLP bodies instead (8,192 data points a
 * request; gzip for otlp-http, plain protobuf for otlp-grpc as grpc-js hands it over after
 * inflating), decoded on the main thread and ingested as the collector's OTLP receiver does
 * (`apps/collector/src/otlp-receiver.ts`: one `OtlpDecoder`, `MetricIngestor.ingest`); the
 * decode pool is then unused.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/ingest/pipeline.js …
 *   … --heap-sample FILE   sampled allocations of the main thread during the measured rounds
 *                          that outlived a scavenge (what feeds old-space collections)
 *   … --cpu-profile FILE   CPU profile of the main thread during the measured rounds only
 *                          (bodies are built before it starts)
 *   … --store-thread       the metric store on its own thread (ADR 0018)
 *   … --flush-interval MS  the processor's store flush interval (default: the config's)
 *   … --heap-snapshot FILE the main thread's heap at the end, after the memory report's
 *                          collection (with `node --expose-gc`); the bench's own fleet is in it
 *   … --v8-flags=FLAGS     V8 flags set at start (process-wide, workers included), e.g.
 *                          --v8-flags=--external-memory-accounted-in-global-limit (with `=`:
 *                          parseArgs takes a separate value that starts with `--` for an option)
 *
 * (`NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR"` writes one profile per thread, the decode
 * worker's included — warm-up and body building too, so compare shares between builds.) Bodies are built before
 * the clock starts, with the fleet and value model of `npm run bench:ingest` (live style:
 * 2,000 series × one sample per body). The first `--warmup-steps` create the series and are
 * not measured; a series' bodies are sent in order, `--inflight` bodies at a time overall.
 *
 * Each round also splits the process's CPU by thread (Linux `/proc/self/task/<tid>/stat`):
 * the main thread, the decode workers, V8's helper threads (concurrent GC and compilation),
 * libuv's pool (fsync, file writes) and DuckDB's threads, so a change shows where it moved
 * work rather than only the total.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '#pharos/config';
import { IngestDecodePool, MetricIngestor } from '#pharos/ingest';
import { METRICS_TOPIC } from '#pharos/metric-model';
import { OtlpDecoder } from '#pharos/otlp';
import { MetricsProcessor, startStoreThread } from '#pharos/processor';
import { DuckDBMetricStore, type MetricStore } from '#pharos/storage';
import { EmbeddedStream } from '#pharos/stream';
import { createLogger, SelfMetrics } from '#pharos/telemetry';
import { OtlpBodyBuilder } from './otlp-bodies.js';
import { OTLP_BATCH_POINTS, PROTOCOLS, isOtlp, type IngestProtocol } from './protocols.js';
import { buildFleet } from './series.js';
import { encodeBody, planWorkload, samplesInBody, slicesOf } from './workload.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '100000' },
    steps: { type: 'string', default: '24' },
    'warmup-steps': { type: 'string', default: '3' },
    workers: { type: 'string', default: '1' },
    inflight: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1' },
    'heap-sample': { type: 'string' },
    'cpu-profile': { type: 'string' },
    'v8-flags': { type: 'string' },
    protocol: { type: 'string', default: 'remote-write' },
    'store-thread': { type: 'boolean', default: false },
    'flush-interval': { type: 'string' },
    'heap-snapshot': { type: 'string' },
  },
  strict: true,
});
const int = (name: keyof typeof args, min: number): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(args[name])}`);
  return n;
};
if (args['v8-flags'] !== undefined) setFlagsFromString(args['v8-flags']);
const SERIES = int('series', 2_000);
const STEPS = int('steps', 2);
const WARMUP = int('warmup-steps', 1);
const WORKERS = int('workers', 0);
const INFLIGHT = int('inflight', 1);
const ROUNDS = int('rounds', 1);
if (WARMUP >= STEPS) throw new Error('--warmup-steps must be below --steps');
if (!(PROTOCOLS as readonly string[]).includes(args.protocol)) throw new Error(`--protocol must be one of ${PROTOCOLS.join(', ')}, got ${args.protocol}`);
const PROTOCOL = args.protocol as IngestProtocol;

const config = loadConfig({ env: {} });
const workload = planWorkload({
  protocol: PROTOCOL,
  style: 'live',
  series: SERIES,
  senders: 1,
  seriesPerBody: isOtlp(PROTOCOL) ? OTLP_BATCH_POINTS : 2_000,
  maxRate: 2_000_000,
  seconds: 60,
  nowMs: Date.now(),
});
const slices = slicesOf(workload, 0);
const fleet = buildFleet(SERIES);
const otlpBodies = isOtlp(PROTOCOL) ? new OtlpBodyBuilder(fleet, workload.startMs) : undefined;
// One decoder for the run, as the receiver keeps one per set of limits.
const otlpDecoder = new OtlpDecoder();

function buildBodies(fromStep: number, toStep: number): Buffer[][] {
  const out: Buffer[][] = [];
  for (let step = fromStep; step < toStep; step++) {
    const bodies: Buffer[] = [];
    for (let j = 0; j < slices; j++) bodies.push(encodeBody(workload, fleet, 0, j, step, otlpBodies));
    out.push(bodies);
  }
  return out;
}

function samplesOfSteps(n: number): number {
  let perStep = 0;
  for (let j = 0; j < slices; j++) perStep += samplesInBody(workload, 0, j);
  return perStep * n;
}

const dir = await mkdtemp(join(tmpdir(), 'pharos-pipeline-'));
const logger = createLogger({ level: 'warn', format: 'json', destination: process.stderr });
const metrics = new SelfMetrics('bench');
const stream = await EmbeddedStream.open({ dir: join(dir, 'stream'), fsync: config.stream.fsync, segmentBytes: config.stream.segmentBytes });
await stream.ensureTopic(METRICS_TOPIC, config.stream.partitions);
const storeOptions = { dir: join(dir, 'metrics'), defaultRetentionMs: config.storage.metrics.retentionMs };
// `--store-thread`: the store and record decoding on a thread of their own (ADR 0018); its
// CPU then shows under "decode worker" (both are Node worker threads).
const store: MetricStore = args['store-thread'] ? await startStoreThread(storeOptions) : await DuckDBMetricStore.open(storeOptions);
const processor = new MetricsProcessor({
  stream,
  store,
  metrics,
  logger,
  batchMaxSamples: config.processor.batchMaxSamples,
  batchMaxWaitMs: config.processor.batchMaxWaitMs,
  flushIntervalMs: args['flush-interval'] === undefined ? config.processor.flushIntervalMs : int('flush-interval', 100),
});
await processor.start();
const pool = new IngestDecodePool(WORKERS, (err) => logger.error({ err }, 'decode worker failed'));
const ingestor = new MetricIngestor({
  producer: stream.producer(),
  partitions: config.stream.partitions,
  limitsFor: () => config.limits.defaults,
  metrics,
  isBackpressured: () => false,
});

async function stored(): Promise<number> {
  let n = 0;
  for (const v of (await metrics.processorAppendedSamples.get()).values) n += v.value;
  return n;
}

async function waitStored(target: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await stored()) < target) {
    if (Date.now() > deadline) throw new Error(`stored ${await stored()} of ${target} samples after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the OTLP receiver does with a body once the tenant is known (no delta series here). */
async function ingestOtlp(body: Buffer, now: number, what: string): Promise<void> {
  const decoded = otlpDecoder.decode(body, {
    tenant: 'default',
    format: 'protobuf',
    encoding: PROTOCOL === 'otlp-http' ? 'gzip' : 'identity',
    minTimestampMs: now - config.storage.metrics.retentionMs,
    maxTimestampMs: now + 600_000,
  });
  if (decoded.rejectedDataPoints > 0 || decoded.delta !== undefined) throw new Error(`${what}: ${decoded.messages.join('; ') || 'unexpected delta series'}`);
  await ingestor.ingest('otlp', decoded.batch, { stableLabels: true });
}

/** Sends steps in order per slice, `INFLIGHT` bodies at a time overall. */
async function send(steps: Buffer[][], firstStep: number): Promise<void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (active < INFLIGHT) {
      active++;
      return;
    }
    await new Promise<void>((r) => waiting.push(r));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const now = Date.now();
  const chains: Promise<void>[] = [];
  for (let j = 0; j < slices; j++) {
    chains.push(
      (async () => {
        for (let s = 0; s < steps.length; s++) {
          await acquire();
          try {
            if (isOtlp(PROTOCOL)) {
              await ingestOtlp(steps[s]![j]!, now, `step ${firstStep + s} body ${j}`);
              continue;
            }
            const decoded = await pool.decode({
              kind: 'prometheus-remote-write',
              body: steps[s]![j]!,
              partitions: config.stream.partitions,
              options: { version: '1.0', tenant: 'default', minTimestampMs: now - config.storage.metrics.retentionMs, maxTimestampMs: now + 600_000 },
            });
            if (decoded.rejectedSamples > 0) throw new Error(`step ${firstStep + s} body ${j}: ${decoded.firstErrors.join('; ')}`);
            await ingestor.ingestPrepared('bench', decoded.prepared);
          } finally {
            release();
          }
        }
      })(),
    );
  }
  await Promise.all(chains);
}

/**
 * CPU seconds by thread group, from `/proc/self/task/<tid>/stat` (utime + stime, in clock
 * ticks of 10 ms). Threads inherit their creator's name, so DuckDB's threads (started from
 * the main thread) are the `MainThread` tasks other than the process's own id. Empty where
 * `/proc` is missing.
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    let comm: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      comm = readFileSync(`/proc/self/task/${tid}/comm`, 'latin1').trim();
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const group =
      tid === String(process.pid) ? 'main' : comm === 'MainThread' ? 'duckdb' : comm === 'WorkerThread' ? 'decode worker' : comm === 'V8Worker' ? 'v8 helpers' : comm.startsWith('libuv') ? 'libuv pool' : 'other';
    out.set(group, (out.get(group) ?? 0) + ticks / 100);
  }
  return out;
}

function threadCpuSince(before: Map<string, number>): Map<string, number> {
  const now = threadCpu();
  const out = new Map<string, number>();
  for (const [k, v] of now) out.set(k, v - (before.get(k) ?? 0));
  return out;
}

const measuredSteps = STEPS - WARMUP;
process.stdout.write(`pipeline: ${PROTOCOL}, ${SERIES} series, ${slices} bodies a step, ${WARMUP} warm-up + ${measuredSteps} measured steps × ${ROUNDS} rounds, ${WORKERS} decode workers, ${INFLIGHT} in flight\n`);
let sent = 0;
const warm = buildBodies(0, WARMUP);
await send(warm, 0);
sent += samplesOfSteps(WARMUP);
await waitStored(sent);
const results: { rate: number; cpuUsPerSample: number; mainUsPerSample: number; threads: Map<string, number> }[] = [];
/** Main-thread GC pauses (ms) by kind during the current round. */
const gcPauses = { minor: 0, major: 0, other: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gcPauses.minor += e.duration;
    else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gcPauses.major += e.duration;
    else gcPauses.other += e.duration;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
// Built up front so that neither the profiles nor the thread split include building them.
const roundBodies: Buffer[][][] = [];
for (let round = 0; round < ROUNDS; round++) {
  const first = WARMUP + round * measuredSteps;
  roundBodies.push(buildBodies(first, first + measuredSteps));
}
let session: Session | undefined;
if (args['heap-sample'] !== undefined || args['cpu-profile'] !== undefined) {
  session = new Session();
  session.connect();
}
if (args['heap-sample'] !== undefined) {
  await session!.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true });
}
if (args['cpu-profile'] !== undefined) {
  await session!.post('Profiler.enable');
  await session!.post('Profiler.setSamplingInterval', { interval: 250 });
  await session!.post('Profiler.start');
}
for (let round = 0; round < ROUNDS; round++) {
  const first = WARMUP + round * measuredSteps;
  const bodies = roundBodies[round]!;
  const samples = samplesOfSteps(measuredSteps);
  gcPauses.minor = gcPauses.major = gcPauses.other = 0;
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await send(bodies, first);
  sent += samples;
  await waitStored(sent);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const threads = threadCpuSince(threads0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = { rate: samples / wall, cpuUsPerSample: (cpuSeconds * 1e6) / samples, mainUsPerSample: (elu.active * 1000) / samples, threads };
  results.push(result);
  process.stdout.write(
    `round ${round + 1}: ${samples} samples in ${wall.toFixed(2)} s = ${(result.rate / 1000).toFixed(0)} k samples/s stored; ` +
      `process CPU ${cpuSeconds.toFixed(2)} s (${(cpuSeconds / wall).toFixed(2)} cores) = ${result.cpuUsPerSample.toFixed(2)} µs/sample; ` +
      `main thread busy ${result.mainUsPerSample.toFixed(2)} µs/sample\n` +
      `  by thread (µs CPU/sample): ${[...threads].map(([k, v]) => `${k} ${((v * 1e6) / samples).toFixed(2)}`).join(', ')}; ` +
      `main-thread GC pauses (µs/sample): minor ${((gcPauses.minor * 1000) / samples).toFixed(3)}, major ${((gcPauses.major * 1000) / samples).toFixed(3)}, other ${((gcPauses.other * 1000) / samples).toFixed(3)}\n`,
  );
}
if (args['cpu-profile'] !== undefined) {
  const { profile } = await session!.post('Profiler.stop');
  writeFileSync(args['cpu-profile'], JSON.stringify(profile));
}
if (args['heap-sample'] !== undefined) {
  const { profile } = await session!.post('HeapProfiler.stopSampling');
  writeFileSync(args['heap-sample'], JSON.stringify(profile));
}
session?.disconnect();
const med = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  `median: ${(med(results.map((r) => r.rate)) / 1000).toFixed(0)} k samples/s, ${med(results.map((r) => r.cpuUsPerSample)).toFixed(2)} µs CPU/sample, main ${med(results.map((r) => r.mainUsPerSample)).toFixed(2)} µs/sample\n`,
);
const groups = [...new Set(results.flatMap((r) => [...r.threads.keys()]))];
const millionSamples = samplesOfSteps(measuredSteps) / 1e6;
process.stdout.write(`median by thread (µs CPU/sample): ${groups.map((g) => `${g} ${(med(results.map((r) => r.threads.get(g) ?? 0)) / millionSamples).toFixed(2)}`).join(', ')}\n`);
gcObserver.disconnect();
// Where the memory is at the end, after collections: the bodies built up front are dropped
// first, so what is left is the path's own state (per-series tables, caches, heads).
roundBodies.length = 0;
warm.length = 0;
// With `node --expose-gc`, collected first, so the figures are live state rather than garbage.
(globalThis as { gc?: () => void }).gc?.();
if (args['heap-snapshot'] !== undefined) writeHeapSnapshot(args['heap-snapshot']);
const storeMemory = (await store.stats()).memory;
const mib = (n: number | undefined): string => (n === undefined ? '-' : `${(n / 1048576).toFixed(0)}`);
const own = process.memoryUsage();
process.stdout.write(
  `memory (MiB): process RSS ${mib(own.rss)}, max RSS ${mib(process.resourceUsage().maxRSS * 1024)}; main heap ${mib(own.heapUsed)} of ${mib(own.heapTotal)}, external ${mib(own.external)}` +
    (storeMemory === undefined ? '' : `; store ${Object.entries(storeMemory).map(([k, v]) => `${k} ${mib(v as number)}`).join(', ')}`) +
    '\n',
);
await processor.stop();
await pool.close();
await store.close();
await stream.close();
await rm(dir, { recursive: true, force: true });
