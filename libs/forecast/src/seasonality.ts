const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Smallest autocorrelation at the candidate lag for a season to count as present. */
export const MIN_SEASONAL_AUTOCORRELATION = 0.3;

/**
 * Finds the season of a regular series among the periods operators care about (a day, a week),
 * in steps; 0 when neither is present. The series is first detrended with a centred moving
 * average one candidate period long, so a trend or a level shift does not read as seasonality;
 * a candidate needs at least three periods of data and an autocorrelation of at least
 * {@link MIN_SEASONAL_AUTOCORRELATION}. A week wins over a day only when it explains clearly more
 * (weekday/weekend traffic), since a daily pattern also correlates at a lag of seven days.
 */
export function detectSeasonPeriod(values: ArrayLike<number>, stepMs: number): number {
  const day = Math.round(DAY_MS / stepMs);
  const week = Math.round(WEEK_MS / stepMs);
  let best = 0;
  let bestAcf = MIN_SEASONAL_AUTOCORRELATION;
  for (const period of [day, week]) {
    if (period < 2 || values.length < 3 * period) continue;
    const acf = detrendedAutocorrelation(values, period);
    const needed = best === 0 ? bestAcf : bestAcf + 0.1;
    if (acf >= needed) {
      best = period;
      bestAcf = acf;
    }
  }
  return best;
}

/** Autocorrelation at `lag` of the series minus its moving average of width `lag`; NaNs skipped. */
export function detrendedAutocorrelation(values: ArrayLike<number>, lag: number): number {
  const n = values.length;
  const residual = new Float64Array(n).fill(Number.NaN);
  // Running window sums over [i - half, i + half] with NaNs left out.
  const half = lag >> 1;
  let sum = 0;
  let count = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    while (hi < Math.min(n - 1, i + half)) {
      hi++;
      const v = values[hi]!;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    while (lo < i - half) {
      const v = values[lo]!;
      if (!Number.isNaN(v)) {
        sum -= v;
        count--;
      }
      lo++;
    }
    const v = values[i]!;
    if (!Number.isNaN(v) && count > half) residual[i] = v - sum / count;
  }
  let mean = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(residual[i]!)) {
      mean += residual[i]!;
      m++;
    }
  }
  if (m < 2) return 0;
  mean /= m;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const a = residual[i]!;
    if (Number.isNaN(a)) continue;
    den += (a - mean) * (a - mean);
    if (i + lag < n) {
      const b = residual[i + lag]!;
      if (!Number.isNaN(b)) num += (a - mean) * (b - mean);
    }
  }
  return den > 0 ? num / den : 0;
}
