import { describe, expect, it } from 'vitest';
import { AlertGate } from './alert-gate.js';
import { LazyResult, RescoredResult } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';
import { SeasonalBaselineDetector } from './seasonal-baseline.js';
import { SuppressRepeats } from './suppress-repeats.js';
import { TailCalibrated } from './tail-calibrated.js';

describe('lazy reasons', () => {
  it('formats a reason only when it is read, from the numbers captured at scoring time', () => {
    let calls = 0;
    const explain = (a: number, b: number): string => (calls++, `a=${a} b=${b}`);
    const r = new LazyResult(0.5, explain, 1, 2);
    expect(calls).toBe(0);
    expect(r.reason).toBe('a=1 b=2');
    expect(calls).toBe(1);
    expect(JSON.parse(JSON.stringify(r))).toEqual({ score: 0.5, reason: 'a=1 b=2' });
  });

  it('keeps an inner reason through wrappers, annotated where the wrapper changed the score', () => {
    const inner = new LazyResult(0.9, () => 'inner');
    expect(new RescoredResult(0.3, inner).reason).toBe('inner');
    expect(new RescoredResult(0.3, inner, (r, a) => `${r} (${a})`, 7).reason).toBe('inner (7)');
  });

  it('explains the seasonal detector’s scores through onset suppression, calibration and the alert gate', () => {
    const scores = [0.2, 0.9, 0.9, 0.1];
    let i = 0;
    const replay: Detector = { update: () => new LazyResult(scores[i]!, (n) => `point ${n}`, i++), snapshot: () => ({}), restore: () => undefined };
    const gate = new AlertGate(new SuppressRepeats(replay, { halfLife: 1e9 }), { alertAt: 0.5, restPoints: 5 });
    const out: DetectorResult[] = scores.map((_, t) => gate.update(t, 0));
    [0.2, 0.7, 0, 0].forEach((x, t) => expect(out[t]!.score).toBeCloseTo(x, 6));
    expect(out[1]!.reason).toBe('point 1 (repeat of a recent score 0.200, reduced)');
    expect(out[2]!.reason).toBe('point 2 (repeat of a recent score 0.900, reduced) (within the rest period of an earlier alert)');

    const seasonal = new TailCalibrated(new SeasonalBaselineDetector({ range: { min: 0, max: 100 } }), { warmup: 10 });
    let last: DetectorResult = seasonal.update(0, 50);
    for (let t = 1; t < 200; t++) last = seasonal.update(t * 300_000, 50 + (t % 2));
    last = seasonal.update(200 * 300_000, 90);
    expect(last.score).toBeGreaterThan(0.9);
    expect(last.reason).toMatch(/^value 90 is \d+\.\d\dσ above the level 50\.\d+/);
  });
});
