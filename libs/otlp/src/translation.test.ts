import { describe, expect, it } from 'vitest';
import { type MetricBatch, STALE_NAN, isStaleNaN, labelsToRecord } from '#pharos/metric-model';
import {
  type OtlpDecodeResult,
  type OtlpDecoderOptions,
  type OtlpJsonMetric,
  type OtlpJsonRequest,
  type OtlpJsonKeyValue,
  OtlpDecoder,
  encodeExportRequest,
} from '#pharos/otlp';

// Table-driven translation fixtures, written from OpenTelemetry's Prometheus-compatibility
// specification and the behaviour of Prometheus 3.16's OTLP receiver. Every fixture is
// decoded twice, from protobuf and from OTLP/JSON, and both must give the same result.

const T0 = 1_700_000_000_000; // ms
const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
const str = (key: string, value: string): OtlpJsonKeyValue => ({ key, value: { stringValue: value } });

function request(metrics: OtlpJsonMetric[], resource: OtlpJsonKeyValue[] = [str('service.name', 'shop')], scope = { name: 'lib', version: '1.2' }): OtlpJsonRequest {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope, metrics }] }] };
}

interface Row {
  labels: Record<string, string>;
  ts: number;
  value: number | string;
}

function rows(batch: MetricBatch): Row[] {
  const out: Row[] = [];
  batch.series.forEach((labels, i) => {
    for (let s = batch.sampleOffsets[i]!; s < batch.sampleOffsets[i + 1]!; s++) {
      const v = batch.values[s]!;
      out.push({ labels: labelsToRecord(labels), ts: batch.timestamps[s]!, value: isStaleNaN(v) ? 'stale' : v });
    }
  });
  return out;
}

function decodeBoth(req: OtlpJsonRequest, options: OtlpDecoderOptions = {}, window?: { min: number; max: number }): OtlpDecodeResult {
  const call = { tenant: 't', minTimestampMs: window?.min, maxTimestampMs: window?.max };
  const fromProto = new OtlpDecoder(options).decode(encodeExportRequest(req), { ...call, format: 'protobuf' });
  // Proto3 JSON spells non-finite doubles as strings.
  const json = JSON.stringify(req, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  const fromJson = new OtlpDecoder(options).decode(Buffer.from(json), { ...call, format: 'json' });
  expect(rows(fromJson.batch)).toEqual(rows(fromProto.batch));
  expect(fromJson.batch.histograms).toEqual(fromProto.batch.histograms);
  expect(fromJson.batch.exemplars).toEqual(fromProto.batch.exemplars);
  expect(fromJson.rejected).toEqual(fromProto.rejected);
  expect(fromJson.rejectedDataPoints).toBe(fromProto.rejectedDataPoints);
  return fromProto;
}

const named = (r: OtlpDecodeResult, name: string): Row[] => rows(r.batch).filter((x) => x.labels['__name__'] === name);

describe('OTLP → Prometheus translation', () => {
  it('gauge: attributes become labels, service.* become job and instance, the rest go to target_info', () => {
    const r = decodeBoth(
      request(
        [{ name: 'queue.depth', unit: '{item}', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asInt: '7', attributes: [str('queue.name', 'orders')] }] } }],
        [str('service.name', 'shop'), str('service.namespace', 'eu'), str('service.instance.id', 'pod-1'), str('host.name', 'h1'), str('cloud.region', 'eu-west')],
      ),
    );
    expect(named(r, 'queue_depth')).toEqual([{ labels: { __name__: 'queue_depth', job: 'eu/shop', instance: 'pod-1', queue_name: 'orders' }, ts: T0, value: 7 }]);
    expect(named(r, 'target_info')).toEqual([
      { labels: { __name__: 'target_info', job: 'eu/shop', instance: 'pod-1', host_name: 'h1', cloud_region: 'eu-west' }, ts: T0, value: 1 },
    ]);
    expect(r.batch.metadata).toContainEqual({ metricFamilyName: 'queue_depth', type: 'gauge', help: '', unit: '' });
    expect(r.batch.metadata).toContainEqual({ metricFamilyName: 'target_info', type: 'gauge', help: 'Target metadata', unit: '' });
  });

  it('writes no target_info for a resource with only identifying attributes', () => {
    const r = decodeBoth(request([{ name: 'up', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }], [str('service.name', 'a'), str('service.instance.id', 'b')]));
    expect(named(r, 'target_info')).toEqual([]);
  });

  it('target_info gets a sample every half lookback delta between the earliest and latest point', () => {
    const points = [0, 400_000].map((d) => ({ timeUnixNano: ns(T0 + d), asDouble: 1 }));
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: points } }], [str('service.name', 'a'), str('k8s.pod.name', 'p')]));
    expect(named(r, 'target_info').map((x) => x.ts - T0)).toEqual([0, 150_000, 300_000, 400_000]);
  });

  it('monotonic sums get _total and units; exemplars carry trace and span ids in hex', () => {
    const traceId = '0102030405060708090a0b0c0d0e0f10';
    const spanId = 'a1a2a3a4a5a6a7a8';
    const r = decodeBoth(
      request([
        {
          name: 'http.server.requests',
          unit: 'By',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [
              {
                timeUnixNano: ns(T0),
                startTimeUnixNano: ns(T0 - 60_000),
                asDouble: 42.5,
                attributes: [str('http.method', 'GET')],
                exemplars: [
                  { timeUnixNano: ns(T0 - 5), asDouble: 3, traceId, spanId, filteredAttributes: [str('user', 'u1')] },
                  { timeUnixNano: ns(T0 - 9), asInt: '2' },
                ],
              },
            ],
          },
        },
      ]),
    );
    expect(named(r, 'http_server_requests_bytes_total')).toEqual([
      { labels: { __name__: 'http_server_requests_bytes_total', job: 'shop', http_method: 'GET' }, ts: T0, value: 42.5 },
    ]);
    // Sorted by timestamp, as Prometheus' appenders require.
    expect(r.batch.exemplars.map((e) => ({ labels: labelsToRecord(e.labels), ts: e.timestamp, value: e.value }))).toEqual([
      { labels: {}, ts: T0 - 9, value: 2 },
      { labels: { span_id: spanId, trace_id: traceId, user: 'u1' }, ts: T0 - 5, value: 3 },
    ]);
    expect(r.batch.metadata).toContainEqual({ metricFamilyName: 'http_server_requests_bytes_total', type: 'counter', help: '', unit: 'bytes' });
  });

  it('drops exemplar attributes when the label set would exceed 128 runes, keeping the trace context', () => {
    const long = 'x'.repeat(100);
    const r = decodeBoth(
      request([{ name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T0), asInt: 1, exemplars: [{ timeUnixNano: ns(T0), asDouble: 1, traceId: '0102030405060708090a0b0c0d0e0f10', filteredAttributes: [str('note', long)] }] }] } }]),
    );
    expect(labelsToRecord(r.batch.exemplars[0]!.labels)).toEqual({ trace_id: '0102030405060708090a0b0c0d0e0f10' });
  });

  it('joins the values of attributes whose names collide after sanitisation, in key order', () => {
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1, attributes: [str('a_b', 'second'), str('a.b', 'first')] }] } }]));
    expect(named(r, 'g')[0]!.labels['a_b']).toBe('first;second');
    expect(r.warnings.join()).toMatch(/collide/);
  });

  it('turns attribute values of every type into text as pdata does', () => {
    const attrs: OtlpJsonKeyValue[] = [
      { key: 'i', value: { intValue: '-12' } },
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'd', value: { doubleValue: 0.25 } },
      { key: 'tiny', value: { doubleValue: 1e-7 } },
      { key: 'b', value: { boolValue: true } },
      { key: 'bytes', value: { bytesValue: Buffer.from('hi').toString('base64') } },
      { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
      { key: 'map', value: { kvlistValue: { values: [str('z', '1'), { key: 'a', value: { boolValue: false } }] } } },
      { key: 'empty', value: {} },
    ];
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1, attributes: attrs }] } }]));
    expect(named(r, 'g')[0]!.labels).toEqual({
      __name__: 'g',
      job: 'shop',
      i: '-12',
      big: '9007199254740993',
      d: '0.25',
      tiny: '1e-7',
      b: 'true',
      bytes: 'aGk=',
      arr: '["x",1]',
      map: '{"a":false,"z":"1"}',
    });
  });

  it('marks NO_RECORDED_VALUE points as stale', () => {
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 5, flags: 1 }] } }]));
    expect(named(r, 'g')[0]!.value).toBe('stale');
  });

  it('classic histograms: cumulative _bucket series with +Inf from the count, _sum, _count, exemplars by bucket', () => {
    const r = decodeBoth(
      request([
        {
          name: 'rpc.duration',
          unit: 'ms',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: ns(T0),
                count: '6',
                sum: 10,
                bucketCounts: ['1', '2', '3'],
                explicitBounds: [1, 5],
                exemplars: [
                  { timeUnixNano: ns(T0), asDouble: 0.5 },
                  { timeUnixNano: ns(T0), asDouble: 3 },
                  { timeUnixNano: ns(T0), asDouble: 100 },
                ],
              },
            ],
          },
        },
      ]),
    );
    const f = 'rpc_duration_milliseconds';
    expect(rows(r.batch).filter((x) => x.labels['__name__']?.startsWith(f)).map((x) => [x.labels['__name__'], x.labels['le'], x.value])).toEqual([
      [`${f}_sum`, undefined, 10],
      [`${f}_count`, undefined, 6],
      [`${f}_bucket`, '1', 1],
      [`${f}_bucket`, '5', 3],
      [`${f}_bucket`, '+Inf', 6],
    ]);
    const exemplarBuckets = r.batch.exemplars.map((e) => [labelsToRecord(r.batch.series[e.seriesIndex]!)['le'], e.value]);
    expect(exemplarBuckets).toEqual([
      ['1', 0.5],
      ['5', 3],
      ['+Inf', 100],
    ]);
  });

  it('classic histograms skip an explicit +Inf bound (le="+Inf" comes from the count) and omit an unset sum', () => {
    const r = decodeBoth(request([{ name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T0), count: 3, bucketCounts: [1, 2], explicitBounds: [Infinity] }] } }]));
    expect(rows(r.batch).filter((x) => x.labels['__name__'] !== 'target_info').map((x) => [x.labels['__name__'], x.labels['le'], x.value])).toEqual([
      ['h_count', undefined, 3],
      ['h_bucket', '+Inf', 3],
    ]);
  });

  it('explicit histograms become custom-bucket native histograms with convert_histograms_to_nhcb', () => {
    const r = decodeBoth(
      request([{ name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T0), count: 9, sum: 4, bucketCounts: [0, 0, 4, 0, 0, 0, 5], explicitBounds: [1, 2, 3, 4, 5, 6] }] } }]),
      { translation: { convertHistogramsToNhcb: true } },
    );
    const h = r.batch.histograms[0]!.histogram;
    expect(h.schema).toBe(-53);
    expect(Array.from(h.customValues)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(h.positiveSpans)).toEqual([2, 1, 3, 1]);
    expect(Array.from(h.positiveCounts)).toEqual([4, 5]);
    expect([h.count, h.sum]).toEqual([9, 4]);
  });

  it('exponential histograms: bucket indexes shift by one, gaps over two buckets open a new span, zero bucket kept', () => {
    const r = decodeBoth(
      request([
        {
          name: 'latency',
          unit: 's',
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: ns(T0),
                count: '6',
                sum: 12.5,
                scale: 0,
                zeroCount: '1',
                zeroThreshold: 0.001,
                positive: { offset: -1, bucketCounts: [1, 0, 0, 0, 2] },
                negative: { offset: 0, bucketCounts: [3] },
              },
            ],
          },
        },
      ]),
    );
    const [sample] = r.batch.histograms;
    expect(labelsToRecord(r.batch.series[sample!.seriesIndex]!)).toEqual({ __name__: 'latency_seconds', job: 'shop' });
    const h = sample!.histogram;
    expect({ schema: h.schema, zeroThreshold: h.zeroThreshold, zeroCount: h.zeroCount, count: h.count, sum: h.sum, isInteger: h.isInteger }).toEqual({
      schema: 0,
      zeroThreshold: 1e-128,
      zeroCount: 1,
      count: 6,
      sum: 12.5,
      isInteger: true,
    });
    expect(Array.from(h.positiveSpans)).toEqual([0, 1, 3, 1]);
    expect(Array.from(h.positiveCounts)).toEqual([1, 2]);
    expect(Array.from(h.negativeSpans)).toEqual([1, 1]);
    expect(Array.from(h.negativeCounts)).toEqual([3]);
  });

  it('exponential histograms above scale 8 are downscaled; below -4 they are refused', () => {
    const point = (scale: number) => ({ timeUnixNano: ns(T0), count: 5, scale, positive: { offset: 0, bucketCounts: [1, 1, 1, 1, 1] } });
    const r = decodeBoth(request([{ name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [point(10), point(-5)] } }]));
    expect(r.batch.histograms).toHaveLength(1);
    const h = r.batch.histograms[0]!.histogram;
    expect(h.schema).toBe(8);
    expect(Array.from(h.positiveSpans)).toEqual([1, 2]);
    expect(Array.from(h.positiveCounts)).toEqual([4, 1]);
    expect(r.rejected).toEqual({ invalid_histogram: 1 });
    expect(r.rejectedDataPoints).toBe(1);
    expect(r.messages.join()).toMatch(/Scale must be >= -4, was -5/);
  });

  it('summaries: _sum, _count and quantile series', () => {
    const r = decodeBoth(
      request([{ name: 'gc.pause', unit: 's', summary: { dataPoints: [{ timeUnixNano: ns(T0), count: 4, sum: 2, quantileValues: [{ quantile: 0.5, value: 0.3 }, { quantile: 0.99, value: 0.9 }] }] } }]),
    );
    expect(rows(r.batch).filter((x) => x.labels['__name__']?.startsWith('gc')).map((x) => [x.labels['__name__'], x.labels['quantile'], x.value])).toEqual([
      ['gc_pause_seconds_sum', undefined, 2],
      ['gc_pause_seconds_count', undefined, 4],
      ['gc_pause_seconds', '0.5', 0.3],
      ['gc_pause_seconds', '0.99', 0.9],
    ]);
  });

  it('promotes the configured resource attributes without overriding point attributes', () => {
    const r = decodeBoth(
      request(
        [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }, { timeUnixNano: ns(T0), asDouble: 2, attributes: [str('deployment.environment', 'mine')] }] } }],
        [str('service.name', 'shop'), str('deployment.environment', 'prod'), str('other', 'x')],
      ),
      { translation: { promoteResourceAttributes: ['deployment.environment'] } },
    );
    expect(named(r, 'g').map((x) => x.labels['deployment_environment'])).toEqual(['prod', 'mine']);
    expect(named(r, 'g')[0]!.labels['other']).toBeUndefined();
  });

  it('keeps identifying attributes on target_info when asked to', () => {
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }], [str('service.name', 'shop'), str('host', 'h')]), {
      translation: { keepIdentifyingResourceAttributes: true },
    });
    expect(named(r, 'target_info')[0]!.labels).toEqual({ __name__: 'target_info', job: 'shop', service_name: 'shop', host: 'h' });
  });

  it('promotes scope metadata to otel_scope_* labels when asked to', () => {
    const r = decodeBoth(
      { resourceMetrics: [{ resource: { attributes: [str('service.name', 's')] }, scopeMetrics: [{ scope: { name: 'io.lib', version: '2.0', attributes: [str('team', 'core')] }, schemaUrl: 'https://x/1.0', metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }] }] }] },
      { translation: { promoteScopeMetadata: true } },
    );
    expect(named(r, 'g')[0]!.labels).toEqual({
      __name__: 'g',
      job: 's',
      otel_scope_name: 'io.lib',
      otel_scope_version: '2.0',
      otel_scope_schema_url: 'https://x/1.0',
      otel_scope_team: 'core',
    });
  });

  it('keeps UTF-8 names with the NoUTF8EscapingWithSuffixes strategy', () => {
    const r = decodeBoth(
      request([{ name: 'http.server.duration', unit: 's', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1, attributes: [str('http.method', 'GET')] }] } }]),
      { translation: { translationStrategy: 'NoUTF8EscapingWithSuffixes' } },
    );
    expect(named(r, 'http.server.duration_seconds')[0]!.labels).toEqual({ __name__: 'http.server.duration_seconds', job: 'shop', 'http.method': 'GET' });
  });

  it('rejects the points of a sum with unspecified temporality, and only those', () => {
    const r = decodeBoth(
      request([
        { name: 'bad', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }, { timeUnixNano: ns(T0), asDouble: 2 }] } },
        { name: 'good', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } },
      ]),
    );
    expect(r.rejected).toEqual({ invalid_temporality: 2 });
    expect(r.rejectedDataPoints).toBe(2);
    expect(r.messages[0]).toMatch(/invalid temporality and type combination for metric "bad"/);
    expect(named(r, 'good')).toHaveLength(1);
  });

  it('rejects points with an empty attribute key, and points outside the time window', () => {
    const r = decodeBoth(
      request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1, attributes: [str('', 'x')] }, { timeUnixNano: ns(T0 - 10_000), asDouble: 1 }, { timeUnixNano: ns(T0), asDouble: 3 }] } }]),
      {},
      { min: T0 - 1000, max: T0 + 1000 },
    );
    expect(r.rejected).toEqual({ invalid_label_name: 1, too_old: 1 });
    expect(named(r, 'g').map((x) => x.value)).toEqual([3]);
  });

  it('applies the tenant label limits per point', () => {
    const attrs = Array.from({ length: 5 }, (_, i) => str(`k${i}`, 'v'));
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1, attributes: attrs }] } }]), { maxLabelsPerSeries: 4 });
    expect(r.rejected).toEqual({ too_many_labels: 1 });
  });

  it('routes delta sums and histograms to the delta batch with their start times', () => {
    const r = decodeBoth(
      request([
        { name: 'd', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ startTimeUnixNano: ns(T0 - 10_000), timeUnixNano: ns(T0), asInt: 3 }] } },
        { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T0), asInt: 3 }] } },
      ]),
    );
    expect(named(r, 'c_total')).toHaveLength(1);
    expect(named(r, 'd_total')).toHaveLength(0);
    expect(rows(r.delta!.batch)).toEqual([{ labels: { __name__: 'd_total', job: 'shop' }, ts: T0, value: 3 }]);
    expect(Array.from(r.delta!.floatStarts)).toEqual([T0 - 10_000]);
  });

  it('reads nanosecond timestamps exactly (past 2^53) in both encodings', () => {
    const r = decodeBoth(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1700000000123999999', asDouble: 1 }] } }]));
    expect(named(r, 'g')[0]!.ts).toBe(1700000000123);
  });

  it('rejects malformed bodies as a whole with a clear error', () => {
    const d = new OtlpDecoder();
    expect(() => d.decode(Buffer.from([0x0a, 0x05, 0x01]), { tenant: 't', format: 'protobuf' })).toThrow(/malformed OTLP protobuf: length 5 runs past/);
    expect(() => d.decode(Buffer.from('{"resourceMetrics": 3}'), { tenant: 't', format: 'json' })).toThrow(/\$\.resourceMetrics: expected an array, got 3/);
    expect(() => d.decode(Buffer.from('{oops'), { tenant: 't', format: 'json' })).toThrow(/not valid JSON/);
    expect(() => d.decode(Buffer.from('not gzip'), { tenant: 't', format: 'json', encoding: 'gzip' })).toThrow(/invalid gzip body/);
  });

  it('keeps the staleness marker bits', () => {
    expect(isStaleNaN(STALE_NAN)).toBe(true);
  });
});
