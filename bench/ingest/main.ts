/**
 * `npm run bench:ingest`: remote write 1.0 ingest throughput of Pharos, Prometheus and
 * VictoriaMetrics, measured the same way, one target at a time, each a child process in a
 * fresh data directory. Appends a dated section to bench/RESULTS.md.
 *
 *   --targets pharos,prometheus,victoria-metrics   which targets, in this order
 *   --series 100000        active series (node_exporter-like, ~10 labels); up to 1 M
 *   --senders 8            concurrent senders (each owns a block of the series)
 *   --style live|backfill  live: one sample per series per body, 2,000 per body;
 *                          backfill: 100 series × 20 samples per body
 *   --duration 300         measured window per run, seconds (after --warmup)
 *   --runs 3               runs per target; medians are reported
 *   --warmup 15            seconds of load before the window opens (series creation)
 *   --samples-per-body 2000  live style: series (= samples) per body
 *   --inflight 2           requests in flight per sender
 *   --loader-threads N     threads the senders run in (default min(senders, 2))
 *   --ring-mb N            memory for pre-built bodies, all senders together; default:
 *                          enough for 1.2 M samples/s (live) or 1.5 M/s (backfill) over
 *                          warm-up + window, at most 8 GiB
 *   --max-rate 2000000     the highest samples/s the timestamps must make room for
 *   --drain-timeout 120    seconds to wait, after the window, for stored to catch up
 *   --results FILE         default bench/RESULTS.md; --no-results to only print
 *   --keep-data            keep each run's data directory (printed) for inspection
 *   --json FILE            also write every run's raw figures (with the lag series and the
 *                          freshness probes' latencies) and each target's medians as JSON
 *   --no-freshness         no freshness probe (by default: one probe write per second of the
 *                          window, then series lookups until it is visible; freshness-probe.ts)
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LoadGenerator } from './load-generator.js';
import { fmtMs, fmtRate, measureRun, type RunResult } from './measure-run.js';
import { appendResults, freshnessVerdict, machineDescription, mediansOf, renderRatios, renderSection } from './report.js';
import { seriesPerHost } from './series.js';
import { TARGET_NAMES, TARGETS, type TargetName } from './targets.js';
import { planWorkload, type LoadStyle } from './workload.js';

// dist/bench/ingest/main.js → the repository root.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: TARGET_NAMES.join(',') },
      series: { type: 'string', default: '100000' },
      senders: { type: 'string', default: '8' },
      style: { type: 'string', default: 'live' },
      duration: { type: 'string', default: '300' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '15' },
      'samples-per-body': { type: 'string', default: '2000' },
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
    inflight: int('inflight', 1),
    loaderThreads: values['loader-threads'] === undefined ? Math.min(senders, 2) : int('loader-threads', 1),
    ringMiB: values['ring-mb'] === undefined ? undefined : int('ring-mb', 1),
    maxRate: int('max-rate', 1),
    drainTimeout: int('drain-timeout', 0),
    sampleInterval: Number(values['sample-interval']),
    results: values['no-results'] ? undefined : values.results,
    keepData: values['keep-data'],
    freshness: !values['no-freshness'],
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
  const workload = planWorkload({
    style: o.style,
    series: o.series,
    senders: o.senders,
    seriesPerBody: o.seriesPerBody,
    maxRate: o.maxRate,
    seconds: o.warmup + o.duration,
    nowMs: Date.now(),
  });
  const hoursInPast = (Date.now() - workload.startMs) / 3_600_000;
  // What the bodies take on the wire (measured: ~25 B/sample live, ~10 backfill), so the ring
  // lasts a whole run at a rate above any peer's on this class of machine.
  const ringBytes =
    o.ringMiB !== undefined
      ? o.ringMiB * 2 ** 20
      : Math.min(8 * 2 ** 30, (o.style === 'live' ? 1.2e6 * 26 : 1.5e6 * 10) * (o.warmup + o.duration));
  const perBody = `${workload.seriesPerBody} series × ${workload.samplesPerSeries} sample${workload.samplesPerSeries > 1 ? 's' : ''}`;
  log(`building bodies: ${o.series} series (~${seriesPerHost()} per host), ${o.senders} senders, ${perBody} per body, ring ≤ ${(ringBytes / 2 ** 20).toFixed(0)} MiB …`);
  const { generator, ring } = await LoadGenerator.start({
    workload,
    threads: o.loaderThreads,
    inflight: o.inflight,
    ringBytes,
    maxSkewSteps: 2,
    log,
  });
  const ringText =
    `${(ring.samples / 1e6).toFixed(1)} M samples pre-built in ${(ring.buildMs / 1000).toFixed(1)} s ` +
    `(${(ring.bytes / 2 ** 20).toFixed(0)} MiB snappy, ${(ring.bytes / ring.samples).toFixed(1)} B/sample on the wire, ` +
    `${ring.steps.min}–${ring.steps.max} steps per sender, i.e. ${(ring.steps.min * workload.samplesPerSeries * 15) / 60} min of data time)`;
  log(ringText);

  const byTarget = new Map<string, RunResult[]>(targets.map((t) => [t, []]));
  try {
    // Rounds rather than all runs of one target back to back: on a shared machine, a burst of
    // someone else's work then hits one run of each target instead of every run of one.
    for (let run = 1; run <= o.runs; run++) {
      for (const name of targets) {
        log(`${name}, run ${run}/${o.runs}`);
        const r = await measureRun(TARGETS[name], run, generator, {
          warmupSeconds: o.warmup,
          durationSeconds: o.duration,
          sampleIntervalSeconds: o.sampleInterval,
          drainTimeoutSeconds: o.drainTimeout,
          freshness: o.freshness,
          keepData: o.keepData,
          repoRoot,
          log,
        });
        byTarget.get(name)!.push(r);
      }
    }
  } finally {
    await generator.close();
  }

  const versions: Record<string, string> = {};
  for (const t of targets) versions[t] = TARGETS[t].version(repoRoot);
  const section = renderSection(
    {
      startedAt,
      settings:
        `--targets ${targets.join(',')} --series ${o.series} --senders ${o.senders} --style ${o.style} --duration ${o.duration} ` +
        `--runs ${o.runs} --warmup ${o.warmup} --inflight ${o.inflight} --loader-threads ${o.loaderThreads}` +
        (o.style === 'live' ? ` --samples-per-body ${o.seriesPerBody}` : '') +
        (o.freshness ? '' : ' --no-freshness'),
      ring: ringText,
      versions,
      skipped,
      notes: [
        'Load generator on the same machine (its CPU is the "loader" column); "other" is CPU used by everything else on the machine during the window.',
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
  if (o.json !== undefined) {
    // Infinity (a freshness probe never seen within 30 s) is written as null.
    const medians = Object.fromEntries([...byTarget].map(([t, runs]) => [t, mediansOf(runs)]));
    writeFileSync(o.json, JSON.stringify({ startedAt, settings: o, workload, ring, runs: Object.fromEntries(byTarget), medians }, null, 1));
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
