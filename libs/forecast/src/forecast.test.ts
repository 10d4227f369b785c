import { describe, expect, it } from 'vitest';
import { gaussianFrom, seededRandom } from '#pharos/anomaly';
import { linearForecast, seasonalNaiveForecast } from './baselines.js';
import { fitHoltWinters } from './fit.js';
import { HoltWinters } from './holt-winters.js';
import { IntervalTracker, quantileSorted } from './interval-tracker.js';
import { counterToRates, medianIntervalMs, toRegularGrid } from './regular-grid.js';
import { detectSeasonPeriod } from './seasonality.js';
import { SeriesForecaster } from './series-forecaster.js';

const MIN5 = 300_000;
const DAY_STEPS = 288;

// Seeded, so the tests never flake.
const rng = seededRandom;
const gaussian = gaussianFrom;

function dailySeries(days: number, noise: number, seed = 1, trendPerStep = 0): Float64Array {
  const random = rng(seed);
  const out = new Float64Array(days * DAY_STEPS);
  for (let i = 0; i < out.length; i++) out[i] = 100 + trendPerStep * i + 20 * Math.sin((2 * Math.PI * i) / DAY_STEPS) + noise * gaussian(random);
  return out;
}

describe('regular grid', () => {
  it('takes the median interval, snaps jittered samples to cells and leaves gaps as NaN', () => {
    // Intervals 300000, 300100, 299900, 300000 and a gap of 900000: the median is 300000.
    const ts = [0, 300_000, 600_100, 900_000, 1_200_000, 2_100_000];
    expect(medianIntervalMs(ts)).toBe(300_000);
    const grid = toRegularGrid(ts, [1, 2, 3, 4, 5, 8]);
    expect(grid.stepMs).toBe(300_000);
    expect(Array.from(grid.values)).toEqual([1, 2, 3, 4, 5, NaN, NaN, 8]);
  });

  it('refuses mismatched lengths and descending timestamps', () => {
    expect(() => toRegularGrid([0, 1], [1])).toThrow(/differ in length/);
    expect(() => toRegularGrid([10, 0], [1, 2], 5)).toThrow(/ascending/);
  });

  it('turns counters into per-second rates, reading a drop as a reset', () => {
    // 60 s steps: +60 → 1/s, reset to 30 → 30/60 = 0.5/s, +120 → 2/s.
    const rates = counterToRates({ startMs: 0, stepMs: 60_000, values: Float64Array.from([100, 160, 30, 150, NaN, 10]) });
    expect(Array.from(rates.values)).toEqual([NaN, 1, 0.5, 2, NaN, NaN]);
  });
});

describe('season detection', () => {
  it('finds a daily season, a weekly one, and none in noise or in a trend with a level shift', () => {
    expect(detectSeasonPeriod(dailySeries(6, 3), MIN5)).toBe(DAY_STEPS);
    const random = rng(7);
    const weekly = new Float64Array(28 * 24).map((_, i) => (Math.floor(i / 24) % 7 >= 5 ? 10 : 50) + 2 * gaussian(random));
    expect(detectSeasonPeriod(weekly, 3_600_000)).toBe(7 * 24);
    const noise = new Float64Array(6 * DAY_STEPS).map(() => gaussian(random));
    expect(detectSeasonPeriod(noise, MIN5)).toBe(0);
    const shifted = new Float64Array(6 * DAY_STEPS).map((_, i) => 0.01 * i + (i > 900 ? 30 : 0) + gaussian(random));
    expect(detectSeasonPeriod(shifted, MIN5)).toBe(0);
  });

  it('needs three seasons of data', () => {
    expect(detectSeasonPeriod(dailySeries(2, 0), MIN5)).toBe(0);
  });
});

describe('Holt-Winters', () => {
  it('continues a straight line exactly with an undamped trend', () => {
    const line = Float64Array.from({ length: 50 }, (_, i) => 5 + 2 * i);
    const model = HoltWinters.initialise({ alpha: 0.5, beta: 0.1, gamma: 0, phi: 1, period: 0 }, line);
    for (let i = 12; i < line.length; i++) model.update(line[i]!);
    // Next step is index 50: 5 + 2·50 = 105; ten steps ahead is index 59: 123.
    expect(model.forecastAt(1)).toBeCloseTo(105, 9);
    expect(model.forecastAt(10)).toBeCloseTo(123, 9);
  });

  it('repeats a clean season and bridges missing steps with its forecast', () => {
    const period = 4;
    const pattern = [10, 20, 30, 20];
    const data = Float64Array.from({ length: 40 }, (_, i) => pattern[i % period]!);
    const model = HoltWinters.initialise({ alpha: 0.3, beta: 0, gamma: 0.2, phi: 0.98, period }, data);
    for (let i = period; i < 30; i++) model.update(data[i]!);
    model.update(Number.NaN); // step 30 missing
    for (let h = 1; h <= 8; h++) expect(model.forecastAt(h)).toBeCloseTo(pattern[(30 + h) % period]!, 9);
  });

  it('moves a bounded amount on a single spike (Huber clipping), and round-trips its state', () => {
    const random = rng(3);
    const data = Float64Array.from({ length: 200 }, () => 50 + gaussian(random));
    const model = HoltWinters.initialise({ alpha: 0.5, beta: 0, gamma: 0, phi: 0.98, period: 0 }, data);
    for (let i = 12; i < data.length; i++) model.update(data[i]!);
    const before = model.forecastAt(1);
    const copy = HoltWinters.restore(JSON.parse(JSON.stringify(model.snapshot())));
    model.update(10_000);
    // Unclipped, α·(10000 − 50) ≈ 4975 would move the level; clipped it moves by ≤ α·4·scale.
    expect(Math.abs(model.forecastAt(1) - before)).toBeLessThan(5);
    copy.update(10_000);
    expect(copy.forecastAt(7)).toBe(model.forecastAt(7));
  });

  it('refuses parameters outside their ranges', () => {
    expect(() => new HoltWinters({ alpha: 1.5, beta: 0, gamma: 0, phi: 1, period: 0 }, 0, 0)).toThrow(/alpha/);
    expect(() => new HoltWinters({ alpha: 0.5, beta: 0, gamma: 0, phi: 0, period: 0 }, 0, 0)).toThrow(/phi/);
    expect(() => new HoltWinters({ alpha: 0.5, beta: 0, gamma: 0, phi: 1, period: 3 }, 0, 0, [1])).toThrow(/period/);
  });
});

describe('fitting', () => {
  it('fits a season that forecasts half a day ahead better than the best model without one', () => {
    const data = dailySeries(5, 2);
    const seasonal = fitHoltWinters(data, DAY_STEPS, 144);
    const flat = fitHoltWinters(data, 0, 144);
    expect(seasonal.params.period).toBe(DAY_STEPS);
    expect(seasonal.error).toBeLessThan(flat.error / 3);
    // Noise around a stable season calls for heavy smoothing of the level.
    expect(seasonal.params.alpha).toBeLessThanOrEqual(0.1);
  });
});

describe('intervals', () => {
  it('quantiles interpolate between order statistics', () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('covers about 80 % of standard normal errors once calibrated', () => {
    const random = rng(11);
    const tracker = new IntervalTracker(1, 0.8);
    let covered = 0;
    let total = 0;
    const mean = new Float64Array(1);
    const lo = new Float64Array(1);
    const hi = new Float64Array(1);
    for (let i = 0; i < 5000; i++) {
      tracker.intervals(mean, lo, hi);
      const e = gaussian(random);
      const inside = Number.isNaN(lo[0]!) ? undefined : e >= lo[0]! && e <= hi[0]!;
      if (inside !== undefined && i > 500) {
        total++;
        if (inside) covered++;
      }
      tracker.record(1, e, inside);
    }
    expect(covered / total).toBeGreaterThan(0.76);
    expect(covered / total).toBeLessThan(0.84);
  });
});

describe('SeriesForecaster', () => {
  it('learns a daily season with a trend and beats seasonal naive and a straight line a day ahead', () => {
    const data = dailySeries(12, 4, 5, 0.01);
    const f = new SeriesForecaster({ stepMs: MIN5, horizonSteps: DAY_STEPS });
    const cut = 10 * DAY_STEPS;
    for (let i = 0; i < cut; i++) f.update(data[i]!);
    const forecast = f.forecast()!;
    expect(forecast.params.period).toBe(DAY_STEPS);
    const history = data.subarray(0, cut);
    const naive = seasonalNaiveForecast(history, DAY_STEPS, new Float64Array(DAY_STEPS));
    const line = linearForecast(history, DAY_STEPS, new Float64Array(DAY_STEPS));
    const mae = (fc: Float64Array): number => fc.reduce((s, v, i) => s + Math.abs(v - data[cut + i]!), 0) / DAY_STEPS;
    expect(mae(forecast.mean)).toBeLessThan(mae(naive));
    expect(mae(forecast.mean)).toBeLessThan(mae(line) / 3);
    const inside = forecast.mean.reduce((n, _, i) => n + (data[cut + i]! >= forecast.lower[i]! && data[cut + i]! <= forecast.upper[i]! ? 1 : 0), 0);
    expect(inside / DAY_STEPS).toBeGreaterThan(0.6);
  });

  it('gives nothing before its warm-up and the same forecast after a snapshot round trip', () => {
    const data = dailySeries(4, 2, 9);
    const f = new SeriesForecaster({ stepMs: MIN5, horizonSteps: 12 });
    for (let i = 0; i < 100; i++) f.update(data[i]!);
    expect(f.forecast()).toBeUndefined();
    for (let i = 100; i < 3 * DAY_STEPS; i++) f.update(data[i]!);
    const restored = SeriesForecaster.restore(JSON.parse(JSON.stringify(f.snapshot())));
    for (let i = 3 * DAY_STEPS; i < data.length; i++) {
      f.update(data[i]!);
      restored.update(data[i]!);
    }
    expect(Array.from(restored.forecast()!.mean)).toEqual(Array.from(f.forecast()!.mean));
  });

  it('refuses a horizon that is not a positive whole number of steps', () => {
    expect(() => new SeriesForecaster({ stepMs: MIN5, horizonSteps: 0 })).toThrow(/horizonSteps/);
    expect(() => new SeriesForecaster({ stepMs: 0, horizonSteps: 3 })).toThrow(/stepMs/);
  });
});

describe('baselines', () => {
  it('predict_linear extrapolates the least-squares line; seasonal naive repeats the last season', () => {
    expect(Array.from(linearForecast([1, 3, 5, 7], 4, new Float64Array(2)))).toEqual([9, 11]);
    expect(Array.from(seasonalNaiveForecast([1, 2, 3, 4, 5, 6], 3, new Float64Array(4)))).toEqual([4, 5, 6, 4]);
    // No sample in the window: the last value stands.
    expect(Array.from(linearForecast([2, NaN, NaN], 2, new Float64Array(1)))).toEqual([2]);
  });
});
