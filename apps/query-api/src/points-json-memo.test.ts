import { describe, expect, it } from 'vitest';
import type { ResultSeries } from '#pharos/promql';
import { PointsJsonMemo, QueryPointsMemo } from './points-json-memo.js';
import { queryResponseString } from './query-response.js';

const series = (labels: string[], ts: ArrayLike<number>, vs: ArrayLike<number>, histTs: number[] = []): ResultSeries => ({
  labels,
  timestamps: Float64Array.from(ts),
  values: Float64Array.from(vs),
  histTimestamps: Float64Array.from(histTs),
  histograms: [],
});

const matrix = (s: ResultSeries[]) => ({ resultType: 'matrix' as const, series: s });
const plain = (s: ResultSeries[]) => queryResponseString({ value: matrix(s), warnings: [], infos: [] });
const memoised = (s: ResultSeries[], memo: QueryPointsMemo) => queryResponseString({ value: matrix(s), warnings: [], infos: [], pointsMemo: memo });

/** Deterministic values that exercise the float formats: fractions, exponents, NaN, ±0, ±Inf. */
function valueAt(i: number): number {
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-7, 1.5e22, 0.1 + 0.2];
  return i % 13 === 0 ? special[(i / 13) % special.length]! : Math.sin(i) * 10 ** (i % 9);
}

describe('PointsJsonMemo', () => {
  it('answers byte for byte as without it while a window slides, grows, shrinks and changes', () => {
    const labels = ['__name__', 'up', 'job', 'a'];
    const other = ['__name__', 'up', 'job', 'b'];
    const memo = new QueryPointsMemo();
    const step = 15_000;
    for (let refresh = 0; refresh < 40; refresh++) {
      // Window of 50–70 points moving one step per refresh; values rewritten at a few steps
      // (late data), a gap now and then, and a second series that comes and goes.
      const n = 50 + (refresh % 21);
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = refresh + i;
        if (k % 17 === 5) continue;
        ts.push(1_700_000_000_000 + k * step + (k % 29 === 0 ? 123 : 0));
        vs.push(refresh % 7 === 3 && k % 11 === 0 ? valueAt(k) + 1 : valueAt(k));
      }
      const s = [series(labels, ts, vs)];
      if (refresh % 5 !== 4) s.push(series(other, ts.slice(3), vs.slice(3).map((v) => -v)));
      expect(memoised(s, memo)).toBe(plain(s));
    }
  });

  it('reuses the previous text only where timestamps and values match', () => {
    const labels = ['__name__', 'x'];
    const memo = new QueryPointsMemo();
    const ts = [1000, 2000, 3000, 4000];
    expect(memo.points(series(labels, ts, [1, 2, 3, 4]))).toBe('[1,"1"],[2,"2"],[3,"3"],[4,"4"]');
    // Same steps, the middle value changed (a late sample): the change is seen, not the old text.
    expect(memo.points(series(labels, ts, [1, 5, 3, 4]))).toBe('[1,"1"],[2,"5"],[3,"3"],[4,"4"]');
    // -0 and 0 print differently; any NaN prints NaN.
    expect(memo.points(series(labels, ts, [1, -0, 3, NaN]))).toBe('[1,"1"],[2,"-0"],[3,"3"],[4,"NaN"]');
    expect(memo.points(series(labels, ts, [1, 0, 3, -NaN]))).toBe('[1,"1"],[2,"0"],[3,"3"],[4,"NaN"]');
    // Window moved by one step and one new point; a start between cached steps.
    expect(memo.points(series(labels, [2000, 3000, 4000, 5000], [0, 3, NaN, 6]))).toBe('[2,"0"],[3,"3"],[4,"NaN"],[5,"6"]');
    expect(memo.points(series(labels, [2500, 3000], [7, 3]))).toBe('[2.500,"7"],[3,"3"]');
    expect(memo.points(series(labels, [], []))).toBe('');
  });

  it('keeps each query within the budget and refuses answers too large for it', () => {
    const memo = new PointsJsonMemo(1_000_000);
    const big = new Float64Array(2_000).map((_, i) => i * 1000);
    expect(memo.forQuery('huge', 10_000)).toBeUndefined();
    for (let q = 0; q < 20; q++) {
      const m = memo.forQuery(`q${q}`, big.length)!;
      m.begin();
      m.points(series(['__name__', `m${q}`], big, big));
      memo.settle();
      expect(memo.size.bytes).toBeLessThanOrEqual(1_000_000);
    }
    expect(memo.size.queries).toBeGreaterThan(0);
    expect(memo.size.queries).toBeLessThan(20);
  });

  it('drops series that left the answer', () => {
    const memo = new QueryPointsMemo();
    memo.begin();
    memo.points(series(['a', '1'], [1000], [1]));
    const withOne = memo.bytes;
    memo.points(series(['a', '2'], [1000], [1]));
    expect(memo.bytes).toBeGreaterThan(withOne);
    for (let i = 0; i < 3; i++) memo.begin();
    expect(memo.bytes).toBe(0);
  });
});
