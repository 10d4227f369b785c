import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_CONFIG } from '@pharos/dashboard-model';
import { gaugeArcPath, gaugeFraction, gaugePoint, gaugeRange } from './gauge-geometry';

const fc = (over: Partial<typeof DEFAULT_FIELD_CONFIG>) => ({ ...DEFAULT_FIELD_CONFIG, ...over });

describe('gaugeRange', () => {
  it('uses min and max from the field config when set', () => {
    expect(gaugeRange(fc({ min: 10, max: 20 }), [50])).toEqual({ min: 10, max: 20 });
  });
  it('defaults to 0–100 for percent and 0–1 for percentunit', () => {
    expect(gaugeRange(fc({ unit: 'percent' }), [250])).toEqual({ min: 0, max: 100 });
    expect(gaugeRange(fc({ unit: 'percentunit' }), [0.5])).toEqual({ min: 0, max: 1 });
  });
  it('otherwise runs from 0 (or the lowest negative value) to the highest value', () => {
    expect(gaugeRange(fc({}), [3, 7, NaN, Infinity])).toEqual({ min: 0, max: 7 });
    expect(gaugeRange(fc({}), [-4, 2])).toEqual({ min: -4, max: 2 });
    expect(gaugeRange(fc({ max: 10 }), [-4, 2])).toEqual({ min: -4, max: 10 });
  });
  it('widens an empty range so there is a scale', () => {
    expect(gaugeRange(fc({}), [0])).toEqual({ min: 0, max: 1 });
    expect(gaugeRange(fc({}), [])).toEqual({ min: 0, max: 1 });
    expect(gaugeRange(fc({ min: 5, max: 5 }), [5])).toEqual({ min: 5, max: 6 });
  });
});

describe('gauge geometry', () => {
  it('places values on the scale, clamped', () => {
    expect(gaugeFraction(25, 0, 100)).toBe(0.25);
    expect(gaugeFraction(-1, 0, 100)).toBe(0);
    expect(gaugeFraction(101, 0, 100)).toBe(1);
    expect(gaugeFraction(NaN, 0, 100)).toBe(0);
  });

  it('starts lower left, passes the top at half and ends lower right', () => {
    const start = gaugePoint(0, 0, 10, 0);
    const mid = gaugePoint(0, 0, 10, 0.5);
    const end = gaugePoint(0, 0, 10, 1);
    expect(start.x).toBeLessThan(0);
    expect(start.y).toBeGreaterThan(0);
    expect(mid).toEqual({ x: 0, y: -10 });
    expect(end.x).toBeCloseTo(-start.x);
    expect(end.y).toBeCloseTo(start.y);
  });

  it('draws ring segments with the large-arc flag past 180°', () => {
    expect(gaugeArcPath(50, 50, 40, 10, 0, 0.5)).toMatch(/^M[\d. ]+A40 40 0 0 1 50 10L50 20A30 30 0 0 0 [\d. ]+Z$/);
    expect(gaugeArcPath(50, 50, 40, 10, 0, 1)).toContain('A40 40 0 1 1');
    expect(gaugeArcPath(50, 50, 40, 10, 0.5, 0.5)).toBe('');
    expect(gaugeArcPath(50, 50, 40, 10, 0.8, 2)).toBe(gaugeArcPath(50, 50, 40, 10, 0.8, 1));
  });
});
