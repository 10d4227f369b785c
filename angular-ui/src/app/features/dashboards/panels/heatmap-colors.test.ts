import { describe, expect, it } from 'vitest';
import type { HeatmapMatrix } from './heatmap-buckets';
import { HEATMAP_STOPS, buildColorLut, cellAt, heatmapScale, legendGradient, paintCells, scalePosition } from './heatmap-colors';

function matrix(rows: number, steps: number, cells: number[]): HeatmapMatrix {
  const c = Float64Array.from(cells);
  const finite = cells.filter(Number.isFinite);
  return {
    name: '',
    rows,
    steps,
    lower: new Float64Array(rows),
    upper: new Float64Array(rows),
    rowNames: Array.from({ length: rows }, () => ''),
    cells: c,
    min: Math.min(...finite),
    max: Math.max(...finite),
  };
}

describe('colour ramp', () => {
  it('starts and ends on the first and last stop, opaque', () => {
    const lut = buildColorLut();
    expect([...lut.subarray(0, 4)]).toEqual([0x2f, 0x5f, 0xc4, 255]);
    expect([...lut.subarray(255 * 4)]).toEqual([0xd6, 0x45, 0x45, 255]);
    expect(legendGradient()).toBe(`linear-gradient(to right, ${HEATMAP_STOPS.join(', ')})`);
  });
  it('refuses stops it cannot read', () => {
    expect(() => buildColorLut(['#fff', '#000000'])).toThrow(/"#fff" is not #rrggbb/);
    expect(() => buildColorLut(['#000000'])).toThrow(/two stops/);
  });
});

describe('heatmap scale', () => {
  const m = matrix(2, 2, [0, 4, 1, 16]);
  it('maps bucket counts with a square root from 0 and leaves empty buckets out', () => {
    const s = heatmapScale(m, 'buckets');
    expect(scalePosition(0, s)).toBeNaN();
    expect(scalePosition(NaN, s)).toBeNaN();
    expect(scalePosition(4, s)).toBe(0.5);
    expect(scalePosition(16, s)).toBe(1);
  });
  it('maps series values linearly over their range', () => {
    const s = heatmapScale(matrix(1, 3, [-10, 0, 10]), 'series');
    expect([scalePosition(-10, s), scalePosition(0, s), scalePosition(10, s)]).toEqual([0, 0.5, 1]);
  });
  it('shows a flat range at full strength', () => {
    expect(scalePosition(5, { lo: 5, hi: 5, exponent: 1, emptyAtLo: false })).toBe(1);
  });
});

describe('paintCells', () => {
  it('writes one pixel per cell with row 0 at the bottom, no data transparent', () => {
    // steps × rows = 2 × 2; cells step-major: t0 = [r0, r1], t1 = [r0, r1]
    const m = matrix(2, 2, [16, NaN, 0, 4]);
    const px = new Uint8ClampedArray(2 * 2 * 4);
    paintCells(m, heatmapScale(m, 'buckets'), buildColorLut(), px);
    const alpha = (x: number, y: number) => px[(y * 2 + x) * 4 + 3];
    expect(alpha(0, 1)).toBe(255); // t0 r0 = 16, bottom left
    expect(alpha(0, 0)).toBe(0); // t0 r1 = NaN, top left
    expect(alpha(1, 1)).toBe(0); // t1 r0 = 0, empty
    expect(alpha(1, 0)).toBe(255); // t1 r1 = 4
    expect([...px.subarray((1 * 2 + 0) * 4, (1 * 2 + 0) * 4 + 3)]).toEqual([0xd6, 0x45, 0x45]); // the max is the last stop
  });
  it('refuses a buffer of the wrong size', () => {
    const m = matrix(2, 2, [1, 1, 1, 1]);
    expect(() => paintCells(m, heatmapScale(m, 'buckets'), buildColorLut(), new Uint8ClampedArray(4))).toThrow(/1 pixels for 4 cells/);
  });
});

describe('cellAt', () => {
  const m = matrix(4, 10, new Array<number>(40).fill(1));
  it('finds the step from x and the row from y, row 0 at the bottom', () => {
    expect(cellAt(m, 0, 0, 100, 40)).toEqual({ step: 0, row: 3 });
    expect(cellAt(m, 99.9, 39.9, 100, 40)).toEqual({ step: 9, row: 0 });
    expect(cellAt(m, 55, 15, 100, 40)).toEqual({ step: 5, row: 2 });
  });
  it('is null outside the plot', () => {
    expect(cellAt(m, -1, 5, 100, 40)).toBeNull();
    expect(cellAt(m, 5, 40, 100, 40)).toBeNull();
  });
});
