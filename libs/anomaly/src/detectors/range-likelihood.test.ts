import { describe, expect, it } from 'vitest';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import type { Detector } from './detector.js';
import { EnsembleDetector } from './ensemble.js';
import { RangeNoveltyDetector } from './range-novelty.js';
import { ENSEMBLE_REST_POINTS, defaultEnsemble } from '../eval/catalogue.js';
import { seededRandom } from '../seeded-random.js';

const STEP = 300_000;

/** Replays fixed raw scores as a detector, so a wrapper can be tested on known input. */
function replay(scores: readonly number[]): Detector<{ i: number }> {
  let i = 0;
  return {
    update: () => ({ score: scores[i++]!, reason: 'replayed' }),
    snapshot: () => ({ i }),
    restore: (s) => {
      i = s.i;
    },
  };
}

function feed(d: Detector, values: readonly number[]): number[] {
  return values.map((v, i) => d.update(i * STEP, v).score);
}

describe('RangeNoveltyDetector', () => {
  it('scores only values beyond the seen range by more than the tolerance, higher the farther out', () => {
    const rnd = seededRandom(3);
    const values = Array.from({ length: 300 }, () => 10 + 10 * rnd());
    values.push(20.3, 21, 30, 5, 19);
    const scores = feed(new RangeNoveltyDetector({ tolerance: 0.05, warmup: 100 }), values);
    expect(Math.max(...scores.slice(0, 300))).toBeLessThan(0.5); // warm-up, then nothing new beyond 5%
    const [inMargin, past, far, below, inside] = scores.slice(300);
    expect(inMargin).toBe(0); // 0.3 above a max near 20: within 5% of a range near 10
    expect(past).toBeGreaterThan(0.5);
    expect(far).toBeGreaterThan(past!);
    expect(below).toBeGreaterThan(0.5);
    expect(inside).toBe(0);
  });

  it('gives nothing during warm-up and refuses bad options', () => {
    expect(feed(new RangeNoveltyDetector({ warmup: 10 }), [0, 1, 100, 1000])).toEqual([0, 0, 0, 0]);
    expect(() => new RangeNoveltyDetector({ tolerance: 0 })).toThrow(/tolerance/);
    expect(() => new RangeNoveltyDetector({ warmup: 0.5 })).toThrow(/warmup/);
  });

  it('round-trips its state through JSON, also before the first point', () => {
    const fresh = new RangeNoveltyDetector({ warmup: 2 });
    const restored = new RangeNoveltyDetector({ warmup: 2 });
    restored.restore(JSON.parse(JSON.stringify(fresh.snapshot())) as ReturnType<RangeNoveltyDetector['snapshot']>);
    expect(feed(restored, [1, 2, 3, 10])).toEqual(feed(fresh, [1, 2, 3, 10]));
  });
});

describe('AnomalyLikelihood', () => {
  const noisyRaw = (n: number, sd: number, seed: number): number[] => {
    const rnd = seededRandom(seed);
    return Array.from({ length: n }, () => Math.min(1, Math.max(0, 0.2 + sd * (rnd() - 0.5))));
  };

  it('stays low while raw scores keep their usual spread and rises when they lastingly change', () => {
    const raw = noisyRaw(2000, 0.2, 5);
    for (let i = 1500; i < 1520; i++) raw[i] = 0.9;
    const scores = feed(new AnomalyLikelihood(replay(raw)), raw);
    expect(Math.max(...scores.slice(0, 300))).toBe(0); // warm-up
    expect(Math.max(...scores.slice(300, 1500))).toBeLessThan(0.3);
    expect(Math.max(...scores.slice(1500, 1520))).toBeGreaterThan(0.5);
  });

  it('rates the same raw jump lower on a series whose raw scores are usually spread wide', () => {
    const jump = (sd: number): number => {
      const raw = noisyRaw(1500, sd, 7);
      for (let i = 1400; i < 1410; i++) raw[i] = 0.35;
      return Math.max(...feed(new AnomalyLikelihood(replay(raw)), raw).slice(1400, 1410));
    };
    expect(jump(0.05)).toBeGreaterThan(0.5);
    expect(jump(0.6)).toBeLessThan(0.5);
  });

  it('continues identically after a JSON round trip and refuses bad options', () => {
    const raw = noisyRaw(900, 0.3, 9);
    const a = new AnomalyLikelihood(replay(raw), { warmup: 50 });
    feed(a, raw.slice(0, 400));
    const b = new AnomalyLikelihood(replay(raw), { warmup: 50 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<typeof a.snapshot>);
    expect(feed(b, raw.slice(400))).toEqual(feed(a, raw.slice(400)));
    expect(() => new AnomalyLikelihood(replay(raw), { shortWindow: 0 })).toThrow(/shortWindow/);
    expect(() => new AnomalyLikelihood(replay(raw), { longAlpha: 1 })).toThrow(/longAlpha/);
    expect(() => new AnomalyLikelihood(replay(raw), { floorProbability: 0 })).toThrow(/floorProbability/);
  });
});

describe('EnsembleDetector with weights that follow the series', () => {
  it('uses weightNow for each point and refuses a bad one', () => {
    let w = 1;
    const half: Detector = { update: () => ({ score: 0.5, reason: 'half' }), snapshot: () => ({}), restore: () => undefined };
    const e = new EnsembleDetector([{ name: 'a', weight: 1, detector: half, weightNow: () => w }]);
    expect(e.update(0, 0).score).toBeCloseTo(0.5, 12);
    w = 2;
    expect(e.update(1, 0).score).toBeCloseTo(0.75, 12);
    w = 0;
    expect(e.update(2, 0).score).toBe(0);
    w = Number.NaN;
    expect(() => e.update(3, 0)).toThrow(/weightNow returned NaN/);
  });
});

describe('defaultEnsemble', () => {
  it('alerts at the onset of a new extreme and then rests for the rest period', () => {
    const rnd = seededRandom(11);
    const values = Array.from({ length: 6 * 288 }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * (rnd() - 0.5));
    const at = 5 * 288;
    for (let i = at; i < at + 30; i++) values[i] = 95;
    const scores = feed(defaultEnsemble({ min: 38, max: 95 }), values);
    expect(scores[at]).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...scores.slice(at + 1, at + 1 + ENSEMBLE_REST_POINTS))).toBe(0);
  });
});
