import { describe, expect, it } from 'vitest';
import { timeTicks, zoneOffsetMs } from './time-ticks';

const T0 = Date.UTC(2024, 5, 14, 10, 0, 0);
const H = 3_600_000;

describe('timeTicks', () => {
  it('picks the smallest clock step within maxTicks, aligned in UTC', () => {
    const t = timeTicks(T0 + 7 * 60_000, T0 + H + 7 * 60_000, 5, 'utc');
    expect(t.stepMs).toBe(15 * 60_000);
    expect(t.labels).toEqual(['10:15', '10:30', '10:45', '11:00']);
    expect(timeTicks(T0 + 7 * 60_000, T0 + H + 7 * 60_000, 7, 'utc').stepMs).toBe(10 * 60_000);
  });

  it('labels seconds and sub-seconds when the step needs them', () => {
    expect(timeTicks(T0, T0 + 30_000, 7, 'utc').labels[1]).toBe('10:00:05');
    expect(timeTicks(T0, T0 + 1000, 6, 'utc').labels[1]).toBe('10:00:00.200');
  });

  it('shows the date at midnight and for day steps', () => {
    const day = Date.UTC(2024, 5, 14);
    expect(timeTicks(day - 6 * H, day + 6 * H, 5, 'utc').labels).toEqual(['18:00', '21:00', '06-14', '03:00', '06:00']);
    expect(timeTicks(day, day + 6 * 24 * H, 4, 'utc').labels).toEqual(['06-14', '06-16', '06-18', '06-20']);
  });

  it('aligns to the local wall clock in the local zone', () => {
    const t = timeTicks(T0, T0 + 12 * H, 5, 'local');
    for (const v of t.values) {
      const wall = v + zoneOffsetMs(v, 'local');
      expect(wall % t.stepMs).toBe(0);
    }
    const d = new Date(t.values[0]!);
    expect(t.labels[0]).toBe(`${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`);
  });

  it('keeps every tick in range and refuses bad input', () => {
    const t = timeTicks(T0 + 1, T0 + 10 * H - 1, 11, 'utc');
    for (const v of t.values) expect(v >= T0 + 1 && v <= T0 + 10 * H - 1).toBe(true);
    expect(() => timeTicks(2, 1, 5, 'utc')).toThrow(/not a range/);
    expect(() => timeTicks(1, 2, 0, 'utc')).toThrow(/maxTicks/);
  });
});
