import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../functions/table.js';
import type { FunctionImpl } from '../functions/contract.js';
import type { QueryResult } from './query-api.js';
import { openFixture, TENANT, type Fixture } from './test-fixture.js';

/** A copy of the function table whose entries are other objects: the evaluator's generic path. */
const generic = new Map<string, FunctionImpl>([...FUNCTIONS].map(([name, impl]) => [name, { ...impl }]));

/** A matrix's labels, timestamps and the bits of its values. */
function bits(r: QueryResult): unknown {
  if (r.value.resultType !== 'matrix') throw new Error('expected a matrix');
  return r.value.series.map((s) => ({ labels: s.labels, t: Array.from(s.timestamps), v: Array.from(new Uint32Array(Float64Array.from(s.values).buffer)) }));
}

/** `query` over `[0, endMs]` at a misaligned step: the inline path and the table's give the same bits. */
async function sameBitsInlineAndViaTable(fx: Fixture, query: string, endMs: number): Promise<void> {
  const request = { tenant: TENANT, query, startMs: 0, endMs, stepMs: 37_000 };
  const inline = await fx.engine().rangeQuery(request);
  const viaTable = await fx.engine({ functions: generic }).rangeQuery(request);
  expect(bits(inline)).toEqual(bits(viaTable));
  expect(inline.value.resultType === 'matrix' && inline.value.series.length).toBeGreaterThan(0);
}

/**
 * The evaluator runs the table's `rate`/`increase` inline for float series; a copy of the
 * table whose entries are different objects forces the generic per-window call, and both must
 * give bit-identical answers on counters with resets, gaps, jitter and staleness.
 */
describe('inline counter rate', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await openFixture();
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const series: Record<string, [number, number | 'stale'][]> = {};
    for (let s = 0; s < 12; s++) {
      const points: [number, number | 'stale'][] = [];
      let v = s % 3 === 0 ? -5 : 0;
      for (let t = 0; t < 3 * 3600_000; t += 15_000) {
        if (random() < 0.1) continue;
        if (random() < 0.01) {
          points.push([t, 'stale']);
          continue;
        }
        v = random() < 0.02 ? random() * 3 : v + random() * (s % 4 === 0 ? 1e-3 : 100);
        points.push([t + Math.floor(random() * 5000), s === 5 && random() < 0.05 ? NaN : v]);
      }
      series[`c_total{s="${s}"}`] = points;
    }
    await fx.load(series);
  });
  afterAll(() => fx.close());


  for (const query of ['rate(c_total[1m])', 'rate(c_total[5m])', 'increase(c_total[2m] offset 1m)', 'rate(c_total[90s] @ 5000)', 'sum(increase(c_total[10m]))']) {
    it(query, () => sameBitsInlineAndViaTable(fx, query, 3 * 3600_000));
  }
});

/**
 * Float-only series without scalar arguments run in a synchronous loop, and `avg_over_time`
 * there computes its mean inline (`floatAverage`); the table's entry (a copy, so not recognized)
 * must give the same bits, through overflow to the incremental mean, NaNs, staleness and
 * `@`/offset windows.
 */
describe('inline avg_over_time', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await openFixture();
    let seed = 11;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const series: Record<string, [number, number | 'stale'][]> = {};
    for (let s = 0; s < 10; s++) {
      const points: [number, number | 'stale'][] = [];
      for (let t = 0; t < 2 * 3600_000; t += 15_000) {
        if (random() < 0.1) continue;
        if (random() < 0.01) {
          points.push([t, 'stale']);
          continue;
        }
        // Series 3 overflows a double's sum in most windows; series 6 has NaNs; the rest mix magnitudes.
        const v = s === 3 ? 1.5e308 * (random() < 0.5 ? 1 : -0.9) : s === 6 && random() < 0.05 ? NaN : (random() - 0.3) * 10 ** Math.floor(random() * 12 - 4);
        points.push([t + Math.floor(random() * 5000), v]);
      }
      series[`g{s="${s}"}`] = points;
    }
    await fx.load(series);
  });
  afterAll(() => fx.close());


  for (const query of ['avg_over_time(g[1m])', 'avg_over_time(g[10m])', 'avg_over_time(g[2m] offset 1m)', 'avg_over_time(g[90s] @ 5000)', 'sum(avg_over_time(g[5m]))']) {
    it(query, () => sameBitsInlineAndViaTable(fx, query, 2 * 3600_000));
  }
});
