/**
 * The benchmark's data and dashboard (issue 6): 12 metrics × 20 series, each panel a plain
 * selector giving 20 series, over a range of exactly `points` steps of 15 s, so every series
 * has `points` points on the panel's grid.
 */
import { DASHBOARD_SCHEMA_VERSION, parseDashboardModel, type DashboardModel } from '#pharos/dashboard-model';
import type { RemoteWriteSeries } from '#pharos/remote-write';

export const PANELS = 12;
export const SERIES_PER_PANEL = 20;
/** Grafana's default minimum step for Prometheus, and the page's (panel-requests.ts). */
export const STEP_MS = 15_000;
/** Samples written beyond each end of the range, so the first and last steps have points. */
const MARGIN_STEPS = 20;

export const metricName = (panel: number): string => `bench_console_m${String(panel).padStart(2, '0')}`;

export interface Fixture {
  /** Range start and end (inclusive), both on the 15 s grid. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly points: number;
}

export function fixtureEndingBefore(nowMs: number, points: number): Fixture {
  const toMs = Math.floor(nowMs / STEP_MS) * STEP_MS - MARGIN_STEPS * STEP_MS;
  return { fromMs: toMs - (points - 1) * STEP_MS, toMs, points };
}

/**
 * The series for panel `panel`, in remote-write bodies of `seriesPerBody` series; values are
 * smooth waves plus noise, distinct per series, so lines cross as on a real dashboard.
 */
export function* writeBodies(f: Fixture, seriesPerBody = 5): Generator<RemoteWriteSeries[]> {
  const first = f.fromMs - MARGIN_STEPS * STEP_MS;
  const count = f.points + 2 * MARGIN_STEPS;
  let body: RemoteWriteSeries[] = [];
  for (let p = 0; p < PANELS; p++) {
    for (let s = 0; s < SERIES_PER_PANEL; s++) {
      const samples = [];
      let seed = p * 1000 + s + 1;
      for (let i = 0; i < count; i++) {
        seed = (seed * 48271) % 2147483647;
        const value = 100 + s * 20 + Math.sin(i / 40 + s) * 30 + Math.sin(i / 7 + p) * 8 + (seed / 2147483647) * 6;
        samples.push({ timestamp: first + i * STEP_MS, value });
      }
      body.push({ labels: { __name__: metricName(p), job: 'bench-console', series: String(s).padStart(2, '0') }, samples });
      if (body.length === seriesPerBody) {
        yield body;
        body = [];
      }
    }
  }
  if (body.length > 0) yield body;
}

/**
 * Twelve time-series panels, two per row (w 12, h 7): on a 2560-px-wide viewport each plot is
 * over 1,000 px wide, so the page's one-point-per-pixel step is the 15 s minimum and every
 * series has `points` points. Validated by the same parser the console and gateway use.
 */
export function dashboardModel(f: Fixture): DashboardModel {
  const panels = Array.from({ length: PANELS }, (_, p) => ({
    id: p + 1,
    type: 'timeseries',
    title: `Panel ${p + 1}: ${metricName(p)}`,
    gridPos: { x: (p % 2) * 12, y: Math.floor(p / 2) * 7, w: 12, h: 7 },
    targets: [{ refId: 'A', expr: metricName(p), legendFormat: '{{series}}' }],
    fieldConfig: { unit: 'short', decimals: null, min: null, max: null, thresholds: [] },
    options: { drawStyle: 'line', stacking: 'none', lineWidth: 1, showThresholds: false, legend: 'bottom' },
    interval: '15s',
  }));
  return parseDashboardModel({
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: { kind: 'absolute', fromMs: f.fromMs, toMs: f.toMs },
    timezone: 'utc',
    panels,
  });
}
