/**
 * The scraping side alone, in one process: a {@link ScrapeScheduler} scraping local targets
 * (the exposition server child) with an appender that does the CPU work of ingestion
 * (`prepareBatch`: series hashes, partition split, stream encoding, compression) and drops the
 * result, so the stream, processor and store are left out. Measures this process' CPU per
 * second over a window: the cost of scraping itself, which the full benchmark (main.ts)
 * mixes with storage.
 *
 *   npm run build && node dist/bench/scrape/loop-cost.js [--targets 1000] [--series 1000]
 *     [--interval 15] [--warmup 20] [--duration 60] [--refs]
 *
 * `--refs` prepares as the scrape engine does on the embedded stream (ADR 0010): with series
 * definitions, each write confirmed at once as if durable, so steady-state writes name their
 * series by ref and skip label encoding and compression.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeriesDefinitions, prepareBatch } from '#pharos/ingest';
import { RuntimeTargetStore, ScrapeScheduler, parseScrapeConfigs, type ScrapeReport } from '#pharos/scrape';
import { freePort } from '../ingest/target-process.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000' },
    series: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '20' },
    duration: { type: 'string', default: '60' },
    refs: { type: 'boolean', default: false },
  },
});
const targets = Number(values.targets);
const series = Number(values.series);
const intervalS = Number(values.interval);


async function main(): Promise<void> {
  const port = await freePort();
  const server = spawn(process.execPath, [join(ROOT, 'dist/bench/scrape/exposition-server.js'), String(port), String(targets), String(series)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'pharos-loop-cost-'));
  let samples = 0;
  let scrapes = 0;
  let failures = 0;
  let scrapeSeconds = 0;
  const lastError = new Map<string, number>();
  const definitions = values.refs ? new SeriesDefinitions() : undefined;
  const scheduler = new ScrapeScheduler({
    appender: {
      append: async (batch) => {
        const prepared = prepareBatch(batch, 4, definitions);
        definitions?.confirm(prepared.definitionTicket);
        samples += prepared.floatSamples;
        return { samplesWritten: prepared.floatSamples, rejected: {} };
      },
    },
    limitsFor: () => ({ maxLabelsPerSeries: 30, maxLabelNameLength: 1024, maxLabelValueLength: 2048 }),
    userAgent: 'pharos-bench',
    offsetSeed: 1,
    runtimeTargets: new RuntimeTargetStore(join(dir, 'targets.json')),
    onReport: (r: ScrapeReport) => {
      scrapes++;
      scrapeSeconds += r.durationSeconds;
      if (!r.up) {
        failures++;
        lastError.set(r.error, (lastError.get(r.error) ?? 0) + 1);
      }
    },
  });
  const addresses = Array.from({ length: targets }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}:${port}`);
  const defaults = { scrapeIntervalMs: intervalS * 1000, scrapeTimeoutMs: Math.min(10, intervalS) * 1000 };
  await scheduler.apply(parseScrapeConfigs([{ job_name: 'bench', static_configs: [{ targets: addresses }] }], defaults, 'bench'), defaults);
  await new Promise((r) => setTimeout(r, Number(values.warmup) * 1000));
  const s0 = samples;
  const n0 = scrapes;
  const d0 = scrapeSeconds;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(values.duration) * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cores = (cpu.user + cpu.system) / 1e6 / elapsed;
  const perS = (samples - s0) / elapsed;
  const row = {
    targets,
    series,
    intervalS,
    refs: values.refs,
    samplesPerS: Math.round(perS),
    expectedPerS: Math.round((targets * series) / intervalS),
    cores: Number(cores.toFixed(3)),
    samplesPerCoreSecond: Math.round(perS / cores),
    meanScrapeMs: Number((((scrapeSeconds - d0) / Math.max(1, scrapes - n0)) * 1000).toFixed(1)),
    failures,
    errors: Object.fromEntries(lastError),
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
  process.stdout.write(JSON.stringify(row, null, 2) + '\n');
  await scheduler.stop();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`loop-cost failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
