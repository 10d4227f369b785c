import { describe, expect, it } from 'vitest';
import { StackBuffers, stackSeries } from './stack';

const f = (...v: number[]) => Float64Array.from(v);

describe('stackSeries', () => {
  it('returns the values themselves when not stacking', () => {
    const values = [f(1, 2), f(3, 4)];
    expect(stackSeries(values, [true, true], 'none', new StackBuffers())).toBe(values);
  });

  it('adds each visible series onto the ones below; a gap adds nothing', () => {
    const values = [f(1, 2, NaN), f(10, NaN, 30), f(100, 200, 300)];
    const tops = stackSeries(values, [true, true, true], 'normal', new StackBuffers());
    expect([...tops[0]!]).toEqual([1, 2, 0]);
    expect([...tops[1]!]).toEqual([11, 2, 30]);
    expect([...tops[2]!]).toEqual([111, 202, 330]);
  });

  it('leaves hidden series out of the sums', () => {
    const tops = stackSeries([f(1, 1), f(5, 5), f(2, 3)], [true, false, true], 'normal', new StackBuffers());
    expect([...tops[2]!]).toEqual([3, 4]);
  });

  it('percent: each top is the share of the visible total, the last reaching 1', () => {
    const tops = stackSeries([f(1, 0, NaN), f(3, 0, 2)], [true, true], 'percent', new StackBuffers());
    expect([...tops[0]!]).toEqual([0.25, 0, 0]);
    expect([...tops[1]!]).toEqual([1, 0, 1]);
  });

  it('reuses its buffers across refreshes of the same shape', () => {
    const buffers = new StackBuffers();
    const a = stackSeries([f(1, 2), f(3, 4)], [true, true], 'normal', buffers);
    const b = stackSeries([f(5, 6), f(7, 8)], [true, true], 'normal', buffers);
    expect(b[1]).toBe(a[1]);
    expect([...b[1]!]).toEqual([12, 14]);
  });

  it('refuses series of different lengths', () => {
    expect(() => stackSeries([f(1, 2), f(1)], [true, true], 'normal', new StackBuffers())).toThrow(/must have 2 values/);
  });
});
