/**
 * `npm run bench:ingest`: remote write 1.0 ingest throughput of Pharos, Prometheus and
 * VictoriaMetrics, and Pharos' OTLP intake (gRPC and HTTP protobuf), measured the same way,
 * one target at a time, each a child process in a fresh data directory. Appends a dated
 * section to bench/RESULTS.md.
 *
 *   --targets pharos,prometheus,victoria-metrics   which targets, in this order; also
 *                          pharos-otlp-grpc and pharos-otlp-http (Pharos fed OTLP: compared
 *                          with the `pharos` target, Pharos' own remote write, when both run)
 *   --series 100000        active series (node_exporter-like, ~10 labels); up to 1 M
 *   --senders 8            concurrent senders (each owns a block of the series)
 *   --style live|backfill  live: one sample per series per body, 2,000 per body;
 *                          backfill: 100 series × 20 samples per body
 *   --duration 300         measured window per run, seconds (after --warmup)
 *   --runs 3               runs per target; medians are reported
 *   --warmup 15            seconds of load before the window opens (series creation)
 *   --samples-per-body 2000  live style: series (= samples) per remote-write body
 *   --otlp-batch 8192      data points per OTLP request (the Collector batch processor's
 *                          default send_batch_size); a sender's block should hold at least
 *                          this many series, or its requests are smaller
 *   --inflight 2           requests in flight per sender
 *   --loader-threads N     threads the senders run in (default min(senders, 2))
 *   --ring-mb N            memory for pre-built bodies, all senders of one protocol together;
 *                          default: enough for 1.2 M samples/s (live) or 1.5 M/s (backfill)
 *                          over warm-up + window, at most 8 GiB over all protocols
 *   --max-rate 2000000     the highest samples/s the timestamps must make room for
 *   --drain-timeout 120    seconds to wait, after the window, for stored to catch up
 *   --results FILE         default bench/RESULTS.md; --no-results to only print
 *   --keep-data            keep each run's data directory (printed) for inspection
 *   --json FILE            also write every run's raw figures (with the lag series and the
 *                          freshness probes' latencies) and each target's medians as JSON
 *   --pharos-node-args="…" flags for the node running Pharos (with "=", as they start with
 *                          a dash), e.g. --pharos-node-args="--cpu-prof --cpu-prof-dir=/tmp/p"
 *   --no-freshness         no freshness probe (by default: one probe write per second of the
 *                          window, then series lookups until it is visible; freshness-probe.ts)
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LoadGenerator, type RingSummary } from './load-generator.js';
import { fmtMs, fmtRate, measureRun, type RunResult } from './measure-run.js';
import { appendResults, freshnessVerdict, machineDescription, mediansOf, renderProtocolComparison, renderRatios, renderSection } from './report.js';
import { OTLP_BATCH_POINTS, PROTOCOLS, type IngestProtocol } from './protocols.js';
import { seriesPerHost } from './series.js';
import { DEFAULT_TARGETS, TARGET_NAMES, TARGETS, type TargetName } from './targets.js';
import { planWorkload, senderBlock, type LoadStyle, type Workload } from './workload.js';

/**
 * Bytes on the wire (or, for gRPC, in the ring before grpc-js compresses) per sample, measured
 * on this fleet, to size the default ring: remote write ~25 (live, snappy) and ~10 (backfill);
 * OTLP protobuf ~172 uncompressed (gRPC) and ~13 gzip (HTTP).
 */
const RING_BYTES_PER_SAMPLE: Readonly<Record<IngestProtocol, { live: number; backfill: number }>> = {
  'remote-write': { live: 26, backfill: 10 },
  'otlp-grpc': { live: 175, backfill: 175 },
  'otlp-http': { live: 13, backfill: 13 },
};

// dist/bench/ingest/main.js → the repository root.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: DEFAULT_TARGETS.join(',') },
      series: { type: 'string', default: '100000' },
      senders: { type: 'string', default: '8' },
      style: { type: 'string', default: 'live' },
      duration: { type: 'string', default: '300' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '15' },
      'samples-per-body': { type: 'string', default: '2000' },
      'otlp-batch': { type: 'string', default: String(OTLP_BATCH_POINTS) },
      inflight: { type: 'string', default: '2' },
      'loader-threads': { type: 'string' },
      'ring-mb': { type: 'string' },
      'max-rate': { type: 'string', default: '2000000' },
      'drain-timeout': { type: 'string', default: '120' },
      'sample-interval': { type: 'string', default: '1' },
      results: { type: 'string', default: join(repoRoot, 'bench/RESULTS.md') },
      'no-results': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      'no-freshness': { type: 'boolean', default: false },
      'pharos-node-args': { type: 'string', default: '' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(values[name])}`);
    return n;
  };
  const targets = values.targets.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of targets) {
    if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new Error(`unknown target ${t}; known: ${TARGET_NAMES.join(', ')}`);
  }
  if (values.style !== 'live' && values.style !== 'backfill') throw new Error(`--style must be live or backfill, got ${values.style}`);
  const senders = int('senders', 1);
  return {
    targets: targets as TargetName[],
    series: int('series', 1),
    senders,
    style: values.style as LoadStyle,
    duration: int('duration', 1),
    runs: int('runs', 1),
    warmup: int('warmup', 0),
    seriesPerBody: int('samples-per-body', 1),
    otlpBatch: int('otlp-batch', 1),
    inflight: int('inflight', 1),
    loaderThreads: values['loader-threads'] === undefined ? Math.min(senders, 2) : int('loader-threads', 1),
    ringMiB: values['ring-mb'] === undefined ? undefined : int('ring-mb', 1),
    maxRate: int('max-rate', 1),
    drainTimeout: int('drain-timeout', 0),
    sampleInterval: Number(values['sample-interval']),
    results: values['no-results'] ? undefined : values.results,
    keepData: values['keep-data'],
    freshness: !values['no-freshness'],
    pharosNodeArgs: values['pharos-node-args'].split(' ').filter((a) => a !== ''),
    json: values.json,
  };
}

async function main(): Promise<number> {
  const o = options();
  const startedAt = new Date();
  if (o.series > 1_000_000) log(`warning: ${o.series} series is beyond the 1 M the benchmark is meant for`);
  const skipped: string[] = [];
  const targets = o.targets.filter((name) => {
    const why = TARGETS[name].unavailable(repoRoot);
    if (why !== undefined) {
      skipped.push(`${name}: ${why}`);
      log(`skipping ${name}: ${why}`);
    }
    return why === undefined;
  });
  if (targets.length === 0) {
    log('no target can run');
    return 1;
  }

  log(`machine: ${machineDescription()}`);
  const protocols = PROTOCOLS.filter((p) => targets.some((t) => TARGETS[t].protocol === p));
  const nowMs = Date.now();
  const generators = new Map<IngestProtocol, { workload: Workload; generator: LoadGenerator; ring: RingSummary; text: string }>();
  try {
    for (const protocol of protocols) {
      const workload = planWorkload({
        protocol,
        style: o.style,
        series: o.series,
        senders: o.senders,
        seriesPerBody: protocol === 'remote-write' ? o.seriesPerBody : o.otlpBatch,
        maxRate: o.maxRate,
        seconds: o.warmup + o.duration,
        nowMs,
      });
      const smallest = senderBlock(workload, 0).hi - senderBlock(workload, 0).lo;
      if (protocol !== 'remote-write' && smallest < o.otlpBatch) {
        log(`warning: each sender owns ~${smallest} series, fewer than --otlp-batch ${o.otlpBatch}: OTLP requests are smaller than the batch (fewer --senders or more --series)`);
      }
      // What the bodies take (measured on this fleet), so the ring lasts a whole run at a rate
      // above any target's on this class of machine.
      const budget = Math.min(8 * 2 ** 30, (o.style === 'live' ? 1.2e6 : 1.5e6) * RING_BYTES_PER_SAMPLE[protocol][o.style] * (o.warmup + o.duration));
      const ringBytes = o.ringMiB !== undefined ? o.ringMiB * 2 ** 20 : budget / protocols.length;
      const perBody = `${workload.seriesPerBody} series × ${workload.samplesPerSeries} sample${workload.samplesPerSeries > 1 ? 's' : ''}`;
      log(`building ${protocol} bodies: ${o.series} series (~${seriesPerHost()} per host), ${o.senders} senders, ${perBody} per body, ring ≤ ${(ringBytes / 2 ** 20).toFixed(0)} MiB …`);
      const { generator, ring } = await LoadGenerator.start({ workload, threads: o.loaderThreads, inflight: o.inflight, ringBytes, maxSkewSteps: 2, log });
      const wire = protocol === 'remote-write' ? 'snappy' : protocol === 'otlp-http' ? 'gzip' : 'protobuf, gzip by grpc-js when sent';
      const text =
        `${protocol}: ${(ring.samples / 1e6).toFixed(1)} M samples pre-built in ${(ring.buildMs / 1000).toFixed(1)} s ` +
        `(${(ring.bytes / 2 ** 20).toFixed(0)} MiB ${wire}, ${(ring.bytes / ring.samples).toFixed(1)} B/sample, ` +
        `${ring.steps.min}–${ring.steps.max} steps per sender, i.e. ${(ring.steps.min * workload.samplesPerSeries * 15) / 60} min of data time)`;
      log(text);
      generators.set(protocol, { workload, generator, ring, text });
    }
  } catch (err) {
    await Promise.all([...generators.values()].map((g) => g.generator.close()));
    throw err;
  }
  const firstWorkload = generators.values().next().value!.workload;
  const hoursInPast = (Date.now() - firstWorkload.startMs) / 3_600_000;

  const byTarget = new Map<string, RunResult[]>(targets.map((t) => [t, []]));
  try {
    // Rounds rather than all runs of one target back to back: on a shared machine, a burst of
    // someone else's work then hits one run of each target instead of every run of one.
    for (let run = 1; run <= o.runs; run++) {
      for (const name of targets) {
        log(`${name}, run ${run}/${o.runs}`);
        const def = TARGETS[name];
        const r = await measureRun(def, run, generators.get(def.protocol)!.generator, {
          warmupSeconds: o.warmup,
          durationSeconds: o.duration,
          sampleIntervalSeconds: o.sampleInterval,
          drainTimeoutSeconds: o.drainTimeout,
          freshness: o.freshness,
          keepData: o.keepData,
          repoRoot,
          pharosNodeArgs: o.pharosNodeArgs,
          log,
        });
        byTarget.get(name)!.push(r);
      }
    }
  } finally {
    await Promise.all([...generators.values()].map((g) => g.generator.close()));
  }

  const versions: Record<string, string> = {};
  for (const t of targets) versions[t] = TARGETS[t].version(repoRoot);
  const section = renderSection(
    {
      startedAt,
      title: protocols.map((p) => (p === 'remote-write' ? 'remote write 1.0' : p === 'otlp-grpc' ? 'OTLP/gRPC' : 'OTLP/HTTP')).join(', '),
      settings:
        `--targets ${targets.join(',')} --series ${o.series} --senders ${o.senders} --style ${o.style} --duration ${o.duration} ` +
        `--runs ${o.runs} --warmup ${o.warmup} --inflight ${o.inflight} --loader-threads ${o.loaderThreads}` +
        (o.style === 'live' ? ` --samples-per-body ${o.seriesPerBody}` : '') +
        (protocols.some((p) => p !== 'remote-write') ? ` --otlp-batch ${o.otlpBatch}` : '') +
        ` --max-rate ${o.maxRate}` +
        (o.ringMiB !== undefined ? ` --ring-mb ${o.ringMiB}` : '') +
        (o.freshness ? '' : ' --no-freshness') +
        (o.pharosNodeArgs.length > 0 ? ` --pharos-node-args="${o.pharosNodeArgs.join(' ')}"` : ''),
      ring: [...generators.values()].map((g) => g.text).join('; '),
      versions,
      skipped,
      notes: [
        'Load generator on the same machine (its CPU is the "loader" column); "other" is CPU used by everything else on the machine during the window.',
        ...(protocols.some((p) => p !== 'remote-write')
          ? [
              'OTLP: the same series and values as the remote-write load, one `ResourceMetrics` per host (`service.name`, `service.instance.id`), the other labels as data-point attributes, counters as cumulative monotonic sums, the rest as gauges; protobuf, gzip. OTLP/HTTP bodies are gzipped before the clock starts (like remote write\'s snappy); OTLP/gRPC bodies are compressed by the `@grpc/grpc-js` client per call (its cost is in the loader column). One gRPC channel per sender, unary `Export` calls. The freshness probe writes remote write on the main port for every Pharos target.',
            ]
          : []),
        `Data timestamps start ${hoursInPast.toFixed(1)} h in the past (at the start of the invocation) and advance one 15 s scrape per step, faster than real time.`,
        ...(o.freshness
          ? [
              'Freshness probe: once per second of the window the bench (main thread, own keep-alive connections) writes one sample of a new series `pharos_bench_freshness{probe="<run>-<n>"}`, timestamped at the data time the load has reached, then polls `/api/v1/series` every 25 ms until it is listed; its ~1 write + 40 lookups/s are beside the load, not part of it.',
            ]
          : []),
        ...(o.duration < 300 || o.runs < 3 ? ['Shorter than the reference setting (5-minute windows, 3 runs): indicative figures.'] : []),
      ],
    },
    byTarget,
  );
  log('');
  log(section);
  for (const [t, runs] of byTarget) {
    const ok = runs.filter((r) => r.error === undefined);
    log(`${t}: stored ${ok.map((r) => fmtRate(r.storedRate)).join(', ')}`);
    const fresh = mediansOf(runs).freshness;
    if (!Number.isNaN(fresh.p50Ms)) {
      log(`${t}: freshness (medians) p50 ${fmtMs(fresh.p50Ms)}, p99 ${fmtMs(fresh.p99Ms)}, max ${fmtMs(fresh.maxMs)}, ${fresh.overBound} over 2 s`);
    }
  }
  const verdict = freshnessVerdict(byTarget.get('pharos'));
  if (verdict !== undefined) log(verdict.replaceAll('**', ''));
  for (const line of renderRatios(byTarget)) log(line);
  for (const line of renderProtocolComparison(byTarget)) log(line);
  if (o.json !== undefined) {
    // Infinity (a freshness probe never seen within 30 s) is written as null.
    const medians = Object.fromEntries([...byTarget].map(([t, runs]) => [t, mediansOf(runs)]));
    const loads = Object.fromEntries([...generators].map(([p, g]) => [p, { workload: g.workload, ring: g.ring }]));
    writeFileSync(o.json, JSON.stringify({ startedAt, settings: o, loads, runs: Object.fromEntries(byTarget), medians }, null, 1));
    log(`raw figures in ${o.json}`);
  }
  if (o.results !== undefined) {
    appendResults(o.results, section);
    log(`appended to ${o.results}`);
  }
  const failed = [...byTarget.values()].flat().some((r) => r.error !== undefined);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:ingest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
