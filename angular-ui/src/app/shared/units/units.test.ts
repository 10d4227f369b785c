import { describe, expect, it } from 'vitest';
import { UNIT_CATEGORIES, axisTicks, formatValue, isKnownUnit, valueFormatter } from './units';

describe('formatValue', () => {
  it('keeps about three significant digits automatically, as Grafana', () => {
    expect(formatValue(1.5, 'none', null)).toBe('1.50');
    expect(formatValue(12.345, 'none', null)).toBe('12.3');
    expect(formatValue(123.45, 'none', null)).toBe('123');
    expect(formatValue(0.012345, 'none', null)).toBe('0.0123');
    expect(formatValue(-1.5, 'none', null)).toBe('-1.50');
    expect(formatValue(42, 'none', null)).toBe('42');
    expect(formatValue(0, 'none', null)).toBe('0');
    expect(formatValue(1.23456, 'none', 1)).toBe('1.2');
    expect(formatValue(2, 'none', 2)).toBe('2.00');
    expect(formatValue(-0.0001, 'none', 2)).toBe('0.00');
  });

  it('prints NaN and infinities as Prometheus does, whatever the unit', () => {
    for (const unit of ['none', 'bytes', 's', 'currencyUSD', 'percent']) {
      expect(formatValue(NaN, unit, null)).toBe('NaN');
      expect(formatValue(Infinity, unit, 2)).toBe('+Inf');
      expect(formatValue(-Infinity, unit, null)).toBe('-Inf');
    }
  });

  it('short scales by thousands with Grafana suffixes', () => {
    expect(formatValue(999, 'short', null)).toBe('999');
    expect(formatValue(1500, 'short', null)).toBe('1.50 K');
    expect(formatValue(2_000_000, 'short', null)).toBe('2 Mil');
    expect(formatValue(3.25e9, 'short', null)).toBe('3.25 Bil');
    expect(formatValue(1e12, 'short', null)).toBe('1 Tri');
    expect(formatValue(-1500, 'short', 0)).toBe('-2 K');
    expect(formatValue(0.5, 'short', null)).toBe('0.500');
  });

  it('percent and percentunit', () => {
    expect(formatValue(42, 'percent', null)).toBe('42%');
    expect(formatValue(0.423, 'percentunit', 1)).toBe('42.3%');
    expect(formatValue(1, 'percentunit', null)).toBe('100%');
  });

  it('data units: IEC (1024) against SI (1000)', () => {
    expect(formatValue(1024, 'bytes', null)).toBe('1 KiB');
    expect(formatValue(1536, 'bytes', null)).toBe('1.50 KiB');
    expect(formatValue(1023, 'bytes', null)).toBe('1023 B');
    expect(formatValue(5 * 1024 ** 3, 'bytes', null)).toBe('5 GiB');
    expect(formatValue(1500, 'decbytes', null)).toBe('1.50 kB');
    expect(formatValue(0, 'decbytes', null)).toBe('0 B');
    expect(formatValue(2048, 'bits', null)).toBe('2 Kib');
    expect(formatValue(2e6, 'decbits', null)).toBe('2 Mb');
    expect(formatValue(1.5e9, 'bps', null)).toBe('1.50 Gbps');
    expect(formatValue(1000, 'Bps', null)).toBe('1 kB/s');
    expect(formatValue(1024 * 1024, 'binBps', null)).toBe('1 MiB/s');
    expect(formatValue(1e15, 'decbytes', null)).toBe('1 PB');
  });

  it('time units move to larger and smaller units as Grafana', () => {
    expect(formatValue(0, 's', null)).toBe('0 s');
    expect(formatValue(0.25, 's', null)).toBe('250 ms');
    expect(formatValue(0.0005, 's', null)).toBe('500 µs');
    expect(formatValue(5e-8, 's', null)).toBe('50 ns');
    expect(formatValue(30, 's', null)).toBe('30 s');
    expect(formatValue(90, 's', null)).toBe('1.50 min');
    expect(formatValue(7200, 's', null)).toBe('2 hour');
    expect(formatValue(172_800, 's', null)).toBe('2 day');
    expect(formatValue(1_209_600, 's', null)).toBe('2 week');
    expect(formatValue(250, 'ms', null)).toBe('250 ms');
    expect(formatValue(1500, 'ms', null)).toBe('1.50 s');
    expect(formatValue(10_000_086.123, 'ms', 0)).toBe('3 hour');
    expect(formatValue(10_000_086.123, 'ms', 1)).toBe('2.8 hour');
    expect(formatValue(1500, 'µs', null)).toBe('1.50 ms');
    expect(formatValue(2e6, 'µs', null)).toBe('2 s');
    expect(formatValue(1500, 'ns', null)).toBe('1.50 µs');
    expect(formatValue(120e9, 'ns', null)).toBe('2 min');
  });

  it('durations as calendar parts, one more per decimal', () => {
    expect(formatValue(3725, 'dtdurations', null)).toBe('1 hour');
    expect(formatValue(3725, 'dtdurations', 2)).toBe('1 hour, 2 minutes, 5 seconds');
    expect(formatValue(-60, 'dtdurations', null)).toBe('1 minute ago');
    expect(formatValue(0, 'dtdurations', null)).toBe('0 seconds');
  });

  it('throughput counts, hertz, temperature, currency', () => {
    expect(formatValue(1500, 'reqps', null)).toBe('1.50K reqps');
    expect(formatValue(12, 'ops', null)).toBe('12 ops');
    expect(formatValue(3, 'rps', null)).toBe('3 rps');
    expect(formatValue(3, 'wps', null)).toBe('3 wps');
    expect(formatValue(3e6, 'rpm', null)).toBe('3M rpm');
    expect(formatValue(2.4e9, 'hertz', null)).toBe('2.40 GHz');
    expect(formatValue(21.5, 'celsius', 1)).toBe('21.5 °C');
    expect(formatValue(1500, 'currencyUSD', null)).toBe('$1.50K');
    expect(formatValue(-20, 'currencyUSD', null)).toBe('-$20');
  });

  it('sci and locale', () => {
    expect(formatValue(12345, 'sci', 2)).toBe('1.23e+4');
    expect(formatValue(1234567.891, 'locale', 2)).toBe((1234567.891).toLocaleString(undefined, { maximumFractionDigits: 2 }));
  });

  it('shows unknown units as a suffix and honours prefix:/suffix:', () => {
    expect(formatValue(3, 'widgets', null)).toBe('3 widgets');
    expect(formatValue(3, 'suffix:/day', null)).toBe('3 /day');
    expect(formatValue(3, 'prefix:≈', null)).toBe('≈3');
    expect(isKnownUnit('widgets')).toBe(false);
    expect(isKnownUnit('bytes')).toBe(true);
  });

  it('refuses a bad decimals count by name', () => {
    expect(() => formatValue(1, 'none', -1)).toThrow(/decimals must be null/);
    expect(() => formatValue(1, 'none', 1.5)).toThrow(/got 1.5/);
    expect(() => valueFormatter('none', 21)).toThrow(/0 to 20/);
  });

  it('valueFormatter matches formatValue', () => {
    const f = valueFormatter('bytes', null);
    for (const v of [0, 1, 1536, 1e12, NaN, -Infinity]) expect(f(v)).toBe(formatValue(v, 'bytes', null));
  });

  it('lists every required unit once, grouped', () => {
    const ids = UNIT_CATEGORIES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['none', 'short', 'percent', 'percentunit', 'bytes', 'decbytes', 'bits', 'decbits', 'bps', 'Bps', 'binBps', 's', 'ms', 'µs', 'ns', 'dtdurations', 'reqps', 'rps', 'ops', 'wps', 'rpm', 'hertz', 'celsius', 'currencyUSD', 'locale', 'sci']) {
      expect(ids).toContain(id);
    }
    expect(UNIT_CATEGORIES.every((c) => c.label !== '' && c.group !== '')).toBe(true);
  });
});

describe('axisTicks', () => {
  it('picks 1/2/5 steps within maxTicks and labels them with one decimal count', () => {
    const t = axisTicks(0, 1, 6, 'none');
    expect(t.step).toBe(0.2);
    expect(t.values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(t.labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    const u = axisTicks(-7, 93, 5, 'none');
    expect(u.step).toBe(20);
    expect(u.values).toEqual([0, 20, 40, 60, 80]);
    // No multiple of a coarse-enough step in range: one tick from the finer grid.
    expect(axisTicks(12345, 98765, 1, 'none').values).toEqual([50000]);
  });

  it('never exceeds maxTicks and keeps every tick in range', () => {
    for (const [min, max] of [[0, 1], [-3.3, 17.9], [1e-6, 3e-6], [12345, 98765], [0, 1e12]] as const) {
      for (const n of [2, 3, 5, 8, 11]) {
        for (const unit of ['none', 'bytes', 's', 'ms']) {
          const t = axisTicks(min, max, n, unit);
          expect(t.values.length).toBeLessThanOrEqual(n);
          expect(t.values.length).toBeGreaterThan(0);
          for (const v of t.values) {
            expect(v).toBeGreaterThanOrEqual(min - t.step * 1e-9);
            expect(v).toBeLessThanOrEqual(max + t.step * 1e-9);
          }
        }
      }
    }
  });

  it('uses clock steps for time units', () => {
    expect(axisTicks(0, 600, 5, 's').step).toBe(300);
    expect(axisTicks(0, 100, 5, 's').step).toBe(30);
    expect(axisTicks(0, 100, 5, 's').labels).toEqual(['0 s', '30 s', '1.0 min', '1.5 min']);
    expect(axisTicks(0, 5 * 3_600_000, 6, 'ms').step).toBe(3_600_000);
    expect(axisTicks(0, 0.9, 5, 's').labels).toEqual(['0 ms', '200 ms', '400 ms', '600 ms', '800 ms']);
  });

  it('uses powers of two for IEC bytes', () => {
    const t = axisTicks(0, 1e9, 5, 'bytes');
    expect(t.step).toBe(256 * 1024 * 1024);
    expect(t.labels).toEqual(['0 B', '256 MiB', '512 MiB', '768 MiB']);
    expect(axisTicks(0, 2500, 4, 'decbytes').labels).toEqual(['0 B', '1 kB', '2 kB']);
  });

  it('handles a flat range and refuses bad input', () => {
    expect(axisTicks(5, 5, 4, 'none').values).toEqual([5]);
    expect(() => axisTicks(2, 1, 4, 'none')).toThrow(/above max/);
    expect(() => axisTicks(0, NaN, 4, 'none')).toThrow(/finite/);
    expect(() => axisTicks(0, 1, 0, 'none')).toThrow(/maxTicks/);
  });
});
