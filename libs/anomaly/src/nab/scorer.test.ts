import { describe, expect, it } from 'vitest';
import { NAB_PROFILES } from './profiles.js';
import { labelRows, scoreFile } from './scorer.js';
import { scaledSigmoid } from './sigmoid.js';
import { probationaryLength, resolveWindows } from './windows.js';
import type { TimeWindow } from './windows.js';

const standard = NAB_PROFILES.standard;
const MIN = 60_000;

// 2·sigmoid(−5y) − 1 = tanh(−5y/2): an independent form of the same curve for
// computing expected values by hand.
const sigma = (y: number): number => Math.tanh((-5 * y) / 2);
const tp = (y: number): number => sigma(y) / sigma(-1);

/** A file of `n` one-minute rows whose windows are given as row ranges. */
function file(n: number, windows: [number, number][]) {
  const timestamps = Array.from({ length: n }, (_, i) => i * MIN);
  const tw: TimeWindow[] = windows.map(([l, r]) => ({ start: l * MIN, end: r * MIN }));
  return labelRows(timestamps, tw);
}

/** Anomaly scores that are 1 at the given rows and 0 elsewhere. */
function detections(n: number, rows: number[]): number[] {
  const s = new Array<number>(n).fill(0);
  for (const r of rows) s[r] = 1;
  return s;
}

// 40 rows: probation = floor(0.15·40) = 6 rows; one window on rows 10..14 (width 5).
const N = 40;
const oneWindow = file(N, [[10, 14]]);
const score = (rows: number[], profile = standard) => scoreFile(oneWindow, detections(N, rows), 0.5, profile);

describe('scaled sigmoid', () => {
  it('has the values NAB documents', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBeCloseTo(sigma(3), 12);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });
});

describe('probationary length', () => {
  it('is 15 % of the rows, rounded down, capped at 750', () => {
    expect(probationaryLength(40)).toBe(6);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(5000)).toBe(750);
    expect(probationaryLength(22695)).toBe(750);
  });
});

describe('true positives', () => {
  it('a detection at the first row of a window earns exactly tpWeight', () => {
    const r = score([10]);
    expect(r.score).toBe(1);
    expect(r).toMatchObject({ tp: 1, fn: 4, fp: 0, tn: 29, total: 40 });
  });

  it('a detection at the last row earns little: y = −1/w', () => {
    expect(score([14]).score).toBeCloseTo(tp(-1 / 5), 12);
    expect(score([14]).score).toBeCloseTo(0.468387, 6);
  });

  it('only the earliest of two detections in a window counts, and the later one costs nothing', () => {
    const r = score([11, 13]);
    expect(r.score).toBeCloseTo(tp(-4 / 5), 12);
    expect(r.tp).toBe(2);
  });
});

describe('false negatives', () => {
  it('a missed window costs fnWeight, per profile', () => {
    expect(score([]).score).toBe(-1);
    expect(score([], NAB_PROFILES.reward_low_FN_rate).score).toBe(-2);
    expect(file(N, [[10, 14], [25, 29]]).scoredWindows).toHaveLength(2);
    expect(scoreFile(file(N, [[10, 14], [25, 29]]), detections(N, []), 0.5, standard).score).toBe(-2);
  });
});

describe('false positives', () => {
  it('before any window ends, a false positive costs the full fpWeight', () => {
    expect(score([8]).score).toBeCloseTo(-1 - 0.11, 12);
  });

  it('right after a window it costs little: y = (i − R)/(w − 1)', () => {
    const r = score([10, 15]);
    expect(r.score).toBeCloseTo(1 + 0.11 * sigma(1 / 4), 12);
    expect(r).toMatchObject({ tp: 1, fp: 1 });
  });

  it('far from the window it costs the full fpWeight (y > 3), and just under at y = 3', () => {
    expect(score([10, 27]).score).toBeCloseTo(1 - 0.11, 12);
    expect(score([10, 26]).score).toBeCloseTo(1 + 0.11 * sigma(3), 12);
    expect(score([10, 26]).score).toBeGreaterThan(1 - 0.11);
  });

  it('after a one-row window a false positive costs the full fpWeight', () => {
    const labels = file(N, [[10, 10]]);
    expect(scoreFile(labels, detections(N, [10, 11]), 0.5, standard).score).toBeCloseTo(1 - 0.11, 12);
  });

  it('every false positive counts separately, weighted per profile', () => {
    expect(score([10, 27, 30]).score).toBeCloseTo(1 - 0.22, 12);
    expect(score([10, 27, 30], NAB_PROFILES.reward_low_FP_rate).score).toBeCloseTo(1 - 0.44, 12);
  });
});

describe('probationary period', () => {
  it('ignores detections in the first 15 % of rows and leaves them out of the counts', () => {
    const r = score([0, 3, 5]);
    expect(r.score).toBe(-1);
    expect(r).toMatchObject({ tp: 0, fp: 0, fn: 5, tn: 29 });
  });

  it('a window reaching into the probationary period keeps its full width for positions', () => {
    const labels = file(N, [[4, 8]]);
    // Row 4 is probationary: detecting it earns nothing, the window is scored by row 7.
    const r = scoreFile(labels, detections(N, [4, 7]), 0.5, standard);
    expect(r.score).toBeCloseTo(tp(-2 / 5), 12);
  });
});

describe('no windows', () => {
  it('every detection after probation is a full false positive; none scores 0', () => {
    const labels = file(N, []);
    expect(scoreFile(labels, detections(N, []), 0.5, standard).score).toBe(0);
    const r = scoreFile(labels, detections(N, [2, 10, 39]), 0.5, standard);
    expect(r.score).toBeCloseTo(-0.22, 12);
    expect(r).toMatchObject({ tp: 0, fn: 0, fp: 2, tn: 32 });
  });
});

describe('thresholding', () => {
  it('a score equal to the threshold is a detection', () => {
    const s = new Array<number>(N).fill(0.2);
    s[10] = 0.5;
    expect(scoreFile(oneWindow, s, 0.5, standard).score).toBe(1);
    expect(scoreFile(oneWindow, s, 0.5000001, standard).score).toBe(-1);
  });

  it('rejects a score array of the wrong length', () => {
    expect(() => scoreFile(oneWindow, [0, 1], 0.5, standard)).toThrow(/expected 40/);
  });
});

describe('window resolution', () => {
  it('uses the first row of a repeated timestamp, as NAB does', () => {
    const ts = [0, 1, 2, 2, 2, 3, 4].map((m) => m * MIN);
    expect(resolveWindows(ts, [{ start: 2 * MIN, end: 3 * MIN }])).toEqual([{ left: 2, right: 5 }]);
    expect(resolveWindows(ts, [{ start: 1 * MIN, end: 2 * MIN }])).toEqual([{ left: 1, right: 2 }]);
  });

  it('refuses windows whose ends are not timestamps of the file', () => {
    expect(() => resolveWindows([0, MIN], [{ start: 30_000, end: MIN }])).toThrow(/not a timestamp/);
    expect(() => resolveWindows([0, MIN], [{ start: 0, end: 90_000 }])).toThrow(/not a timestamp/);
  });
});
