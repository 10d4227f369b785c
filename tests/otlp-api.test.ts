import { Client, Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeExportRequest } from '#pharos/otlp';
import { freePort, removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { waitForSeries } from './support/remote-write-client.js';

// OTLP metrics through the built pharos binary, sent by the real OpenTelemetry JS SDK with
// its three exporters (gRPC, HTTP/protobuf, HTTP/JSON), read back through the Prometheus API.

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** An SDK with every instrument kind; `record` adds one round of measurements. */
function instrumentedSdk(prefix: string, temporality: AggregationTemporality) {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': `svc-${prefix}`, 'service.instance.id': 'i-1', 'host.name': 'h1' }),
    readers: [reader],
    views: [{ instrumentName: `${prefix}.payload.size`, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('shop', '1.0.0');
  const orders = meter.createCounter(`${prefix}.orders`, { unit: '{order}' });
  const queue = meter.createUpDownCounter(`${prefix}.queue.length`);
  const cpu = meter.createGauge(`${prefix}.cpu.utilization`, { unit: '1' });
  const latency = meter.createHistogram(`${prefix}.request.duration`, { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
  const size = meter.createHistogram(`${prefix}.payload.size`, { unit: 'By' });
  return {
    record(n: number) {
      orders.add(n, { method: 'card' });
      queue.add(-1);
      cpu.record(0.25 * n);
      for (const v of [0.05, 0.5, 3]) latency.record(v);
      for (const v of [10, 100]) size.record(v);
    },
    async collect(): Promise<ResourceMetrics> {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return resourceMetrics;
    },
    shutdown: () => provider.shutdown(),
  };
}

function exportWith(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

async function query(url: string, promql: string, tenant?: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

async function waitForQuery(url: string, promql: string, ok: (r: Awaited<ReturnType<typeof query>>) => boolean): Promise<Awaited<ReturnType<typeof query>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await query(url, promql);
    if (ok(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

const SERIES_OF = (p: string) => [
  `${p}_orders_total`,
  `${p}_queue_length`,
  `${p}_cpu_utilization_ratio`,
  `${p}_request_duration_seconds_bucket`,
  `${p}_request_duration_seconds_sum`,
  `${p}_request_duration_seconds_count`,
  `${p}_payload_size_bytes`,
];

describe('OTLP metrics through the built pharos binary', () => {
  let pharos: PharosProcess;
  let grpcPort: number;
  let httpPort: number;

  beforeAll(async () => {
    grpcPort = await freePort();
    httpPort = await freePort();
    const dir = tempDir('otlp');
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'limits:\n  tenants:\n    slow:\n      ingestion_rate: 1\n      ingestion_burst: 1\n');
    pharos = await startPharos({
      dataDir: join(dir, 'data'),
      args: ['--config', configFile],
      env: { PHAROS_OTLP_GRPC_PORT: String(grpcPort), PHAROS_OTLP_HTTP_PORT: String(httpPort) },
    });
  });
  afterAll(async () => {
    const code = await pharos?.stop();
    expect(code).toBe(0);
    removeDir(join(pharos.dataDir, '..'));
  });

  it('stores every instrument kind sent by the SDK over OTLP/gRPC with gzip, with Prometheus names', async () => {
    const sdk = instrumentedSdk('grpc', AggregationTemporality.CUMULATIVE);
    sdk.record(3);
    const exporter = new GrpcExporter({ url: `http://127.0.0.1:${grpcPort}`, compression: CompressionAlgorithm.GZIP });
    const result = await exportWith(exporter, await sdk.collect());
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    await exporter.shutdown();
    await sdk.shutdown();
    for (const name of SERIES_OF('grpc')) {
      const found = await waitForSeries(pharos.url, name, (s) => s.length >= 1);
      expect(found[0]).toMatchObject({ __name__: name, job: 'svc-grpc', instance: 'i-1' });
    }
    const info = await waitForSeries(pharos.url, 'target_info', (s) => s.some((x) => x.job === 'svc-grpc'));
    expect(info.find((x) => x.job === 'svc-grpc')).toEqual({ __name__: 'target_info', job: 'svc-grpc', instance: 'i-1', host_name: 'h1' });
    expect((await query(pharos.url, 'grpc_orders_total'))[0]!.value[1]).toBe('3');
    const buckets = await query(pharos.url, 'grpc_request_duration_seconds_bucket');
    expect(buckets.map((b) => [b.metric['le'], b.value[1]]).sort()).toEqual([
      ['+Inf', '3'],
      ['0.1', '1'],
      ['1', '2'],
    ]);
  });

  it('turns delta temporality into cumulative series (OTLP/HTTP protobuf, gzip)', async () => {
    const sdk = instrumentedSdk('delta', AggregationTemporality.DELTA);
    const exporter = new ProtoExporter({ url: `http://127.0.0.1:${httpPort}/v1/metrics`, compression: CompressionAlgorithm.GZIP });
    sdk.record(3);
    expect((await exportWith(exporter, await sdk.collect())).code).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    sdk.record(4);
    expect((await exportWith(exporter, await sdk.collect())).code).toBe(0);
    await exporter.shutdown();
    await sdk.shutdown();
    const total = await waitForQuery(pharos.url, 'delta_orders_total', (r) => r[0]?.value[1] === '7');
    expect(total[0]!.value[1]).toBe('7');
    expect((await query(pharos.url, 'delta_queue_length'))[0]!.value[1]).toBe('-2');
    expect((await query(pharos.url, 'delta_request_duration_seconds_count'))[0]!.value[1]).toBe('6');
    const size = await query(pharos.url, 'histogram_count(delta_payload_size_bytes)');
    if (size.length > 0) expect(size[0]!.value[1]).toBe('4');
  });

  it('accepts OTLP/JSON on the main port at /otlp/v1/metrics', async () => {
    const sdk = instrumentedSdk('json', AggregationTemporality.CUMULATIVE);
    sdk.record(2);
    const exporter = new JsonExporter({ url: `${pharos.url}/otlp/v1/metrics` });
    expect((await exportWith(exporter, await sdk.collect())).code).toBe(0);
    await exporter.shutdown();
    await sdk.shutdown();
    for (const name of SERIES_OF('json')) expect((await waitForSeries(pharos.url, name, (s) => s.length >= 1)).length).toBeGreaterThanOrEqual(1);
  });

  it('answers a partly bad request with partial_success and writes the good points', async () => {
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'partial.good', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } },
                { name: 'partial.bad', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedDataPoints).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/invalid_temporality/);
    expect((await waitForSeries(pharos.url, 'partial_good', (s) => s.length === 1)).length).toBe(1);
    // The same request as protobuf gets a protobuf ExportMetricsServiceResponse.
    const proto = await fetch(`http://127.0.0.1:${httpPort}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeExportRequest(request) });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(Buffer.from(await proto.arrayBuffer()).includes(Buffer.from('invalid_temporality'))).toBe(true);
  });

  it('refuses unreadable bodies (400), unknown content types (415) and answers limits with 429 + Retry-After', async () => {
    const url = `http://127.0.0.1:${httpPort}/v1/metrics`;
    const garbage = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0x05, 0x01]) });
    expect(garbage.status).toBe(400);
    expect(Buffer.from(await garbage.arrayBuffer()).toString('latin1')).toMatch(/malformed OTLP protobuf/);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const points = Array.from({ length: 5 }, (_, i) => ({ timeUnixNano: now, asDouble: i, attributes: [{ key: 'i', value: { stringValue: String(i) } }] }));
    const body = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'limited', gauge: { dataPoints: points } }] }] }] });
    // A request larger than the bucket passes while the bucket is full (the rate limiter's
    // rule); the next one finds it empty.
    const send = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': 'slow' }, body });
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('answers gRPC with INVALID_ARGUMENT for bad data and RESOURCE_EXHAUSTED with RetryInfo for limits', async () => {
    const client = new Client(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const call = (body: Buffer, metadata = new Metadata()) =>
      new Promise<ServiceError | null>((resolve) =>
        client.makeUnaryRequest('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', (b: Buffer) => b, (b: Buffer) => b, body, metadata, (err) => resolve(err)),
      );
    const bad = await call(Buffer.from([0x0a, 0x05, 0x01]));
    expect(bad?.code).toBe(3);
    expect(bad?.details).toMatch(/malformed OTLP protobuf/);
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const points = Array.from({ length: 5 }, (_, i) => ({ timeUnixNano: now, asDouble: i, attributes: [{ key: 'i', value: { stringValue: String(i) } }] }));
    const md = new Metadata();
    md.set('x-scope-orgid', 'slow');
    const limited = await call(encodeExportRequest({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'limited_grpc', gauge: { dataPoints: points } }] }] }] }), md);
    expect(limited?.code).toBe(8);
    expect(limited?.metadata.get('grpc-status-details-bin')[0]).toBeInstanceOf(Buffer);
    const ok = await call(encodeExportRequest({ resourceMetrics: [] }));
    expect(ok).toBeNull();
    client.close();
  });

  it('counts OTLP in the ingest self-metrics with protocol="otlp"', async () => {
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toMatch(/pharos_ingest_samples_total\{[^}]*protocol="otlp"[^}]*\} \d+/);
    expect(metrics).toMatch(/pharos_ingest_rejected_samples_total\{[^}]*protocol="otlp"[^}]*reason="invalid_temporality"[^}]*\} \d/);
    expect(metrics).toMatch(/pharos_otlp_listener_up\{transport="grpc"\} 1/);
  });
});
