import { axisTicks } from '../units/units';

/** A linear map v ↦ a·v + b. */
export interface LinearMap {
  readonly a: number;
  readonly b: number;
}

/** Maps [d0, d1] onto [r0, r1] (r1 < r0 for a y axis that grows upwards). */
export function linearMap(d0: number, d1: number, r0: number, r1: number): LinearMap {
  if (!(Number.isFinite(d0) && Number.isFinite(d1)) || d0 === d1) throw new RangeError(`cannot map the empty or infinite domain [${d0}, ${d1}]`);
  const a = (r1 - r0) / (d1 - d0);
  return { a, b: r0 - a * d0 };
}

/**
 * The smallest and largest finite value drawn: over the visible series, taking each at its
 * drawn height (`ys`, the stack tops when stacked) where its own value (`values`) is a point.
 * NaN for both when nothing is drawn.
 */
export function drawnExtent(values: readonly Float64Array[], ys: readonly Float64Array[], visible: readonly boolean[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    if (!visible[k]) continue;
    const own = values[k]!;
    const y = ys[k]!;
    for (let i = 0; i < own.length; i++) {
      if (!Number.isFinite(own[i]!)) continue;
      const v = y[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : { min: NaN, max: NaN };
}

export interface YDomainOptions {
  /** fieldConfig.min / max: fixed ends that override the data. */
  readonly fixedMin: number | null;
  readonly fixedMax: number | null;
  /** Areas and stacks are filled to zero, so zero must be in view. */
  readonly includeZero: boolean;
  /** Percent stacking: 0..1 unless fixed otherwise. */
  readonly percent: boolean;
  /** The axis unit, so the padded ends land on the axis' nice steps. */
  readonly unit: string;
  /** The tick count the axis will ask for. */
  readonly maxTicks: number;
}

/**
 * The y domain of a chart: fixed ends from the field config, otherwise the data extent
 * widened to the axis' next tick on each free side (as Grafana's soft range), so the top and
 * bottom gridlines are labelled. A flat series gets a band around its value; no data gives 0..1.
 */
export function yDomain(extent: { min: number; max: number }, o: YDomainOptions): { min: number; max: number } {
  let lo = extent.min;
  let hi = extent.max;
  if (o.percent) {
    lo = 0;
    hi = 1;
  } else if (Number.isNaN(lo)) {
    lo = 0;
    hi = 1;
  } else {
    if (o.includeZero) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
    if (lo === hi) {
      const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    const step = axisTicks(lo, hi, o.maxTicks, o.unit).step;
    if (step > 0) {
      // Snap outwards to the step; a value already on a tick stays (no empty band above it).
      lo = Math.floor(lo / step + 1e-9) * step;
      hi = Math.ceil(hi / step - 1e-9) * step;
    }
  }
  if (o.fixedMin !== null) lo = o.fixedMin;
  if (o.fixedMax !== null) hi = o.fixedMax;
  if (!(hi > lo)) {
    // Fixed ends that cross the data (min 100 with values below it) or each other: keep the
    // fixed one and give the other a unit of room, rather than an empty axis.
    if (o.fixedMin !== null && o.fixedMax === null) hi = lo + Math.max(1, Math.abs(lo));
    else if (o.fixedMax !== null && o.fixedMin === null) lo = hi - Math.max(1, Math.abs(hi));
    else throw new RangeError(`fieldConfig.min (${o.fixedMin}) must be below fieldConfig.max (${o.fixedMax})`);
  }
  return { min: lo, max: hi };
}
