import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricStore } from '#pharos/storage';
import { PromQLEngine } from './engine.js';
import type { QueryResult } from './query-api.js';
import { openFixture, TENANT, type Fixture } from './test-fixture.js';

/**
 * Counters read from rollups (ADR 0020): a store that hands over the counter aggregate
 * (`selectCounterRollups`, the DuckDB store) and one that does not (the same store with that
 * method hidden, offering only `selectRollups`: the engine reduces the fields itself) give
 * the same answers, bit for bit, over resets inside and between buckets, a gap,
 * a first sample inside its bucket and raw samples after the last bucket.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = 1e12 - 2 * 24 * HOUR;
const END = T0 + 26 * HOUR + 7 * MIN;

let fx: Fixture;

beforeAll(async () => {
  fx = await openFixture();
  const series: Record<string, [number, number][]> = {};
  for (let s = 0; s < 3; s++) {
    const points: [number, number][] = [];
    let v = 10.5 * (s + 1);
    for (let t = T0 + 20_000 + s * 5_000; t <= END + 10 * MIN; t += 15_000) {
      const i = (t - T0) / 15_000;
      if (s === 2 && t > T0 + 5 * HOUR && t < T0 + 6 * HOUR) continue;
      // Resets at 5 m boundaries (between buckets) and inside buckets; fractional steps.
      if (s === 1 && (t - T0) % (3 * HOUR) < 15_000) v = 0.25;
      else if (Math.floor(i) % (400 + 97 * s) === 0) v = 1.5 * s;
      else v += 0.1 * ((Math.floor(i) * 7 + s) % 11) + 0.003 * s;
      points.push([t, v]);
    }
    series[`x_total{s="${s}"}`] = points;
  }
  await fx.load(series);
  await fx.store.flush();
});

afterAll(async () => {
  await fx.close();
});

/** `store` as an adapter that does not offer the optional counter aggregate (ADR 0020). */
function withoutCounterAggregate(store: MetricStore): MetricStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'selectCounterRollups') return undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const json = (r: QueryResult): string => JSON.stringify(r.value, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

describe('counters from rollups', () => {
  it('answer alike whether the store reduces the counter fields or the engine does', async () => {
    expect(fx.store.selectCounterRollups).toBeDefined();
    const tracked = withoutCounterAggregate(fx.store);
    expect(tracked.selectCounterRollups).toBeUndefined();
    const direct = fx.engine();
    const viaFields = new PromQLEngine({ store: tracked });
    let compared = 0;
    for (const query of ['rate(x_total[10m15s])', 'sum(increase(x_total[1h]))', 'resets(x_total[2h])', 'irate(x_total[20m])']) {
      for (const maxSourceResolution of [300_000, 3_600_000]) {
        for (const [start, step] of [
          [T0, 10 * MIN],
          [T0 + 3 * HOUR + 2 * MIN, 7 * MIN],
        ] as const) {
          const request = { tenant: TENANT, query, startMs: start, endMs: END, stepMs: step, maxSourceResolution };
          const a = await direct.rangeQuery(request);
          const b = await viaFields.rangeQuery(request);
          expect(json(a)).toBe(json(b));
          if (a.value.resultType === 'matrix' && a.value.series.some((s) => s.values.length > 10)) compared++;
        }
      }
    }
    // All but the windows shorter than 1 h buckets (rate[10m15s], irate[20m]), which see too few samples there.
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('see every reset: the rate from 5 m rollups stays close to the raw rate', async () => {
    const engine = fx.engine();
    const request = { tenant: TENANT, query: 'sum(increase(x_total[1h]))', startMs: T0 + 2 * HOUR, endMs: END, stepMs: HOUR };
    const raw = await engine.rangeQuery(request);
    const rolled = await engine.rangeQuery({ ...request, maxSourceResolution: 300_000 });
    if (raw.value.resultType !== 'matrix' || rolled.value.resultType !== 'matrix') throw new Error('expected matrices');
    const r = raw.value.series[0]!.values;
    const d = rolled.value.series[0]!.values;
    expect(d.length).toBe(r.length);
    // A reset missed would lose a whole counter's worth (hundreds); window edges differ a little.
    for (let i = 0; i < r.length; i++) expect(Math.abs(d[i]! - r[i]!) / r[i]!).toBeLessThan(0.15);
  });
});
