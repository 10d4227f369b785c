import { describe, expect, it } from 'vitest';
import { type Labels, type MetricBatch, labelsToRecord } from '#pharos/metric-model';
import { ProtoWriter, WIRE_FIXED64 } from '#pharos/protowire';
import { type OtlpDecodeResult, type OtlpDecoderOptions, type OtlpJsonKeyValue, type OtlpJsonMetric, type OtlpJsonRequest, OtlpDecoder, encodeExportRequest } from '#pharos/otlp';
import { ByteKeyCache } from './series-cache.js';

// The translator caches each series' labels by what determines them (series-keys.ts), so the
// same series gets the same Labels object in every request (ADR 0010). These tests hold it to
// three things: identity for a repeated series, never a wrong series (collisions, changed
// attributes, every kind of point), and a bounded cache.

const T0 = 1_700_000_000_000;
const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
const str = (key: string, value: string): OtlpJsonKeyValue => ({ key, value: { stringValue: value } });

function request(metrics: OtlpJsonMetric[], resource: OtlpJsonKeyValue[] = [str('service.name', 'shop'), str('service.instance.id', 'i-1')]): OtlpJsonRequest {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'lib', version: '1' }, metrics }] }] };
}

/** Every kind of point, values and times shifted by `step`; `hosts` series per metric. */
function mixed(step: number, hosts = 3, extraBound = false): OtlpJsonRequest {
  const at = ns(T0 + step * 15_000);
  const host = (h: number): OtlpJsonKeyValue[] => [str('host', `h${h}`), str('dc', h % 2 ? 'a' : 'b')];
  const each = <P>(f: (h: number) => P): P[] => Array.from({ length: hosts }, (_, h) => f(h));
  return request([
    { name: 'temp', unit: 'Cel', gauge: { dataPoints: each((h) => ({ attributes: host(h), timeUnixNano: at, asDouble: step + h })) } },
    { name: 'reqs', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: each((h) => ({ attributes: host(h), timeUnixNano: at, asInt: step * 10 + h })) } },
    {
      name: 'lat',
      unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: each((h) => ({
          attributes: host(h),
          timeUnixNano: at,
          count: 6 + step,
          sum: 3,
          bucketCounts: extraBound ? [1, 2, 3, step] : [1, 2, 3 + step],
          explicitBounds: extraBound ? [0.1, 1, 2.5] : [0.1, 1],
        })),
      },
    },
    { name: 'size', exponentialHistogram: { aggregationTemporality: 2, dataPoints: each((h) => ({ attributes: host(h), timeUnixNano: at, count: 3, sum: 1, scale: 2, zeroCount: 1, positive: { offset: 0, bucketCounts: [1, 1] } })) } },
    { name: 'rpc', summary: { dataPoints: each((h) => ({ attributes: host(h), timeUnixNano: at, count: 2, sum: 1, quantileValues: [{ quantile: 0.5, value: step }, { quantile: 0.99, value: 2 }] })) } },
  ]);
}

function decode(d: OtlpDecoder, req: OtlpJsonRequest, format: 'protobuf' | 'json' = 'protobuf', tenant = 't'): OtlpDecodeResult {
  const body = format === 'json' ? Buffer.from(JSON.stringify(req)) : encodeExportRequest(req);
  return d.decode(body, { tenant, format });
}

/** The batch as plain data (labels as records), to compare a warm decoder with a fresh one. */
function plain(batch: MetricBatch): unknown {
  return {
    series: batch.series.map((l) => labelsToRecord(l)),
    offsets: [...batch.sampleOffsets],
    timestamps: [...batch.timestamps],
    values: [...batch.values],
    histograms: batch.histograms,
    exemplars: batch.exemplars,
  };
}

function expectSameSeries(a: readonly Labels[], b: readonly Labels[]): void {
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) expect(b[i]).toBe(a[i]);
}

describe('OTLP series labels cache', () => {
  it.each(['protobuf', 'json'] as const)('gives a series seen in two requests the same Labels object (%s)', (format) => {
    const d = new OtlpDecoder();
    const first = decode(d, mixed(1), format);
    const second = decode(d, mixed(2), format);
    expect(first.batch.series.length).toBeGreaterThan(20);
    expectSameSeries(first.batch.series, second.batch.series);
    expect(second.batch.values).not.toEqual(first.batch.values);
    expect(d.cachedSeries('t')).toBe(first.batch.series.length);
  });

  it('translates exactly as a fresh decoder does, request after request', () => {
    const warm = new OtlpDecoder();
    const requests = [mixed(1), mixed(2, 5), mixed(3, 5, true), mixed(4, 2), mixed(5, 5, true)];
    for (const req of requests) {
      for (const format of ['protobuf', 'json'] as const) {
        expect(plain(decode(warm, req, format).batch)).toEqual(plain(decode(new OtlpDecoder(), req, format).batch));
      }
    }
  });

  it('keeps series apart that differ only in an attribute, the metric, the resource or the scope', () => {
    const d = new OtlpDecoder();
    const point = (attrs: OtlpJsonKeyValue[]) => ({ attributes: attrs, timeUnixNano: ns(T0), asDouble: 1 });
    const req = (name: string, resource: string, attrs: OtlpJsonKeyValue[]): OtlpJsonRequest => request([{ name, gauge: { dataPoints: [point(attrs)] } }], [str('service.name', resource)]);
    const variants = [req('m', 'a', [str('k', 'v')]), req('m', 'a', [str('k', 'w')]), req('n', 'a', [str('k', 'v')]), req('m', 'b', [str('k', 'v')]), req('m', 'a', [str('k', 'v'), str('x', 'y')])];
    const seen = new Map<string, Labels>();
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        const labels = decode(d, v).batch.series[0]!;
        const key = JSON.stringify(labels);
        if (round === 0) expect(seen.has(key)).toBe(false);
        else expect(seen.get(key)).toBe(labels);
        seen.set(key, labels);
      }
    }
  });

  it('never merges two series whose keys collide (constant hash)', () => {
    const d = new OtlpDecoder({ seriesKeyHash: () => 42 });
    const fresh = new OtlpDecoder();
    const first = decode(d, mixed(1, 4));
    const second = decode(d, mixed(2, 4));
    expect(plain(second.batch)).toEqual(plain(decode(fresh, mixed(2, 4)).batch));
    expectSameSeries(first.batch.series, second.batch.series);
    expect(new Set(second.batch.series).size).toBe(second.batch.series.length);
  });

  it('evicts within its memory budget and then translates the series afresh', () => {
    // ~400 accounted bytes a series: one request's 200 fit in a generation (2/5 of the budget).
    const budget = 256 * 1024;
    const d = new OtlpDecoder({ seriesCacheBytes: budget });
    const wide = (step: number, offset: number): OtlpJsonRequest =>
      request([{ name: 'm', gauge: { dataPoints: Array.from({ length: 200 }, (_, i) => ({ attributes: [str('id', `series-${offset + i}`), str('pad', 'x'.repeat(100))], timeUnixNano: ns(T0 + step), asDouble: i })) } }]);
    const a1 = decode(d, wide(1, 0)).batch;
    expect(decode(d, wide(2, 0)).batch.series[0]).toBe(a1.series[0]);
    for (let k = 1; k <= 10; k++) decode(d, wide(2 + k, 1000 * k));
    expect(d.cachedBytes).toBeLessThanOrEqual(budget);
    const a2 = decode(d, wide(10, 0)).batch;
    expect(a2.series[0]).not.toBe(a1.series[0]);
    expect(a2.series.map((l) => labelsToRecord(l))).toEqual(a1.series.map((l) => labelsToRecord(l)));
  });

  it('keeps tenants apart and drops the least recently seen tenant past the budget', () => {
    const d = new OtlpDecoder({ seriesCacheBytes: 16 * 1024 });
    const one = (i: number): OtlpJsonRequest => request([{ name: 'm', gauge: { dataPoints: Array.from({ length: 20 }, (_, k) => ({ attributes: [str('k', `${i}-${k}`)], timeUnixNano: ns(T0), asDouble: 1 })) } }]);
    const a = decode(d, one(1), 'protobuf', 'a').batch.series[0]!;
    const b = decode(d, one(1), 'protobuf', 'b').batch.series[0]!;
    expect(b).not.toBe(a);
    expect(decode(d, one(1), 'protobuf', 'a').batch.series[0]).toBe(a);
    for (let i = 0; i < 10; i++) decode(d, one(100 + i), 'protobuf', 'c');
    expect(d.cachedBytes).toBeLessThanOrEqual(16 * 1024 + 8 * 1024);
    expect(d.cachedSeries('a') + d.cachedSeries('b')).toBe(0);
  });

  it('warns about colliding attribute names in every request (such series are not cached)', () => {
    const d = new OtlpDecoder();
    const req = request([{ name: 'm', gauge: { dataPoints: [{ attributes: [str('a.b', '1'), str('a_b', '2')], timeUnixNano: ns(T0), asDouble: 1 }] } }]);
    const first = decode(d, req);
    const second = decode(d, req);
    expect(labelsToRecord(second.batch.series[0]!)['a_b']).toBe('1;2');
    expect(first.warnings.length).toBe(1);
    expect(second.warnings).toEqual(first.warnings);
  });

  it('reads attribute fields split by other fields, and keeps such a series stable', () => {
    // NumberDataPoint with attributes before and after its time: not one run of bytes.
    const body = (value: number): Buffer => {
      const w = new ProtoWriter();
      const rm = w.beginLd(1);
      const sm = w.beginLd(2);
      const m = w.beginLd(2);
      w.stringField(1, 'split');
      const g = w.beginLd(5);
      const dp = w.beginLd(1);
      const kv = (k: string, v: string): void => {
        const at = w.beginLd(7);
        w.stringField(1, k);
        const any = w.beginLd(2);
        w.stringField(1, v);
        w.endLd(any);
        w.endLd(at);
      };
      kv('b', '2');
      w.tag(3, WIRE_FIXED64);
      w.fixed64(BigInt(T0) * 1_000_000n);
      kv('a', '1');
      w.doubleField(4, value);
      w.endLd(dp);
      w.endLd(g);
      w.endLd(m);
      w.endLd(sm);
      w.endLd(rm);
      return w.finish();
    };
    const d = new OtlpDecoder();
    const first = d.decode(body(1), { tenant: 't', format: 'protobuf' });
    const second = d.decode(body(2), { tenant: 't', format: 'protobuf' });
    expect(labelsToRecord(first.batch.series[0]!)).toEqual({ __name__: 'split', a: '1', b: '2' });
    expect(second.batch.series[0]).toBe(first.batch.series[0]);
    expect([...second.batch.values]).toEqual([2]);
  });

  it('rejects a point whose attribute value is not UTF-8 and keeps the rest of the request', () => {
    const good = encodeExportRequest(request([{ name: 'm', gauge: { dataPoints: [{ attributes: [str('k', 'vv')], timeUnixNano: ns(T0), asDouble: 1 }, { attributes: [str('k', 'ok')], timeUnixNano: ns(T0), asDouble: 2 }] } }]));
    const bad = Buffer.from(good);
    // The first point's value "vv" becomes two bytes of invalid UTF-8.
    const at = bad.indexOf(Buffer.from('vv'));
    bad[at] = 0xff;
    bad[at + 1] = 0xfe;
    for (const d of [new OtlpDecoder(), warmed()]) {
      const result = d.decode(bad, { tenant: 't', format: 'protobuf' });
      expect(result.rejectedDataPoints).toBe(1);
      expect(result.rejected['invalid_utf8']).toBe(1);
      expect(result.batch.series.map((l) => labelsToRecord(l))).toEqual([{ __name__: 'm', k: 'ok', job: 'shop', instance: 'i-1' }]);
    }
    function warmed(): OtlpDecoder {
      const d = new OtlpDecoder();
      d.decode(good, { tenant: 't', format: 'protobuf' });
      return d;
    }
  });
});

describe('ByteKeyCache', () => {
  const keyOf = (s: string): Buffer => Buffer.from(s);

  it('compares whole keys on a hash hit', () => {
    const c = new ByteKeyCache<string>(1 << 20);
    c.set(7, keyOf('alpha'), 5, 'A', 0);
    c.set(7, keyOf('omega'), 5, 'O', 0);
    expect(c.get(7, keyOf('alpha'), 5)).toBe('A');
    expect(c.get(7, keyOf('omega'), 5)).toBe('O');
    expect(c.get(7, keyOf('gamma'), 5)).toBeUndefined();
    expect(c.get(7, keyOf('alphabet'), 5)).toBe('A');
    expect(c.get(7, keyOf('alphabet'), 8)).toBeUndefined();
  });

  it('keeps what is used across generations and drops the rest', () => {
    const c = new ByteKeyCache<number>(1000);
    const k = (i: number): Buffer => keyOf(`key-${String(i).padStart(4, '0')}`);
    c.set(1, k(0), 8, 0, 0);
    for (let i = 1; i < 100; i++) {
      c.set(i + 1, k(i), 8, i, 0);
      expect(c.get(1, k(0), 8)).toBe(0);
    }
    expect(c.get(2, k(1), 8)).toBeUndefined();
    expect(c.bytes).toBeLessThanOrEqual(2000);
  });
});
