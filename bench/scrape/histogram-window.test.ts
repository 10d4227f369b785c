import { describe, expect, it } from 'vitest';
import { windowQuantile } from './histogram-window.js';

const snap = (entries: [number, number][]): Map<number, number> => new Map(entries);

describe('windowQuantile', () => {
  it('interpolates within the bucket of the observations between two snapshots', () => {
    const before = snap([[0.01, 100], [0.1, 100], [1, 100], [Infinity, 100]]);
    // 10 new observations: 4 in (0, 0.01], 6 in (0.01, 0.1].
    const after = snap([[0.01, 104], [0.1, 110], [1, 110], [Infinity, 110]]);
    expect(windowQuantile(0.5, before, after)).toBeCloseTo(0.01 + 0.09 * (1 / 6), 10);
    expect(windowQuantile(0.2, before, after)).toBeCloseTo(0.005, 10);
  });

  it('answers the highest finite bound for a quantile in the +Inf bucket', () => {
    const after = snap([[0.01, 1], [1, 1], [Infinity, 10]]);
    expect(windowQuantile(0.99, new Map(), after)).toBe(1);
  });

  it('is NaN without observations in the window', () => {
    const s = snap([[0.01, 5], [Infinity, 5]]);
    expect(windowQuantile(0.5, s, s)).toBeNaN();
  });
});
