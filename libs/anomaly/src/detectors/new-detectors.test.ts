import { describe, expect, it } from 'vitest';
import { AlertGate } from './alert-gate.js';
import { ContextNoveltyDetector } from './context-novelty.js';
import type { Detector } from './detector.js';
import { EnsembleDetector } from './ensemble.js';
import { LevelShiftDetector } from './level-shift.js';
import { SeasonalBaselineDetector } from './seasonal-baseline.js';
import { SuppressRepeats } from './suppress-repeats.js';
import { TailCalibrated } from './tail-calibrated.js';
import { defaultEnsemble } from '../eval/catalogue.js';

const STEP = 300_000;
const DAY = 288;

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

function noise(n: number, sd: number, seed: number): number[] {
  const r = random(seed);
  return Array.from({ length: n }, () => sd * (r() + r() + r() + r() - 2) * Math.sqrt(3));
}

/** A daily sine of amplitude 10 around 50 with noise σ = 1, 5-minute steps. */
function daily(days: number, seed: number): number[] {
  const e = noise(days * DAY, 1, seed);
  return e.map((x, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / DAY) + x);
}

function feed(d: Detector, values: readonly number[]): number[] {
  return values.map((v, i) => d.update(i * STEP, v).score);
}

const max = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), 0);

describe('SeasonalBaselineDetector', () => {
  it('learns a daily season, then catches a value normal for the day but wrong for the hour', () => {
    const values = daily(8, 1);
    // At the trough of day 7 put the value of the peak: within the series' range, wrong for the time.
    const at = 7 * DAY + Math.round(0.75 * DAY);
    values[at] = 60;
    const d = new SeasonalBaselineDetector({ range: { min: 38, max: 62 } });
    const scores = feed(d, values);
    expect(d.season).toBe('daily');
    expect(scores[at]).toBeGreaterThan(0.75);
    expect(max(scores.slice(3 * DAY, at))).toBeLessThan(0.6);
  });

  it('uses no season on a series without one', () => {
    const d = new SeasonalBaselineDetector({ range: { min: -4, max: 4 } });
    feed(d, noise(6 * DAY, 1, 2));
    expect(d.season).toBe('none');
  });
});

describe('LevelShiftDetector', () => {
  it('declares a small lasting shift once and ignores a lone spike of the same size', () => {
    const values = noise(1500, 1, 3);
    for (let i = 1000; i < 1500; i++) values[i]! += 2.5; // 2.5σ: small per point
    values[500]! += 2.5;
    const scores = feed(new LevelShiftDetector({ range: { min: -4, max: 7 } }), values);
    expect(scores[500]).toBeLessThan(0.3);
    expect(max(scores.slice(1000, 1030))).toBeGreaterThanOrEqual(0.5);
    // After the change point the new level is the baseline again.
    expect(max(scores.slice(1100, 1500))).toBeLessThan(0.5);
    expect(max(scores.slice(100, 1000))).toBeLessThan(0.5);
  });
});

describe('ContextNoveltyDetector', () => {
  it('scores a repeating pattern low and a never-seen one high', () => {
    const square: number[] = Array.from({ length: 3000 }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? 0 : 10));
    // A level the series has never visited, inside its range.
    for (let i = 2500; i < 2510; i++) square[i] = 5;
    const scores = feed(new ContextNoveltyDetector({ range: { min: 0, max: 10 } }), square);
    expect(max(scores.slice(500, 2500))).toBeLessThan(0.2);
    expect(max(scores.slice(2500, 2512))).toBeGreaterThan(0.9);
  });

  it('refuses bad options', () => {
    expect(() => new ContextNoveltyDetector({ levels: 1 })).toThrow(/levels/);
    expect(() => new ContextNoveltyDetector({ filterBits: 40 })).toThrow(/filterBits/);
  });
});

describe('TailCalibrated', () => {
  it('maps a score above everything seen so far to 1 and a common one near 0', () => {
    const inner: Detector<object> = {
      update: (_t, v) => ({ score: v, reason: '' }),
      snapshot: () => ({}),
      restore: () => undefined,
    };
    const d = new TailCalibrated(inner, { warmup: 10 });
    const r = random(4);
    for (let i = 0; i < 1000; i++) d.update(i, 0.1 + 0.1 * r());
    expect(d.update(1000, 0.9).score).toBeCloseTo(1, 6);
    expect(d.update(1001, 0.11).score).toBeLessThan(0.05);
    expect(d.update(1002, 0).score).toBe(0);
  });
});

describe('AlertGate', () => {
  it('reports the first alert and silences the rest period', () => {
    const inner: Detector<object> = { update: (_t, v) => ({ score: v, reason: 'x' }), snapshot: () => ({}), restore: () => undefined };
    const g = new AlertGate(inner, { alertAt: 0.5, restPoints: 3 });
    expect([0.9, 0.9, 0.9, 0.9, 0.9].map((v, i) => g.update(i, v).score)).toEqual([0.9, 0, 0, 0, 0.9]);
    expect(() => new AlertGate(inner, { alertAt: 0 })).toThrow(/alertAt/);
  });
});

describe('EnsembleDetector', () => {
  const constant = (s: number): Detector<object> => ({ update: () => ({ score: s, reason: `says ${s}` }), snapshot: () => ({}), restore: () => undefined });

  it('combines by weighted noisy-OR and names the strongest member', () => {
    const e = new EnsembleDetector([
      { name: 'a', weight: 1, detector: constant(0.5) },
      { name: 'b', weight: 2, detector: constant(0.5) },
      { name: 'c', weight: 0, detector: constant(0.99) },
    ]);
    const r = e.update(0, 1);
    expect(r.score).toBeCloseTo(1 - 0.5 * 0.25, 12);
    expect(r.reason).toBe('b: says 0.5');
    expect(e.weights).toEqual({ a: 1, b: 2, c: 0 });
  });

  it('refuses a negative weight or a repeated name', () => {
    expect(() => new EnsembleDetector([{ name: 'a', weight: -1, detector: constant(0) }])).toThrow(/weight/);
    expect(() => new EnsembleDetector([{ name: 'a', weight: 1, detector: constant(0) }, { name: 'a', weight: 1, detector: constant(0) }])).toThrow(/twice/);
  });
});

// Every new detector continues exactly after a JSON round trip of its state, and its state stays bounded.
const RANGE = { min: 30, max: 70 };
const CASES: [string, () => Detector][] = [
  ['SeasonalBaselineDetector', () => new SeasonalBaselineDetector({ range: RANGE })],
  ['LevelShiftDetector', () => new LevelShiftDetector({ range: RANGE })],
  ['ContextNoveltyDetector', () => new ContextNoveltyDetector({ range: RANGE, filterBits: 12 })],
  ['TailCalibrated(SuppressRepeats(ContextNovelty))', () => new TailCalibrated(new SuppressRepeats(new ContextNoveltyDetector({ range: RANGE })), { bins: 100 })],
  ['AlertGate(LevelShift)', () => new AlertGate(new LevelShiftDetector({ range: RANGE }), { restPoints: 50 })],
  ['default ensemble', () => defaultEnsemble(RANGE)],
];

describe.each(CASES)('%s snapshot/restore', (_name, make) => {
  it('continues identically after a JSON round trip, with state size independent of length', () => {
    const values = daily(4, 9);
    for (let i = 700; i < 760; i++) values[i]! += 15;
    const a = make();
    const cut = 2 * DAY + 17;
    feed(a, values.slice(0, cut));
    const state = JSON.stringify(a.snapshot());
    const b = make();
    b.restore(JSON.parse(state) as object);
    const rest = values.slice(cut).map((v, i) => [(cut + i) * STEP, v] as const);
    const sa = rest.map(([t, v]) => a.update(t, v).score);
    const sb = rest.map(([t, v]) => b.update(t, v).score);
    expect(sb).toEqual(sa);
    expect(JSON.stringify(a.snapshot()).length).toBeLessThan(2 * state.length + 1000);
  });
});
