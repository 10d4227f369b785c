import { lowerBound, matchesAll, type Labels, type MetricBatch, type MetricMetadata } from '#pharos/metric-model';
import {
  UnsupportedQueryError,
  type AppendResult,
  type MetricStore,
  type MetricStoreCapabilities,
  type MetricStoreStats,
  type SelectQuery,
  type SeriesExemplars,
  type SeriesRollups,
  type SeriesSamples,
} from '#pharos/storage';

/**
 * Test support for the engine's performance tests: the query benchmark's dashboard shapes
 * (bench/query: node_exporter-like hosts plus a classic histogram per host, scraped every
 * 15 s) held in memory, so that a measurement is the evaluation's cost and not the store's
 * decoding. Values are deterministic functions of (series, scrape), so figures and result
 * digests are the same on every run.
 */

export const PANEL_TENANT = 'perf';
export const PANEL_SCRAPE_MS = 15_000;

/** The panels of bench/query/dashboard.ts; `$ri` is the rate interval. */
export const PANEL_QUERIES: readonly { readonly name: string; readonly expr: string }[] = [
  { name: 'rate per series', expr: 'rate(node_network_receive_bytes_total{device="eth0"}[$ri])' },
  { name: 'sum by instance of rate', expr: 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[$ri]))' },
  { name: 'histogram p99', expr: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[$ri])))' },
  { name: 'histogram p99 by handler', expr: 'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[$ri])))' },
  { name: 'topk rate', expr: 'topk(5, rate(node_disk_written_bytes_total[$ri]))' },
  { name: 'avg_over_time', expr: 'avg_over_time(node_load1[$ri])' },
  { name: 'sum of rate', expr: 'sum(rate(node_cpu_seconds_total[$ri]))' },
  { name: 'gauge arithmetic', expr: '1 - avg by (instance) (node_filesystem_avail_bytes / node_filesystem_size_bytes)' },
];

const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const DISKS = ['nvme0n1', 'nvme1n1', 'sda', 'sdb'];
const NICS = ['eth0', 'eth1', 'bond0', 'lo'];
const MOUNTS = ['/', '/boot/efi', '/var/lib/data', '/run', '/dev/shm', '/srv', '/backup', '/var/lib/docker'];
const HANDLERS = ['/api/v1/query', '/api/v1/query_range', '/api/v1/write', '/metrics', '/-/ready'];
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/** A 32-bit integer hash (deterministic noise). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function sortedLabels(record: Record<string, string>): Labels {
  const names = Object.keys(record).sort();
  const out: string[] = [];
  for (const n of names) out.push(n, record[n]!);
  return out;
}

/**
 * The panels' series for `hosts` hosts over `[0, durationMs]` at the scrape interval, each
 * host's scrapes shifted by a few seconds: per host 128 CPU counters, 4 NIC and 4 disk
 * counters, a load gauge, 8 filesystems (avail gauge, size constant) and 60 histogram buckets
 * (5 handlers × 12 `le`), i.e. 213 series a host. Counters reset now and then.
 */
export function panelSeries(hosts: number, durationMs: number): SeriesSamples[] {
  const n = Math.floor(durationMs / PANEL_SCRAPE_MS) + 1;
  const out: SeriesSamples[] = [];
  const add = (record: Record<string, string>, offsetMs: number, value: (i: number, prev: number) => number): void => {
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      timestamps[i] = i * PANEL_SCRAPE_MS + offsetMs;
      v = value(i, v);
      values[i] = v;
    }
    out.push({ labels: sortedLabels(record), timestamps, values, histogramTimestamps: new Float64Array(0), histograms: [] });
  };
  for (let host = 0; host < hosts; host++) {
    const instance = `node-${String(host).padStart(5, '0')}:9100`;
    const offsetMs = (host * 977) % PANEL_SCRAPE_MS;
    const hostLabels = { job: 'node', instance };
    let seed = host * 1_000_003;
    const counter = (rate: number): ((i: number, prev: number) => number) => {
      const s = mix32(++seed);
      // A restart every ~6 h on some series.
      return (i, prev) => (i > 0 && s % 3 === 0 && mix32(s + i) % 1440 === 0 ? 0 : prev + rate * (1 + (mix32(s ^ i) % 100) / 100));
    };
    for (let cpu = 0; cpu < 16; cpu++) {
      for (const mode of CPU_MODES) add({ __name__: 'node_cpu_seconds_total', ...hostLabels, cpu: String(cpu), mode }, offsetMs, counter(mode === 'idle' ? 14 : 0.13));
    }
    for (const device of NICS) add({ __name__: 'node_network_receive_bytes_total', ...hostLabels, device }, offsetMs, counter(40_960));
    for (const device of DISKS) add({ __name__: 'node_disk_written_bytes_total', ...hostLabels, device }, offsetMs, counter(1_048_576));
    const loadSeed = mix32(++seed);
    add({ __name__: 'node_load1', ...hostLabels }, offsetMs, (i) => ((mix32(loadSeed + i) % 4000) / 1000) * (1 + Math.sin(i / 240)));
    for (const mountpoint of MOUNTS) {
      const size = 2 ** (30 + (mix32(++seed) % 6));
      const avail = mix32(++seed);
      add({ __name__: 'node_filesystem_size_bytes', ...hostLabels, mountpoint }, offsetMs, () => size);
      add({ __name__: 'node_filesystem_avail_bytes', ...hostLabels, mountpoint }, offsetMs, (i) => size * 0.2 + 4096 * (mix32(avail + (i >> 4)) % (size / 8192)));
    }
    for (let h = 0; h < HANDLERS.length; h++) {
      const hs = mix32(host * 7919 + h);
      const perScrape = 20 + (hs % 200);
      const shift = (hs >>> 8) % 4;
      for (let b = 0; b < BUCKETS.length; b++) {
        const share = b === BUCKETS.length - 1 ? 1 : Math.max(0, 1 - Math.exp(-(b + 1 - shift * 0.5) / 2.5));
        add(
          { __name__: 'http_request_duration_seconds_bucket', job: 'api', instance, handler: HANDLERS[h]!, le: BUCKETS[b]! },
          offsetMs,
          (i) => Math.floor((i * perScrape + (mix32(hs + i) % 5)) * share),
        );
      }
    }
  }
  return out;
}

const NOT_HERE = 'the in-memory panel store only answers select';

/**
 * A read-only {@link MetricStore} over series held in memory: `select` returns views
 * (`subarray`) of the held arrays for the requested span, so reads cost next to nothing.
 */
export class InMemorySeriesStore implements MetricStore {
  readonly capabilities: MetricStoreCapabilities = { rollupResolutionsMs: [], nativeHistograms: true, exemplars: false, deleteSeries: false };

  /** Series returned by `select` so far (a query's input size). */
  selected = 0;

  constructor(
    private readonly tenant: string,
    private readonly held: readonly SeriesSamples[],
  ) {}

  async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    if (query.tenant !== this.tenant) return;
    let emitted = 0;
    for (const s of this.held) {
      if (!matchesAll(s.labels, query.matchers)) continue;
      const from = lowerBound(s.timestamps, query.start);
      const to = lowerBound(s.timestamps, query.end + 1);
      const hFrom = lowerBound(s.histogramTimestamps, query.start);
      const hTo = lowerBound(s.histogramTimestamps, query.end + 1);
      if (from === to && hFrom === hTo) continue;
      if (query.limitSeries !== undefined && emitted >= query.limitSeries) return;
      emitted++;
      this.selected++;
      yield {
        labels: s.labels,
        timestamps: s.timestamps.subarray(from, to),
        values: s.values.subarray(from, to),
        histogramTimestamps: s.histogramTimestamps.subarray(hFrom, hTo),
        histograms: s.histograms.slice(hFrom, hTo),
      };
    }
  }

  append(_batch: MetricBatch): Promise<AppendResult> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  // eslint-disable-next-line require-yield
  async *selectRollups(): AsyncIterable<SeriesRollups> {
    throw new UnsupportedQueryError(NOT_HERE);
  }
  series(): Promise<Labels[]> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  labelNames(): Promise<string[]> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  labelValues(): Promise<string[]> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  exemplars(): Promise<SeriesExemplars[]> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  metadata(): Promise<MetricMetadata[]> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  deleteSeries(): Promise<number> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  setRetention(): void {
    throw new UnsupportedQueryError(NOT_HERE);
  }
  enforceRetention(): Promise<void> {
    return Promise.resolve();
  }
  stats(): Promise<MetricStoreStats> {
    return Promise.reject(new UnsupportedQueryError(NOT_HERE));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
