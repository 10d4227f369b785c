import { describe, expect, it } from 'vitest';
import { PLANTED_KINDS, generateGroups, scoreOutlierDetection } from './generated-groups.js';
import { findGroupOutliers, medianInPlace } from './group-outliers.js';

const rows = (...xs: number[][]): Float64Array[] => xs.map((x) => Float64Array.from(x));

describe('findGroupOutliers (MAD)', () => {
  it('flags the member far from the median at most timestamps, with a score over 0.5', () => {
    // Columns: median 10 and MAD 0 → floor 1 % of 10 = 0.1; member 3 is 5 / 0.1 = 50 scaled MADs away.
    const verdicts = findGroupOutliers(rows([10, 10, 10, 10], [10, 10, 10, 10], [10, 10, 10, 10], [15, 15, 15, 10]));
    expect(verdicts.map((v) => v.outlier)).toEqual([false, false, false, true]);
    // 3 of 4 points far, pct 0.5: score 0.5 + 0.5 · (0.75 − 0.5) / 0.5 = 0.75.
    expect(verdicts[3]!.score).toBeCloseTo(0.75, 12);
    expect(verdicts[3]!.reason).toMatch(/75% of points beyond 3 MADs/);
  });

  it('raises nothing for a group that moves together, nor for fewer than three members', () => {
    const together = rows([1, 1, 9, 9], [1.1, 1.1, 9.1, 9.1], [0.9, 0.9, 8.9, 8.9], [1, 1, 9, 9]);
    expect(findGroupOutliers(together).some((v) => v.outlier)).toBe(false);
    expect(findGroupOutliers(rows([1, 1], [100, 100])).some((v) => v.outlier)).toBe(false);
  });

  it('compares shapes when asked to normalise', () => {
    // Same shape at three levels, and one inverted.
    const verdicts = findGroupOutliers(rows([1, 2, 3, 4], [10, 20, 30, 40], [5, 6, 7, 8], [4, 3, 2, 1]), { normalise: true, tolerance: 2 });
    expect(verdicts.map((v) => v.outlier)).toEqual([false, false, false, true]);
  });

  it('refuses ragged windows and bad options', () => {
    expect(() => findGroupOutliers(rows([1, 2], [1]))).toThrow(/2 points/);
    expect(() => findGroupOutliers(rows([1], [1], [1]), { pct: 0 })).toThrow(/pct/);
    expect(() => findGroupOutliers(rows([1], [1], [1]), { tolerance: -1 })).toThrow(/tolerance/);
  });

  it('takes medians of odd and even counts', () => {
    expect(medianInPlace(Float64Array.from([5, 1, 3]))).toBe(3);
    expect(medianInPlace(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
  });
});

describe('group outliers on generated groups with planted outliers', () => {
  const groups = generateGroups(20261126, 350);

  it('plants every kind, and clean groups that move together', () => {
    const kinds = new Set(groups.map((g) => g.kind));
    for (const k of [...PLANTED_KINDS, 'moves-together', 'quiet']) expect(kinds.has(k as never)).toBe(true);
  });

  it.each(['mad', 'dbscan'] as const)('%s: precision and recall ≥ 0.9, no alarm in groups that move together', (algorithm) => {
    const score = scoreOutlierDetection(groups, { algorithm });
    console.log(`group outliers (${algorithm}) on ${groups.length} generated groups:`, JSON.stringify(score));
    expect(score.precision).toBeGreaterThanOrEqual(0.9);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    expect(score.falseAlarmGroups).toBeLessThanOrEqual(2);
  });
});
