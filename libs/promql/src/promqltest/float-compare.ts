import { isStaleNaN } from '#pharos/metric-model';

/** Relative error promqltest allows between expected and actual values (`defaultEpsilon`). */
export const PROMQLTEST_EPSILON = 0.000001;

/** The smallest positive normal float64. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Prometheus' `almost.Equal`: the staleness marker equals only itself, any two other NaNs are
 * equal, and otherwise the relative difference must be below `epsilon` (absolute near zero).
 */
export function almostEqual(a: number, b: number, epsilon = PROMQLTEST_EPSILON): boolean {
  const aStale = isStaleNaN(a);
  const bStale = isStaleNaN(b);
  if (aStale || bStale) return aStale && bStale;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
