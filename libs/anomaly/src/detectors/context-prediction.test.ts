import { describe, expect, it } from 'vitest';
import { ContextPredictionDetector } from './context-prediction.js';
import type { Detector } from './detector.js';
import { seededRandom } from '../seeded-random.js';

const STEP = 300_000;

function feed(d: Detector, values: readonly number[], from = 0): number[] {
  return values.map((v, i) => d.update((from + i) * STEP, v).score);
}

const max = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), 0);

/** A square wave between 0 and 10 with a half-period of 20 points. */
function square(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? 0 : 10));
}

describe('ContextPredictionDetector', () => {
  it('is silent on a learned pattern and scores a value no familiar context foresaw near 1', () => {
    const values = square(3000);
    // Mid-range, inside the series' range, but never reached from a plateau.
    values[2500] = 5;
    const scores = feed(new ContextPredictionDetector({ range: { min: 0, max: 10 } }), values);
    expect(max(scores.slice(200, 2500))).toBe(0);
    // Every context up to the order was familiar and none had led to this level.
    expect(scores[2500]).toBe(1);
  });

  it('scores a break of a long familiar context lower than one that even the last value did not foresee', () => {
    // 0, 5, 10, 5, … : after a 5 either 0 or 10 may follow, after a 0 only a 5.
    const values = Array.from({ length: 3000 }, (_, i) => [0, 5, 10, 5][i % 4]!);
    values[2400] = 10; // after 5, 10, 5: the last value allows it, the longer contexts do not
    values[2801] = 10; // after a 0: no context of any length foresaw it
    const scores = feed(new ContextPredictionDetector({ range: { min: 0, max: 10 }, order: 4, restPoints: 0 }), values);
    // 2400: contexts ∅ and [5] foresaw it, [10,5] … [0,5,10,5] did not; 3 of 5 transitions are new.
    expect(scores[2400]).toBeCloseTo(((1 - 2 / 5) + 3 / 5) / 2, 12);
    // 2801: only ∅ foresaw it (10 occurs), 4 of 5 transitions are new.
    expect(scores[2801]).toBeCloseTo(((1 - 1 / 5) + 4 / 5) / 2, 12);
    expect(Math.max(...scores.slice(200, 2400))).toBe(0);
  });

  it('rests after an alert, counting from every high raw score, then alerts again', () => {
    const values = square(4000);
    values[2500] = 5;
    values[2530] = 5; // still resting: silenced, and it restarts the rest period
    values[2600] = 3; // 70 points after the second surprise: resting again
    values[2700] = 7; // 100 points later: alerts
    const scores = feed(new ContextPredictionDetector({ range: { min: 0, max: 10 }, restPoints: 80 }), values);
    expect(scores[2500]).toBe(1);
    expect(scores[2530]).toBe(0);
    expect(scores[2600]).toBe(0);
    expect(scores[2700]).toBeGreaterThan(0.75);
  });

  it('learns the range when none is given', () => {
    const values = square(3000);
    values[2500] = 5;
    const scores = feed(new ContextPredictionDetector(), values);
    expect(scores[2500]).toBeGreaterThan(0.75);
    expect(max(scores.slice(200, 2500))).toBe(0);
  });

  it('explains its scores, formatting the reason only when read', () => {
    const d = new ContextPredictionDetector({ range: { min: 0, max: 10 } });
    const values = square(2600);
    values[2500] = 5;
    const results = values.map((v, i) => d.update(i * STEP, v));
    expect(results[10]!.reason).toMatch(/learning contexts \(11\/150\)/);
    expect(results[2000]!.reason).toMatch(/foresaw/);
    expect(results[2500]!.reason).toBe('level 5/8 never followed the recent context (surprise 1.00)');
    expect(JSON.parse(JSON.stringify(results[2500]))).toEqual({ score: 1, reason: results[2500]!.reason });
  });

  it('continues identically after a JSON round trip, with a state size independent of length', () => {
    const r = seededRandom(5);
    const values = Array.from({ length: 6000 }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 3 * r());
    const a = new ContextPredictionDetector({ range: { min: 35, max: 65 } });
    feed(a, values.slice(0, 1000));
    const small = JSON.stringify(a.snapshot());
    const b = new ContextPredictionDetector({ range: { min: 35, max: 65 } });
    b.restore(JSON.parse(small) as ReturnType<ContextPredictionDetector['snapshot']>);
    expect(feed(b, values.slice(1000), 1000)).toEqual(feed(a, values.slice(1000), 1000));
    expect(JSON.stringify(a.snapshot()).length).toBeLessThan(small.length * 1.5);
    // 8 levels, order 3: 585 contexts and 4,680 transitions, as bits.
    expect(a.snapshot().contexts).toHaveLength(Math.ceil(585 / 32));
    expect(a.snapshot().transitions).toHaveLength(Math.ceil(4680 / 32));
  });

  it('refuses bad options, mismatched state and non-finite input', () => {
    expect(() => new ContextPredictionDetector({ levels: 1 })).toThrow(/levels/);
    expect(() => new ContextPredictionDetector({ order: 0 })).toThrow(/order/);
    // The transition set is exact, so its size is bounded up front.
    expect(() => new ContextPredictionDetector({ levels: 64, order: 4 })).toThrow(/levels\^\(order\+1\)/);
    expect(() => new ContextPredictionDetector({ levels: 1024, order: 32 })).toThrow(/levels\^\(order\+1\)/);
    expect(() => new ContextPredictionDetector({ alertAt: 0 })).toThrow(/alertAt/);
    expect(() => new ContextPredictionDetector({ restPoints: -1 })).toThrow(/restPoints/);
    const state = new ContextPredictionDetector({ order: 2 }).snapshot();
    expect(() => new ContextPredictionDetector({ order: 3 }).restore(state)).toThrow(/different options/);
    expect(() => new ContextPredictionDetector().update(0, Number.NaN)).toThrow(RangeError);
  });
});
