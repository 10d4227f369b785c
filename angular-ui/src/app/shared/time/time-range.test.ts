import { describe, expect, it } from 'vitest';
import { autoStepMs, formatDuration, formatInstant, parseDuration, parseInstant, resolveRange } from './time-range';

describe('durations', () => {
  it('parses Prometheus durations, compound ones included', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('refuses anything else, naming the input', () => {
    expect(() => parseDuration('5 m')).toThrow('"5 m" is not a duration (examples: 15s, 5m, 1h30m)');
    expect(() => parseDuration('')).toThrow('"" is not a duration');
    expect(() => parseDuration('0s')).toThrow('duration "0s" must be greater than zero');
  });

  it('formats the shortest form and round-trips', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1500)).toBe('1s500ms');
    for (const d of ['1s', '4s', '1m', '2h', '1d', '1d2h3m4s']) expect(formatDuration(parseDuration(d))).toBe(d);
    expect(() => formatDuration(0)).toThrow('cannot format 0 ms as a duration');
  });
});

describe('ranges and steps', () => {
  it('resolves relative ranges at the given instant and absolute ones as they are', () => {
    expect(resolveRange({ kind: 'relative', last: '15m' }, 1_000_000_000)).toEqual({ startMs: 1_000_000_000 - 900_000, endMs: 1_000_000_000 });
    expect(resolveRange({ kind: 'absolute', fromMs: 5, toMs: 10 }, 99)).toEqual({ startMs: 5, endMs: 10 });
  });

  it('derives about one point per pixel, in whole seconds', () => {
    expect(autoStepMs(3_600_000, 1000)).toBe(4000); // 3.6 s rounded up
    expect(autoStepMs(3_600_000, 1240)).toBe(3000);
    expect(autoStepMs(300_000, 1200)).toBe(1000); // never below 1 s
  });

  it("stays under Prometheus' 11,000 points per series however wide the graph", () => {
    const step = autoStepMs(7 * 86_400_000, 1_000_000);
    expect(7 * 86_400_000 / step).toBeLessThanOrEqual(11_000);
    expect(step).toBe(55_000);
    expect(() => autoStepMs(0, 1000)).toThrow('range must be positive, got 0 ms');
  });
});

describe('instants', () => {
  it('formats and parses in UTC', () => {
    const ms = Date.UTC(2026, 10, 27, 3, 4, 5);
    expect(formatInstant(ms, 'utc')).toBe('2026-11-27 03:04:05');
    expect(parseInstant('2026-11-27 03:04:05', 'utc')).toBe(ms);
    expect(parseInstant('2026-11-27T03:04', 'utc')).toBe(ms - 5000);
  });

  it('formats and parses in local time', () => {
    const ms = new Date(2026, 0, 2, 13, 14, 15).getTime();
    expect(formatInstant(ms, 'local')).toBe('2026-01-02 13:14:15');
    expect(parseInstant('2026-01-02 13:14:15', 'local')).toBe(ms);
  });

  it('refuses malformed and non-existent dates', () => {
    expect(() => parseInstant('yesterday', 'utc')).toThrow('"yesterday" is not a date and time (expected YYYY-MM-DD HH:MM:SS)');
    expect(() => parseInstant('2026-02-31 00:00:00', 'utc')).toThrow('"2026-02-31 00:00:00" is not a valid calendar date and time');
    expect(() => parseInstant('2026-01-01 25:00', 'utc')).toThrow('is not a valid calendar date and time');
  });
});
