/**
 * CPU cost of 7 d panels read raw and from rollups (`max_source_resolution`, ADR 0017),
 * measured in process so other work on a shared machine disturbs it little:
 * `sum(rate(x_total[10m15s]))` and `avg_over_time(g[10m15s])` over `--series` series each, at
 * a 10 m step (Grafana's step and `$__rate_interval` for a 7 d panel at 15 s scrapes), through
 * the PromQL engine without the result cache.
 *
 *   npm run build && node dist/bench/query/downsample-cpu.js [--dir DIR] [--series 1000] [--reps 7]
 *     [--resolutions 0,300000,3600000] [--queries sum,avg] [--store-thread]
 *
 * `--store-thread` reads through the store as the platform runs it (ADR 0018): the DuckDB
 * store on a worker thread of its own (`startStoreThread`), behind `WriteTrackingStore`, so
 * every answer crosses the thread. The CPU figures then cover both threads (the process's).
 *
 * Data: counters rising at a varying rate (with a reset every ~2 days at a per-series phase)
 * and gauges, scraped every 15 s for the 7 d before now, appended in time order an hour at a
 * time with a flush after each, as the processor writes (the store's rollup maintainer keeps
 * 5 m and 1 h rollups as it goes). The store is kept in `--dir` and reused by later runs.
 *
 * Each figure is the median over `--reps` rounds of `process.cpuUsage()` (user + system, every
 * thread: DuckDB's workers too) around one query; rounds alternate raw, 5 m, 1 h after one
 * warm-up of each, so drift on the machine hits all three alike. The answers' relative
 * difference from the raw answer is reported too (when raw is among `--resolutions`), and the
 * SHA-1 of each answer's JSON, so builds can be checked for identical answers. The main
 * thread's own CPU (`process.threadCpuUsage()`) is printed too: with `--store-thread`, the
 * engine's side alone.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { startStoreThread } from '#pharos/processor';
import { PromQLEngine, type QueryResult } from '#pharos/promql';
import { DuckDBMetricStore, WriteTrackingStore, type MetricStore } from '#pharos/storage';

const TENANT = 'bench';
const DAY = 86_400_000;
const SCRAPE = 15_000;
const STEP = 600_000;
const QUERIES: Readonly<Record<string, string>> = { sum: 'sum(rate(x_total[10m15s]))', avg: 'avg_over_time(g[10m15s])' };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

interface Meta {
  readonly series: number;
  readonly endMs: number;
}

async function load(dir: string, series: number): Promise<Meta> {
  const endMs = Math.floor(Date.now() / STEP) * STEP;
  const scrapes = (7 * DAY) / SCRAPE;
  const startMs = endMs - scrapes * SCRAPE;
  const store = await DuckDBMetricStore.open({ dir });
  const totals = new Float64Array(series);
  const perBatch = 3_600_000 / SCRAPE;
  const began = performance.now();
  for (let from = 0; from < scrapes; from += perBatch) {
    const b = new MetricBatchBuilder(TENANT);
    const to = Math.min(scrapes, from + perBatch);
    for (let s = 0; s < series; s++) {
      b.addSeries(['__name__', 'x_total', 'instance', `host-${s}`]);
      for (let i = from; i < to; i++) {
        if ((i + s * 911) % 11_520 === 0) totals[s] = 0;
        totals[s]! += Math.round(100 * (1 + ((s % 7) + 1) * (1.2 + Math.sin(i / 240 + s)))) / 100;
        b.addSample(startMs + i * SCRAPE, totals[s]!);
      }
      b.addSeries(['__name__', 'g', 'instance', `host-${s}`]);
      for (let i = from; i < to; i++) b.addSample(startMs + i * SCRAPE, Math.round(1000 * (50 + 30 * Math.sin(i / 400 + s) + ((i * 7 + s) % 13))) / 1000);
    }
    await store.append(b.build());
    await store.flush();
    if (from % (perBatch * 24) === 0) process.stdout.write(`  day ${from / (perBatch * 24) + 1} of 7 loaded (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
  }
  await store.close();
  const meta = { series, endMs };
  await writeFile(join(dir, 'bench-meta.json'), JSON.stringify(meta));
  return meta;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * This thread's CPU alone (the engine's side when the store has its own thread), so an
 * engine change can be told from the store thread's and DuckDB's noise.
 */
function mainThreadCpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median and largest relative difference of `b`'s points from `a`'s (points both have). */
function difference(a: QueryResult, b: QueryResult): { median: number; worst: number; points: number } {
  if (a.value.resultType !== 'matrix' || b.value.resultType !== 'matrix') throw new Error('expected matrices');
  const errors: number[] = [];
  for (const sa of a.value.series) {
    const key = JSON.stringify(sa.labels);
    const sb = b.value.series.find((s) => JSON.stringify(s.labels) === key);
    if (sb === undefined) continue;
    const at = new Map<number, number>();
    sb.timestamps.forEach((t, i) => at.set(t, sb.values[i]!));
    sa.timestamps.forEach((t, i) => {
      const w = at.get(t);
      if (w !== undefined && sa.values[i] !== 0) errors.push(Math.abs(w - sa.values[i]!) / Math.abs(sa.values[i]!));
    });
  }
  let worst = errors.length ? 0 : Number.NaN;
  for (const e of errors) if (e > worst) worst = e;
  return { median: errors.length ? median(errors) : Number.NaN, worst, points: errors.length };
}

async function main(): Promise<void> {
  const series = Number(arg('series', '1000'));
  const reps = Number(arg('reps', '7'));
  const resolutions = arg('resolutions', '0,300000,3600000').split(',').map(Number);
  if (resolutions.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`--resolutions wants milliseconds (0 = raw), got ${arg('resolutions', '')}`);
  const queries = arg('queries', 'sum,avg')
    .split(',')
    .map((q) => {
      const query = QUERIES[q];
      if (query === undefined) throw new Error(`--queries: unknown "${q}" (known: ${Object.keys(QUERIES).join(', ')})`);
      return query;
    });
  const dir = arg('dir', '') || (await mkdtemp(join(tmpdir(), 'pharos-downsample-cpu-')));
  await mkdir(dir, { recursive: true });
  const metaFile = join(dir, 'bench-meta.json');
  let meta: Meta;
  if (existsSync(metaFile)) {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as Meta;
    if (meta.series !== series) throw new Error(`${dir} holds ${meta.series} series, not ${series}`);
    process.stdout.write(`reusing ${dir}\n`);
  } else {
    process.stdout.write(`loading ${series} counters and ${series} gauges × 7 d at 15 s into ${dir}\n`);
    meta = await load(dir, series);
  }
  // Behind the thread, wrapped as `openMetricStore` (apps/pharos) wraps it, so the engine sees
  // the methods the platform's store offers.
  const store: MetricStore = process.argv.includes('--store-thread') ? new WriteTrackingStore(await startStoreThread({ dir })) : await DuckDBMetricStore.open({ dir });
  process.stdout.write(`store: ${process.argv.includes('--store-thread') ? 'on its own thread (startStoreThread + WriteTrackingStore)' : 'in process'}\n`);
  try {
    const engine = new PromQLEngine({ store });
    const run = (query: string, resolution: number): Promise<QueryResult> =>
      engine.rangeQuery({ tenant: TENANT, query, startMs: meta.endMs - 7 * DAY, endMs: meta.endMs, stepMs: STEP, ...(resolution > 0 ? { maxSourceResolution: resolution } : {}) });
    for (const query of queries) {
      const cpu = new Map<number, number[]>(resolutions.map((r) => [r, []]));
      const wall = new Map<number, number[]>(resolutions.map((r) => [r, []]));
      const main = new Map<number, number[]>(resolutions.map((r) => [r, []]));
      const answers = new Map<number, QueryResult>();
      for (const r of resolutions) answers.set(r, await run(query, r));
      for (let rep = 0; rep < reps; rep++) {
        for (const r of resolutions) {
          const c0 = cpuMs();
          const m0 = mainThreadCpuMs();
          const w0 = performance.now();
          await run(query, r);
          wall.get(r)!.push(performance.now() - w0);
          main.get(r)!.push(mainThreadCpuMs() - m0);
          cpu.get(r)!.push(cpuMs() - c0);
        }
      }
      for (const r of resolutions) {
        const d = r === 0 || !answers.has(0) ? undefined : difference(answers.get(0)!, answers.get(r)!);
        const sha = createHash('sha1').update(JSON.stringify(answers.get(r)!.value, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))).digest('hex');
        process.stdout.write(
          `${query} ${r === 0 ? 'raw' : `${r / 60_000} m`}: CPU median ${median(cpu.get(r)!).toFixed(0)} ms (min ${Math.min(...cpu.get(r)!).toFixed(0)}), wall median ${median(wall.get(r)!).toFixed(0)} ms, main thread median ${median(main.get(r)!).toFixed(0)} ms` +
            (d === undefined ? '' : `; vs raw: median ${(d.median * 100).toFixed(2)} %, worst ${(d.worst * 100).toFixed(2)} % over ${d.points} points`) +
            `; answer SHA-1 ${sha.slice(0, 12)}` +
            '\n',
        );
      }
    }
  } finally {
    await store.close();
  }
}

await main();
