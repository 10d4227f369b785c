import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { CachingQueryEngine } from '../cache/caching-engine.js';
import { WriteTrackingStore } from '#pharos/storage';
import { PromQLEngine } from './engine.js';
import type { QueryResult, ResultSeries } from './query-api.js';
import { openFixture, TENANT, type Fixture } from './test-fixture.js';

function matrix(r: QueryResult): readonly ResultSeries[] {
  if (r.value.resultType !== 'matrix') throw new Error(`expected a matrix, got ${r.value.resultType}`);
  return r.value.series;
}

/**
 * The performance target of the engine: a 24 h range query over 10 k series at 1,000 steps.
 * Opt-in (it loads 14.4 M samples into a real DuckDB store): `PHAROS_PERF=1 npx vitest run
 * libs/promql/src/engine/engine.perf.test.ts`. It checks the answers and prints the times
 * (store read included); times are not asserted, the machine is shared.
 */
const SERIES = Number(process.env['PHAROS_PERF_SERIES'] ?? 10_000);
const DAY = 86_400_000;
const SCRAPE = 60_000;

describe.skipIf(process.env['PHAROS_PERF'] !== '1')('engine performance', () => {
  let fx: Fixture;

  beforeAll(async () => {
    fx = await openFixture();
    const perSeries = DAY / SCRAPE;
    const started = performance.now();
    for (let first = 0; first < SERIES; first += 500) {
      const b = new MetricBatchBuilder(TENANT, 500, 500 * perSeries);
      for (let s = first; s < Math.min(SERIES, first + 500); s++) {
        b.addSeries(['__name__', 'http_requests_total', 'instance', `i-${s % 100}`, 'job', `job-${Math.floor(s / 100)}`]);
        let v = 0;
        for (let i = 0; i < perSeries; i++) b.addSample(i * SCRAPE, (v += 1 + (s % 7)));
      }
      await fx.store.append(b.build());
    }
    console.log(`loaded ${SERIES} series × ${perSeries} samples in ${Math.round(performance.now() - started)} ms`);
  }, 600_000);
  afterAll(() => fx?.close(), 120_000);

  // Series s grows by 1 + s % 7 per minute.
  let perSecond = 0;
  for (let s = 0; s < SERIES; s++) perSecond += (1 + (s % 7)) / 60;
  const expectations: Record<string, (r: QueryResult) => void> = {
    'sum(rate(http_requests_total[5m]))': (r) => {
      const [only] = matrix(r);
      expect(only!.values.length).toBe(1000);
      expect(Math.abs(only!.values[500]! - perSecond) / perSecond).toBeLessThan(1e-9);
    },
    'sum by (job) (rate(http_requests_total[5m]))': (r) => expect(matrix(r)).toHaveLength(Math.ceil(SERIES / 100)),
    'rate(http_requests_total[5m])': (r) => expect(matrix(r)).toHaveLength(SERIES),
    http_requests_total: (r) => expect(matrix(r)).toHaveLength(SERIES),
  };

  it('dashboard refreshes from the result cache, one minute of samples appended between them', async () => {
    const store = new WriteTrackingStore(fx.store);
    const uncached = new PromQLEngine({ store });
    const cached = new CachingQueryEngine(new PromQLEngine({ store }), { writes: store.writes });
    const query = 'sum by (job) (rate(http_requests_total[5m]))';
    const step = SCRAPE;
    let end = DAY - SCRAPE;
    const request = (): { tenant: string; query: string; startMs: number; endMs: number; stepMs: number } =>
      ({ tenant: TENANT, query, startMs: end - DAY + step, endMs: end, stepMs: step });
    let t0 = performance.now();
    await cached.rangeQuery(request());
    const cold = performance.now() - t0;
    const cachedTimes: number[] = [];
    const uncachedTimes: number[] = [];
    for (let refresh = 0; refresh < 8; refresh++) {
      // Every series gets its next sample; the dashboard moves one step.
      end += SCRAPE;
      const b = new MetricBatchBuilder(TENANT, SERIES, SERIES);
      for (let s = 0; s < SERIES; s++) {
        b.addSeries(['__name__', 'http_requests_total', 'instance', `i-${s % 100}`, 'job', `job-${Math.floor(s / 100)}`]);
        b.addSample(end, (end / SCRAPE + 1) * (1 + (s % 7)));
      }
      await store.append(b.build());
      t0 = performance.now();
      const a = await cached.rangeQuery(request());
      cachedTimes.push(performance.now() - t0);
      t0 = performance.now();
      const u = await uncached.rangeQuery(request());
      uncachedTimes.push(performance.now() - t0);
      expect(matrix(a).map((x) => Array.from(x.values))).toEqual(matrix(u).map((x) => Array.from(x.values)));
    }
    const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(' / ');
    console.log(`${query} 24 h @ 60 s: cold ${Math.round(cold)} ms; refreshes cached ${fmt(cachedTimes)} ms; uncached ${fmt(uncachedTimes)} ms`);
    expect(cached.stats.partialHits).toBe(8);
  }, 600_000);

  for (const [query, check] of Object.entries(expectations)) {
    it(`range query ${query}`, async () => {
      const engine = fx.engine();
      const request = { tenant: TENANT, query, startMs: 0, endMs: DAY, stepMs: DAY / 1000, stats: true };
      await engine.rangeQuery(request);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await engine.rangeQuery(request);
        times.push(performance.now() - t0);
        check(r);
      }
      const r = await engine.rangeQuery(request);
      console.log(`${query}: ${times.map((t) => Math.round(t)).join(' / ')} ms total; inner eval ${r.stats!.timings.innerEvalTime.toFixed(3)} s`);
    }, 120_000);
  }
});
