import { describe, expect, it } from 'vitest';
import { NAB_PROFILES } from '../nab/profiles.js';
import { labelRows } from '../nab/scorer.js';
import { crossValidatedScore, nabCategory, nestedCrossValidatedScore } from './cross-validation.js';
import type { NabCorpus } from './eval-nab.js';

// Files of 1,000 one-minute rows: probation 150 rows, one window on rows 500–599,
// so a detection on row 500 earns exactly 1 and one on row 300 (before any
// window) costs the full false-positive weight.
const ROWS = 1000;
const MINUTE = 60_000;
const timestamps = Array.from({ length: ROWS }, (_, i) => i * MINUTE);
const labels = labelRows(timestamps, [{ start: 500 * MINUTE, end: 599 * MINUTE }]);

function corpusOf(files: readonly string[]): NabCorpus {
  return {
    series: files.map((file) => ({ file, timestamps, values: timestamps.map(() => 0), range: { min: 0, max: 1 }, labels })),
    profiles: NAB_PROFILES,
    windowCount: files.length,
    rowCount: files.length * ROWS,
  };
}

function scores(marks: Record<number, number>): Float64Array {
  const s = new Float64Array(ROWS);
  for (const [row, v] of Object.entries(marks)) s[Number(row)] = v;
  return s;
}

describe('crossValidatedScore', () => {
  it('names a file’s category by its first folder', () => {
    expect(nabCategory('realAWSCloudwatch/ec2.csv')).toBe('realAWSCloudwatch');
    expect(nabCategory('flat.csv')).toBe('');
  });

  it('scores each category at the thresholds learned on the others (hand-worked)', () => {
    // A: its window at 0.9, a false alarm at 0.5; B: its window at only 0.5.
    // In-sample the best threshold is 0.5 (raw 1 − 0.11 + 1 = 1.89, NAB 97.25).
    // Held out: B's threshold 0.5 gives A 0.89; A's threshold 0.9 misses B's window (−1):
    // raw −0.11, NAB 100·(−0.11 + 2)/4 = 47.25.
    const corpus = corpusOf(['A/a.csv', 'B/b.csv']);
    const cv = crossValidatedScore(corpus, [scores({ 500: 0.9, 300: 0.5 }), scores({ 500: 0.5 })]);
    expect(cv.standard).toBeCloseTo(47.25, 9);
    // Low FP (a false alarm costs 0.22): B's 0.5 still gives A 0.78; A still picks 0.9.
    expect(cv.reward_low_FP_rate).toBeCloseTo((100 * (1 - 0.22 - 1 + 2)) / 4, 9);
  });

  it('equals the in-sample score when every category agrees on the threshold', () => {
    const corpus = corpusOf(['A/a.csv', 'B/b.csv', 'C/c.csv']);
    const cv = crossValidatedScore(corpus, [scores({ 500: 0.9 }), scores({ 500: 0.9 }), scores({ 500: 0.9, 200: 0.3 })]);
    expect(cv.standard).toBeCloseTo(100, 9);
  });

  it('gives a single fold no threshold (nothing to learn from) and takes custom folds', () => {
    const corpus = corpusOf(['A/a.csv', 'A/b.csv']);
    const s = [scores({ 500: 0.9 }), scores({ 500: 0.9 })];
    expect(crossValidatedScore(corpus, s).standard).toBeCloseTo(0, 9);
    expect(crossValidatedScore(corpus, s, (f) => f).standard).toBeCloseTo(100, 9);
    expect(() => crossValidatedScore(corpus, [s[0]!])).toThrow(/expected scores for 2 files/);
  });
});

describe('nestedCrossValidatedScore', () => {
  it('picks per fold the candidate that held up on the other folds and scores the fold with it', () => {
    const corpus = corpusOf(['A/a.csv', 'B/b.csv', 'C/c.csv']);
    const perfect = [scores({ 500: 0.9 }), scores({ 500: 0.9 }), scores({ 500: 0.9 })];
    // Catches only A's window, and raises a false alarm in B and C.
    const poor = [scores({ 500: 0.9 }), scores({ 300: 0.9 }), scores({ 300: 0.9 })];
    const r = nestedCrossValidatedScore(corpus, { poor, perfect });
    expect(r.chosen).toEqual({ A: 'perfect', B: 'perfect', C: 'perfect' });
    expect(r.scores.standard).toBeCloseTo(100, 9);
    expect(() => nestedCrossValidatedScore(corpus, {})).toThrow(/no candidates/);
  });
});
