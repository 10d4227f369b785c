import type { HeatmapMatrix } from './heatmap-buckets';

/**
 * Colour ramp stops, low to high: blue through teal, green and yellow to red. The low end is a
 * mid blue rather than a near-white or near-black so the faintest cells still show on both
 * the light and the dark theme; empty cells are left transparent (the panel background).
 */
export const HEATMAP_STOPS: readonly string[] = ['#2f5fc4', '#1f9e9a', '#7cb342', '#f2c94c', '#f2994a', '#d64545'];

const LUT_SIZE = 256;

/** 256 RGBA entries interpolated along the stops (a Uint8ClampedArray of 1024 bytes). */
export function buildColorLut(stops: readonly string[] = HEATMAP_STOPS): Uint8ClampedArray {
  if (stops.length < 2) throw new RangeError('a colour ramp needs at least two stops');
  const rgb = stops.map(hexToRgb);
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const pos = (i / (LUT_SIZE - 1)) * (rgb.length - 1);
    const k = Math.min(rgb.length - 2, Math.floor(pos));
    const t = pos - k;
    const a = rgb[k]!;
    const b = rgb[k + 1]!;
    lut[i * 4] = a[0] + (b[0] - a[0]) * t;
    lut[i * 4 + 1] = a[1] + (b[1] - a[1]) * t;
    lut[i * 4 + 2] = a[2] + (b[2] - a[2]) * t;
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`colour stop "${hex}" is not #rrggbb`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * How cells map to the ramp. Bucket counts use a square-root scale from 0 (Grafana's default
 * exponent 0.5: a few busy buckets would otherwise wash the rest out) and leave empty buckets
 * transparent; series values use a linear scale over their own range.
 */
export interface HeatmapScale {
  readonly lo: number;
  readonly hi: number;
  readonly exponent: number;
  /** Cells of exactly `lo` are left transparent (empty buckets). */
  readonly emptyAtLo: boolean;
}

export function heatmapScale(matrix: HeatmapMatrix, source: 'buckets' | 'series'): HeatmapScale {
  return source === 'buckets'
    ? { lo: 0, hi: Math.max(matrix.max, 0), exponent: 0.5, emptyAtLo: true }
    : { lo: matrix.min, hi: matrix.max, exponent: 1, emptyAtLo: false };
}

/** Ramp position 0..1 of a value (NaN for no data or an empty cell). */
export function scalePosition(value: number, scale: HeatmapScale): number {
  if (Number.isNaN(value) || (scale.emptyAtLo && value <= scale.lo)) return NaN;
  const span = scale.hi - scale.lo;
  if (!(span > 0)) return 1;
  const t = Math.min(1, Math.max(0, (value - scale.lo) / span));
  return scale.exponent === 1 ? t : t ** scale.exponent;
}

/**
 * Writes the matrix as RGBA pixels, one per cell: x = step, y = row with row 0 at the bottom
 * (`pixels` is `steps × rows × 4` bytes, the layout of an ImageData that size). No data is
 * transparent. The caller scales the image up to the plot without smoothing.
 */
export function paintCells(matrix: HeatmapMatrix, scale: HeatmapScale, lut: Uint8ClampedArray, pixels: Uint8ClampedArray): void {
  const { rows, steps, cells } = matrix;
  if (pixels.length !== rows * steps * 4) throw new RangeError(`pixel buffer holds ${pixels.length / 4} pixels for ${rows * steps} cells`);
  // Hot loop (hundreds of thousands of cells): scalePosition inlined, square root special-cased.
  const last = LUT_SIZE - 1;
  const { lo, hi, exponent, emptyAtLo } = scale;
  const span = hi - lo;
  const inv = span > 0 ? 1 / span : 0;
  const sqrt = exponent === 0.5;
  for (let t = 0; t < steps; t++) {
    for (let r = 0; r < rows; r++) {
      const p = ((rows - 1 - r) * steps + t) * 4;
      const v = cells[t * rows + r]!;
      if (v !== v || (emptyAtLo && v <= lo)) {
        pixels[p + 3] = 0;
        continue;
      }
      let pos = span > 0 ? (v - lo) * inv : 1;
      pos = pos < 0 ? 0 : pos > 1 ? 1 : pos;
      if (exponent !== 1) pos = sqrt ? Math.sqrt(pos) : pos ** exponent;
      const l = ((pos * last + 0.5) | 0) * 4;
      pixels[p] = lut[l]!;
      pixels[p + 1] = lut[l + 1]!;
      pixels[p + 2] = lut[l + 2]!;
      pixels[p + 3] = 255;
    }
  }
}

/** The cell under a point of the plot (origin top left), or null outside it. */
export function cellAt(matrix: HeatmapMatrix, x: number, y: number, plotWidth: number, plotHeight: number): { step: number; row: number } | null {
  if (!(x >= 0 && x < plotWidth && y >= 0 && y < plotHeight) || matrix.rows === 0 || matrix.steps === 0) return null;
  const step = Math.min(matrix.steps - 1, Math.floor((x / plotWidth) * matrix.steps));
  const row = matrix.rows - 1 - Math.min(matrix.rows - 1, Math.floor((y / plotHeight) * matrix.rows));
  return { step, row };
}

/** A CSS linear-gradient of the ramp for the legend, low on the left. */
export function legendGradient(stops: readonly string[] = HEATMAP_STOPS): string {
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
