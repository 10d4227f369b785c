import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationParseError, formatDuration, parseDuration, parsePromQL } from '#pharos/promql';

describe('parseDuration (Prometheus model.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['5ms', 5],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1y2w3d4h5m6s7ms', 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_400_000 + 300_000 + 6_000 + 7],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'empty duration string'],
    ['5', 'not a valid duration string: "5"'],
    ['m', 'not a valid duration string: "m"'],
    ['-5m', 'not a valid duration string: "-5m"'],
    ['1.5h', 'unknown unit "." in duration "1.5h"'],
    ['5x', 'unknown unit "x" in duration "5x"'],
    ['30m1h', 'not a valid duration string: "30m1h"'],
    ['1m1m', 'not a valid duration string: "1m1m"'],
    ['300y', 'duration out of range'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationParseError);
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe('formatDuration (Prometheus model.Duration.String)', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [1_500, '1s500ms'],
    [5_400_000, '1h30m'],
    [7_776_000_000, '90d'], // weeks only when exact
    [1_209_600_000, '2w'],
    [31_536_000_000, '1y'],
    [31_536_000_000 + 86_400_000, '366d'],
    [-300_000, '-5m'],
  ])('%d ms = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('parses back what it prints, for any duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_000_000_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('step() and range() in durations', () => {
  const times = { queryTimes: { stepMs: 5000, rangeMs: 10_000 } };
  const rangeOf = (q: string) => {
    const e = parsePromQL(q, times);
    if (e.kind !== 'Call' || e.args[0]?.kind !== 'MatrixSelector') throw new Error('expected f(matrix)');
    return e.args[0].rangeMs;
  };
  const offsetOf = (q: string) => {
    const e = parsePromQL(q, times);
    if (e.kind !== 'VectorSelector') throw new Error('expected a selector');
    return e.offsetMs;
  };

  it('take the query step and range, as Prometheus’ durationVisitor does', () => {
    expect(rangeOf('count_over_time(m[step()])')).toBe(5000);
    expect(rangeOf('count_over_time(m[step()+1ms])')).toBe(5001);
    expect(rangeOf('count_over_time(m[1+(STep()-5)*2])')).toBe(1000);
    expect(rangeOf('count_over_time(m[max_of(min_of(step()+1,1h),1ms)])')).toBe(6000);
    expect(rangeOf('count_over_time(m[range()])')).toBe(10_000);
    expect(offsetOf('m offset (-step()*2)')).toBe(-10_000);
    // Unparenthesised, the multiplication is a binary operator on the selector, as in Prometheus.
    const e = parsePromQL('m offset -step()*2', times);
    expect(e.kind === 'BinaryExpr' && e.lhs.kind === 'VectorSelector' && e.lhs.offsetMs).toBe(-5000);
    expect(offsetOf('m offset (STEP()/10)')).toBe(500);
    expect(offsetOf('m offset min_of(range(), 8s)')).toBe(8000);
  });

  it('refuse a range that comes to 0, and are refused without the query’s times', () => {
    expect(() => parsePromQL('count_over_time(m[step()])', { queryTimes: { stepMs: 0, rangeMs: 0 } })).toThrow('duration must be greater than 0');
    expect(() => parsePromQL('m offset step()')).toThrow('step() in durations is not supported by Pharos yet');
  });
});
