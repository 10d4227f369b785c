import { describe, expect, it } from 'vitest';
import { thresholdBands, thresholdColor } from './thresholds';

const steps = [
  { value: null, color: 'green' },
  { value: 80, color: 'orange' },
  { value: 90, color: 'red' },
];

describe('thresholdColor', () => {
  it('picks the last step at or below the value, the base step below the first', () => {
    expect(thresholdColor(-5, steps, 'fg')).toBe('green');
    expect(thresholdColor(79.99, steps, 'fg')).toBe('green');
    expect(thresholdColor(80, steps, 'fg')).toBe('orange');
    expect(thresholdColor(89, steps, 'fg')).toBe('orange');
    expect(thresholdColor(90, steps, 'fg')).toBe('red');
    expect(thresholdColor(Infinity, steps, 'fg')).toBe('red');
    expect(thresholdColor(-Infinity, steps, 'fg')).toBe('green');
  });

  it('uses the base colour without thresholds and for no data', () => {
    expect(thresholdColor(42, [], 'var(--fg)')).toBe('var(--fg)');
    expect(thresholdColor(NaN, steps, 'var(--fg)')).toBe('var(--fg)');
  });

  it('uses the base colour below the first step when there is no null step', () => {
    const noBase = [{ value: 10, color: 'red' }];
    expect(thresholdColor(5, noBase, 'base')).toBe('base');
    expect(thresholdColor(10, noBase, 'base')).toBe('red');
  });

  it('lets the later of two equal steps win', () => {
    const eq = [{ value: null, color: 'a' }, { value: 5, color: 'b' }, { value: 5, color: 'c' }];
    expect(thresholdColor(5, eq, 'base')).toBe('c');
  });
});

describe('thresholdBands', () => {
  it('cuts the steps to the gauge range and covers it whole', () => {
    expect(thresholdBands(0, 100, steps, 'base')).toEqual([
      { from: 0, to: 80, color: 'green' },
      { from: 80, to: 90, color: 'orange' },
      { from: 90, to: 100, color: 'red' },
    ]);
    expect(thresholdBands(85, 95, steps, 'base')).toEqual([
      { from: 85, to: 90, color: 'orange' },
      { from: 90, to: 95, color: 'red' },
    ]);
    expect(thresholdBands(0, 50, steps, 'base')).toEqual([{ from: 0, to: 50, color: 'green' }]);
    expect(thresholdBands(95, 200, steps, 'base')).toEqual([{ from: 95, to: 200, color: 'red' }]);
  });

  it('agrees with thresholdColor inside every band', () => {
    const eq = [{ value: null, color: 'a' }, { value: 5, color: 'b' }, { value: 5, color: 'c' }, { value: 7, color: 'd' }];
    for (const band of thresholdBands(0, 10, eq, 'base')) {
      expect(thresholdColor((band.from + band.to) / 2, eq, 'base')).toBe(band.color);
      expect(thresholdColor(band.from, eq, 'base')).toBe(band.color);
    }
  });

  it('is one base band without thresholds, and empty for an empty range', () => {
    expect(thresholdBands(0, 1, [], 'base')).toEqual([{ from: 0, to: 1, color: 'base' }]);
    expect(thresholdBands(1, 1, steps, 'base')).toEqual([]);
  });
});
