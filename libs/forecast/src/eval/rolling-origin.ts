import { linearForecast, seasonalNaiveForecast } from '../baselines.js';
import type { RegularSeries } from '../regular-grid.js';
import { SeriesForecaster } from '../series-forecaster.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A line through fewer points is not a trend. */
const MIN_LINEAR_POINTS = 4;

export const FORECAST_METHODS = ['holt_winters', 'linear', 'seasonal_naive'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

export interface RollingOriginOptions {
  /** Horizons to evaluate, in ms; default 1 h and 24 h. */
  readonly horizonsMs?: readonly number[];
  /** Central coverage of the evaluated intervals; default 0.8. */
  readonly coverage?: number;
  /** Fraction of the series before the first origin; default 0.25 (and at least two days). */
  readonly trainFraction?: number;
  /** Time between origins; default 6 h. */
  readonly originEveryMs?: number;
}

export interface HorizonResult {
  readonly horizonMs: number;
  readonly horizonSteps: number;
  readonly origins: number;
  /** Mean absolute scaled error per method; NaN when the series has no scale (flat). */
  readonly mase: Readonly<Record<ForecastMethod, number>>;
  /** Share of outcomes inside Pharos' interval (Holt-Winters); NaN when none was scored. */
  readonly coverage: number;
}

export interface SeriesEvaluation {
  readonly name: string;
  readonly stepMs: number;
  readonly horizons: readonly HorizonResult[];
}

/**
 * Rolling-origin evaluation of one series: the forecasters read the series in order; at each
 * origin (every `originEveryMs` after the training part) each method forecasts the next horizon
 * from the past alone, and its absolute errors over the horizon are scaled by the in-sample
 * mean absolute error of the one-step naive forecast on the training part (Hyndman & Koehler's
 * MASE; one scale per series so the methods are comparable). `linear` is `predict_linear` over a
 * trailing window as long as the horizon (at least an hour and four steps); `seasonal_naive` uses a one-day
 * season, the dominant one in operational metrics.
 */
export function evaluateRollingOrigin(name: string, series: RegularSeries, options: RollingOriginOptions = {}): SeriesEvaluation {
  const { stepMs, values } = series;
  const n = values.length;
  const stepsPerDay = Math.max(1, Math.round(DAY_MS / stepMs));
  const firstOrigin = Math.max(Math.floor(n * (options.trainFraction ?? 0.25)), 2 * stepsPerDay);
  const originStride = Math.max(1, Math.round((options.originEveryMs ?? 6 * HOUR_MS) / stepMs));
  const scale = naiveScale(values, firstOrigin);
  const horizons: HorizonResult[] = [];
  for (const horizonMs of options.horizonsMs ?? [HOUR_MS, DAY_MS]) {
    const h = Math.max(1, Math.round(horizonMs / stepMs));
    const forecaster = new SeriesForecaster({ stepMs, horizonSteps: h, coverage: options.coverage ?? 0.8 });
    const errors: Record<ForecastMethod, number> = { holt_winters: 0, linear: 0, seasonal_naive: 0 };
    let scored = 0;
    let origins = 0;
    let covered = 0;
    let intervalCount = 0;
    const linear = new Float64Array(h);
    const naive = new Float64Array(h);
    for (let t = 0; t < n; t++) {
      forecaster.update(values[t]!);
      if (t < firstOrigin || (t - firstOrigin) % originStride !== 0 || t + h >= n) continue;
      const f = forecaster.forecast();
      if (!f) continue;
      const past = values.subarray(0, t + 1);
      linearForecast(past, Math.max(h, Math.round(HOUR_MS / stepMs), MIN_LINEAR_POINTS), linear);
      seasonalNaiveForecast(past, stepsPerDay, naive);
      let any = false;
      for (let i = 0; i < h; i++) {
        const y = values[t + 1 + i]!;
        if (Number.isNaN(y)) continue;
        errors.holt_winters += Math.abs(y - f.mean[i]!);
        errors.linear += Math.abs(y - linear[i]!);
        errors.seasonal_naive += Math.abs(y - naive[i]!);
        scored++;
        any = true;
        if (!Number.isNaN(f.lower[i]!)) {
          intervalCount++;
          if (y >= f.lower[i]! && y <= f.upper[i]!) covered++;
        }
      }
      if (any) origins++;
    }
    const mase = (m: ForecastMethod): number => (scored > 0 && scale > 0 ? errors[m] / scored / scale : Number.NaN);
    horizons.push({
      horizonMs,
      horizonSteps: h,
      origins,
      mase: { holt_winters: mase('holt_winters'), linear: mase('linear'), seasonal_naive: mase('seasonal_naive') },
      coverage: intervalCount > 0 ? covered / intervalCount : Number.NaN,
    });
  }
  return { name, stepMs, horizons };
}

/** Mean absolute one-step change over the training part; 0 for a flat series. */
export function naiveScale(values: ArrayLike<number>, end: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 1; i < Math.min(end, values.length); i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    sum += Math.abs(b - a);
    count++;
  }
  return count > 0 ? sum / count : 0;
}

export interface ForecastSummary {
  /** Series with a scale and at least one scored origin, per horizon. */
  readonly series: number;
  readonly medianMase: Readonly<Record<ForecastMethod, number>>;
  /** Pooled over series: mean of per-series coverage. */
  readonly meanCoverage: number;
}

/** Median MASE per method and mean coverage over the series that could be scored at a horizon. */
export function summariseHorizon(results: readonly SeriesEvaluation[], horizonMs: number): ForecastSummary {
  const per: Record<ForecastMethod, number[]> = { holt_winters: [], linear: [], seasonal_naive: [] };
  const coverages: number[] = [];
  for (const r of results) {
    const hr = r.horizons.find((x) => x.horizonMs === horizonMs);
    if (!hr || Number.isNaN(hr.mase.holt_winters)) continue;
    for (const m of FORECAST_METHODS) per[m].push(hr.mase[m]);
    if (!Number.isNaN(hr.coverage)) coverages.push(hr.coverage);
  }
  return {
    series: per.holt_winters.length,
    medianMase: { holt_winters: median(per.holt_winters), linear: median(per.linear), seasonal_naive: median(per.seasonal_naive) },
    meanCoverage: coverages.length ? coverages.reduce((a, b) => a + b, 0) / coverages.length : Number.NaN,
  };
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
