import { describe, expect, it } from 'vitest';
import { continuesWithoutReset, CUSTOM_BUCKETS_SCHEMA } from '#pharos/metric-model';
import type { FloatHistogram } from '../engine/values.js';
import { hist } from '../functions/testing.js';
import { detectHistogramReset } from './reset.js';

/** A custom-bucket histogram with one count per bucket (bounds, then +Inf). */
const nhcb = (bounds: number[], counts: number[]) =>
  hist({ schema: CUSTOM_BUCKETS_SCHEMA, customValues: bounds, count: counts.reduce((a, b) => a + b, 0), sum: 1, pos: [0, counts.length], posCounts: counts });

describe('detectHistogramReset with changed custom bounds (Prometheus detectResetWithMismatchedCustomBounds)', () => {
  it('is no reset when the counts rolled up onto the common bounds all grew', () => {
    // Common bounds 2, 4, 6 (+Inf): before 1 | 2 | 5 | 7, after 10+20 | 30+40 | 50+60 | 70+80+90.
    const before = nhcb([2, 4, 6], [1, 2, 5, 7]);
    const after = nhcb([1, 2, 3, 4, 5, 6, 7, 8], [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(detectHistogramReset(before, after)).toBe(false);
  });

  it('is a reset when one rolled-up segment shrank, even though the total grew', () => {
    const before = nhcb([2, 4], [5, 1, 1]);
    const after = nhcb([1, 2, 3, 4], [1, 1, 10, 10, 10]); // ≤2: 2 < 5
    expect(detectHistogramReset(before, after)).toBe(true);
  });
});

describe('detectHistogramReset on consecutive samples of one layout', () => {
  // Schema 0: bucket i is (2^(i-1), 2^i]; the first given bucket is at index `first`.
  const exp = (zeroCount: number, counts: number[], first = 1) =>
    hist({ count: zeroCount + counts.reduce((a, b) => a + b, 0), sum: 1, zeroThreshold: 0.5, zeroCount, pos: [first, counts.length], posCounts: counts });

  it('is no reset when nothing decreased, and a reset when a bucket or the zero bucket did', () => {
    expect(detectHistogramReset(exp(1, [1, 2, 3]), exp(1, [1, 3, 3]))).toBe(false);
    expect(detectHistogramReset(exp(1, [1, 2, 3]), exp(1, [2, 1, 4]))).toBe(true);
    expect(detectHistogramReset(exp(2, [1, 2, 3]), exp(1, [1, 3, 4]))).toBe(true);
  });

  it('ignores a decrease in a bucket inside the zero bucket, as Prometheus does', () => {
    // Bucket -1 is (0.25, 0.5], within the zero threshold 0.5: its counts went into the zero bucket.
    expect(detectHistogramReset(exp(1, [3, 2, 3], -1), exp(1, [2, 2, 4], -1))).toBe(false);
    expect(detectHistogramReset(exp(1, [3, 2, 3], -1), exp(1, [3, 1, 4], -1))).toBe(true);
  });
});

describe('the write path\'s continuesWithoutReset agrees with detectHistogramReset', () => {
  /** Deterministic PRNG (mulberry32) so a failure reproduces. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Buckets (index → count) laid out in spans, with empty-span and zero-count quirks. */
  function layout(buckets: Map<number, number>, random: () => number): { spans: number[]; counts: number[] } {
    const idx = [...buckets.keys()].sort((a, b) => a - b);
    const spans: number[] = [];
    const counts: number[] = [];
    let next = 0;
    for (const i of idx) {
      if (spans.length > 0 && i === next && random() < 0.8) {
        spans[spans.length - 1]!++;
      } else {
        if (spans.length > 0 && random() < 0.2 && i - next >= 1) {
          // An empty span takes part of the gap.
          spans.push(1, 0);
          next += 1;
        }
        spans.push(i - next, 1);
      }
      counts.push(buckets.get(i)!);
      next = i + 1;
    }
    return { spans, counts };
  }

  function build(pos: Map<number, number>, neg: Map<number, number>, zeroCount: number, random: () => number): FloatHistogram {
    const p = layout(pos, random);
    const n = layout(neg, random);
    const count = zeroCount + p.counts.reduce((a, b) => a + b, 0) + n.counts.reduce((a, b) => a + b, 0);
    return hist({ count, sum: 1, zeroThreshold: 1e-128, zeroCount, pos: p.spans, posCounts: p.counts, neg: n.spans, negCounts: n.counts });
  }

  function randomSide(random: () => number): Map<number, number> {
    const m = new Map<number, number>();
    const n = Math.floor(random() * 6);
    for (let k = 0; k < n; k++) m.set(Math.floor(random() * 12) - 4, Math.floor(random() * 4));
    return m;
  }

  /** The next sample: most buckets grow, some stay, a few shrink, vanish or appear. */
  function evolve(side: Map<number, number>, random: () => number): Map<number, number> {
    const m = new Map<number, number>();
    for (const [i, c] of side) {
      const r = random();
      if (r < 0.05) continue;
      m.set(i, r < 0.1 ? Math.max(0, c - 1) : c + Math.floor(random() * 3));
    }
    if (random() < 0.3) m.set(Math.floor(random() * 12) - 4, Math.floor(random() * 3));
    return m;
  }

  it('on 5,000 random pairs of one schema: continues exactly when nothing shrank, and PromQL finds a reset otherwise', () => {
    const random = rng(20_261_127);
    let continued = 0;
    for (let k = 0; k < 5_000; k++) {
      const pos = randomSide(random);
      const neg = randomSide(random);
      const zero = Math.floor(random() * 3);
      const prev = build(pos, neg, zero, random);
      const [pos2, neg2] = [evolve(pos, random), evolve(neg, random)];
      const zero2 = random() < 0.1 ? Math.max(0, zero - 1) : zero + Math.floor(random() * 2);
      const cur = build(pos2, neg2, zero2, random);
      const continues = continuesWithoutReset(prev, cur);
      if (continues) continued++;
      // The definition on bucket indexes, independent of spans: nothing below what it was.
      const shrank = (a: Map<number, number>, b: Map<number, number>) => [...a].some(([i, c]) => (b.get(i) ?? 0) < c);
      const oracle = !(cur.count < prev.count || zero2 < zero || shrank(pos, pos2) || shrank(neg, neg2));
      const why = `prev ${JSON.stringify(prev)} cur ${JSON.stringify(cur)}`;
      expect(continues, why).toBe(oracle);
      // All buckets lie above the zero threshold, so PromQL's detection must agree too.
      expect(detectHistogramReset(prev, cur), why).toBe(!oracle);
    }
    // Both outcomes occur often enough for the comparison to mean something.
    expect(continued).toBeGreaterThan(1_000);
    expect(continued).toBeLessThan(4_000);
  });
});
