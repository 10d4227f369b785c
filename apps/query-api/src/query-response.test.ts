import { describe, expect, it } from 'vitest';
import type { NativeHistogram } from '#pharos/metric-model';
import type { QueryValue, ResultSeries } from '#pharos/promql';
import { formatGoFloatPlain, formatPromFloat, formatPromTimestamp, histogramJson, jsonString, labelsJson } from './prometheus-json.js';
import { queryResponseChunks, queryResponseString } from './query-response.js';

// Expected strings below were produced by a real Prometheus 3.16 (`/api/v1/query*`) for the
// same data, so they pin Prometheus' exact encoding rather than our reading of it.

const hist = (o: Partial<NativeHistogram>): NativeHistogram => ({
  isInteger: false,
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 20,
  sum: 33.5,
  positiveSpans: new Int32Array([0, 2, 1, 1]),
  positiveCounts: new Float64Array([3, 5, 4]),
  negativeSpans: new Int32Array([1, 1]),
  negativeCounts: new Float64Array([6]),
  resetHint: 0,
  customValues: new Float64Array(),
  ...o,
});

const series = (labels: string[], ts: number[], vs: number[]): ResultSeries => ({
  labels,
  timestamps: new Float64Array(ts),
  values: new Float64Array(vs),
  histTimestamps: new Float64Array(),
  histograms: [],
});

const render = (value: QueryValue, extra: { limit?: number; warnings?: string[]; infos?: string[] } = {}) =>
  queryResponseString({ value, warnings: extra.warnings ?? [], infos: extra.infos ?? [], ...(extra.limit ? { limit: extra.limit } : {}) });

describe('Prometheus value encoding', () => {
  it('formats sample values as Go does (exponent form only below 1e-6 and from 1e21)', () => {
    expect(formatPromFloat(1.5e-7)).toBe('1.5e-07');
    expect(formatPromFloat(1e-7)).toBe('1e-07');
    expect(formatPromFloat(1e22)).toBe('1e+22');
    expect(formatPromFloat(1e300)).toBe('1e+300');
    expect(formatPromFloat(0.000001)).toBe('0.000001');
    expect(formatPromFloat(123456789012345680000)).toBe('123456789012345680000');
    expect(formatPromFloat(-2)).toBe('-2');
    expect(formatPromFloat(-0)).toBe('-0');
    expect(formatPromFloat(0)).toBe('0');
    expect(formatPromFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatPromFloat(NaN)).toBe('NaN');
    expect(formatPromFloat(Infinity)).toBe('+Inf');
    expect(formatPromFloat(-Infinity)).toBe('-Inf');
    expect(formatPromFloat(5e-324)).toBe('5e-324');
  });

  it("formats scalars as Go's FormatFloat(f, 'f', -1, 64)", () => {
    expect(formatGoFloatPlain(1e-7)).toBe('0.0000001');
    expect(formatGoFloatPlain(1.5e-7)).toBe('0.00000015');
    expect(formatGoFloatPlain(1e22)).toBe('10000000000000000000000');
    expect(formatGoFloatPlain(-1.2345678901234569e23)).toBe('-123456789012345690000000');
    expect(formatGoFloatPlain(2.5e21)).toBe('2500000000000000000000');
    expect(formatGoFloatPlain(12.5)).toBe('12.5');
    expect(formatGoFloatPlain(-0)).toBe('-0');
    expect(formatGoFloatPlain(Infinity)).toBe('+Inf');
  });

  it('formats timestamps with three fraction digits unless whole', () => {
    expect(formatPromTimestamp(100_000)).toBe('100');
    expect(formatPromTimestamp(100_500)).toBe('100.500');
    expect(formatPromTimestamp(1_001)).toBe('1.001');
    expect(formatPromTimestamp(1_050)).toBe('1.050');
    expect(formatPromTimestamp(-1_500)).toBe('-1.500');
    expect(formatPromTimestamp(-1_000)).toBe('-1');
    expect(formatPromTimestamp(0)).toBe('0');
    expect(formatPromTimestamp(1_700_000_000_123)).toBe('1700000000.123');
  });

  it('escapes strings as Go (HTML characters and control characters as \\u00XX)', () => {
    expect(jsonString('a<b')).toBe('"a\\u003cb"');
    expect(jsonString('q"\\\n\t\b')).toBe('"q\\"\\\\\\n\\t\\u0008"');
    expect(jsonString('plain ü')).toBe('"plain ü"');
    expect(labelsJson(['__name__', 'up', 'job', 'x'])).toBe('{"__name__":"up","job":"x"}');
    expect(labelsJson([])).toBe('{}');
  });

  it('writes native histograms with boundary rules, clamped zero-bucket edges and no empty buckets', () => {
    expect(histogramJson(hist({}))).toBe(
      '{"count":"20","sum":"33.5","buckets":[[1,"-2","-1","6"],[3,"-0.001","0.001","2"],[0,"0.5","1","3"],[0,"1","2","5"],[0,"4","8","4"]]}',
    );
    const custom = hist({
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 10,
      sum: 7.25,
      positiveCounts: new Float64Array([1, 4, 5]),
      negativeSpans: new Int32Array(),
      negativeCounts: new Float64Array(),
      customValues: new Float64Array([0.5, 1, 2.5]),
    });
    expect(histogramJson(custom)).toBe('{"count":"10","sum":"7.25","buckets":[[3,"-Inf","0.5","1"],[0,"0.5","1","4"],[0,"2.5","+Inf","5"]]}');
    const negativeOnly = hist({
      schema: -2,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 3,
      sum: -100,
      positiveSpans: new Int32Array(),
      positiveCounts: new Float64Array(),
      negativeSpans: new Int32Array([0, 2]),
      negativeCounts: new Float64Array([1, 2]),
    });
    expect(histogramJson(negativeOnly)).toBe('{"count":"3","sum":"-100","buckets":[[1,"-16","-1","2"],[1,"-1","-0.0625","1"]]}');
    const empty = hist({ count: 0, sum: 0, zeroCount: 0, positiveSpans: new Int32Array(), positiveCounts: new Float64Array(), negativeSpans: new Int32Array(), negativeCounts: new Float64Array() });
    expect(histogramJson(empty)).toBe('{"count":"0","sum":"0"}');
  });

  it('uses Prometheus’ exact bucket bounds for fractional schemas', () => {
    const h = hist({
      schema: 3,
      zeroThreshold: 0.1,
      count: 13,
      positiveSpans: new Int32Array([-2, 3, 5, 1]),
      positiveCounts: new Float64Array([1, 2, 3, 4]),
      negativeSpans: new Int32Array([0, 2]),
      negativeCounts: new Float64Array([1, 0]),
    });
    expect(histogramJson(h)).toBe(
      '{"count":"13","sum":"33.5","buckets":[[1,"-1","-0.9170040432046711","1"],[3,"-0.1","0.1","2"],[0,"0.7711054127039704","0.8408964152537144","1"],' +
        '[0,"0.8408964152537144","0.9170040432046711","2"],[0,"0.9170040432046711","1","3"],[0,"1.5422108254079407","1.6817928305074288","4"]]}',
    );
  });
});

describe('query response', () => {
  it('renders scalars and strings with plain JSON times and Go-escaped strings', () => {
    expect(render({ resultType: 'scalar', t: 1_700_000_000_500, f: 2 })).toBe('{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"2"]}}');
    expect(render({ resultType: 'scalar', t: 1_500, f: 1e-7 })).toBe('{"status":"success","data":{"resultType":"scalar","result":[1.5,"0.0000001"]}}');
    expect(render({ resultType: 'scalar', t: 1_000, f: 1e22 })).toBe('{"status":"success","data":{"resultType":"scalar","result":[1,"10000000000000000000000"]}}');
    expect(render({ resultType: 'string', t: 1_000, s: 'a<b' })).toBe('{"status":"success","data":{"resultType":"string","result":[1,"a\\u003cb"]}}');
  });

  it('renders vectors with float and histogram samples', () => {
    const value: QueryValue = {
      resultType: 'vector',
      samples: [
        { labels: ['__name__', 'gold_float', 'a', 'x<y&z'], t: 100_500, f: 1.5e-7 },
        { labels: ['__name__', 'gold_hist', 'kind', 'exp0'], t: 100_000, f: 0, h: hist({}) },
      ],
    };
    expect(render(value)).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"gold_float","a":"x<y&z"},"value":[100.500,"1.5e-07"]},' +
        '{"metric":{"__name__":"gold_hist","kind":"exp0"},"histogram":[100,{"count":"20","sum":"33.5","buckets":[[1,"-2","-1","6"],[3,"-0.001","0.001","2"],[0,"0.5","1","3"],[0,"1","2","5"],[0,"4","8","4"]]}]}]}}',
    );
    expect(render({ resultType: 'vector', samples: [] })).toBe('{"status":"success","data":{"resultType":"vector","result":[]}}');
  });

  it('renders matrices with values and histograms, omitting empty arrays', () => {
    const floats = series(['__name__', 'gold_float', 'a', 'x<y&z'], [100_000, 107_500, 115_000], [1.5e-7, 1.5e-7, -2]);
    const withHist: ResultSeries = { ...series(['__name__', 'h'], [], []), histTimestamps: new Float64Array([100_000]), histograms: [hist({ count: 1, sum: 1, zeroCount: 1, positiveCounts: new Float64Array(3), negativeCounts: new Float64Array(1) })] };
    expect(render({ resultType: 'matrix', series: [floats, withHist] })).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"gold_float","a":"x<y&z"},"values":[[100,"1.5e-07"],[107.500,"1.5e-07"],[115,"-2"]]},' +
        '{"metric":{"__name__":"h"},"histograms":[[100,{"count":"1","sum":"1","buckets":[[3,"-0.001","0.001","1"]]}]]}]}}',
    );
    expect(render({ resultType: 'matrix', series: [] })).toBe('{"status":"success","data":{"resultType":"matrix","result":[]}}');
  });

  it('truncates to limit with Prometheus’ warning, and caps annotations at ten each', () => {
    const value: QueryValue = { resultType: 'vector', samples: [1, 2, 3].map((i) => ({ labels: ['i', String(i)], t: 1000, f: i })) };
    expect(render(value, { limit: 2, infos: ['PromQL info: x'] })).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"i":"1"},"value":[1,"1"]},{"metric":{"i":"2"},"value":[1,"2"]}]},' +
        '"warnings":["results truncated due to limit"],"infos":["PromQL info: x"]}',
    );
    expect(render(value, { limit: 3 })).not.toContain('warnings');
    const many = Array.from({ length: 12 }, (_, i) => `w${i}`);
    const body = JSON.parse(render(value, { warnings: many })) as { warnings: string[] };
    expect(body.warnings).toEqual([...many.slice(0, 10), '2 more warning annotations omitted']);
  });

  it('renders stats in Prometheus’ shape and number format', () => {
    const out = queryResponseString({
      value: { resultType: 'scalar', t: 0, f: 1 },
      warnings: [],
      infos: [],
      stats: {
        timings: { evalTotalTime: 0.000060841, resultSortTime: 7.71e-7, queryPreparationTime: 0, innerEvalTime: 1.5, execQueueTime: 0, execTotalTime: 2 },
        samples: { totalQueryableSamples: 12, peakSamples: 3, totalQueryableSamplesPerStep: [[100, 4], [115.5, 8]] },
      },
      perStepStats: true,
    });
    expect(out).toBe(
      '{"status":"success","data":{"resultType":"scalar","result":[0,"1"],"stats":{"timings":{"evalTotalTime":0.000060841,"resultSortTime":7.71e-07,' +
        '"queryPreparationTime":0,"innerEvalTime":1.5,"execQueueTime":0,"execTotalTime":2},"samples":{"totalQueryableSamplesPerStep":[[100,4],[115.5,8]],' +
        '"totalQueryableSamples":12,"peakSamples":3}}}}',
    );
  });

  it('streams a large matrix in bounded chunks that join to valid JSON', () => {
    const ts = Array.from({ length: 1000 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const big = Array.from({ length: 300 }, (_, s) => series(['__name__', 'm', 'i', String(s)], ts, ts.map((_, i) => i * 0.5 + s)));
    const chunks = [...queryResponseChunks({ value: { resultType: 'matrix', series: big }, warnings: [], infos: [] })];
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeLessThan(300 * 1024);
    const parsed = JSON.parse(chunks.join('')) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    expect(parsed.data.result).toHaveLength(300);
    expect(parsed.data.result[299]!.metric).toEqual({ __name__: 'm', i: '299' });
    expect(parsed.data.result[299]!.values[999]).toEqual([1_700_014_985, '798.5']);
  });
});
