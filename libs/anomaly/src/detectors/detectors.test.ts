import { describe, expect, it } from 'vitest';
import type { Detector } from './detector.js';
import { deviationScore } from './detector.js';
import { EwmaResidualDetector } from './ewma-residual.js';
import { NullDetector } from './null-detector.js';
import { RobustBaselineDetector } from './robust-baseline.js';
import { SuppressRepeats } from './suppress-repeats.js';

const STEP = 300_000;

/** Deterministic pseudo-random numbers (mulberry32) so the tests never flake. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise (sum of uniforms) around `level`. */
function noise(n: number, level: number, sd: number, seed: number): number[] {
  const r = random(seed);
  return Array.from({ length: n }, () => level + sd * (r() + r() + r() + r() - 2) * Math.sqrt(3));
}

function feed(d: Detector, values: readonly number[], start = 0): number[] {
  return values.map((v, i) => d.update((start + i) * STEP, v).score);
}

// Roughly what these synthetic series span, so the 1%-of-range scale floor (0.35) stays below the noise σ of 1.
const RANGE = { min: 95, max: 130 };
const CASES: [string, () => Detector][] = [
  ['EwmaResidualDetector', () => new EwmaResidualDetector({ range: RANGE })],
  ['RobustBaselineDetector', () => new RobustBaselineDetector({ range: RANGE })],
  ['SuppressRepeats(RobustBaselineDetector)', () => new SuppressRepeats(new RobustBaselineDetector({ range: RANGE }))],
];

describe.each(CASES)('%s', (_name, make) => {
  it('scores steady noise low', () => {
    const scores = feed(make(), noise(2000, 100, 1, 1));
    const after = scores.slice(100);
    expect(Math.max(...after)).toBeLessThan(0.5);
    expect(after.reduce((s, x) => s + x, 0) / after.length).toBeLessThan(0.1);
  });

  it('scores a spike high', () => {
    const values = noise(600, 100, 1, 2);
    values[500] = 130;
    const scores = feed(make(), values);
    expect(scores[500]).toBeGreaterThan(0.7);
    expect(Math.max(...scores.slice(100, 500))).toBeLessThan(0.5);
  });

  it('scores a level shift high when it starts', () => {
    const values = [...noise(500, 100, 1, 3), ...noise(300, 115, 1, 4)];
    const scores = feed(make(), values);
    const onset = Math.max(...scores.slice(500, 510));
    expect(onset).toBeGreaterThan(0.6);
    expect(onset).toBeGreaterThan(2 * Math.max(...scores.slice(100, 500)));
  });

  it('continues identically after snapshot, JSON round trip and restore', () => {
    const values = noise(1500, 100, 1, 5);
    values[1200] = 140;
    const original = make();
    feed(original, values.slice(0, 1000));
    const restored = make();
    restored.restore(JSON.parse(JSON.stringify(original.snapshot())) as object);
    expect(feed(restored, values.slice(1000), 1000)).toEqual(feed(original, values.slice(1000), 1000));
  });

  it('keeps its state size bounded', () => {
    const d = make();
    feed(d, noise(1000, 100, 1, 6));
    const small = JSON.stringify(d.snapshot()).length;
    feed(d, noise(20_000, 100, 1, 7), 1000);
    // Digits of the numbers may vary; the structure may not grow.
    expect(JSON.stringify(d.snapshot()).length).toBeLessThan(small * 1.5);
  });

  it('refuses non-finite values and gives a reason for every score', () => {
    const d = make();
    expect(() => d.update(0, Number.NaN)).toThrow(RangeError);
    const r = d.update(STEP, 1);
    expect(r.reason.length).toBeGreaterThan(0);
  });
});

describe('SuppressRepeats', () => {
  it('reports a lasting excursion at its onset only', () => {
    const values = [...noise(500, 100, 1, 8), ...noise(100, 130, 1, 9)];
    const raw = feed(new EwmaResidualDetector({ range: RANGE }), values);
    const onset = feed(new SuppressRepeats(new EwmaResidualDetector({ range: RANGE })), values);
    const highRaw = raw.slice(500).filter((s) => s > 0.5).length;
    const highOnset = onset.slice(500).filter((s) => s > 0.5).length;
    expect(highRaw).toBeGreaterThan(3);
    expect(highOnset).toBe(1);
    expect(onset[500]).toBeGreaterThan(0.7);
  });
});

describe('RobustBaselineDetector', () => {
  it('is not fooled by an earlier spike (the median ignores it)', () => {
    const values = noise(800, 100, 1, 10);
    values[400] = 1000;
    values[450] = 110;
    const scores = feed(new RobustBaselineDetector({ range: RANGE }), values);
    expect(scores[450]).toBeGreaterThan(0.5);
  });

  it('flags a small persistent shift through the CUSUM', () => {
    // 2σ per point is unremarkable alone but adds up; the spike part alone stays low.
    const values = [...noise(500, 100, 1, 11), ...noise(100, 102, 1, 12)];
    const run = (d: RobustBaselineDetector) => values.map((v, i) => d.update(i * STEP, v)).slice(500);
    const withCusum = run(new RobustBaselineDetector({ range: RANGE }));
    const spikeOnly = run(new RobustBaselineDetector({ range: RANGE, cusumHalfScoreAt: 1e9 }));
    const best = Math.max(...withCusum.map((r) => r.score));
    expect(best).toBeGreaterThan(2 * Math.max(...spikeOnly.map((r) => r.score)));
    expect(withCusum.some((r) => r.reason.includes('level shift'))).toBe(true);
  });
});

describe('NullDetector and deviationScore', () => {
  it('never fires', () => {
    expect(feed(new NullDetector(), [1, 1e9, -1e9])).toEqual([0, 0, 0]);
  });
  it('maps z to [0, 1) monotonically with 0.5 at the half-score point', () => {
    expect(deviationScore(0, 3)).toBe(0);
    expect(deviationScore(3, 3)).toBeCloseTo(0.5, 12);
    expect(deviationScore(1e6, 3)).toBeLessThan(1);
    expect(deviationScore(5, 3)).toBeGreaterThan(deviationScore(4, 3));
  });
});
