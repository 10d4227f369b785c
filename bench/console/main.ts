/**
 * `npm run bench:console` (issue 6): a dashboard of 12 time-series panels × 20 series × 1,000
 * points opened in headless Chromium against Pharos. Measures, per run in a fresh browser
 * context (cold HTTP cache, as a person opening the dashboard):
 *  - navigation → all 12 panels painted: `performance.now()` in the page when
 *    `[data-testid=dashboard]` first has `data-painted` = `data-panels` = 12 (the panels set it
 *    once the frame showing their data has been painted);
 *  - data arrival → painted: from the end of the last GraphQL response before that moment
 *    (Resource Timing) to it: the console's own cost once the data is there;
 *  - JS heap used (CDP Performance.getMetrics) and the RSS of every Chromium process;
 * then reports medians, and the GraphQL latency of the page's own batched panel query (the
 * request body the page sent, replayed from Node; every answer checked to hold 12 × 20 series
 * of the expected points). Appends a section to bench/RESULTS.md.
 *
 *   --points 1000     points per series (steps of 15 s)
 *   --runs 5          measured runs (after one warm-up run)
 *   --replays 50      GraphQL replays for the p50/p99
 *   --width 2560 --height 1440 --dpr 1   the browser window
 *   --results FILE    default bench/RESULTS.md; --no-results to only print
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import snappy from 'snappy';
import { encodeWriteRequestV1 } from '#pharos/remote-write';
import { processTree, rssBytes } from '../ingest/process-stats.js';
import { appendResults, machineDescription, median } from '../ingest/report.js';
import { TargetProcess } from '../ingest/target-process.js';
import { TARGETS } from '../ingest/targets.js';
import { postWrite } from '../query/history-loader.js';
import { PANELS, SERIES_PER_PANEL, dashboardModel, fixtureEndingBefore, writeBodies, type Fixture } from './dashboard-fixture.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = process.env['PHAROS_CHROMIUM'] ?? '/usr/bin/chromium';
const TARGET_MS = 1500;

/** Page-side recorder: the moment every panel has painted, set before the app's scripts run. */
const RECORDER = `(() => {
  const bench = { paintedAt: null, panels: 0 };
  globalThis.__pharosBench = bench;
  const check = () => {
    if (bench.paintedAt !== null) return;
    const el = document.querySelector('[data-testid="dashboard"]');
    if (!el) return;
    const panels = Number(el.getAttribute('data-panels'));
    if (panels > 0 && Number(el.getAttribute('data-painted')) === panels) {
      bench.paintedAt = performance.now();
      bench.panels = panels;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-painted', 'data-panels'] });
})();`;

interface RunResult {
  readonly paintMs: number;
  readonly arrivalToPaintMs: number;
  readonly heapUsedBytes: number;
  readonly chromiumRssBytes: number;
  readonly graphqlInPageMs: readonly number[];
}

interface PageTimings {
  readonly paintedAt: number;
  readonly panels: number;
  readonly graphql: readonly { readonly start: number; readonly end: number }[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function gql<T>(baseUrl: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || body.data === undefined) throw new Error(`/graphql: ${body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`}`);
  return body.data;
}

async function loadData(writeUrl: string, f: Fixture): Promise<number> {
  let samples = 0;
  const pending: Promise<void>[] = [];
  for (const body of writeBodies(f)) {
    samples += body.reduce((n, s) => n + (s.samples?.length ?? 0), 0);
    pending.push(postWrite(writeUrl, snappy.compressSync(encodeWriteRequestV1(body))));
    if (pending.length >= 4) await pending.shift();
  }
  await Promise.all(pending);
  return samples;
}

/** Waits until every metric answers with all its series over the whole range. */
async function waitForData(baseUrl: string, f: Fixture): Promise<void> {
  const deadline = Date.now() + 60_000;
  // Every metric must have all its series at both ends of the range (instant selectors keep
  // the metric name, which `count_over_time` would drop).
  const check = async (timeMs: number): Promise<{ ok: boolean; seen: string }> => {
    const body = new URLSearchParams({ query: 'count by (__name__) ({job="bench-console"})', time: String(timeMs / 1000) });
    const res = await fetch(`${baseUrl}/api/v1/query`, { method: 'POST', body });
    const text = await res.text();
    if (!res.ok) throw new Error(`${baseUrl}/api/v1/query: HTTP ${res.status}: ${text.slice(0, 300)}`);
    const counts = ((JSON.parse(text) as { data?: { result?: { value: [number, string] }[] } }).data?.result ?? []).map((r) => Number(r.value[1]));
    return { ok: counts.length === PANELS && counts.every((c) => c === SERIES_PER_PANEL), seen: JSON.stringify(counts) };
  };
  for (;;) {
    const [first, last] = [await check(f.fromMs), await check(f.toMs)];
    if (first.ok && last.ok) return;
    if (Date.now() > deadline) throw new Error(`data not queryable within 60 s: series per metric at the start ${first.seen}, at the end ${last.seen}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function measureRun(browser: Browser, url: string, opts: { width: number; height: number; dpr: number }, pharosPid: number, batches: string[]): Promise<RunResult> {
  const context = await browser.newContext({ viewport: { width: opts.width, height: opts.height }, deviceScaleFactor: opts.dpr, colorScheme: 'light' });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => {
      const body = req.postData();
      if (req.url().endsWith('/graphql') && body !== null && body.includes('rangeQuery')) batches.push(body);
    });
    await page.addInitScript({ content: RECORDER });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url, { waitUntil: 'commit' });
    try {
      await page.waitForFunction('globalThis.__pharosBench && globalThis.__pharosBench.paintedAt !== null', undefined, { timeout: 120_000, polling: 50 });
    } catch (err) {
      throw new Error(`the dashboard never reported all panels painted (${await dashboardState(page)}); page errors: ${errors.join(' | ') || 'none'}`, { cause: err });
    }
    const t = (await page.evaluate(`(() => {
      const b = globalThis.__pharosBench;
      const graphql = performance.getEntriesByType('resource')
        .filter((e) => e.name.endsWith('/graphql'))
        .map((e) => ({ start: e.startTime, end: e.responseEnd }));
      return { paintedAt: b.paintedAt, panels: b.panels, graphql };
    })()`)) as PageTimings;
    if (t.panels !== PANELS) throw new Error(`the dashboard reports ${t.panels} panels, expected ${PANELS}`);
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
    const pharosPids = new Set(processTree(pharosPid));
    const chromiumPids = processTree(process.pid).filter((pid) => pid !== process.pid && !pharosPids.has(pid));
    // -Infinity, not NaN, as the seed: Math.max(NaN, x) is NaN.
    const before = t.graphql.filter((g) => g.end <= t.paintedAt);
    const lastData = before.length === 0 ? Number.NaN : before.reduce((m, g) => Math.max(m, g.end), Number.NEGATIVE_INFINITY);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join(' | ')}`);
    return {
      paintMs: t.paintedAt,
      arrivalToPaintMs: t.paintedAt - lastData,
      heapUsedBytes: heap,
      chromiumRssBytes: rssBytes(chromiumPids),
      graphqlInPageMs: t.graphql.map((g) => g.end - g.start),
    };
  } finally {
    await context.close();
  }
}

async function dashboardState(page: Page): Promise<string> {
  return page
    .evaluate(`(() => { const el = document.querySelector('[data-testid="dashboard"]'); return el ? 'data-panels=' + el.getAttribute('data-panels') + ' data-painted=' + el.getAttribute('data-painted') : 'no [data-testid=dashboard] on ' + location.pathname; })()`)
    .then(String, (err: unknown) => `state unreadable: ${String(err)}`);
}

/** Replays the page's batched panel query; checks every answer holds 12 × 20 series of `points` values. */
async function replayBatch(baseUrl: string, body: string, replays: number, points: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < replays + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as { data?: Record<string, { series?: { gridValues?: unknown[] }[] } | null>; errors?: unknown[] };
    const ms = performance.now() - t0;
    if (json.errors?.length || !json.data) throw new Error(`batched panel query failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
    const answers = Object.values(json.data);
    const full = answers.filter((a) => a?.series?.length === SERIES_PER_PANEL && a.series.every((s) => (s.gridValues?.length ?? 0) >= points));
    if (full.length !== PANELS) {
      throw new Error(`batched panel query: ${full.length} of ${answers.length} answers hold ${SERIES_PER_PANEL} series × ≥ ${points} points (series: ${answers.map((a) => `${a?.series?.length}×${a?.series?.[0]?.gridValues?.length}`).join(', ')})`);
    }
    if (i >= 3) times.push(ms);
  }
  return times;
}

function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const mib = (x: number): string => (Number.isFinite(x) ? (x / 2 ** 20).toFixed(0) : 'n/a');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      points: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '5' },
      replays: { type: 'string', default: '50' },
      width: { type: 'string', default: '2560' },
      height: { type: 'string', default: '1440' },
      dpr: { type: 'string', default: '1' },
      results: { type: 'string', default: join(repoRoot, 'bench/RESULTS.md') },
      'no-results': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const num = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= min)) throw new Error(`--${name} must be a number ≥ ${min}, got "${v}"`);
    return n;
  };
  const points = num('points', values.points, 2);
  const runs = num('runs', values.runs, 1);
  const replays = num('replays', values.replays, 1);
  const view = { width: num('width', values.width, 320), height: num('height', values.height, 240), dpr: num('dpr', values.dpr, 1) };
  const why = TARGETS.pharos.unavailable(repoRoot);
  if (why) throw new Error(why);
  const startedAt = new Date();
  const workDir = mkdtempSync(join(tmpdir(), 'pharos-bench-console-'));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const pharos = await TargetProcess.start(TARGETS.pharos, { dataDir, workDir, repoRoot, pharosNodeArgs: [] });
  let browser: Browser | undefined;
  try {
    log(`pharos started at ${pharos.baseUrl}`);
    const fixture = fixtureEndingBefore(Date.now(), points);
    const samples = await loadData(pharos.writeUrl, fixture);
    await waitForData(pharos.baseUrl, fixture);
    log(`wrote ${PANELS * SERIES_PER_PANEL} series, ${samples} samples`);
    const created = await gql<{ createDashboard: { uid: string } }>(pharos.baseUrl, 'mutation($input: DashboardInput!) { createDashboard(input: $input) { uid } }', {
      input: { title: 'bench: 12 panels × 20 series', uid: 'bench-console', model: JSON.stringify(dashboardModel(fixture)) },
    });
    const url = `${pharos.baseUrl}/d/${created.createDashboard.uid}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    const batches: string[] = [];
    const results: RunResult[] = [];
    for (let run = 0; run <= runs; run++) {
      const r = await measureRun(browser, url, view, pharos.pid, batches);
      log(`${run === 0 ? 'warm-up' : `run ${run}`}: painted ${ms(r.paintMs)} ms after navigation, ${ms(r.arrivalToPaintMs)} ms after the data; heap ${mib(r.heapUsedBytes)} MiB, Chromium RSS ${mib(r.chromiumRssBytes)} MiB`);
      if (run > 0) results.push(r);
    }
    const body = batches.at(-1);
    if (body === undefined) throw new Error('the page sent no batched rangeQuery request to /graphql');
    const replay = await replayBatch(pharos.baseUrl, body, replays, points);
    const section = render(startedAt, {
      browser: `Chromium ${browser.version()}`,
      view,
      points,
      runs: results,
      replay,
      inPage: results.flatMap((r) => r.graphqlInPageMs),
    });
    log(section);
    if (!values['no-results']) appendResults(values.results, section);
  } finally {
    await browser?.close();
    await pharos.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function render(
  startedAt: Date,
  o: { browser: string; view: { width: number; height: number; dpr: number }; points: number; runs: readonly RunResult[]; replay: readonly number[]; inPage: readonly number[] },
): string {
  const paint = median(o.runs.map((r) => r.paintMs));
  const out: string[] = [];
  out.push(`## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — console, dashboard paint (issue 6)`);
  out.push('');
  out.push(`- Machine: ${machineDescription()}`);
  out.push(`- Browser: ${o.browser}, headless, software rendering (--disable-gpu), window ${o.view.width}×${o.view.height} at device pixel ratio ${o.view.dpr}; a fresh context (cold HTTP cache) per run, after one warm-up run`);
  out.push(`- Dashboard: ${PANELS} time-series panels (canvas renderer) × ${SERIES_PER_PANEL} series × ${o.points} points (15 s steps), legends shown; Pharos on the same machine`);
  out.push('');
  out.push('| run | navigation → all panels painted (ms) | data arrival → painted (ms) | JS heap used (MiB) | Chromium RSS, all processes (MiB) |');
  out.push('|---|---:|---:|---:|---:|');
  o.runs.forEach((r, i) => out.push(`| ${i + 1} | ${ms(r.paintMs)} | ${ms(r.arrivalToPaintMs)} | ${mib(r.heapUsedBytes)} | ${mib(r.chromiumRssBytes)} |`));
  out.push(
    `| **median** | **${ms(paint)}** | **${ms(median(o.runs.map((r) => r.arrivalToPaintMs)))}** | **${mib(median(o.runs.map((r) => r.heapUsedBytes)))}** | **${mib(median(o.runs.map((r) => r.chromiumRssBytes)))}** |`,
  );
  out.push('');
  out.push(
    `GraphQL, the page's batched panel query (one request, ${PANELS} aliased range queries): replayed ${o.replay.length}× from Node p50 ${ms(percentile(o.replay, 0.5))} ms, p99 ${ms(percentile(o.replay, 0.99))} ms; as the page saw it (Resource Timing, every /graphql request of the measured runs, n = ${o.inPage.length}) p50 ${ms(percentile(o.inPage, 0.5))} ms, p99 ${ms(percentile(o.inPage, 0.99))} ms.`,
  );
  out.push('');
  out.push(`Target (issue 6): full paint < ${TARGET_MS} ms — ${paint < TARGET_MS ? `met (median ${ms(paint)} ms)` : `**not met** (median ${ms(paint)} ms)`}.`);
  return out.join('\n') + '\n';
}

await main();
