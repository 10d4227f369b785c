import { describe, expect, it } from 'vitest';
import { groupingAccuracy, pairwiseF1, parsingAccuracy, scoreParsing } from './metrics.js';

describe('Loghub metrics on hand-worked examples', () => {
  // Truth: lines 0,1 are A; 2,3 are B; 4 is C. Prediction: {0,1} {2} {3,4}.
  const truth = ['A', 'A', 'B', 'B', 'C'];
  const pred = ['1', '1', '2', '3', '3'];

  it('grouping accuracy counts a line only when its predicted group is exactly its true group', () => {
    // {0,1} = A exactly: 2 lines. {2} is only part of B; {3,4} mixes B and C.
    expect(groupingAccuracy(truth, pred)).toBeCloseTo(2 / 5, 12);
    expect(groupingAccuracy(truth, ['x', 'x', 'y', 'y', 'z'])).toBe(1);
    // Everything in one group: only right if the truth is one group too.
    expect(groupingAccuracy(truth, ['g', 'g', 'g', 'g', 'g'])).toBe(0);
    // Group names are irrelevant, only the partition counts.
    expect(groupingAccuracy(['a', 'b'], ['b', 'a'])).toBe(1);
  });

  it('pairwise F1 counts pairs grouped together', () => {
    // True pairs: (0,1), (2,3). Predicted pairs: (0,1), (3,4). Both: (0,1).
    const r = pairwiseF1(truth, pred);
    expect(r.precision).toBeCloseTo(0.5, 12);
    expect(r.recall).toBeCloseTo(0.5, 12);
    expect(r.f1).toBeCloseTo(0.5, 12);
    // Over-merging keeps recall, loses precision: 2 of 10 predicted pairs are true.
    const all = pairwiseF1(truth, ['g', 'g', 'g', 'g', 'g']);
    expect(all.recall).toBe(1);
    expect(all.precision).toBeCloseTo(2 / 10, 12);
    expect(all.f1).toBeCloseTo((2 * 0.2 * 1) / 1.2, 12);
  });

  it('parsing accuracy compares template strings exactly', () => {
    expect(parsingAccuracy(['a <*>', 'b', 'c <*>'], ['a <*>', 'b ', 'c <*>'])).toBeCloseTo(2 / 3, 12);
  });

  it('scoreParsing reports all three and refuses mismatched inputs', () => {
    const s = scoreParsing(truth, pred, ['t', 't', 'u', 'u', 'v'], ['t', 't', 'u', 'x', 'x']);
    expect(s.groupingAccuracy).toBeCloseTo(0.4, 12);
    expect(s.f1).toBeCloseTo(0.5, 12);
    expect(s.parsingAccuracy).toBeCloseTo(0.6, 12);
    expect(() => groupingAccuracy(['a'], ['a', 'b'])).toThrow(/1 ground-truth lines but 2 predictions/);
    expect(() => groupingAccuracy([], [])).toThrow(/no lines/);
  });
});
