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
 *
 * (`--cpu-prof` in NODE_OPTIONS profiles the decode worker as well.) Bodies are built before
 * the clock starts, with the fleet and value model of `npm run bench:ingest` (live style:
 * 2,000 series × one sample per body). The first `--warmup-steps` create the series and are
 * not measured; a series' bodies are sent in order, `--inflight` bodies at a time overall.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '#pharos/config';
import { IngestDecodePool, MetricIngestor } from '#pharos/ingest';
import { METRICS_TOPIC } from '#pharos/metric-model';
import { OtlpDecoder } from '#pharos/otlp';
import { MetricsProcessor } from '#pharos/processor';
import { DuckDBMetricStore } from '#pharos/storage';
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
    protocol: { type: 'string', default: 'remote-write' },
  },
  strict: true,
});
const int = (name: keyof typeof args, min: number): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(args[name])}`);
  return n;
};
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
const store = await DuckDBMetricStore.open({ dir: join(dir, 'metrics'), defaultRetentionMs: config.storage.metrics.retentionMs });
const processor = new MetricsProcessor({
  stream,
  store,
  metrics,
  logger,
  batchMaxSamples: config.processor.batchMaxSamples,
  batchMaxWaitMs: config.processor.batchMaxWaitMs,
  flushIntervalMs: config.processor.flushIntervalMs,
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

const measuredSteps = STEPS - WARMUP;
process.stdout.write(`pipeline: ${PROTOCOL}, ${SERIES} series, ${slices} bodies a step, ${WARMUP} warm-up + ${measuredSteps} measured steps × ${ROUNDS} rounds, ${WORKERS} decode workers, ${INFLIGHT} in flight\n`);
let sent = 0;
const warm = buildBodies(0, WARMUP);
await send(warm, 0);
sent += samplesOfSteps(WARMUP);
await waitStored(sent);
const results: { rate: number; cpuUsPerSample: number; mainUsPerSample: number }[] = [];
let session: Session | undefined;
if (args['heap-sample'] !== undefined) {
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true });
}
for (let round = 0; round < ROUNDS; round++) {
  const first = WARMUP + round * measuredSteps;
  const bodies = buildBodies(first, first + measuredSteps);
  const samples = samplesOfSteps(measuredSteps);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await send(bodies, first);
  sent += samples;
  await waitStored(sent);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = { rate: samples / wall, cpuUsPerSample: (cpuSeconds * 1e6) / samples, mainUsPerSample: (elu.active * 1000) / samples };
  results.push(result);
  process.stdout.write(
    `round ${round + 1}: ${samples} samples in ${wall.toFixed(2)} s = ${(result.rate / 1000).toFixed(0)} k samples/s stored; ` +
      `process CPU ${cpuSeconds.toFixed(2)} s (${(cpuSeconds / wall).toFixed(2)} cores) = ${result.cpuUsPerSample.toFixed(2)} µs/sample; ` +
      `main thread busy ${result.mainUsPerSample.toFixed(2)} µs/sample\n`,
  );
}
if (session !== undefined) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(args['heap-sample']!, JSON.stringify(profile));
  session.disconnect();
}
const med = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  `median: ${(med(results.map((r) => r.rate)) / 1000).toFixed(0)} k samples/s, ${med(results.map((r) => r.cpuUsPerSample)).toFixed(2)} µs CPU/sample, main ${med(results.map((r) => r.mainUsPerSample)).toFixed(2)} µs/sample\n`,
);
await processor.stop();
await pool.close();
await store.close();
await stream.close();
await rm(dir, { recursive: true, force: true });
