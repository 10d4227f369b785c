import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';
import { prometheus3Binary } from './support/prometheus3.js';
import { getSeries } from './support/remote-write-client.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

/** Every instrument kind telemetrygen can send, each under its own metric name. */
const KINDS = [
  { type: 'Gauge', name: 'tg_gauge' },
  { type: 'Sum', name: 'tg_sum' },
  { type: 'Histogram', name: 'tg_histogram' },
  { type: 'ExponentialHistogram', name: 'tg_exponential' },
] as const;

interface Destination {
  readonly endpoint: string;
  /** OTLP/HTTP on this URL path; gRPC when absent. */
  readonly httpPath?: string;
}

/**
 * Issue 4 §1: an OTLP sender that is not ours — the OpenTelemetry Collector's `telemetrygen`,
 * built on the Go OTel SDK — sends every metric kind to Pharos (gRPC and HTTP) and to
 * Prometheus 3.16's own OTLP receiver; Pharos must hold exactly the series Prometheus holds
 * (names with unit/`_total` suffixes, `job`/`instance` from `service.*`, `target_info`,
 * attribute names translated, classic buckets, exponential histograms as native ones).
 */
describe('OTLP from telemetrygen (Go OTel SDK), compared with Prometheus 3.16', () => {
  let telemetrygen: string;
  let pharos: PharosProcess;
  let prometheus: PrometheusProcess;
  let grpcPort: number;
  let httpPort: number;

  beforeAll(async () => {
    const built = await run('bash', [join(ROOT, 'scripts/engines/telemetrygen.sh')], { maxBuffer: 1 << 20 });
    telemetrygen = built.stdout.trim().split('\n').pop()!;
    grpcPort = await freePort();
    httpPort = await freePort();
    const dir = tempDir('telemetrygen');
    const [p, binary] = await Promise.all([
      startPharos({ dataDir: join(dir, 'data'), env: { PHAROS_OTLP_GRPC_PORT: String(grpcPort), PHAROS_OTLP_HTTP_PORT: String(httpPort) } }),
      prometheus3Binary(),
    ]);
    pharos = p;
    prometheus = await startPrometheus(() => 'global:\n  scrape_interval: 15s\n', ['--web.enable-otlp-receiver'], binary.path);
  }, 10 * 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    if (pharos) {
      expect(await pharos.stop()).toBe(0);
      removeDir(join(pharos.dataDir, '..'));
    }
  });

  async function send(to: Destination, kind: (typeof KINDS)[number], service: string): Promise<void> {
    const args = [
      'metrics',
      '--otlp-insecure',
      '--otlp-endpoint',
      to.endpoint,
      ...(to.httpPath ? ['--otlp-http', '--otlp-http-url-path', to.httpPath] : []),
      '--metric-type',
      kind.type,
      '--otlp-metric-name',
      kind.name,
      '--metrics',
      '3',
      '--rate',
      '0',
      '--aggregation-temporality',
      'cumulative',
      '--service',
      service,
      '--otlp-attributes',
      'service.instance.id="i-1"',
      '--otlp-attributes',
      'host.name="h1"',
      '--telemetry-attributes',
      'http.request.method="GET"',
    ];
    try {
      await run(telemetrygen, args, { timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`telemetrygen ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
    }
  }

  it('stores, from OTLP/gRPC and OTLP/HTTP, exactly the series Prometheus 3.16 stores for the same requests', async () => {
    const prometheusOtlp: Destination = { endpoint: `127.0.0.1:${prometheus.port}`, httpPath: '/api/v1/otlp/v1/metrics' };
    const pharosGrpc: Destination = { endpoint: `127.0.0.1:${grpcPort}` };
    const pharosHttp: Destination = { endpoint: `127.0.0.1:${httpPort}`, httpPath: '/v1/metrics' };
    for (const kind of KINDS) {
      // Prometheus takes OTLP over HTTP only; it receives both services' requests that way.
      await send(prometheusOtlp, kind, 'tg-grpc');
      await send(prometheusOtlp, kind, 'tg-http');
      await send(pharosGrpc, kind, 'tg-grpc');
      await send(pharosHttp, kind, 'tg-http');
    }
    const match = '{job=~"tg-.*"}';
    const want = canonical(await getSeries(prometheus.url, match));
    // Sanity: the comparison covers what it claims to (every kind, both services, target_info).
    expect(want).toContain('{__name__="tg_sum_total", http_request_method="GET", instance="i-1", job="tg-grpc"}');
    expect(want).toContain('{__name__="tg_exponential", http_request_method="GET", instance="i-1", job="tg-http"}');
    expect(want).toContain('{__name__="target_info", host_name="h1", instance="i-1", job="tg-http"}');
    expect(want.filter((s) => s.startsWith('{__name__="tg_histogram_bucket"')).length).toBeGreaterThan(4);
    let got: string[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      got = canonical(await getSeries(pharos.url, match));
      if (got.length >= want.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got).toEqual(want);
  });

  it('stores exponential histograms as native histograms, as Prometheus does', async () => {
    for (const target of [pharos.url, prometheus.url]) {
      const res = await fetch(`${target}/api/v1/query?${new URLSearchParams({ query: 'tg_exponential{job="tg-grpc"}[1h]' })}`);
      const body = (await res.json()) as { status: string; data: { result: Array<{ values?: unknown[]; histograms?: Array<[number, { count: string; buckets?: unknown[] }]> }> } };
      expect(body.status, target).toBe('success');
      const series = body.data.result;
      expect(series.length, target).toBe(1);
      expect(series[0]!.values ?? [], target).toEqual([]);
      const histograms = series[0]!.histograms ?? [];
      expect(histograms.length, target).toBeGreaterThan(0);
      expect(Number(histograms[0]![1].count), target).toBeGreaterThan(0);
      expect(histograms[0]![1].buckets?.length ?? 0, target).toBeGreaterThan(0);
    }
  });
});

/** Series as sorted `{a="b", …}` strings, sorted, for an order-free comparison. */
function canonical(series: Record<string, string>[]): string[] {
  return series
    .map(
      (labels) =>
        `{${Object.keys(labels)
          .sort()
          .map((k) => `${k}=${JSON.stringify(labels[k])}`)
          .join(', ')}}`,
    )
    .sort();
}
