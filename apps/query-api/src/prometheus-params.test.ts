import { describe, expect, it } from 'vitest';
import type { LabelMatcher } from '#pharos/metric-model';
import type { Expr } from '#pharos/promql';
import { BadParameterError, MAX_TIME_MS, MIN_TIME_MS, parseApiDuration, parseRequiredTime, parseTimeParam, parseTimestamp, parseTimeRange } from './prometheus-params.js';
import { extractSelectors, goDurationString, parseLookbackDeltaParam, parseResultLimit, parseStatsParam, parseTimeoutParam } from './query-request.js';

// A stand-in for the parser's Prometheus duration parser: enough units for these tests.
const promDuration = (s: string): number => {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`not a valid duration string: "${s}"`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
};

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(BadParameterError);
    return (err as Error).message;
  }
  throw new Error('expected a BadParameterError');
};

describe('timestamps', () => {
  it('parses float seconds, rounding the fraction to the millisecond as Prometheus', () => {
    expect(parseTimestamp('1435781451.781')).toBe(1_435_781_451_781);
    expect(parseTimestamp('1435781451.7815')).toBe(1_435_781_451_782);
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('1.5e3')).toBe(1_500_000);
    expect(parseTimestamp('-1.5')).toBe(-1_500);
    expect(parseTimestamp('.5')).toBe(500);
    expect(parseTimestamp('1e400')).toBeUndefined();
  });

  it('parses RFC 3339 with offsets and truncates the fraction to the millisecond', () => {
    expect(parseTimestamp('2015-07-01T20:10:51.781Z')).toBe(1_435_781_451_781);
    expect(parseTimestamp('2015-07-01T20:10:51.123456789123Z')).toBe(1_435_781_451_123);
    expect(parseTimestamp('2015-07-01T20:10:51.5-01:30')).toBe(1_435_786_851_500);
    expect(parseTimestamp('2015-07-01T20:10:51Z')).toBe(1_435_781_451_000);
  });

  it('refuses what Go refuses', () => {
    for (const bad of ['2015-07-01t20:10:51Z', '2015-07-01T20:10:51z', '2015-02-30T20:10:51Z', '2015-07-01T20:10:51+0200', '2015-07-01T24:00:00Z', 'now', '', 'NaN', 'Inf']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it("accepts Prometheus' own min/max time strings", () => {
    expect(parseTimestamp('-292273086-05-16T16:47:06Z')).toBe(MIN_TIME_MS);
    expect(parseTimestamp('292277025-08-18T07:12:54.999999999Z')).toBe(MAX_TIME_MS);
  });

  it('words errors as Prometheus does for optional and required times', () => {
    expect(message(() => parseTimeParam({ time: 'abc' }, 'time', 0))).toBe(`invalid parameter "time": invalid time value for 'time': cannot parse "abc" to a valid timestamp`);
    expect(parseTimeParam({}, 'time', 42)).toBe(42);
    expect(message(() => parseRequiredTime({}, 'start'))).toBe('invalid parameter "start": cannot parse "" to a valid timestamp');
    expect(message(() => parseRequiredTime({ start: 'x' }, 'start'))).toBe('invalid parameter "start": cannot parse "x" to a valid timestamp');
    expect(message(() => parseTimeRange({ start: '3', end: '2' }))).toBe('invalid parameter "end": end timestamp must not be before start time');
  });

  it('takes the form body over the query string for single values, as Go’s FormValue', () => {
    expect(parseTimeParam({ time: ['1', '2'] }, 'time', 0)).toBe(2000);
  });
});

describe('durations and other parameters', () => {
  it('parses float seconds and Prometheus durations', () => {
    expect(parseApiDuration('15', promDuration)).toBe(15_000);
    expect(parseApiDuration('0.5', promDuration)).toBe(500);
    expect(parseApiDuration('1m', promDuration)).toBe(60_000);
    expect(parseApiDuration('abc', promDuration)).toBeUndefined();
    expect(parseApiDuration('1e20', promDuration)).toBeUndefined();
  });

  it('validates timeout and lookback_delta with Prometheus’ messages', () => {
    expect(parseTimeoutParam({ timeout: '30s' }, promDuration)).toBe(30_000);
    expect(parseTimeoutParam({}, promDuration)).toBeUndefined();
    expect(message(() => parseTimeoutParam({ timeout: '0' }, promDuration))).toBe('invalid parameter "timeout": timeout must be positive, got 0s');
    expect(message(() => parseTimeoutParam({ timeout: '-1.5' }, promDuration))).toBe('invalid parameter "timeout": timeout must be positive, got -1.5s');
    expect(message(() => parseTimeoutParam({ timeout: 'x' }, promDuration))).toBe('invalid parameter "timeout": cannot parse "x" to a valid duration');
    expect(parseLookbackDeltaParam({ lookback_delta: '1m' }, promDuration)).toBe(60_000);
    expect(parseLookbackDeltaParam({ lookback_delta: '0' }, promDuration)).toBeUndefined();
    expect(message(() => parseLookbackDeltaParam({ lookback_delta: 'x' }, promDuration))).toBe('error parsing lookback delta duration: cannot parse "x" to a valid duration');
  });

  it('validates limit and stats', () => {
    expect(parseResultLimit({})).toBe(0);
    expect(parseResultLimit({ limit: '5' })).toBe(5);
    expect(message(() => parseResultLimit({ limit: 'x' }))).toBe('invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax');
    expect(message(() => parseResultLimit({ limit: '-1' }))).toBe('invalid parameter "limit": limit must be non-negative');
    expect(parseStatsParam({})).toEqual({ stats: false, perStep: false });
    expect(parseStatsParam({ stats: 'all' })).toEqual({ stats: true, perStep: true });
    expect(parseStatsParam({ stats: '1' })).toEqual({
      stats: true,
      perStep: false,
      warning: 'value "1" for parameter "stats" is deprecated and will be rejected in the next major release, use "true" or "all"',
    });
  });

  it("renders Go's Duration.String for error messages", () => {
    expect(goDurationString(0)).toBe('0s');
    expect(goDurationString(-1500)).toBe('-1.5s');
    expect(goDurationString(250)).toBe('250ms');
    expect(goDurationString(5_400_000)).toBe('1h30m0s');
    expect(goDurationString(61_000)).toBe('1m1s');
  });
});

describe('selectors of a query (for exemplars)', () => {
  it('collects every vector selector, inside ranges, calls, aggregations and binary operations', () => {
    const pos = { start: 0, end: 0 };
    const m = (name: string): LabelMatcher[] => [{ name: '__name__', type: '=', value: name }];
    const vs = (name: string) => ({ kind: 'VectorSelector' as const, pos, matchers: m(name), offsetMs: 0 });
    const expr: Expr = {
      kind: 'BinaryExpr',
      pos,
      op: '/',
      returnBool: false,
      lhs: { kind: 'AggregateExpr', pos, op: 'sum', grouping: [], without: false, expr: { kind: 'Call', pos, func: 'rate', args: [{ kind: 'MatrixSelector', pos, vector: vs('a'), rangeMs: 60_000 }] } },
      rhs: { kind: 'ParenExpr', pos, expr: { kind: 'UnaryExpr', pos, op: '-', expr: vs('b') } },
    };
    expect(extractSelectors(expr).map((ms) => ms[0]!.value)).toEqual(['a', 'b']);
    expect(extractSelectors({ kind: 'NumberLiteral', pos, value: 1 })).toEqual([]);
  });
});
