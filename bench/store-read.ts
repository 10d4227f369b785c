/**
 * CPU cost of the metric store's cold read path, measured in process so the other work on a
 * shared machine disturbs it little: `select` over 24 h of ~1,000 series (every raw sample,
 * as a cold 24 h panel reads them), the refresh tail (the newest step's window only), and a
 * cold `sum(rate(node_cpu_seconds_total[5m]))` (every host's CPU counters) through the PromQL
 * engine (no result cache).
 *
 *   npm run build && node dist/bench/store-read.js [--dir DIR] [--fleet 4200] [--reps 5]
 *
 * Data: the query benchmark's fleet (node_exporter-like counters in hundredths, byte and
 * integer gauges, constants, classic histograms) plus 50 full-precision float gauges on the
 * first host (XOR-coded chunks), scraped every 15 s for the 24 h before now, appended in time
 * order five minutes at a time with a flush after each, as the processor writes. The store
 * is kept in `--dir` (with `bench-meta.json`) and reused by later runs, so two builds can be
 * compared on the same bytes: run the old and the new build alternately.
 *
 * CPU is `process.cpuUsage()` (user + system, every thread of the process: DuckDB's workers
 * too) around each call; each figure is the median of `--reps` calls after one warm-up.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricBatchBuilder, type LabelMatcher } from '#pharos/metric-model';
import { PromQLEngine } from '#pharos/promql';
import { DuckDBMetricStore } from '#pharos/storage';
import { grafanaStepMs } from './query/dashboard.js';
import { buildQueryFleet, SCRAPE_INTERVAL_MS, type QuerySeries } from './query/workload.js';

const TENANT = 'bench';
const DAY_MS = 86_400_000;
const SCRAPES = DAY_MS / SCRAPE_INTERVAL_MS;
/** Scrapes appended per batch (five minutes), each batch followed by a flush. */
const SCRAPES_PER_BATCH = 20;
const XOR_SERIES = 50;
const HOST0 = 'node-00000.eu-west-1.internal:9100';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const FLEET = Number(arg('fleet', '4200'));
const REPS = Number(arg('reps', '5'));
const DIR_ARG = arg('dir', '');

interface Meta {
  readonly fleet: number;
  readonly startMs: number;
  readonly samples: number;
}

function fleetWithFloats(count: number): QuerySeries[] {
  const fleet = buildQueryFleet(count);
  const host0 = fleet.find((s) => s.labels.includes('instance'))!;
  const instance = host0.labels[host0.labels.indexOf('instance') + 1]!;
  if (instance !== HOST0) throw new Error(`the fleet's first host is ${instance}, expected ${HOST0}`);
  for (let i = 0; i < XOR_SERIES; i++) {
    const phase = i * 0.37;
    // Full-precision doubles: not decimal at any exponent, so their chunks use XOR coding.
    fleet.push({
      labels: ['__name__', 'node_hwmon_temp_celsius', 'instance', HOST0, 'job', 'node', 'sensor', `temp${i}`],
      value: (step) => 40 + 5 * Math.sin(step / 40 + phase) + Math.cos(step * 0.7 + i) / 3,
    });
  }
  return fleet;
}

async function fill(dir: string): Promise<Meta> {
  const fleet = fleetWithFloats(FLEET);
  const startMs = Math.floor((Date.now() - DAY_MS) / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS;
  const store = await DuckDBMetricStore.open({ dir });
  const t0 = performance.now();
  let samples = 0;
  for (let first = 0; first < SCRAPES; first += SCRAPES_PER_BATCH) {
    const last = Math.min(SCRAPES, first + SCRAPES_PER_BATCH);
    const b = new MetricBatchBuilder(TENANT, fleet.length, fleet.length * (last - first));
    for (const s of fleet) {
      b.addSeries(s.labels);
      for (let k = first; k < last; k++) b.addSample(startMs + k * SCRAPE_INTERVAL_MS, s.value(k));
    }
    samples += (await store.append(b.build())).samplesStored;
    await store.flush();
  }
  await store.checkpoint();
  await store.close();
  console.log(`filled ${dir}: ${fleet.length} series, ${samples} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const meta: Meta = { fleet: FLEET, startMs, samples };
  await writeFile(join(dir, 'bench-meta.json'), JSON.stringify(meta));
  return meta;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Runs `f` once to warm up, then `REPS` times; medians of CPU and wall time and `f`'s last count. */
async function measure(f: () => Promise<number>, reps = REPS): Promise<{ cpu: number; wall: number; count: number }> {
  let count = await f();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    count = await f();
    wall.push(performance.now() - w0);
    cpu.push(cpuMs(c0));
  }
  return { cpu: median(cpu), wall: median(wall), count };
}

async function main(): Promise<void> {
  let dir = DIR_ARG;
  let temporary = false;
  if (dir === '') {
    dir = await mkdtemp(join(tmpdir(), 'pharos-store-read-'));
    temporary = true;
  }
  await mkdir(dir, { recursive: true });
  const metaFile = join(dir, 'bench-meta.json');
  const meta: Meta = existsSync(metaFile) ? (JSON.parse(await readFile(metaFile, 'utf8')) as Meta) : await fill(dir);
  if (meta.fleet !== FLEET) throw new Error(`${dir} holds a fleet of ${meta.fleet} series, not ${FLEET}; use another --dir`);
  if (meta.startMs < Date.now() - 14 * DAY_MS) throw new Error(`${dir} holds data older than the default retention; delete it`);
  const endMs = meta.startMs + DAY_MS - SCRAPE_INTERVAL_MS;

  const store = await DuckDBMetricStore.open({ dir });
  try {
    const matchers: LabelMatcher[] = [{ name: 'instance', type: '=', value: HOST0 }];
    const select = async (start: number, end: number): Promise<number> => {
      let n = 0;
      for await (const s of store.select({ tenant: TENANT, matchers, start, end })) n += s.timestamps.length;
      return n;
    };
    let seriesCount = 0;
    for await (const _ of store.select({ tenant: TENANT, matchers, start: endMs - 60_000, end: endMs })) seriesCount++;

    const cold = await measure(() => select(meta.startMs, endMs));
    console.log(
      `select 24 h, ${seriesCount} series, ${cold.count} samples: CPU ${cold.cpu.toFixed(1)} ms (${((cold.cpu * 1e6) / cold.count).toFixed(1)} ns/sample), wall ${cold.wall.toFixed(1)} ms`,
    );

    const stepMs = grafanaStepMs(DAY_MS);
    // A refresh evaluates the newest step: its rate window (5 m) and one step before it.
    const tail = await measure(() => select(endMs - 300_000 - stepMs, endMs), 3 * REPS);
    console.log(
      `select refresh tail (${(300_000 + stepMs) / 1000} s), ${tail.count} samples: CPU ${tail.cpu.toFixed(2)} ms (${((tail.cpu * 1e6) / seriesCount).toFixed(0)} ns/series), wall ${tail.wall.toFixed(2)} ms`,
    );

    const engine = new PromQLEngine({ store });
    // Every host's CPU counters (rate drops the name, so one host's mixed families would collide).
    const query = 'sum(rate(node_cpu_seconds_total[5m]))';
    const request = { tenant: TENANT, query, startMs: endMs - DAY_MS + stepMs, endMs, stepMs };
    const sumRate = await measure(async () => {
      const r = await engine.rangeQuery(request);
      if (r.value.resultType !== 'matrix' || r.value.series.length !== 1) throw new Error(`${query}: unexpected result`);
      return r.value.series[0]!.values.length;
    });
    console.log(`${query} 24 h @ ${stepMs / 1000} s (${sumRate.count} points): CPU ${sumRate.cpu.toFixed(1)} ms, wall ${sumRate.wall.toFixed(1)} ms`);
  } finally {
    await store.close();
    if (temporary) await rm(dir, { recursive: true, force: true });
  }
}

await main();
