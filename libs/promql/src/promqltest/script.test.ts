import { describe, expect, it } from 'vitest';
import { isStaleNaN } from '#pharos/metric-model';
import { parseDurationMs, parseGoNumber, PromQLTestSyntaxError } from './go-syntax.js';
import { almostEqual } from './float-compare.js';
import { combineHistograms, formatHistogram, histogramsMatch, parseHistogramDescription } from './histogram-notation.js';
import { parseSeriesDescription, type SequenceValue } from './series-description.js';
import { parsePromQLTestScript, type EvalCommand, type LoadCommand } from './script.js';
import { buildLoadBatch } from './runner.js';
import { compareResult } from './compare.js';
import { convertClassicHistograms } from './nhcb.js';

const floats = (values: readonly SequenceValue[]): (number | string)[] =>
  values.map((v) => (v.kind === 'omitted' ? '_' : v.kind === 'float' ? (isStaleNaN(v.value) ? 'stale' : v.value) : formatHistogram(v.histogram.histogram)));

describe('Go syntax', () => {
  it('reads durations as model.ParseDuration', () => {
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1y2w')).toBe((365 + 14) * 86_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(() => parseDurationMs('30m1h')).toThrow(/not a valid duration/);
    expect(() => parseDurationMs('1.5m')).toThrow();
    expect(() => parseDurationMs('-5m')).toThrow();
    expect(() => parseDurationMs('')).toThrow(/empty/);
  });

  it('reads numbers as ParseInt(base 0) then ParseFloat', () => {
    expect(parseGoNumber('010')).toBe(8);
    expect(parseGoNumber('0x1f')).toBe(31);
    expect(parseGoNumber('08')).toBe(8);
    expect(parseGoNumber('1_000')).toBe(1000);
    expect(parseGoNumber('-1.5e3')).toBe(-1500);
    expect(parseGoNumber('+Inf')).toBe(Infinity);
    expect(parseGoNumber('-inf')).toBe(-Infinity);
    expect(parseGoNumber('NaN')).toBeNaN();
    expect(parseGoNumber('0x1p-2')).toBe(0.25);
    expect(parseGoNumber('{} 1')).toBeUndefined();
    expect(parseGoNumber('1m')).toBeUndefined();
  });

  it('compares floats as almost.Equal', () => {
    expect(almostEqual(1, 1 + 1e-9)).toBe(true);
    expect(almostEqual(1, 1.00001)).toBe(false);
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(0, 1e-300)).toBe(false);
    expect(almostEqual(Infinity, Infinity)).toBe(true);
    expect(almostEqual(Infinity, -Infinity)).toBe(false);
  });
});

describe('series descriptions', () => {
  it('expands the value notation', () => {
    const s = parseSeriesDescription('foo{b="2", a="1"} 1 2+3x2 _ _x2 stale -1-1x2 5x1 Inf -Inf NaN 1e3');
    expect(s.labels).toEqual(['__name__', 'foo', 'a', '1', 'b', '2']);
    expect(floats(s.values)).toEqual([1, 2, 5, 8, '_', '_', '_', 'stale', -1, -2, -3, 5, 5, Infinity, -Infinity, NaN, 1000]);
  });

  it('accumulates steps by repeated addition, as Prometheus', () => {
    const s = parseSeriesDescription('x 0+0.1x3');
    expect(floats(s.values)).toEqual([0, 0.1, 0.2, 0.30000000000000004]);
  });

  it('reads label sets with quoting, commas and UTF-8 names', () => {
    expect(parseSeriesDescription('{} 1').labels).toEqual([]);
    expect(parseSeriesDescription(`{job="a b", instance='x}y',} 3`).labels).toEqual(['instance', 'x}y', 'job', 'a b']);
    expect(parseSeriesDescription('{"my.metric", "utf8.label"="v"} 1').labels).toEqual(['__name__', 'my.metric', 'utf8.label', 'v']);
    expect(parseSeriesDescription('foo{empty=""} 1').labels).toEqual(['__name__', 'foo']);
  });

  it('reads native histograms and histogram sequences', () => {
    const s = parseSeriesDescription('h {{schema:0 sum:5 count:4 buckets:[1 2 1]}} {{schema:0 count:1 buckets:[1]}}+{{schema:1 count:2 sum:1 buckets:[1 1]}}x2');
    expect(floats(s.values)).toEqual([
      '{{count:4 sum:5 buckets:[1 2 1]}}',
      '{{count:1 buckets:[1]}}',
      // Schema-1 bucket 0, (1/√2, 1], lies in schema-0 bucket 0, (0.5, 1]; bucket 1 in bucket 1.
      '{{count:3 sum:1 buckets:[2 1]}}',
      '{{count:5 sum:2 buckets:[3 2]}}',
    ]);
  });

  it('rejects what Prometheus rejects', () => {
    expect(() => parseSeriesDescription('x 1 foo')).toThrow(/invalid series value/);
    expect(() => parseSeriesDescription('x Infx3')).toThrow(/invalid series value/);
    expect(() => parseSeriesDescription('x {{schema:1 schema:2}}')).toThrow(/duplicate key/);
    expect(() => parseSeriesDescription('x {{bogus:1}}')).toThrow(/bad histogram descriptor/);
    expect(() => parseSeriesDescription('x {{schema:1}}+{{schema:0}}x2')).toThrow(/cannot merge from schema 0 to 1/);
    expect(() => parseSeriesDescription('{a=1} 1')).toThrow(/quoted string/);
  });
});

describe('histogram notation', () => {
  it('matches histograms by compacted buckets, tolerance and explicit hints', () => {
    const a = parseHistogramDescription('schema:1 count:3 sum:2 buckets:[1 0 2] offset:-1').histogram;
    const b = parseHistogramDescription('schema:1 count:3.0000000001 sum:2 buckets:[1] offset:-1 counter_reset_hint:gauge').histogram;
    const c = combineHistograms(b, parseHistogramDescription('schema:1 buckets:[0 2] offset:0 counter_reset_hint:gauge').histogram, 1);
    expect(histogramsMatch(a, c, false)).toBe(true);
    expect(histogramsMatch(parseHistogramDescription('schema:1 count:3 sum:2 buckets:[1 0 2] offset:-1 counter_reset_hint:reset').histogram, c, true)).toBe(false);
    expect(histogramsMatch(a, b, false)).toBe(false);
    expect(formatHistogram(c)).toBe('{{schema:1 count:3.0000000001 sum:2 counter_reset_hint:gauge offset:-1 buckets:[1 0 2]}}');
  });
});

describe('script parsing', () => {
  const script = `
# a comment
load 1m
  foo{a="1"} 1+1x3
  foo{a="1"} 5x3
  bar 1 _ stale

eval instant at 2m foo
  foo{a="1"} 5

eval_ordered instant at 1m sort_desc(foo)
  foo{a="1"} 5

eval range from 0 to 3m step 1m foo
  expect warn msg: PromQL warning: something (1:1)
  expect no_info
  foo{a="1"} 5 _ 5x1

eval instant at 1m foo[2m]
  expect range vector from 0 to 1m step 1m
  foo{a="1"} 5 5

eval instant at 0 "x"
  expect string "x"

eval instant at 0 1 + 1
  2

eval_fail instant at 0 foo +
  expected_fail_regexp unexpected.*

clear
`;
  const commands = parsePromQLTestScript(script);

  it('reads every command with its line', () => {
    expect(commands.map((c) => `${c.kind}@${c.line}`)).toEqual(['load@3', 'eval@8', 'eval@11', 'eval@14', 'eval@19', 'eval@23', 'eval@26', 'eval@29', 'clear@32']);
    const load = commands[0] as LoadCommand;
    expect(load.intervalMs).toBe(60_000);
    // The second definition of a series replaces the first, as in Prometheus.
    expect(load.series.map((s) => floats(s.values))).toEqual([[5, 5, 5, 5], [1, '_', 'stale']]);
  });

  it('reads eval headers and expectations', () => {
    const evals = commands.filter((c): c is EvalCommand => c.kind === 'eval');
    expect(evals[0]).toMatchObject({ range: false, evalMs: 120_000, expr: 'foo' });
    expect(evals[1]).toMatchObject({ legacyOrdered: true, evalMs: 60_000, expr: 'sort_desc(foo)' });
    expect(evals[2]).toMatchObject({ range: true, startMs: 0, endMs: 180_000, stepMs: 60_000 });
    expect(evals[2]!.expects.warn).toEqual([{ message: 'PromQL warning: something (1:1)' }]);
    expect(evals[2]!.expects.no_info).toHaveLength(1);
    expect(evals[3]).toMatchObject({ excludeFromRangeQuery: true, startMs: 0, endMs: 60_000, stepMs: 60_000, evalMs: 60_000 });
    expect(evals[4]).toMatchObject({ expectedString: 'x', excludeFromRangeQuery: true });
    expect(evals[5]).toMatchObject({ expectScalar: 2, expr: '1 + 1' });
    expect(evals[6]!.legacyFail).toBe(true);
    expect(String(evals[6]!.expectedFailRegexp)).toBe('/unexpected.*/');
  });

  it('names the line of a mistake', () => {
    const err = (text: string): PromQLTestSyntaxError => {
      try {
        parsePromQLTestScript(text);
      } catch (e) {
        return e as PromQLTestSyntaxError;
      }
      throw new Error('no error');
    };
    expect(err('load 1m\n  x 1\n\nbogus').line).toBe(4);
    expect(err('eval instant at 1m x\n  x 1 2').message).toMatch(/multiple values in instant evaluation/);
    expect(err('eval instant at 1m x\n  expect warn\n  expect no_warn').message).toMatch(/warn and no_warn/);
    expect(err('eval range from 5m to 1m step 1m x').message).toMatch(/before start/);
    expect(err('load 1m\n  x@st 0 0\n  x 1').message).toMatch(/@st line has 2 values but sample line has 1/);
    expect(err('eval instant at 1m x\n  expect sometimes').message).toMatch(/invalid expect statement/);
  });
});

describe('loading', () => {
  it('builds one batch per load with floats, staleness markers and histograms at i × interval', () => {
    const [load] = parsePromQLTestScript('load 30s\n  a 1 _ stale\n  h {{count:1 buckets:[1]}} 2') as [LoadCommand];
    const batch = buildLoadBatch(load, 't1');
    expect(batch.tenant).toBe('t1');
    expect(batch.series).toEqual([['__name__', 'a'], ['__name__', 'h']]);
    expect([...batch.sampleOffsets]).toEqual([0, 2, 3]);
    expect([...batch.timestamps]).toEqual([0, 60_000, 30_000]);
    expect(isStaleNaN(batch.values[1]!)).toBe(true);
    expect(batch.histograms.map((h) => [h.seriesIndex, h.timestamp, h.histogram.count])).toEqual([[1, 0, 1]]);
  });

  it('converts classic histograms for load_with_nhcb', () => {
    const [load] = parsePromQLTestScript(
      'load_with_nhcb 1m\n  m_bucket{le="1"} 1 2\n  m_bucket{le="+Inf"} 3 5\n  m_bucket{le="0.5"} 0 1\n  m_sum 4 9\n  m_count 3 5',
    ) as [LoadCommand];
    const [nhcb] = convertClassicHistograms(load.series, load.intervalMs);
    expect(nhcb!.labels).toEqual(['__name__', 'm']);
    expect(nhcb!.histograms.map(formatHistogram)).toEqual([
      '{{schema:-53 count:3 sum:4 custom_values:[0.5 1] offset:1 buckets:[1 2]}}',
      '{{schema:-53 count:5 sum:9 custom_values:[0.5 1] buckets:[1 1 3]}}',
    ]);
    const [bad] = parsePromQLTestScript('load_with_nhcb 1m\n  m_bucket{le="1"} 3\n  m_bucket{le="+Inf"} 2') as [LoadCommand];
    expect(() => convertClassicHistograms(bad.series, 60_000)).toThrow(/not cumulative/);
  });
});

describe('result comparison', () => {
  const evalOf = (text: string): EvalCommand => parsePromQLTestScript(text)[0] as EvalCommand;

  it('accepts an equal vector in any order and shows both sides otherwise', () => {
    const cmd = evalOf('eval instant at 1m x\n  x{a="1"} 1\n  x{a="2"} 2');
    const sample = (a: string, f: number) => ({ labels: ['__name__', 'x', 'a', a], t: 60_000, f });
    expect(compareResult(cmd, { resultType: 'vector', samples: [sample('2', 2), sample('1', 1.0000000001)] })).toBeUndefined();
    const diff = compareResult(cmd, { resultType: 'vector', samples: [sample('1', 1), sample('2', 3)] });
    expect(diff).toMatch(/expected 2 for x\{a="2"\} but got 3/);
    expect(diff).toMatch(/expected:\n {4}x\{a="1"\} 1\n {4}x\{a="2"\} 2\n {2}got:/);
    expect(compareResult(cmd, { resultType: 'vector', samples: [sample('1', 1)] })).toMatch(/x\{a="2"\} not found/);
  });

  it('checks order only when asked, and range points by step', () => {
    const ordered = evalOf('eval_ordered instant at 1m x\n  x{a="1"} 1\n  x{a="2"} 2');
    const sample = (a: string, f: number) => ({ labels: ['__name__', 'x', 'a', a], t: 0, f });
    expect(compareResult(ordered, { resultType: 'vector', samples: [sample('2', 2), sample('1', 1)] })).toMatch(/at position 2 but it was at 1/);
    const range = evalOf('eval range from 0 to 2m step 1m x\n  x 1 _ 3');
    const series = (ts: number[], vs: number[]) => ({
      resultType: 'matrix' as const,
      series: [{ labels: ['__name__', 'x'], timestamps: Float64Array.from(ts), values: Float64Array.from(vs), histTimestamps: new Float64Array(0), histograms: [] }],
    });
    expect(compareResult(range, series([0, 120_000], [1, 3]))).toBeUndefined();
    expect(compareResult(range, series([0, 60_000], [1, 3]))).toMatch(/at 2m, but it was at 1m/);
  });
});
