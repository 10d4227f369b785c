/**
 * The forecasts Pharos' own has to beat: straight-line extrapolation as PromQL's
 * `predict_linear(v[w], h)` computes it (least squares over the trailing window, extended from
 * the last step), and seasonal naive (the value one season earlier).
 */

/**
 * Least-squares line over the last `windowSteps` steps of `history` (NaNs skipped), extrapolated;
 * the last value when the window holds no sample.
 */
export function linearForecast(history: ArrayLike<number>, windowSteps: number, out: Float64Array): Float64Array {
  const n = history.length;
  const from = Math.max(0, n - windowSteps);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let k = 0;
  for (let i = from; i < n; i++) {
    const y = history[i]!;
    if (Number.isNaN(y)) continue;
    const x = i - (n - 1);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    k++;
  }
  if (k === 0) return seasonalNaiveForecast(history, 0, out);
  const denom = k * sxx - sx * sx;
  const slope = k > 1 && denom !== 0 ? (k * sxy - sx * sy) / denom : 0;
  const intercept = (sy - slope * sx) / k;
  for (let h = 1; h <= out.length; h++) out[h - 1] = intercept + slope * h;
  return out;
}

/** y[t + h] = y[t + h − m⌈h/m⌉]; falls back to the last value where that step is missing. */
export function seasonalNaiveForecast(history: ArrayLike<number>, period: number, out: Float64Array): Float64Array {
  const n = history.length;
  let last = Number.NaN;
  for (let i = n - 1; i >= 0; i--) {
    if (!Number.isNaN(history[i]!)) {
      last = history[i]!;
      break;
    }
  }
  for (let h = 1; h <= out.length; h++) {
    const back = period > 0 ? n - 1 + h - period * Math.ceil(h / period) : -1;
    const v = back >= 0 && back < n ? history[back]! : Number.NaN;
    out[h - 1] = Number.isNaN(v) ? last : v;
  }
  return out;
}
