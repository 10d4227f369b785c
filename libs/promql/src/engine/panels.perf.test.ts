import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { PromQLEngine } from './engine.js';
import { InMemorySeriesStore, PANEL_QUERIES, PANEL_SCRAPE_MS, PANEL_TENANT, panelSeries } from './panel-fixture.js';
import type { QueryResult } from './query-api.js';

/**
 * CPU cost of evaluating the query benchmark's dashboard panels cold over 24 h (issue 3 §4),
 * with the series held in memory so the figure is the engine's alone (no store decoding).
 * Opt-in: `PHAROS_PERF=1 npx vitest run libs/promql/src/engine/panels.perf.test.ts`.
 * Prints, per panel, the median CPU ms of a query (`process.cpuUsage`, so the other work on a
 * shared machine does not count) and ns per (series read × step). Grafana's step for 24 h is
 * 60 s and `$__rate_interval` then 75 s. `PHAROS_PERF_HOSTS` scales the data (213 series a
 * host); `PHAROS_PERF_PROFILE=<file>` writes a CPU profile of the measured runs.
 *
 * Every answer is checked against a digest of its exact bits (labels, times, float bits)
 * taken before the evaluator's cold-path rewrite, for the default host count: the rewrite
 * must not change a single bit.
 */
const HOSTS = Number(process.env['PHAROS_PERF_HOSTS'] ?? 20);
const RUNS = Number(process.env['PHAROS_PERF_RUNS'] ?? 7);
const DAY = 86_400_000;
const STEP = 60_000;
const RATE_INTERVAL = `${Math.max(4 * PANEL_SCRAPE_MS, STEP + PANEL_SCRAPE_MS) / 1000}s`;

/** Digests of the answers at 20 hosts (see above). */
const DIGESTS: Record<string, string> = {
  'rate per series': '20:cb3d0008',
  'sum by instance of rate': '20:1ea5d2e8',
  'histogram p99': '1:58c5fb3c',
  'histogram p99 by handler': '5:ff6d7d43',
  'topk rate': '80:f4f2f7e7',
  'avg_over_time': '20:3e274e90',
  'sum of rate': '1:86e6eeac',
  'gauge arithmetic': '20:8d93654f',
};

/** FNV-1a (32-bit) over the answer's labels, timestamps and value bits. */
function digest(r: QueryResult): string {
  if (r.value.resultType !== 'matrix') throw new Error(`expected a matrix, got ${r.value.resultType}`);
  let h = 0x811c9dc5;
  const word = (w: number): void => {
    h = Math.imul(h ^ (w >>> 0), 0x01000193) >>> 0;
  };
  const bits = new Uint32Array(2);
  const f = new Float64Array(bits.buffer);
  for (const s of r.value.series) {
    for (const text of s.labels) for (let i = 0; i < text.length; i++) word(text.charCodeAt(i));
    word(s.timestamps.length);
    for (let i = 0; i < s.timestamps.length; i++) {
      word(s.timestamps[i]! / 1000);
      f[0] = s.values[i]!;
      word(bits[0]!);
      word(bits[1]!);
    }
  }
  return `${r.value.series.length}:${h.toString(16).padStart(8, '0')}`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe.skipIf(process.env['PHAROS_PERF'] !== '1')('dashboard panels, cold 24 h, in memory', () => {
  it('prints CPU per query and per point, answers unchanged', async () => {
    const store = new InMemorySeriesStore(PANEL_TENANT, panelSeries(HOSTS, DAY + 10 * 60_000));
    const engine = new PromQLEngine({ store });
    const startMs = 10 * 60_000;
    const request = (expr: string): { tenant: string; query: string; startMs: number; endMs: number; stepMs: number } => ({
      tenant: PANEL_TENANT,
      query: expr.replaceAll('$ri', RATE_INTERVAL),
      startMs,
      endMs: startMs + DAY,
      stepMs: STEP,
    });
    const steps = DAY / STEP + 1;
    const profile = process.env['PHAROS_PERF_PROFILE'];
    const session = profile === undefined ? undefined : new Session();
    if (session !== undefined) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    // Warm up every panel first, so the JIT state is the same for all measured runs.
    for (const panel of PANEL_QUERIES) await engine.rangeQuery(request(panel.expr));
    if (session !== undefined) await session.post('Profiler.start');
    const lines: string[] = [];
    const digests: Record<string, string> = {};
    let totalCpu = 0;
    for (const panel of PANEL_QUERIES) {
      const cpu: number[] = [];
      let answer: QueryResult | undefined;
      let series = 0;
      for (let run = 0; run < RUNS; run++) {
        const before = store.selected;
        const c0 = process.cpuUsage();
        answer = await engine.rangeQuery(request(panel.expr));
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        series = store.selected - before;
      }
      const ms = median(cpu);
      totalCpu += ms;
      digests[panel.name] = digest(answer!);
      const nsPerPoint = (ms * 1e6) / (series * steps);
      lines.push(`${panel.name.padEnd(26)} ${String(series).padStart(5)} series  ${ms.toFixed(1).padStart(7)} ms CPU (${cpu.map((x) => x.toFixed(0)).join('/')})  ${nsPerPoint.toFixed(1).padStart(6)} ns/point`);
    }
    if (session !== undefined) {
      const { profile: cpuProfile } = await session.post('Profiler.stop');
      await writeFile(profile!, JSON.stringify(cpuProfile));
      session.disconnect();
    }
    console.log(`${HOSTS} hosts, 24 h at ${STEP / 1000} s (${steps} steps), rate interval ${RATE_INTERVAL}, median of ${RUNS}:\n${lines.join('\n')}\nall panels ${totalCpu.toFixed(0)} ms CPU`);
    console.log(`digests: ${JSON.stringify(digests)}`);
    if (HOSTS === 20) expect(digests).toEqual(DIGESTS);
  }, 600_000);
});
