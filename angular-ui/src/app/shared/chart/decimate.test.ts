import { describe, expect, it } from 'vitest';
import { decimateRun, runEnd, runStart, type PixelMap } from './decimate';

/** Deterministic noise, so a failure reproduces. */
function noise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 100 - 50 + Math.sin(i / 50) * 30;
  }
  return out;
}

describe('decimateRun (M4)', () => {
  it('keeps first, last, min and max of every pixel column, in step order, from the original points', () => {
    const n = 10_000;
    const ys = noise(n, 7);
    // 10,000 points over 300 CSS px at 2 device px per CSS px: ~16 points per device column.
    const map: PixelMap = { x0: 10, dx: 300 / n, yA: -2, yB: 400, pxRatio: 2 };
    const out = new Float64Array(2 * n);
    const m = decimateRun(ys, 0, n, map, out);
    expect(m).toBeLessThanOrEqual(4 * 601);
    expect(m).toBeGreaterThan(600);
    // Group the original points by device column and compare with the output in that column.
    const byCol = new Map<number, { first: number; last: number; min: number; max: number }>();
    for (let i = 0; i < n; i++) {
      const col = Math.floor((map.x0 + i * map.dx) * map.pxRatio);
      const y = map.yA * ys[i]! + map.yB;
      const c = byCol.get(col);
      if (!c) byCol.set(col, { first: y, last: y, min: y, max: y });
      else Object.assign(c, { last: y, min: Math.min(c.min, y), max: Math.max(c.max, y) });
    }
    const seen = new Map<number, number[]>();
    let prevX = -Infinity;
    for (let j = 0; j < m; j++) {
      const x = out[2 * j]!;
      expect(x).toBeGreaterThanOrEqual(prevX);
      prevX = x;
      const col = Math.floor(x * map.pxRatio + 1e-9);
      const ys2 = seen.get(col) ?? [];
      ys2.push(out[2 * j + 1]!);
      seen.set(col, ys2);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...byCol.keys()].sort((a, b) => a - b));
    for (const [col, c] of byCol) {
      const got = seen.get(col)!;
      expect(got[0]).toBe(c.first);
      expect(got[got.length - 1]).toBe(c.last);
      expect(Math.min(...got)).toBe(c.min);
      expect(Math.max(...got)).toBe(c.max);
      expect(got.length).toBeLessThanOrEqual(4);
    }
  });

  it('passes every point through when each has a column of its own', () => {
    const ys = Float64Array.from([1, 5, 2, 4]);
    const out = new Float64Array(8);
    const n = decimateRun(ys, 0, 4, { x0: 0, dx: 10, yA: 1, yB: 0, pxRatio: 1 }, out);
    expect(n).toBe(4);
    expect([...out]).toEqual([0, 1, 10, 5, 20, 2, 30, 4]);
  });

  it('draws a sub-range only, and refuses a buffer too small for it', () => {
    const ys = Float64Array.from([9, 1, 2, 3, 9]);
    const out = new Float64Array(6);
    expect(decimateRun(ys, 1, 4, { x0: 0, dx: 1, yA: 1, yB: 0, pxRatio: 1 }, out)).toBe(3);
    expect([...out]).toEqual([1, 1, 2, 2, 3, 3]);
    expect(() => decimateRun(ys, 0, 5, { x0: 0, dx: 1, yA: 1, yB: 0, pxRatio: 1 }, out)).toThrow(/holds 3 points, the run has 5/);
    expect(decimateRun(ys, 2, 2, { x0: 0, dx: 1, yA: 1, yB: 0, pxRatio: 1 }, out)).toBe(0);
  });
});

describe('runs between gaps', () => {
  it('splits at NaN and infinities', () => {
    const v = Float64Array.from([NaN, 1, 2, NaN, NaN, 3, Infinity, 4]);
    const runs: [number, number][] = [];
    for (let from = runStart(v, 0, v.length); from < v.length; from = runStart(v, runEnd(v, from, v.length), v.length)) {
      runs.push([from, runEnd(v, from, v.length)]);
    }
    expect(runs).toEqual([[1, 3], [5, 6], [7, 8]]);
    expect(runStart(Float64Array.from([NaN, NaN]), 0, 2)).toBe(2);
  });
});
