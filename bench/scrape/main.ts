/**
 * Scrape benchmark: Pharos (all roles, the built binary) scraping N local targets of M series
 * each at a fixed interval, as the target states it (1,000 × 1,000 at 15 s with less
 * than one core). Reports, over a measured window after a warm-up: samples scraped and stored
 * per second, Pharos' CPU in cores (whole process: scrape loops, ingestion, stream, processor
 * and store), peak RSS, scrape latency and failed scrapes. Appends a section to
 * bench/RESULTS.md.
 *
 *   npm run build && node dist/bench/scrape/main.js [--targets 1000] [--series 1000]
 *     [--interval 15] [--warmup 30] [--duration 120] [--no-results]
 *     [--pharos-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *
 * The window opens after `--warmup` seconds *and* once every target has been scraped at least
 * twice (the first scrape of a target creates its series, which costs more than the steady
 * state the target is about). Scrape latency is read from Pharos' own
 * `pharos_scrape_duration_seconds` histogram over the window (p50/p99 interpolated within
 * buckets, as `histogram_quantile` does); "stored" is the processor's count of samples
 * appended to the store, "scraped" the collector's count of samples kept after relabeling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, machineBusySeconds, peakRssBytes, processTree, rssBytes } from '../ingest/process-stats.js';
import { appendResults, machineDescription } from '../ingest/report.js';
import { freePort } from '../ingest/target-process.js';
import { windowQuantile } from './histogram-window.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000' },
    series: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '30' },
    duration: { type: 'string', default: '120' },
    'no-results': { type: 'boolean', default: false },
    'pharos-node-args': { type: 'string', default: '' },
  },
  strict: true,
});
const targets = Number(values.targets);
const series = Number(values.series);
const intervalS = Number(values.interval);
const warmupS = Number(values.warmup);
const durationS = Number(values.duration);
for (const [name, n] of [['targets', targets], ['series', series], ['interval', intervalS], ['warmup', warmupS], ['duration', durationS]] as const) {
  if (!Number.isFinite(n) || n < 0 || (name !== 'warmup' && n === 0)) throw new Error(`--${name} must be a positive number, got ${String(values[name])}`);
}
/** Extra flags for Pharos' node (e.g. `--cpu-prof`), split on spaces. */
const pharosNodeArgs = values['pharos-node-args'].split(' ').filter((a) => a !== '');
/** Longest wait for every target to have been scraped twice, beyond `--warmup`. */
const WARMUP_LIMIT_S = 600;


function addressOf(i: number): string {
  return `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

async function waitFor(child: ChildProcess, text: string, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out.slice(-2000)}`)), 120_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${out.slice(-2000)}`)));
  });
}

interface Scraped {
  /** Samples kept after relabeling (the collector's count). */
  scraped: number;
  /** Samples accepted into the stream from scrapes. */
  ingested: number;
  /** Samples the processor appended to the store (every protocol; only scrapes run here). */
  stored: number;
  scrapes: number;
  failures: number;
  durationSum: number;
  /** Records in the stream the processor has not appended yet (it falls behind when this grows). */
  lag: number;
  /** Cumulative counts of `pharos_scrape_duration_seconds` by upper bound (`le`). */
  buckets: Map<number, number>;
}

/** Reads Pharos' own counters for scraping. */
async function scrapeCounters(url: string): Promise<Scraped> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^pharos_scrape_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm)) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return {
    scraped: sum(/^pharos_scrape_samples_total\{[^}]*\} (\S+)$/gm),
    ingested: sum(/^pharos_ingest_samples_total\{[^}]*protocol="prometheus_scrape"[^}]*\} (\S+)$/gm),
    stored: sum(/^pharos_processor_appended_samples_total(?:\{[^}]*\})? (\S+)$/gm),
    scrapes: sum(/^pharos_scrape_scrapes_total\{[^}]*\} (\S+)$/gm),
    failures: sum(/^pharos_scrape_scrapes_total\{[^}]*result="failure"[^}]*\} (\S+)$/gm),
    durationSum: sum(/^pharos_scrape_duration_seconds_sum\{[^}]*\} (\S+)$/gm),
    lag: sum(/^pharos_stream_lag_records\{[^}]*\} (\S+)$/gm),
    buckets,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-scrape-'));
  const targetPort = await freePort();
  const server = spawn(process.execPath, [join(ROOT, 'dist/bench/scrape/exposition-server.js'), String(targetPort), String(targets), String(series)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pharos: ChildProcess | undefined;
  try {
    await waitFor(server, 'ready', 'the exposition server');
    const addresses = Array.from({ length: targets }, (_, i) => `'${addressOf(i)}:${targetPort}'`);
    const config = join(dir, 'pharos.yaml');
    writeFileSync(config, `scrape:\n  interval: ${intervalS}s\n  timeout: ${Math.min(10, intervalS)}s\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: [${addresses.join(', ')}]\n`);
    const port = await freePort();
    pharos = spawn(process.execPath, [...pharosNodeArgs, join(ROOT, 'bin/pharos.js'), 'start', '--config', config, '--data-dir', join(dir, 'data'), '--http-port', String(port), '--http-address', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No OTLP listeners: their default ports may be taken by another Pharos on the machine.
      env: { ...process.env, PHAROS_LOG_LEVEL: 'warn', PHAROS_OTLP_GRPC_PORT: '-1', PHAROS_OTLP_HTTP_PORT: '-1' },
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (pharos.exitCode !== null) throw new Error(`pharos exited with ${pharos.exitCode}`);
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('pharos not ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stderr.write(`pharos up; warming up ≥ ${warmupS} s, until every target was scraped twice (${targets} targets × ${series} series every ${intervalS} s)…\n`);
    const warmupStarted = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const waited = (performance.now() - warmupStarted) / 1000;
      const c = await scrapeCounters(url);
      if (waited >= warmupS && c.scrapes >= 2 * targets) break;
      if (waited > WARMUP_LIMIT_S) throw new Error(`only ${c.scrapes} scrapes (${c.failures} failed) of ${targets} targets after ${WARMUP_LIMIT_S} s`);
    }
    const warmupTook = (performance.now() - warmupStarted) / 1000;

    const pids = processTree(pharos.pid!);
    const cpu0 = cpuSeconds(pids);
    const busy0 = machineBusySeconds();
    const serverCpu0 = cpuSeconds([server.pid!]);
    const c0 = await scrapeCounters(url);
    const t0 = performance.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(processTree(pharos!.pid!)))), 1000);
    await new Promise((r) => setTimeout(r, durationS * 1000));
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const c1 = await scrapeCounters(url);
    const cores = (cpuSeconds(processTree(pharos.pid!)) - cpu0) / elapsed;
    const serverCores = (cpuSeconds([server.pid!]) - serverCpu0) / elapsed;
    const otherCores = Math.max(0, (machineBusySeconds() - busy0) / elapsed - cores - serverCores);
    peakRss = Math.max(peakRss, peakRssBytes(pharos.pid!));
    const scrapedPerS = (c1.scraped - c0.scraped) / elapsed;
    const storedPerS = (c1.stored - c0.stored) / elapsed;
    const scrapes = c1.scrapes - c0.scrapes;
    const expectedPerS = (targets * series) / intervalS;
    const row = {
      targets,
      series,
      intervalS,
      warmupSeconds: warmupTook,
      scrapesPerS: scrapes / elapsed,
      failed: c1.failures - c0.failures,
      scrapedPerS,
      ingestedPerS: (c1.ingested - c0.ingested) / elapsed,
      storedPerS,
      lagAtStart: c0.lag,
      lagAtEnd: c1.lag,
      expectedPerS,
      cores,
      perCore: storedPerS / cores,
      meanScrapeMs: scrapes > 0 ? ((c1.durationSum - c0.durationSum) / scrapes) * 1000 : NaN,
      p50ScrapeMs: windowQuantile(0.5, c0.buckets, c1.buckets) * 1000,
      p99ScrapeMs: windowQuantile(0.99, c0.buckets, c1.buckets) * 1000,
      peakRssMiB: peakRss / 2 ** 20,
      serverCores,
      otherCores,
    };
    process.stdout.write(JSON.stringify(row, null, 2) + '\n');
    const n = (x: number): string => Math.round(x).toLocaleString('en-US');
    // Under one core only counts if the schedule was kept and the store kept up: a CPU-starved
    // Pharos scrapes late and less often, and a processor that falls behind defers its work,
    // and either way uses less CPU than the full rate takes.
    const scheduledShare = (scrapes / elapsed) * (intervalS / targets);
    const storedShare = scrapedPerS > 0 ? storedPerS / scrapedPerS : 0;
    const problems: string[] = [];
    if (scheduledShare < 0.95) problems.push(`only ${(scheduledShare * 100).toFixed(0)} % of the scheduled scrapes ran`);
    if (storedShare < 0.95) problems.push(`the store appended only ${(storedShare * 100).toFixed(0)} % of what was scraped (stream lag ${n(c0.lag)} → ${n(c1.lag)} records)`);
    const verdict =
      problems.length === 0
        ? `${cores < 1 ? 'met' : '**not met**'} (${cores.toFixed(2)} cores)`
        : `**not judged**: ${problems.join('; ')}, so the ${cores.toFixed(2)} cores measured are not those of the full rate` +
          (problems.length === 1 && storedShare >= 0.95 ? ` (at ${n(row.perCore)} stored samples/s per core the full rate would take ${(expectedPerS / row.perCore).toFixed(2)} cores)` : '');
    const section = [
      `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — scrape`,
      '',
      `- Machine: ${machineDescription()}`,
      `- Settings: --targets ${targets} --series ${series} --interval ${intervalS} --warmup ${warmupS} --duration ${durationS}` +
        (pharosNodeArgs.length > 0 ? ` --pharos-node-args="${pharosNodeArgs.join(' ')}"` : '') +
        `; targets are local HTTP servers (one process, own CPU column) serving gzipped text exposition, 20 families with HELP/TYPE, 3 labels per series`,
      `- Window opened after ${warmupTook.toFixed(0)} s, once every target had been scraped at least twice.`,
      '- Pharos: the built binary, every role in one process (scrape loops, ingestion, embedded stream, processor, DuckDB store); its CPU is the whole process. "Scraped" is `pharos_scrape_samples_total`, "stored" `pharos_processor_appended_samples_total`; scrape latency (fetch + parse) from `pharos_scrape_duration_seconds` over the window.',
      '- "other CPU" is everything else on the (shared) machine during the window.',
      '',
      '| targets × series | interval | scrapes/s | failed scrapes | samples scraped/s | samples stored/s | expected samples/s | stream lag start → end (records) | Pharos CPU (cores) | stored samples/s per core | scrape p50 / p99 / mean (ms) | peak RSS (MiB) | target servers CPU | other CPU |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${targets} × ${series} | ${intervalS} s | ${row.scrapesPerS.toFixed(1)} | ${row.failed} | ${n(scrapedPerS)} | ${n(storedPerS)} | ${n(expectedPerS)} | ${n(c0.lag)} → ${n(c1.lag)} | ${cores.toFixed(2)} | ${n(row.perCore)} | ${row.p50ScrapeMs.toFixed(1)} / ${row.p99ScrapeMs.toFixed(1)} / ${row.meanScrapeMs.toFixed(1)} | ${row.peakRssMiB.toFixed(0)} | ${serverCores.toFixed(2)} | ${otherCores.toFixed(2)} |`,
      '',
      `Target (issue 4): ${targets * series >= 1_000_000 && intervalS === 15 ? '' : '(not the reference size) '}1,000 × 1,000 at 15 s with less than one core: ${verdict}.`,
    ].join('\n');
    if (!values['no-results']) appendResults(join(ROOT, 'bench/RESULTS.md'), section);
    process.stdout.write('\n' + section + '\n');
  } finally {
    pharos?.kill('SIGTERM');
    await new Promise((r) => (pharos && pharos.exitCode === null ? pharos.once('exit', r) : r(undefined)));
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scrape failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
