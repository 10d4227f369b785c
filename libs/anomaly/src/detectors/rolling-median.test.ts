import { describe, expect, it } from 'vitest';
import { RollingMedian } from './rolling-median.js';

function naive(window: number[]): { median: number; mad: number } {
  const med = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 === 1 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
  };
  const m = med(window);
  return { median: m, mad: med(window.map((x) => Math.abs(x - m))) };
}

describe('RollingMedian', () => {
  it('matches a naive median and MAD over a sliding window, duplicates included', () => {
    const rm = new RollingMedian(7);
    const all: number[] = [];
    let seed = 3;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = seed % 13; // small alphabet, so many ties
      rm.push(v);
      all.push(v);
      const want = naive(all.slice(-7));
      expect(rm.median()).toBe(want.median);
      expect(rm.mad(rm.median())).toBe(want.mad);
    }
  });

  it('round-trips through values()/load()', () => {
    const a = new RollingMedian(5);
    for (const v of [5, 1, 4, 2, 8, 7, 3]) a.push(v);
    const b = new RollingMedian(5);
    b.load(a.values());
    expect(b.values()).toEqual([4, 2, 8, 7, 3]);
    a.push(6);
    b.push(6);
    expect(b.median()).toBe(a.median());
  });
});
