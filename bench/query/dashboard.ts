/**
 * The dashboard the benchmark refreshes: panels as a Grafana node_exporter/API dashboard has
 * them, with Grafana's step choice (range / max data points, rounded to a "nice" interval, at
 * least the scrape interval) and `$__rate_interval` (max(4 × scrape interval, step + scrape
 * interval)).
 */
import { SCRAPE_INTERVAL_MS } from './workload.js';

export interface Panel {
  readonly name: string;
  /** `$ri` is replaced by the rate interval. */
  readonly expr: string;
}

export const PANELS: readonly Panel[] = [
  { name: 'rate per series', expr: 'rate(node_network_receive_bytes_total{device="eth0"}[$ri])' },
  { name: 'sum by instance of rate', expr: 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[$ri]))' },
  { name: 'histogram p99', expr: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[$ri])))' },
  { name: 'histogram p99 by handler', expr: 'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[$ri])))' },
  { name: 'topk rate', expr: 'topk(5, rate(node_disk_written_bytes_total[$ri]))' },
  { name: 'avg_over_time', expr: 'avg_over_time(node_load1[$ri])' },
  { name: 'sum of rate', expr: 'sum(rate(node_cpu_seconds_total[$ri]))' },
  { name: 'gauge arithmetic', expr: '1 - avg by (instance) (node_filesystem_avail_bytes / node_filesystem_size_bytes)' },
];

const NICE_INTERVALS_MS = [
  1_000, 5_000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** Grafana's interval for a range: range / max data points, rounded to the nearest nice interval, ≥ the scrape interval. */
export function grafanaStepMs(rangeMs: number, maxDataPoints = 1000): number {
  const raw = rangeMs / maxDataPoints;
  let best = NICE_INTERVALS_MS[0]!;
  for (const nice of NICE_INTERVALS_MS) if (Math.abs(nice - raw) < Math.abs(best - raw)) best = nice;
  return Math.max(best, SCRAPE_INTERVAL_MS);
}

export function rateIntervalMs(stepMs: number): number {
  return Math.max(4 * SCRAPE_INTERVAL_MS, stepMs + SCRAPE_INTERVAL_MS);
}

export function panelQuery(panel: Panel, stepMs: number): string {
  return panel.expr.replaceAll('$ri', `${Math.round(rateIntervalMs(stepMs) / 1000)}s`);
}
