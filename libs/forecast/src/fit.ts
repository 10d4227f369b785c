import { HoltWinters, type HoltWintersParams } from './holt-winters.js';

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.4, 0.7];
const BETAS = [0, 0.005, 0.02, 0.08];
const GAMMAS = [0, 0.05, 0.15, 0.3];
const PHIS = [0.9, 0.98];

export interface FitResult {
  readonly params: HoltWintersParams;
  /** Mean absolute error of the fitted model's forecasts at the target horizons. */
  readonly error: number;
}

/**
 * Chooses smoothing parameters for a horizon: the grid point whose forecasts made `1`,
 * `⌈h/2⌉` and `h` steps ahead were closest, on average, over `values` (one-step fitting favours
 * models that chase noise, which is wrong for a 24 h forecast). The first season (or the first
 * 12 points) initialise the model and are not scored. Deterministic; `values` are past only.
 */
export function fitHoltWinters(values: ArrayLike<number>, period: number, horizonSteps: number): FitResult {
  if (!Number.isInteger(horizonSteps) || horizonSteps < 1) throw new Error(`horizon must be a positive number of steps, got ${horizonSteps}`);
  const targets = [...new Set([1, Math.ceil(horizonSteps / 2), horizonSteps])];
  let best: FitResult | undefined;
  const gammas = period > 0 ? GAMMAS : [0];
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      if (beta > alpha) continue;
      for (const gamma of gammas) {
        if (gamma > 1 - alpha) continue;
        for (const phi of PHIS) {
          const params = { alpha, beta, gamma, phi, period };
          const error = horizonError(params, values, targets, horizonSteps);
          if (best === undefined || error < best.error) best = { params, error };
        }
      }
    }
  }
  return best ?? { params: { alpha: 0.2, beta: 0, gamma: 0, phi: 0.98, period }, error: Number.NaN };
}

/** Steps the model needs before its first forecast. */
export function initialisationLength(period: number): number {
  return period > 0 ? period : 12;
}

function horizonError(params: HoltWintersParams, values: ArrayLike<number>, targets: readonly number[], maxH: number): number {
  const start = initialisationLength(params.period);
  const model = HoltWinters.initialise(params, values);
  // ring[h][t mod (maxH + 1)] = forecast for step t made h steps earlier.
  const size = maxH + 1;
  const rings = targets.map(() => new Float64Array(size).fill(Number.NaN));
  let total = 0;
  let count = 0;
  for (let t = start; t < values.length; t++) {
    const slot = t % size;
    const y = values[t]!;
    if (!Number.isNaN(y)) {
      for (let k = 0; k < targets.length; k++) {
        const f = rings[k]![slot]!;
        if (!Number.isNaN(f)) {
          total += Math.abs(y - f);
          count++;
        }
      }
    }
    model.update(y);
    // Forecasts made now, after seeing step t, for step t + h.
    for (let k = 0; k < targets.length; k++) {
      const h = targets[k]!;
      rings[k]![(t + h) % size] = model.forecastAt(h);
    }
  }
  return count === 0 ? Number.POSITIVE_INFINITY : total / count;
}
