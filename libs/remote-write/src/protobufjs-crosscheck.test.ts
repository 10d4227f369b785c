import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { type MetricBatch, type NativeHistogram, isStaleNaN, STALE_NAN } from '#pharos/metric-model';
import {
  type RemoteWriteSeries,
  RemoteWriteDecoder,
  decodeRemoteWrite,
  encodeWriteRequestV1,
  encodeWriteRequestV2,
} from '#pharos/remote-write';

// The published schemas from proto/, read by protobufjs: the independent implementation the
// hand-written walker and encoders are checked against.
const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => protoDir + target;
root.loadSync(['prometheus/remote.proto', 'io/prometheus/write/v2/types.proto']);
root.resolveAll();
const WriteRequest = root.lookupType('prometheus.WriteRequest');
const RequestV2 = root.lookupType('io.prometheus.write.v2.Request');

function pb(type: protobuf.Type, object: Record<string, unknown>): Buffer {
  const err = type.verify(object);
  if (err) throw new Error(err);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

function toObject(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: Number, enums: Number, defaults: false, oneofs: false }) as Record<string, unknown>;
}

const T0 = 1_700_000_000_123;

/** Integer histogram as remote write carries it (deltas) and as we expect it (absolute). */
const intHistogramWire = {
  countInt: 14,
  sum: 42.5,
  schema: 3,
  zeroThreshold: 0.001,
  zeroCountInt: 2,
  negativeSpans: [{ offset: -2, length: 2 }],
  negativeDeltas: [1, 1], // absolute 1, 2
  positiveSpans: [
    { offset: 0, length: 2 },
    { offset: 3, length: 1 },
  ],
  positiveDeltas: [3, -1, 2], // absolute 3, 2, 4 (negative delta exercises zigzag)
  resetHint: 2,
  timestamp: T0 + 1,
};
const intHistogram: NativeHistogram = {
  isInteger: true,
  schema: 3,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 14,
  sum: 42.5,
  positiveSpans: new Int32Array([0, 2, 3, 1]),
  positiveCounts: new Float64Array([3, 2, 4]),
  negativeSpans: new Int32Array([-2, 2]),
  negativeCounts: new Float64Array([1, 2]),
  resetHint: 2,
  customValues: new Float64Array(0),
};
const floatHistogramWire = {
  countFloat: 7.5,
  sum: -3.25,
  schema: -2,
  zeroThreshold: 0,
  zeroCountFloat: 0.5,
  positiveSpans: [{ offset: 1, length: 2 }],
  positiveCounts: [2.5, 4.5],
  resetHint: 3,
  timestamp: T0 + 2,
};
const floatHistogram: NativeHistogram = {
  isInteger: false,
  schema: -2,
  zeroThreshold: 0,
  zeroCount: 0.5,
  count: 7.5,
  sum: -3.25,
  positiveSpans: new Int32Array([1, 2]),
  positiveCounts: new Float64Array([2.5, 4.5]),
  negativeSpans: new Int32Array(0),
  negativeCounts: new Float64Array(0),
  resetHint: 3,
  customValues: new Float64Array(0),
};
const customHistogramWire = {
  countInt: 7,
  sum: 10,
  schema: -53,
  positiveSpans: [{ offset: 0, length: 4 }],
  positiveDeltas: [1, 1, 0, 0], // absolute 1, 2, 2, 2; the last bucket is +Inf
  customValues: [0.1, 0.5, 1],
  timestamp: T0 + 3,
};
const customHistogram: NativeHistogram = {
  isInteger: true,
  schema: -53,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 7,
  sum: 10,
  positiveSpans: new Int32Array([0, 4]),
  positiveCounts: new Float64Array([1, 2, 2, 2]),
  negativeSpans: new Int32Array(0),
  negativeCounts: new Float64Array(0),
  resetHint: 0,
  customValues: new Float64Array([0.1, 0.5, 1]),
};

function plainBatch(batch: MetricBatch): unknown {
  return {
    tenant: batch.tenant,
    series: batch.series.map((s) => [...s]),
    sampleOffsets: [...batch.sampleOffsets],
    timestamps: [...batch.timestamps],
    values: [...batch.values],
    histograms: batch.histograms,
    exemplars: batch.exemplars.map((e) => ({ ...e, labels: [...e.labels] })),
    metadata: batch.metadata,
  };
}

describe('remote write 1.0 against protobufjs', () => {
  it('decodes a protobufjs-encoded WriteRequest with samples, histograms, exemplars and metadata', () => {
    const body = pb(WriteRequest, {
      timeseries: [
        {
          // Unsorted, with an empty value that must be dropped.
          labels: [
            { name: 'job', value: 'node' },
            { name: '__name__', value: 'node_cpu_seconds_total' },
            { name: 'cpu', value: '0' },
            { name: 'empty', value: '' },
          ],
          samples: [
            { value: 1.5, timestamp: T0 },
            { value: -2, timestamp: T0 + 15_000 },
          ],
          exemplars: [{ labels: [{ name: 'trace_id', value: 'abc123' }], value: 1.25, timestamp: T0 }],
        },
        {
          labels: [
            { name: '__name__', value: 'http_request_duration_seconds' },
            { name: 'instance', value: 'h:9100' },
          ],
          histograms: [intHistogramWire, floatHistogramWire, customHistogramWire],
        },
      ],
      metadata: [
        { type: 1, metricFamilyName: 'node_cpu_seconds_total', help: 'Seconds the CPUs spent.', unit: 'seconds' },
        { type: 3, metricFamilyName: 'http_request_duration_seconds', help: 'Latency.' },
      ],
    });
    const { batch, rejectedSamples, firstErrors } = decodeRemoteWrite(compressSync(body), { version: '1.0', tenant: 't1' });
    expect(firstErrors).toEqual([]);
    expect(rejectedSamples).toBe(0);
    expect(plainBatch(batch)).toEqual({
      tenant: 't1',
      series: [
        ['__name__', 'node_cpu_seconds_total', 'cpu', '0', 'job', 'node'],
        ['__name__', 'http_request_duration_seconds', 'instance', 'h:9100'],
      ],
      sampleOffsets: [0, 2, 2],
      timestamps: [T0, T0 + 15_000],
      values: [1.5, -2],
      histograms: [
        { seriesIndex: 1, timestamp: T0 + 1, histogram: intHistogram },
        { seriesIndex: 1, timestamp: T0 + 2, histogram: floatHistogram },
        { seriesIndex: 1, timestamp: T0 + 3, histogram: customHistogram },
      ],
      exemplars: [{ seriesIndex: 0, labels: ['trace_id', 'abc123'], timestamp: T0, value: 1.25 }],
      metadata: [
        { metricFamilyName: 'node_cpu_seconds_total', type: 'counter', help: 'Seconds the CPUs spent.', unit: 'seconds' },
        { metricFamilyName: 'http_request_duration_seconds', type: 'histogram', help: 'Latency.', unit: '' },
      ],
    });
  });

  it('reads unpacked repeated scalars and negative timestamps as protobuf allows', () => {
    // protobufjs writes packed by default for proto3; hand-build an unpacked field 12.
    const packed = pb(WriteRequest, {
      timeseries: [{ labels: [{ name: '__name__', value: 'x' }], samples: [{ value: 3, timestamp: -5 }] }],
    });
    const { batch } = decodeRemoteWrite(packed, { version: '1.0', tenant: 't', compressed: false });
    expect([...batch.timestamps]).toEqual([-5]);
  });

  it('our 1.0 encoder produces what protobufjs reads back', () => {
    const series: RemoteWriteSeries[] = [
      {
        labels: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' },
        samples: [{ timestamp: T0, value: 1 }],
        exemplars: [{ labels: { trace_id: 'ff' }, value: 0.5, timestamp: T0 - 1 }],
        histograms: [{ timestamp: T0 + 1, histogram: intHistogram }],
      },
    ];
    const bytes = encodeWriteRequestV1(series, [{ metricFamilyName: 'up', type: 'gauge', help: 'Up.', unit: '' }]);
    // Compared through protobufjs on both sides, so omitted defaults read the same.
    expect(toObject(WriteRequest, bytes)).toEqual(toObject(WriteRequest, pb(WriteRequest, {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'instance', value: 'localhost:9090' },
            { name: 'job', value: 'prometheus' },
          ],
          samples: [{ value: 1, timestamp: T0 }],
          exemplars: [{ labels: [{ name: 'trace_id', value: 'ff' }], value: 0.5, timestamp: T0 - 1 }],
          histograms: [{ ...intHistogramWire }],
        },
      ],
      metadata: [{ type: 2, metricFamilyName: 'up', help: 'Up.' }],
    })));
  });
});

describe('remote write 2.0 against protobufjs', () => {
  const symbols = ['', '__name__', 'http_requests_total', 'method', 'GET', 'trace_id', 'abc', 'Requests.', 'requests', 'h'];

  it('decodes a protobufjs-encoded Request with symbols, samples, histograms, exemplars and metadata', () => {
    const body = pb(RequestV2, {
      symbols,
      timeseries: [
        {
          labelsRefs: [3, 4, 1, 2], // unsorted: method before __name__
          samples: [{ value: 10, timestamp: T0 }],
          exemplars: [{ labelsRefs: [5, 6], value: 9, timestamp: T0 }],
          metadata: { type: 1, helpRef: 7, unitRef: 8 },
          createdTimestamp: T0 - 60_000,
        },
        {
          labelsRefs: [1, 9],
          histograms: [intHistogramWire, customHistogramWire],
          metadata: { type: 3 },
        },
      ],
    });
    const { batch, firstErrors } = decodeRemoteWrite(compressSync(body), { version: '2.0', tenant: 't2' });
    expect(firstErrors).toEqual([]);
    expect(plainBatch(batch)).toEqual({
      tenant: 't2',
      series: [
        ['__name__', 'http_requests_total', 'method', 'GET'],
        ['__name__', 'h'],
      ],
      sampleOffsets: [0, 1, 1],
      timestamps: [T0],
      values: [10],
      histograms: [
        { seriesIndex: 1, timestamp: T0 + 1, histogram: intHistogram },
        { seriesIndex: 1, timestamp: T0 + 3, histogram: customHistogram },
      ],
      exemplars: [{ seriesIndex: 0, labels: ['trace_id', 'abc'], timestamp: T0, value: 9 }],
      metadata: [
        { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests.', unit: 'requests' },
        { metricFamilyName: 'h', type: 'histogram', help: '', unit: '' },
      ],
    });
  });

  it('our 2.0 encoder produces what protobufjs reads back', () => {
    const bytes = encodeWriteRequestV2([
      {
        labels: { __name__: 'up', job: 'x' },
        samples: [{ timestamp: T0, value: 1 }],
        exemplars: [{ labels: { trace_id: 'ff' }, value: 2, timestamp: T0 }],
        histograms: [{ timestamp: T0 + 2, histogram: floatHistogram }],
        metadata: { type: 'gauge', help: 'Up.' },
        createdTimestamp: T0 - 1,
      },
    ]);
    expect(toObject(RequestV2, bytes)).toEqual(toObject(RequestV2, pb(RequestV2, {
      symbols: ['', '__name__', 'up', 'job', 'x', 'trace_id', 'ff', 'Up.'],
      timeseries: [
        {
          labelsRefs: [1, 2, 3, 4],
          samples: [{ value: 1, timestamp: T0 }],
          exemplars: [{ labelsRefs: [5, 6], value: 2, timestamp: T0 }],
          histograms: [floatHistogramWire],
          metadata: { type: 2, helpRef: 7 },
          createdTimestamp: T0 - 1,
        },
      ],
    })));
  });
});

describe('encoder → decoder round trips', () => {
  it('round-trips series through both versions, keeping the staleness marker bit-exact', () => {
    const series: RemoteWriteSeries[] = [];
    for (let i = 0; i < 50; i++) {
      series.push({
        labels: { __name__: `m_${i % 5}`, instance: `host-${i}:9100`, job: 'node', ünï: 'cødé ✓' },
        samples: [
          { timestamp: T0 + i, value: i * 1.5 },
          { timestamp: T0 + i + 1, value: i === 7 ? STALE_NAN : -i },
        ],
        histograms: i === 3 ? [{ timestamp: T0, histogram: intHistogram }] : undefined,
      });
    }
    for (const version of ['1.0', '2.0'] as const) {
      const body = version === '1.0' ? encodeWriteRequestV1(series) : encodeWriteRequestV2(series);
      const decoder = new RemoteWriteDecoder();
      for (let pass = 0; pass < 2; pass++) {
        // The second pass is served from the label cache and must give the same result.
        const { batch, rejectedSamples } = decoder.decode(compressSync(body), { version, tenant: 't' });
        expect(rejectedSamples).toBe(0);
        expect(batch.series.length).toBe(50);
        expect(batch.series[0]).toEqual(['__name__', 'm_0', 'instance', 'host-0:9100', 'job', 'node', 'ünï', 'cødé ✓']);
        expect(batch.values[14]).toBe(7 * 1.5);
        expect(isStaleNaN(batch.values[15]!)).toBe(true);
        expect(batch.histograms).toEqual([{ seriesIndex: 3, timestamp: T0, histogram: intHistogram }]);
      }
    }
  });
});
