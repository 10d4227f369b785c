import type { FieldConfig } from '@pharos/dashboard-model';

/** The gauge's arc: 240°, open at the bottom, from lower left clockwise to lower right. */
export const GAUGE_START_DEG = 150;
export const GAUGE_SWEEP_DEG = 240;

/**
 * The scale a gauge shows: `fieldConfig.min`/`max` when set; otherwise 0–100 for percent,
 * 0–1 for percentunit, and else from 0 (or the lowest value, when negative) to the highest
 * value, as Grafana does. An empty range is widened by one so the needle still has room.
 */
export function gaugeRange(fieldConfig: FieldConfig, values: readonly number[]): { min: number; max: number } {
  const percent = fieldConfig.unit === 'percent' ? 100 : fieldConfig.unit === 'percentunit' ? 1 : null;
  let lo = 0;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const min = fieldConfig.min ?? (percent !== null ? 0 : lo);
  let max = fieldConfig.max ?? (percent ?? (Number.isFinite(hi) ? hi : min + 1));
  if (!(max > min)) max = min + 1;
  return { min, max };
}

/** Where `value` sits on the scale, 0..1 (clamped; NaN → 0). */
export function gaugeFraction(value: number, min: number, max: number): number {
  if (Number.isNaN(value) || !(max > min)) return 0;
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

function polar(cx: number, cy: number, r: number, fraction: number): [number, number] {
  const a = ((GAUGE_START_DEG + fraction * GAUGE_SWEEP_DEG) * Math.PI) / 180;
  return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
}

// + 0 turns -0 into 0.
const n = (v: number) => Number(v.toFixed(2)) + 0;

/**
 * An SVG path of the ring segment between fractions `from` and `to` of the gauge's sweep
 * (outer radius `r`, ring `thickness` wide); empty when the segment is empty.
 */
export function gaugeArcPath(cx: number, cy: number, r: number, thickness: number, from: number, to: number): string {
  const a = Math.max(0, Math.min(1, from));
  const b = Math.max(0, Math.min(1, to));
  if (!(b > a) || !(r > 0)) return '';
  const inner = Math.max(0, r - thickness);
  const large = (b - a) * GAUGE_SWEEP_DEG > 180 ? 1 : 0;
  const [x0, y0] = polar(cx, cy, r, a);
  const [x1, y1] = polar(cx, cy, r, b);
  const [x2, y2] = polar(cx, cy, inner, b);
  const [x3, y3] = polar(cx, cy, inner, a);
  return `M${n(x0)} ${n(y0)}A${n(r)} ${n(r)} 0 ${large} 1 ${n(x1)} ${n(y1)}L${n(x2)} ${n(y2)}A${n(inner)} ${n(inner)} 0 ${large} 0 ${n(x3)} ${n(y3)}Z`;
}

/** A point at `fraction` of the sweep on radius `r` (for the needle tip or tick labels). */
export function gaugePoint(cx: number, cy: number, r: number, fraction: number): { x: number; y: number } {
  const [x, y] = polar(cx, cy, r, Math.max(0, Math.min(1, fraction)));
  return { x: n(x), y: n(y) };
}
