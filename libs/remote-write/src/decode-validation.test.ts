import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { type MetricBatch, type NativeHistogram, sampleCount } from '#pharos/metric-model';
import {
  type RejectionReason,
  type RemoteWriteDecodeResult,
  type RemoteWriteDecoderOptions,
  type RemoteWriteSeries,
  REJECTION_REASONS,
  RemoteWriteDecodeError,
  RemoteWriteDecoder,
  encodeWriteRequestV1,
  encodeWriteRequestV2,
} from '#pharos/remote-write';
import { ProtoWriter } from '#pharos/protowire';

const T = 1_700_000_000_000;

function decodeV1(series: RemoteWriteSeries[], options: RemoteWriteDecoderOptions = {}, window: { min?: number; max?: number } = {}): RemoteWriteDecodeResult {
  return new RemoteWriteDecoder(options).decode(compressSync(encodeWriteRequestV1(series)), {
    version: '1.0',
    tenant: 't',
    minTimestampMs: window.min,
    maxTimestampMs: window.max,
  });
}

function only(result: RemoteWriteDecodeResult): Partial<Record<RejectionReason, number>> {
  const out: Partial<Record<RejectionReason, number>> = {};
  for (const r of REJECTION_REASONS) if (result.rejected[r] !== 0) out[r] = result.rejected[r];
  return out;
}

/** Batch invariants every decode result must hold. */
export function checkBatch(batch: MetricBatch): void {
  const n = batch.series.length;
  expect(batch.sampleOffsets.length).toBe(n + 1);
  expect(batch.sampleOffsets[0]).toBe(0);
  for (let i = 0; i < n; i++) expect(batch.sampleOffsets[i + 1]!).toBeGreaterThanOrEqual(batch.sampleOffsets[i]!);
  expect(sampleCount(batch)).toBe(batch.timestamps.length);
  expect(batch.values.length).toBe(batch.timestamps.length);
  for (const h of batch.histograms) expect(h.seriesIndex).toBeLessThan(n);
  for (const e of batch.exemplars) expect(e.seriesIndex).toBeLessThan(n);
}

const good: RemoteWriteSeries = { labels: { __name__: 'good', job: 'j' }, samples: [{ timestamp: T, value: 1 }] };
const sample = [{ timestamp: T, value: 1 }];

/** A 1.0 body written byte by byte, for what our encoder refuses to produce. */
function rawV1(labels: [string | Uint8Array, string | Uint8Array][]): Buffer {
  const w = new ProtoWriter();
  const ts = w.beginLd(1);
  for (const [name, value] of labels) {
    const l = w.beginLd(1);
    for (const [field, v] of [
      [1, name],
      [2, value],
    ] as const) {
      const bytes = typeof v === 'string' ? Buffer.from(v) : v;
      w.tag(field, 2);
      w.uint32(bytes.length);
      w.bytes(bytes, 0, bytes.length);
    }
    w.endLd(l);
  }
  const s = w.beginLd(2);
  w.doubleField(1, 1);
  w.varintField(2, T);
  w.endLd(s);
  w.endLd(ts);
  return w.finish();
}

describe('series validation (Prometheus semantics)', () => {
  it('sorts labels, drops empty values and keeps good series next to rejected ones', () => {
    const r = decodeV1([
      { labels: ['zone', 'a', '__name__', 'm', 'empty', '', 'app', 'x'], samples: sample },
      { labels: ['job', 'x'], samples: sample },
      good,
    ]);
    expect(r.batch.series).toEqual([
      ['__name__', 'm', 'app', 'x', 'zone', 'a'],
      ['__name__', 'good', 'job', 'j'],
    ]);
    expect([...r.batch.sampleOffsets]).toEqual([0, 1, 2]);
    expect(only(r)).toEqual({ missing_metric_name: 1 });
    expect(r.rejectedSamples).toBe(1);
    expect(r.firstErrors[0]).toContain('missing_metric_name: series {job="x"}');
    checkBatch(r.batch);
  });

  const cases: [string, RemoteWriteSeries, RemoteWriteDecoderOptions, RejectionReason][] = [
    ['empty __name__', { labels: ['__name__', '', 'a', 'b'], samples: sample }, {}, 'missing_metric_name'],
    ['duplicate names', { labels: ['__name__', 'm', 'job', 'x', 'job', 'y'], samples: sample }, {}, 'duplicate_label_name'],
    ['legacy: bad label name', { labels: { __name__: 'm', 'bad-name': 'v' }, samples: sample }, { nameValidation: 'legacy' }, 'invalid_label_name'],
    ['legacy: bad metric name', { labels: { __name__: 'm.dotted' }, samples: sample }, { nameValidation: 'legacy' }, 'invalid_metric_name'],
    ['empty label name', { labels: ['', 'v', '__name__', 'm'], samples: sample }, {}, 'invalid_label_name'],
    ['too many labels', { labels: { __name__: 'm', a: '1', b: '2' }, samples: sample }, { maxLabelsPerSeries: 2 }, 'too_many_labels'],
    ['long name', { labels: { __name__: 'm', abcdefghijkl: '1' }, samples: sample }, { maxLabelNameLength: 10 }, 'label_name_too_long'],
    ['long value', { labels: { __name__: 'm', a: '123456' }, samples: sample }, { maxLabelValueLength: 5 }, 'label_value_too_long'],
  ];
  for (const [name, series, options, reason] of cases) {
    it(`rejects ${name} as ${reason}`, () => {
      const r = decodeV1([series, good], options);
      expect(only(r)).toEqual({ [reason]: 1 });
      expect(r.batch.series).toEqual([['__name__', 'good', 'job', 'j']]);
      expect(r.firstErrors).toHaveLength(1);
      expect(r.firstErrors[0]).toMatch(new RegExp(`^${reason}: series \\{`));
      checkBatch(r.batch);
    });
  }

  it('accepts UTF-8 metric and label names by default (Prometheus 3)', () => {
    const r = decodeV1([{ labels: { __name__: 'http.server.duration', 'service.name': 'ünï' }, samples: sample }]);
    expect(only(r)).toEqual({});
    expect(r.batch.series).toEqual([['__name__', 'http.server.duration', 'service.name', 'ünï']]);
  });

  it('rejects invalid UTF-8 in names and values', () => {
    const bad = new Uint8Array([0x61, 0xff, 0x62]);
    for (const body of [rawV1([['__name__', 'm'], ['a', bad]]), rawV1([['__name__', 'm'], [bad, 'v']])]) {
      const r = new RemoteWriteDecoder().decode(body, { version: '1.0', tenant: 't', compressed: false });
      expect(only(r)).toEqual({ invalid_utf8: 1 });
      expect(r.batch.series).toEqual([]);
    }
  });

  it('rejects samples outside the time window one by one', () => {
    const r = decodeV1(
      [{ labels: { __name__: 'm' }, samples: [{ timestamp: T - 10, value: 1 }, { timestamp: T, value: 2 }, { timestamp: T + 10, value: 3 }] }],
      {},
      { min: T - 5, max: T + 5 },
    );
    expect(only(r)).toEqual({ too_old: 1, too_far_in_future: 1 });
    expect([...r.batch.values]).toEqual([2]);
    expect(r.rejectedSamples).toBe(2);
  });

  it('drops a series whose samples are all outside the window', () => {
    const r = decodeV1([{ labels: { __name__: 'm' }, samples: [{ timestamp: T - 10, value: 1 }] }, good], {}, { min: T - 5 });
    expect(r.batch.series).toEqual([['__name__', 'good', 'job', 'j']]);
    checkBatch(r.batch);
  });

  it('rejects invalid histograms and keeps valid ones', () => {
    const valid: NativeHistogram = {
      isInteger: true,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 3,
      sum: 3,
      positiveSpans: new Int32Array([0, 2]),
      positiveCounts: new Float64Array([1, 2]),
      negativeSpans: new Int32Array(0),
      negativeCounts: new Float64Array(0),
      resetHint: 0,
      customValues: new Float64Array(0),
    };
    const broken = [
      { ...valid, positiveSpans: new Int32Array([0, 3]) }, // spans cover 3, 2 counts
      { ...valid, schema: 9 },
      { ...valid, count: 2 }, // below the bucket sum
      { ...valid, schema: -53, customValues: new Float64Array([2, 1]) },
      { ...valid, schema: -53, positiveSpans: new Int32Array([5, 2]), customValues: new Float64Array([1]) },
    ];
    const r = decodeV1([
      { labels: { __name__: 'h' }, histograms: [valid, ...broken].map((histogram, i) => ({ timestamp: T + i, histogram })) },
    ]);
    expect(only(r)).toEqual({ invalid_histogram: broken.length });
    expect(r.batch.histograms).toEqual([{ seriesIndex: 0, timestamp: T, histogram: valid }]);
    expect(r.firstErrors.length).toBe(5);
  });

  it('rejects exemplars with over-long label sets but keeps the series', () => {
    const r = decodeV1([
      { ...good, exemplars: [{ labels: { trace_id: 'x'.repeat(130) }, value: 1, timestamp: T }, { labels: { trace_id: 'ok' }, value: 2, timestamp: T }] },
    ]);
    expect(only(r)).toEqual({ invalid_exemplar: 1 });
    expect(r.batch.exemplars).toEqual([{ seriesIndex: 0, labels: ['trace_id', 'ok'], timestamp: T, value: 2 }]);
  });

  it('rejects 1.0 metadata without a family name', () => {
    const body = encodeWriteRequestV1([good], [
      { metricFamilyName: '', type: 'gauge', help: 'h', unit: '' },
      { metricFamilyName: 'good', type: 'gauge', help: 'h', unit: '' },
    ]);
    const r = new RemoteWriteDecoder().decode(body, { version: '1.0', tenant: 't', compressed: false });
    expect(only(r)).toEqual({ invalid_metadata: 1 });
    expect(r.batch.metadata).toEqual([{ metricFamilyName: 'good', type: 'gauge', help: 'h', unit: '' }]);
  });

  it('keeps at most five messages', () => {
    const many = Array.from({ length: 20 }, () => ({ labels: { job: 'x' }, samples: sample }));
    const r = decodeV1(many);
    expect(r.rejected.missing_metric_name).toBe(20);
    expect(r.firstErrors).toHaveLength(5);
  });

  it('serves repeated series from the cache without changing results', () => {
    const decoder = new RemoteWriteDecoder();
    const body = compressSync(encodeWriteRequestV1([good, { labels: ['job', 'x'], samples: sample }]));
    const first = decoder.decode(body, { version: '1.0', tenant: 't' });
    const second = decoder.decode(body, { version: '1.0', tenant: 't' });
    expect(second.batch.series[0]).toBe(first.batch.series[0]); // the same interned array
    expect(only(second)).toEqual({ missing_metric_name: 1 }); // rejected series are not cached
  });
});

/** A 2.0 body written by hand: symbols, then one series with the given refs. */
function rawV2(symbols: string[], refs: number[]): Buffer {
  const w = new ProtoWriter();
  for (const s of symbols) {
    w.tag(4, 2);
    w.string(s);
  }
  const ts = w.beginLd(5);
  // Unpacked refs, which protobuf parsers must accept as well as packed ones.
  for (const r of refs) w.varintField(1, r);
  const s = w.beginLd(2);
  w.doubleField(1, 1);
  w.varintField(2, T);
  w.endLd(s);
  w.endLd(ts);
  return w.finish();
}

describe('remote write 2.0 specifics', () => {
  const decode = (body: Buffer): RemoteWriteDecodeResult =>
    new RemoteWriteDecoder().decode(body, { version: '2.0', tenant: 't', compressed: false });

  it('reads unpacked label refs', () => {
    const r = decode(rawV2(['', '__name__', 'm'], [1, 2]));
    expect(r.batch.series).toEqual([['__name__', 'm']]);
  });

  it('rejects refs outside the symbol table and odd ref counts', () => {
    expect(only(decode(rawV2(['', '__name__', 'm'], [1, 7])))).toEqual({ invalid_symbol_ref: 1 });
    expect(only(decode(rawV2(['', '__name__', 'm'], [1, 2, 1])))).toEqual({ invalid_symbol_ref: 1 });
  });

  it('requires symbols[0] to be empty', () => {
    expect(() => decode(rawV2(['x', '__name__', 'm'], [1, 2]))).toThrow(/symbols\[0\] must be the empty string/);
  });

  it('applies the same series validation as 1.0', () => {
    const body = encodeWriteRequestV2([
      { labels: ['job', 'x', 'job', 'y', '__name__', 'm'], samples: sample },
      { labels: ['job', 'x'], samples: sample },
      good,
    ]);
    const r = decode(body);
    expect(only(r)).toEqual({ duplicate_label_name: 1, missing_metric_name: 1 });
    expect(r.batch.series).toEqual([['__name__', 'good', 'job', 'j']]);
  });

  it('records per-series metadata once per metric name', () => {
    const body = encodeWriteRequestV2([
      { labels: { __name__: 'm', a: '1' }, samples: sample, metadata: { type: 'counter', help: 'H', unit: 'bytes' } },
      { labels: { __name__: 'm', a: '2' }, samples: sample, metadata: { type: 'counter', help: 'H', unit: 'bytes' } },
    ]);
    expect(decode(body).batch.metadata).toEqual([{ metricFamilyName: 'm', type: 'counter', help: 'H', unit: 'bytes' }]);
  });
});

describe('malformed bodies throw RemoteWriteDecodeError', () => {
  const body = encodeWriteRequestV1([good]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a truncated body', body.subarray(0, body.length - 3), /runs past the end|truncated/],
    ['a truncated varint', Buffer.from([0x0a, 0x80]), /truncated varint/],
    ['a length past the end', Buffer.from([0x0a, 0x05, 0x0a]), /runs past the end/],
    ['a known field with the wrong wire type', Buffer.from([0x08, 0x01]), /field 1 has wire type 0/],
    ['a group wire type', Buffer.from([0x23]), /unsupported wire type 3/],
    ['an 11-byte varint', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /overlong|too long/],
    ['field number 0', Buffer.from([0x02, 0x00]), /field number 0/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name}`, () => {
      const decoder = new RemoteWriteDecoder();
      expect(() => decoder.decode(bytes, { version: '1.0', tenant: 't', compressed: false })).toThrow(RemoteWriteDecodeError);
      expect(() => decoder.decode(bytes, { version: '1.0', tenant: 't', compressed: false })).toThrow(message);
    });
  }

  it('refuses a snappy block that declares more than the limit, before allocating', () => {
    const bomb = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00]); // declares 2 GiB
    const decoder = new RemoteWriteDecoder({ maxDecompressedBytes: 1024 });
    expect(() => decoder.decode(bomb, { version: '1.0', tenant: 't' })).toThrow(/would be 2147483648 bytes, limit 1024/);
    const big = compressSync(Buffer.alloc(4096));
    expect(() => decoder.decode(big, { version: '1.0', tenant: 't' })).toThrow(/would be 4096 bytes, limit 1024/);
  });

  it('refuses framed snappy and corrupt blocks', () => {
    const framed = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
    const decoder = new RemoteWriteDecoder();
    expect(() => decoder.decode(framed, { version: '1.0', tenant: 't' })).toThrow(/framed format/);
    expect(() => decoder.decode(Buffer.from([0x10, 0xff, 0xff]), { version: '1.0', tenant: 't' })).toThrow(/invalid snappy block/);
    expect(() => decoder.decode(Buffer.alloc(0), { version: '1.0', tenant: 't' })).toThrow(RemoteWriteDecodeError);
  });
});
