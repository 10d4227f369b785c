import { describe, expect, it } from 'vitest';
import { drawnExtent, linearMap, yDomain, type YDomainOptions } from './scale';

const f = (...v: number[]) => Float64Array.from(v);
const opts = (o: Partial<YDomainOptions> = {}): YDomainOptions => ({ fixedMin: null, fixedMax: null, includeZero: false, percent: false, unit: 'none', maxTicks: 6, ...o });

describe('scales', () => {
  it('linearMap maps the domain onto the range, inverted for y', () => {
    const m = linearMap(0, 100, 200, 0);
    expect(m.a * 0 + m.b).toBe(200);
    expect(m.a * 100 + m.b).toBe(0);
    expect(m.a * 25 + m.b).toBe(150);
    expect(() => linearMap(1, 1, 0, 10)).toThrow(/empty or infinite/);
  });

  it('drawnExtent covers visible drawn points only', () => {
    const values = [f(1, NaN, 3), f(100, 100, 100)];
    expect(drawnExtent(values, values, [true, false])).toEqual({ min: 1, max: 3 });
    expect(drawnExtent([f(NaN)], [f(NaN)], [true])).toEqual({ min: NaN, max: NaN });
  });

  it('yDomain snaps free ends out to tick steps and honours fixed ends', () => {
    expect(yDomain({ min: 3, max: 97 }, opts())).toEqual({ min: 0, max: 100 });
    expect(yDomain({ min: 3, max: 97 }, opts({ fixedMax: 120 }))).toEqual({ min: 0, max: 120 });
    expect(yDomain({ min: 13, max: 17 }, opts({ includeZero: true }))).toEqual({ min: 0, max: 20 });
    expect(yDomain({ min: NaN, max: NaN }, opts())).toEqual({ min: 0, max: 1 });
    expect(yDomain({ min: 0.2, max: 0.9 }, opts({ percent: true }))).toEqual({ min: 0, max: 1 });
    const flat = yDomain({ min: 50, max: 50 }, opts());
    expect(flat.min).toBeLessThan(50);
    expect(flat.max).toBeGreaterThan(50);
  });

  it('yDomain keeps a fixed end even when the data lies beyond it, and refuses min ≥ max', () => {
    expect(yDomain({ min: 1, max: 5 }, opts({ fixedMin: 10 }))).toEqual({ min: 10, max: 20 });
    expect(() => yDomain({ min: 1, max: 5 }, opts({ fixedMin: 10, fixedMax: 10 }))).toThrow(/must be below/);
  });
});
