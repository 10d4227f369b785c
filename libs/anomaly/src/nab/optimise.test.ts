import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWindows, normaliseScore, NO_DETECTION_THRESHOLD, optimiseThreshold, scoreCorpus } from './optimise.js';
import type { ScoredFile } from './optimise.js';
import { NAB_PROFILES, PROFILE_NAMES } from './profiles.js';
import { labelRows } from './scorer.js';

const MIN = 60_000;

function scoredFile(scores: number[], windows: [number, number][]): ScoredFile {
  const timestamps = scores.map((_, i) => i * MIN);
  return {
    labels: labelRows(
      timestamps,
      windows.map(([l, r]) => ({ start: l * MIN, end: r * MIN })),
    ),
    anomalyScores: scores,
  };
}

/** Brute force: score every candidate threshold from scratch. */
function bruteForceBest(files: ScoredFile[], profile = NAB_PROFILES.standard): number {
  const candidates = new Set<number>([NO_DETECTION_THRESHOLD]);
  for (const f of files) {
    for (let i = f.labels.probationaryLength; i < f.labels.rowCount; i++) candidates.add(f.anomalyScores[i]!);
  }
  return Math.max(...[...candidates].map((t) => scoreCorpus(files, t, profile).score));
}

describe('threshold optimisation', () => {
  it('picks the threshold that catches the window without false positives', () => {
    const scores = new Array<number>(40).fill(0.1);
    scores[10] = 0.9; // window start
    scores[30] = 0.6; // a false positive far away
    const files = [scoredFile(scores, [[10, 14]])];
    const best = optimiseThreshold(files, NAB_PROFILES.standard);
    expect(best.threshold).toBe(0.9);
    expect(best.score).toBe(1);
  });

  it('keeps "no detections" when every detection costs more than it earns', () => {
    const scores = new Array<number>(40).fill(0.1);
    scores[20] = 0.9;
    const best = optimiseThreshold([scoredFile(scores, [])], NAB_PROFILES.standard);
    expect(best.threshold).toBe(NO_DETECTION_THRESHOLD);
    expect(best.score).toBe(0);
  });

  it('agrees with scoring every candidate threshold from scratch', () => {
    const fileArb = fc
      .record({
        n: fc.integer({ min: 20, max: 60 }),
        seed: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 60, maxLength: 60 }),
        windows: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      })
      .map(({ n, seed, windows }) => {
        // Coarse scores (multiples of 0.1) so that ties between rows are common.
        const scores = seed.slice(0, n).map((s) => s / 10);
        const w: [number, number][] = [];
        let at = 10;
        for (const gap of windows) {
          const l = at + gap;
          const r = l + 3;
          if (r >= n) break;
          w.push([l, r]);
          at = r + 2;
        }
        return scoredFile(scores, w);
      });
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...PROFILE_NAMES), (files, p) => {
        const profile = NAB_PROFILES[p];
        expect(optimiseThreshold(files, profile).score).toBeCloseTo(bruteForceBest(files, profile), 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('normalisation', () => {
  it('maps the null detector to 0 and the perfect one to 100 for every profile', () => {
    for (const p of PROFILE_NAMES) {
      const profile = NAB_PROFILES[p];
      expect(normaliseScore(-profile.fnWeight * 67, 67, profile)).toBe(0);
      expect(normaliseScore(profile.tpWeight * 67, 67, profile)).toBe(100);
    }
    // reward_low_FN_rate spans −134..67 on 67 windows.
    expect(normaliseScore(0, 67, NAB_PROFILES.reward_low_FN_rate)).toBeCloseTo((100 * 134) / 201, 12);
  });

  it('counts the windows of a corpus', () => {
    expect(
      countWindows([
        scoredFile(new Array<number>(40).fill(0), [
          [10, 14],
          [20, 24],
        ]),
        scoredFile(new Array<number>(40).fill(0), []),
      ]),
    ).toBe(2);
  });
});
