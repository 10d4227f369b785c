import { describe, expect, it } from 'vitest';
import { evaluateRollingOrigin, naiveScale, summariseHorizon } from './rolling-origin.js';

const MIN5 = 300_000;

describe('rolling-origin evaluation', () => {
  it('scales errors by the in-sample one-step naive error', () => {
    // |3−1| + |2−3| + |6−2| = 7 over three changes; the fourth change lies past the end.
    expect(naiveScale([1, 3, 2, 6, 100], 4)).toBeCloseTo(7 / 3, 12);
    expect(naiveScale([5, 5, 5], 3)).toBe(0);
  });

  it('scores Holt-Winters ahead of both baselines on a noisy daily season with a trend, with calibrated intervals', () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const days = 14;
    const values = new Float64Array(days * 288).map(
      (_, i) => 200 + 0.02 * i + 40 * Math.sin((2 * Math.PI * i) / 288) + 15 * Math.sin((4 * Math.PI * i) / 288) + 8 * (random() - 0.5) * 2,
    );
    // A gap of two hours, as real series have.
    values.fill(Number.NaN, 2000, 2024);
    const result = evaluateRollingOrigin('synthetic', { startMs: 0, stepMs: MIN5, values });
    expect(result.horizons.map((h) => h.horizonSteps)).toEqual([12, 288]);
    for (const h of result.horizons) {
      expect(h.origins).toBeGreaterThan(10);
      expect(h.mase.holt_winters).toBeLessThan(h.mase.linear);
      expect(h.mase.holt_winters).toBeLessThan(h.mase.seasonal_naive);
      expect(h.coverage).toBeGreaterThan(0.7);
      expect(h.coverage).toBeLessThan(0.9);
    }
    const summary = summariseHorizon([result], 86_400_000);
    expect(summary.series).toBe(1);
    expect(summary.medianMase.holt_winters).toBe(result.horizons[1]!.mase.holt_winters);
  });

  it('leaves a flat series unscored rather than dividing by zero', () => {
    const result = evaluateRollingOrigin('flat', { startMs: 0, stepMs: MIN5, values: new Float64Array(4 * 288).fill(3) });
    expect(result.horizons[0]!.mase.holt_winters).toBeNaN();
    expect(summariseHorizon([result], 3_600_000).series).toBe(0);
  });
});
