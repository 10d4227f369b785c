import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { type MetricBatch, labelsToRecord } from '#pharos/metric-model';
import { OtlpDecoder } from '#pharos/otlp';

// Bytes produced by the real OpenTelemetry JS SDK and its OTLP serializers (the code its
// exporters send), decoded from protobuf and from JSON.

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function collect(temporality: AggregationTemporality) {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'i-1', 'host.name': 'h1' }),
    readers: [reader],
    views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('shop', '1.0.0');
  meter.createCounter('orders.placed', { unit: '{order}' }).add(3, { 'payment.method': 'card' });
  meter.createUpDownCounter('queue.length').add(-2, { queue: 'q1' });
  meter.createGauge('cpu.utilization', { unit: '1' }).record(0.42);
  const latency = meter.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
  for (const v of [0.05, 0.5, 0.7, 3]) latency.record(v, { 'http.route': '/pay' });
  const size = meter.createHistogram('payload.size', { unit: 'By' });
  for (const v of [0, 10, 100, 1000]) size.record(v);
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return resourceMetrics;
}

function byName(batch: MetricBatch): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const out = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  batch.series.forEach((labels, i) => {
    const rec = labelsToRecord(labels);
    const list = out.get(rec['__name__']!) ?? [];
    for (let s = batch.sampleOffsets[i]!; s < batch.sampleOffsets[i + 1]!; s++) list.push({ labels: rec, value: batch.values[s]! });
    out.set(rec['__name__']!, list);
  });
  return out;
}

describe('requests serialised by the OpenTelemetry JS SDK', () => {
  it('decode the same from protobuf and JSON, with the names Prometheus gives them', async () => {
    const rm = await collect(AggregationTemporality.CUMULATIVE);
    const proto = ProtobufMetricsSerializer.serializeRequest(rm)!;
    const json = JsonMetricsSerializer.serializeRequest(rm)!;
    const decoder = new OtlpDecoder();
    const a = decoder.decode(proto, { tenant: 't', format: 'protobuf' });
    const b = decoder.decode(json, { tenant: 't', format: 'json' });
    expect(a.rejectedDataPoints).toBe(0);
    expect(b.rejectedDataPoints).toBe(0);
    expect(b.batch.series).toEqual(a.batch.series);
    expect(Array.from(b.batch.values)).toEqual(Array.from(a.batch.values));
    expect(Array.from(b.batch.timestamps)).toEqual(Array.from(a.batch.timestamps));
    expect(b.batch.histograms).toEqual(a.batch.histograms);

    const series = byName(a.batch);
    const job = { job: 'checkout', instance: 'i-1' };
    expect(series.get('orders_placed_total')).toEqual([{ labels: { __name__: 'orders_placed_total', ...job, payment_method: 'card' }, value: 3 }]);
    expect(series.get('queue_length')).toEqual([{ labels: { __name__: 'queue_length', ...job, queue: 'q1' }, value: -2 }]);
    expect(series.get('cpu_utilization_ratio')).toEqual([{ labels: { __name__: 'cpu_utilization_ratio', ...job }, value: 0.42 }]);
    const buckets = series.get('http_server_request_duration_seconds_bucket')!.map((x) => [x.labels['le'], x.value]);
    expect(buckets).toEqual([
      ['0.1', 1],
      ['1', 3],
      ['+Inf', 4],
    ]);
    expect(series.get('http_server_request_duration_seconds_count')![0]!.value).toBe(4);
    expect(series.get('http_server_request_duration_seconds_sum')![0]!.value).toBeCloseTo(4.25);
    expect(series.get('target_info')![0]!.labels).toEqual({ __name__: 'target_info', ...job, host_name: 'h1' });

    const [expo] = a.batch.histograms;
    expect(labelsToRecord(a.batch.series[expo!.seriesIndex]!)).toEqual({ __name__: 'payload_size_bytes', ...job });
    expect(expo!.histogram.count).toBe(4);
    expect(expo!.histogram.zeroCount).toBe(1);
    expect(expo!.histogram.sum).toBe(1110);
    let inBuckets = 0;
    for (const c of expo!.histogram.positiveCounts) inBuckets += c;
    expect(inBuckets).toBe(3);
    expect(expo!.histogram.schema).toBeLessThanOrEqual(8);
  });

  it('route delta-temporality sums and histograms to the delta batch', async () => {
    const rm = await collect(AggregationTemporality.DELTA);
    const a = new OtlpDecoder().decode(ProtobufMetricsSerializer.serializeRequest(rm)!, { tenant: 't', format: 'protobuf' });
    const deltaNames = new Set(a.delta!.batch.series.map((l) => labelsToRecord(l)['__name__']));
    expect(deltaNames).toEqual(
      new Set([
        'orders_placed_total',
        'queue_length',
        'http_server_request_duration_seconds_bucket',
        'http_server_request_duration_seconds_count',
        'http_server_request_duration_seconds_sum',
        'payload_size_bytes',
      ]),
    );
    expect(byName(a.batch).has('cpu_utilization_ratio')).toBe(true);
    expect(a.delta!.floatStarts.every((s) => s > 0)).toBe(true);
  });
});
