/**
 * `npm run bench:query`: a Grafana-style dashboard refreshed against Pharos, Prometheus and
 * VictoriaMetrics holding the same data (issue 3 §4). Appends a dated section to
 * bench/RESULTS.md.
 *
 *   --targets pharos,prometheus,victoria-metrics
 *   --series 10000        node_exporter-like series (plus one classic histogram per host)
 *   --days 7              history, at 15 s; ends at the start of the run
 *   --ranges 1h,24h,7d    panel ranges (each at most --days)
 *   --refreshes 15        refreshes per range after the cold one, the end moving one step each
 *   --ingest 100000       samples/s written to the target being queried while it is queried
 *   --ingest-warmup 5     seconds of that ingestion before the dashboard's first (cold) query:
 *                         its first second creates all of its series (a churn event, not the
 *                         steady ingestion the targets speak of); 0 starts both together
 *   --tail-in-history     refresh windows end inside the loaded history, so every refresh's
 *                         new step has data for every panel's series, as on a live system
 *                         where the newest scrape has arrived; by default they run past the
 *                         history's end, where the panels' series get no new samples and a
 *                         refresh's new step evaluates next to nothing
 *   --downsample-7d RES   send the 7 d panels to Pharos with `max_source_resolution=RES`
 *                         (`5m`, `1h`, `auto`; ADR 0017), so they read rollups with Thanos'
 *                         semantics; the peers get the same requests without it (they would
 *                         ignore it anyway) and answer from raw samples
 *   --results FILE        default bench/RESULTS.md; --no-results to only print
 *   --json FILE           also write every answer's time (cold and each refresh, per target,
 *                         range and panel) as JSON, to find which refreshes make the p99
 *   --pharos-node-args="…" flags for the node running Pharos (with "=", as they start with
 *                         a dash), e.g. --pharos-node-args="--cpu-prof --cpu-prof-dir=/tmp/p"
 *
 * All targets run at once (the history is loaded into each from the same bodies); the
 * dashboard and the background ingestion then run against one target at a time. A panel's
 * "cold" time is its first answer for a range; refreshes then move the end one step at a time,
 * as Grafana's auto-refresh does. Every answer is checked to be a success with data.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { appendResults, machineDescription, median } from '../ingest/report.js';
import { cpuSeconds, machineBusySeconds } from '../ingest/process-stats.js';
import { TargetProcess } from '../ingest/target-process.js';
import { TARGETS, type TargetName } from '../ingest/targets.js';
import { PANELS, grafanaStepMs, panelQuery } from './dashboard.js';
import { loadHistory } from './history-loader.js';
import { SCRAPE_INTERVAL_MS, buildQueryFleet } from './workload.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Targets that answer PromQL over HTTP; the ingest benchmark's protocol variants of Pharos do not add anything here. */
const QUERY_TARGETS: readonly TargetName[] = ['pharos', 'prometheus', 'victoria-metrics'];
const RANGE_MS: Readonly<Record<string, number>> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

interface PanelTiming {
  readonly coldMs: number;
  readonly refreshMs: number[];
}

/**
 * What one range cost: the target's CPU (all its threads, ingestion included) for the cold
 * dashboard and for all refreshes, the machine's busy CPU meanwhile (other engineers' work
 * shows here), and each whole-dashboard refresh's wall time (its slowest panel). CPU per
 * refresh is far less disturbed by a shared machine than the latency percentiles.
 */
interface RangeCost {
  readonly coldCpuS: number;
  readonly refreshCpuS: number;
  readonly refreshWallS: number;
  readonly machineBusyS: number;
  readonly dashboardMs: number[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: QUERY_TARGETS.join(',') },
      series: { type: 'string', default: '10000' },
      days: { type: 'string', default: '7' },
      ranges: { type: 'string', default: '1h,24h,7d' },
      refreshes: { type: 'string', default: '15' },
      ingest: { type: 'string', default: '100000' },
      'ingest-warmup': { type: 'string', default: '5' },
      'tail-in-history': { type: 'boolean', default: false },
      'downsample-7d': { type: 'string', default: '' },
      results: { type: 'string', default: join(repoRoot, 'bench/RESULTS.md') },
      'no-results': { type: 'boolean', default: false },
      json: { type: 'string' },
      'pharos-node-args': { type: 'string', default: '' },
    },
    strict: true,
  });
  const targets = values.targets.split(',').map((t) => t.trim()) as TargetName[];
  for (const t of targets) if (!QUERY_TARGETS.includes(t)) throw new Error(`unknown target ${t}; known: ${QUERY_TARGETS.join(', ')}`);
  const seriesCount = Number(values.series);
  const days = Number(values.days);
  const refreshes = Number(values.refreshes);
  const ingestRate = Number(values.ingest);
  const ingestWarmupS = Number(values['ingest-warmup']);
  if (!(ingestWarmupS >= 0)) throw new Error(`--ingest-warmup must be a number of seconds ≥ 0, got ${values['ingest-warmup']}`);
  const ranges = values.ranges.split(',').map((r) => r.trim());
  const pharosNodeArgs = values['pharos-node-args'].split(' ').filter((a) => a !== '');
  const downsample7d = values['downsample-7d'];
  if (downsample7d !== '' && !/^(auto|raw|\d+(ms|s|m|h|d))$/.test(downsample7d)) throw new Error(`--downsample-7d takes a resolution (5m, 1h, auto), got ${downsample7d}`);
  for (const r of ranges) {
    if (!(r in RANGE_MS)) throw new Error(`unknown range ${r}; known: ${Object.keys(RANGE_MS).join(', ')}`);
    if (RANGE_MS[r]! > days * 86_400_000) throw new Error(`range ${r} is longer than the ${days} days of history`);
  }
  const skipped: string[] = [];
  const running = new Map<TargetName, TargetProcess>();
  const workDirs: string[] = [];
  const startedAt = new Date();
  try {
    for (const name of targets) {
      const why = TARGETS[name].unavailable(repoRoot);
      if (why) {
        skipped.push(`${name}: ${why}`);
        continue;
      }
      const workDir = mkdtempSync(join(tmpdir(), `pharos-bench-query-${name}-`));
      workDirs.push(workDir);
      const dataDir = join(workDir, 'data');
      mkdirSync(dataDir);
      running.set(name, await TargetProcess.start(TARGETS[name], { dataDir, workDir, repoRoot, pharosNodeArgs }));
      log(`${name} started at ${running.get(name)!.baseUrl}`);
    }
    const fleet = buildQueryFleet(seriesCount);
    const scrapes = Math.floor((days * 86_400_000) / SCRAPE_INTERVAL_MS);
    const historyEnd = Math.floor(Date.now() / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS;
    const historyStart = historyEnd - scrapes * SCRAPE_INTERVAL_MS;
    log(`loading ${fleet.length} series × ${scrapes} scrapes (${((fleet.length * scrapes) / 1e6).toFixed(0)} M samples) into ${[...running.keys()].join(', ')}`);
    const loadStart = performance.now();
    let lastLog = 0;
    await loadHistory({
      writeUrls: [...running.values()].map((t) => t.writeUrl),
      fleet,
      startMs: historyStart,
      scrapes,
      onProgress: (done, sent) => {
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          const rate = sent / ((performance.now() - loadStart) / 1000);
          log(`  ${((done / scrapes) * 100).toFixed(1)} % loaded, ${(rate / 1000).toFixed(0)} k samples/s per target`);
        }
      },
    });
    log(`history loaded in ${((performance.now() - loadStart) / 1000).toFixed(0)} s`);
    // Let each target finish what it acknowledged (Pharos appends asynchronously).
    await new Promise((r) => setTimeout(r, 10_000));

    const results = new Map<TargetName, Map<string, Map<string, PanelTiming>>>();
    const costs = new Map<TargetName, Map<string, RangeCost>>();
    for (const [name, target] of running) {
      const live = new Worker(new URL('./live-ingest-worker.js', import.meta.url), { workerData: { writeUrl: target.writeUrl, samplesPerSecond: ingestRate } });
      const liveDone = new Promise<unknown>((resolve) => live.once('message', resolve));
      const byRange = new Map<string, Map<string, PanelTiming>>();
      const costByRange = new Map<string, RangeCost>();
      costs.set(name, costByRange);
      try {
        await new Promise((r) => setTimeout(r, ingestWarmupS * 1000));
        for (const range of ranges) {
          const rangeMs = RANGE_MS[range]!;
          const step = grafanaStepMs(rangeMs);
          // Only Pharos gets the parameter: the peers' 7 d answers stay raw.
          const extra: Record<string, string> = name === 'pharos' && range === '7d' && downsample7d !== '' ? { max_source_resolution: downsample7d } : {};
          const timings = new Map<string, PanelTiming>();
          for (const panel of PANELS) timings.set(panel.name, { coldMs: Number.NaN, refreshMs: [] });
          const dashboardMs: number[] = [];
          const cpuAtStart = cpuSeconds([target.pid]);
          let cpuAfterCold = cpuAtStart;
          let refreshStarted = 0;
          let busyAtRefresh = 0;
          for (let refresh = 0; refresh <= refreshes; refresh++) {
            if (refresh === 1) {
              cpuAfterCold = cpuSeconds([target.pid]);
              refreshStarted = performance.now();
              busyAtRefresh = machineBusySeconds();
            }
            const dashboardStart = performance.now();
            // Grafana aligns the range to the step; each refresh moves the end one step.
            const lastEnd = Math.floor(historyEnd / step) * step + (values['tail-in-history'] ? 0 : refreshes * step);
            const end = lastEnd - (refreshes - refresh) * step;
            const start = end - rangeMs;
            // A dashboard issues its panels together.
            const answers = await Promise.all(PANELS.map((panel) => timedQuery(target.baseUrl, panelQuery(panel, step), start, end, step, extra)));
            if (refresh > 0) dashboardMs.push(performance.now() - dashboardStart);
            answers.forEach((ms, i) => {
              const t = timings.get(PANELS[i]!.name)!;
              if (refresh === 0) timings.set(PANELS[i]!.name, { coldMs: ms, refreshMs: t.refreshMs });
              else t.refreshMs.push(ms);
            });
          }
          byRange.set(range, timings);
          costByRange.set(range, {
            coldCpuS: cpuAfterCold - cpuAtStart,
            refreshCpuS: cpuSeconds([target.pid]) - cpuAfterCold,
            refreshWallS: (performance.now() - refreshStarted) / 1000,
            machineBusyS: machineBusySeconds() - busyAtRefresh,
            dashboardMs,
          });
          log(`${name} ${range}: ${PANELS.map((p) => `${p.name} cold ${fmt(timings.get(p.name)!.coldMs)} p50 ${fmt(median(timings.get(p.name)!.refreshMs))}`).join('; ')}`);
        }
      } finally {
        live.postMessage('stop');
        log(`${name} background ingestion: ${JSON.stringify(await liveDone)}`);
        await live.terminate();
      }
      results.set(name, byRange);
    }
    const section = render(startedAt, { seriesCount: fleet.length, days, refreshes, ingestRate, ingestWarmupS, tailInHistory: values['tail-in-history'], downsample7d, ranges, skipped }, results, costs);
    log(section);
    if (!values['no-results']) appendResults(values.results, section);
    if (values.json) writeFileSync(values.json, JSON.stringify({ ...rawTimings(results), costs: Object.fromEntries([...costs].map(([t, c]) => [t, Object.fromEntries(c)])) }, null, 1));
  } finally {
    for (const t of running.values()) await t.stop();
    for (const d of workDirs) rmSync(d, { recursive: true, force: true });
  }
}

async function timedQuery(baseUrl: string, query: string, startMs: number, endMs: number, stepMs: number, extra: Readonly<Record<string, string>> = {}): Promise<number> {
  const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000), ...extra });
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/query_range`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const json = (await res.json()) as { status: string; error?: string; data?: { result?: unknown[] } };
  const ms = performance.now() - t0;
  if (json.status !== 'success') throw new Error(`${baseUrl} ${query}: ${json.error ?? res.status}`);
  if (!json.data?.result?.length) throw new Error(`${baseUrl} ${query}: empty result`);
  return ms;
}

function rawTimings(results: ReadonlyMap<TargetName, Map<string, Map<string, PanelTiming>>>): Record<string, Record<string, Record<string, PanelTiming>>> {
  const out: Record<string, Record<string, Record<string, PanelTiming>>> = {};
  for (const [target, byRange] of results) {
    out[target] = {};
    for (const [range, byPanel] of byRange) out[target][range] = Object.fromEntries(byPanel);
  }
  return out;
}

function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(1) : ms.toFixed(0)) : 'n/a';
}

interface RunInfo {
  readonly seriesCount: number;
  readonly days: number;
  readonly refreshes: number;
  readonly ingestRate: number;
  readonly ingestWarmupS: number;
  readonly tailInHistory: boolean;
  /** `max_source_resolution` of Pharos' 7 d panels; empty: raw. */
  readonly downsample7d: string;
  readonly ranges: readonly string[];
  readonly skipped: readonly string[];
}

function render(
  startedAt: Date,
  info: RunInfo,
  results: ReadonlyMap<TargetName, Map<string, Map<string, PanelTiming>>>,
  costs: ReadonlyMap<TargetName, Map<string, RangeCost>>,
): string {
  const out: string[] = [];
  out.push(`## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — query, dashboard refresh`);
  out.push('');
  out.push(`- Machine: ${machineDescription()}`);
  out.push(`- Data: ${info.seriesCount} series × ${info.days} d at 15 s; ${info.refreshes} refreshes per range after the cold answer, the end moving one step; ${info.ingestRate} samples/s ingested into the queried target meanwhile, starting ${info.ingestWarmupS} s before the first query; refresh windows end ${info.tailInHistory ? 'inside the loaded history (every new step has data)' : 'past the loaded history (new steps have no data for the panels)'}`);
  if (info.downsample7d !== '' && info.ranges.includes('7d')) {
    out.push(`- 7 d panels: Pharos read with \`max_source_resolution=${info.downsample7d}\` (Thanos' downsampling semantics, ADR 0017); the peers answered the same queries from raw samples`);
  }
  for (const s of info.skipped) out.push(`- Skipped: ${s}`);
  out.push('');
  const names = [...results.keys()];
  out.push(`| range | panel | ${names.map((n) => `${n} cold / p50 / p99 ms`).join(' | ')} |${names.includes('pharos') && names.length > 1 ? ' Pharos p99 ratio |' : ''}`);
  out.push(`|---|---|${names.map(() => '---:').join('|')}|${names.includes('pharos') && names.length > 1 ? '---:|' : ''}`);
  for (const range of info.ranges) {
    for (const panel of PANELS) {
      const cells = names.map((n) => {
        const t = results.get(n)?.get(range)?.get(panel.name);
        return t ? `${fmt(t.coldMs)} / ${fmt(median(t.refreshMs))} / ${fmt(percentile(t.refreshMs, 0.99))}` : 'n/a';
      });
      let ratio = '';
      if (names.includes('pharos') && names.length > 1) {
        const p = percentile(results.get('pharos')?.get(range)?.get(panel.name)?.refreshMs ?? [], 0.99);
        ratio = ` ${names
          .filter((n) => n !== 'pharos')
          .map((n) => `${(p / percentile(results.get(n)?.get(range)?.get(panel.name)?.refreshMs ?? [], 0.99)).toFixed(2)}× ${n}`)
          .join(', ')} |`;
      }
      out.push(`| ${range} | ${panel.name} | ${cells.join(' | ')} |${ratio}`);
    }
  }
  out.push('');
  out.push('Ratio: Pharos p99 divided by the peer\'s (below 1 is faster).');
  out.push('');
  out.push('| target | range | CPU of the cold dashboard s | CPU per refresh ms (ingestion included) | whole-dashboard refresh p50 / p99 ms | machine busy during refreshes, cores |');
  out.push('|---|---|---:|---:|---:|---:|');
  for (const [name, byRange] of costs) {
    for (const [range, c] of byRange) {
      const perRefresh = c.dashboardMs.length > 0 ? (c.refreshCpuS * 1000) / c.dashboardMs.length : Number.NaN;
      out.push(
        `| ${name} | ${range} | ${c.coldCpuS.toFixed(2)} | ${fmt(perRefresh)} | ${fmt(median(c.dashboardMs))} / ${fmt(percentile(c.dashboardMs, 0.99))} | ${(c.machineBusyS / c.refreshWallS).toFixed(2)} |`,
      );
    }
  }
  return out.join('\n') + '\n';
}

await main();
