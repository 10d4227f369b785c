/**
 * The query benchmark's data: node_exporter-like series from the ingest benchmark's fleet,
 * plus one classic histogram per host (`http_request_duration_seconds`, five handlers, twelve
 * buckets, `_sum` and `_count`), all scraped every 15 s. Values are deterministic functions of
 * (series, scrape number), so every target receives exactly the same samples.
 */
import { buildFleet, mix32, valueAt, type FleetSeries } from '../ingest/series.js';

export const SCRAPE_INTERVAL_MS = 15_000;

const HANDLERS = ['/api/v1/query', '/api/v1/query_range', '/api/v1/write', '/metrics', '/-/ready'];
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
/** Histogram series per host: buckets, sum and count for each handler. */
const HISTOGRAM_SERIES_PER_HOST = HANDLERS.length * (BUCKETS.length + 2);

export interface QuerySeries {
  /** Flat, name-sorted `[name, value, …]`. */
  readonly labels: readonly string[];
  value(step: number): number;
}

export function buildQueryFleet(count: number): QuerySeries[] {
  const hosts = Math.max(1, Math.round(count / 1000));
  const histogramCount = Math.min(count, hosts * HISTOGRAM_SERIES_PER_HOST);
  const fleet = buildFleet(count - histogramCount);
  const out: QuerySeries[] = fleet.map((s: FleetSeries, i) => ({ labels: s.labels, value: (step: number) => valueAt(s, i, step) }));
  for (let host = 0; out.length < count; host++) {
    const instance = `node-${String(host).padStart(5, '0')}.internal:9100`;
    for (let h = 0; h < HANDLERS.length && out.length < count; h++) {
      const handler = HANDLERS[h]!;
      const seed = mix32(host * 7919 + h);
      // Requests per scrape, and a latency profile: the share of requests at or below each bucket.
      const perScrape = 20 + (seed % 200);
      const shift = (seed >>> 8) % 4;
      const cumulativeShare = (b: number): number => (b === BUCKETS.length - 1 ? 1 : 1 - Math.exp(-(b + 1 - shift * 0.5) / 2.5));
      const requests = (step: number): number => step * perScrape + (mix32(seed + step) % 5);
      const base = ['handler', handler, 'instance', instance, 'job', 'api'];
      for (let b = 0; b < BUCKETS.length && out.length < count; b++) {
        const share = Math.max(0, cumulativeShare(b));
        out.push({ labels: sorted(['__name__', 'http_request_duration_seconds_bucket', 'le', BUCKETS[b]!, ...base]), value: (step) => Math.floor(requests(step) * share) });
      }
      if (out.length < count) out.push({ labels: sorted(['__name__', 'http_request_duration_seconds_count', ...base]), value: requests });
      if (out.length < count) out.push({ labels: sorted(['__name__', 'http_request_duration_seconds_sum', ...base]), value: (step) => Math.round(requests(step) * 0.08 * (1 + shift) * 1000) / 1000 });
    }
  }
  return out;
}

function sorted(flat: string[]): string[] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.flat();
}
