import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '#pharos/anomaly';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { PromQLEngine } from '../engine/engine.js';
import type { QueryResult, ResultSeries } from '../engine/query-api.js';
import { openFixture, parseSeriesText, TENANT, type Fixture } from '../engine/test-fixture.js';
import { CachingQueryEngine } from './caching-engine.js';
import { WriteTrackingStore } from '#pharos/storage';

const MIN = 60_000;
const SCRAPE = 15_000;

/** Deterministic, so a failure reproduces. */
const rng = seededRandom;

const SERIES = [
  'req_total{job="a",instance="1"}',
  'req_total{job="a",instance="2"}',
  'req_total{job="b",instance="1"}',
  'load{job="a",instance="1"}',
  'load{job="b",instance="2"}',
];

const QUERIES = [
  'rate(req_total[2m])',
  'sum by (job) (rate(req_total[5m]))',
  'increase(req_total[1m])',
  'avg_over_time(load[3m])',
  'max_over_time(load[10m:1m])',
  'load offset -2m',
  'rate(req_total[2m] offset -1m)',
  'topk(2, load)',
  'load > 5',
  'timestamp(req_total)',
  'deriv(load[5m])',
  'sum(rate(req_total[2m])) / count(load)',
  'load @ 3000',
  // A gauge under rate: annotated, so never cached, still equal.
  'rate(load[2m])',
  'absent(nonexistent)',
  'time() - load',
];

function plain(r: QueryResult): unknown {
  if (r.value.resultType !== 'matrix') throw new Error(`expected matrix, got ${r.value.resultType}`);
  return r.value.series.map((s: ResultSeries) => ({
    labels: [...s.labels],
    timestamps: Array.from(s.timestamps),
    // Bit patterns: NaN payloads and -0 must survive the cache too.
    values: Array.from(new Uint32Array(Float64Array.from(s.values).buffer)),
    hists: s.histograms.length,
  }));
}

describe('CachingQueryEngine', () => {
  let fx: Fixture;
  let store: WriteTrackingStore;
  let counters: Map<string, number>;
  let lastT: number;
  let random: () => number;

  beforeEach(async () => {
    fx = await openFixture();
    store = new WriteTrackingStore(fx.store);
    counters = new Map(SERIES.map((s) => [s, 0]));
    random = rng(42);
    lastT = 0;
    await appendUntil(store, 2 * 3600_000);
  });
  afterEach(() => fx.close());

  /** Appends every series' samples after `lastT` up to `until`, with jitter, resets and gaps. */
  async function appendUntil(target: { append: WriteTrackingStore['append'] }, until: number): Promise<void> {
    const b = new MetricBatchBuilder(TENANT);
    for (const text of SERIES) {
      b.addSeries(parseSeriesText(text));
      for (let t = lastT + SCRAPE; t <= until; t += SCRAPE) {
        if (random() < 0.05) continue;
        const jittered = t - Math.floor(random() * 2000);
        if (text.startsWith('req_total')) {
          const v = random() < 0.01 ? 0 : counters.get(text)! + Math.floor(random() * 10);
          counters.set(text, v);
          b.addSample(jittered, v);
        } else b.addSample(jittered, Math.round(random() * 100) / 10);
      }
    }
    lastT = until;
    await target.append(b.build());
  }

  /** Out-of-order samples at random earlier times, as a late scraper or a replay writes them. */
  async function appendLate(target: { append: WriteTrackingStore['append'] }, before: number, span: number): Promise<void> {
    const b = new MetricBatchBuilder(TENANT);
    b.addSeries(parseSeriesText(SERIES[3 + Math.floor(random() * 2)]!));
    const t = before - Math.floor(random() * span) - 7;
    b.addSample(t, 1000 + Math.round(random() * 100));
    await target.append(b.build());
  }

  it('answers refreshes exactly as uncached evaluation, with appends and late data between them', async () => {
    const uncached = new PromQLEngine({ store });
    const cached = new CachingQueryEngine(new PromQLEngine({ store }), { writes: store.writes });
    for (const step of [MIN, 45_000]) {
      for (let refresh = 0; refresh < 12; refresh++) {
        const end = lastT;
        const start = Math.floor((end - 3600_000) / step) * step;
        for (const query of QUERIES) {
          const request = { tenant: TENANT, query, startMs: start, endMs: end, stepMs: step };
          const a = await cached.rangeQuery(request);
          const b = await uncached.rangeQuery(request);
          expect(plain(a), `${query} @ refresh ${refresh}, step ${step}`).toEqual(plain(b));
          expect([...a.annotations.infos, ...a.annotations.warnings]).toEqual([...b.annotations.infos, ...b.annotations.warnings]);
        }
        await appendUntil(store, lastT + Math.floor(1 + random() * 3) * SCRAPE);
        if (refresh % 3 === 1) await appendLate(store, lastT, 3600_000);
        if (refresh === 7) await store.deleteSeries({ tenant: TENANT, matchers: [{ name: 'job', type: '=', value: 'b' }], start: lastT - 20 * MIN });
      }
    }
    expect(cached.stats.partialHits).toBeGreaterThan(50);
    expect(cached.stats.stepsReused).toBeGreaterThan(cached.stats.stepsEvaluated);
  }, 120_000);

  it('serves a repeated request without evaluating and honours the range limit', async () => {
    const limits = { maxSamples: 1e9, maxSeries: 1e9, timeoutMs: 60_000, maxRangeMs: 2 * 3600_000 };
    const cached = new CachingQueryEngine(new PromQLEngine({ store, limits }), { writes: store.writes, limits: () => limits });
    const request = { tenant: TENANT, query: 'sum(rate(req_total[2m]))', startMs: 3600_000, endMs: 7200_000, stepMs: MIN };
    const first = await cached.rangeQuery(request);
    const second = await cached.rangeQuery(request);
    expect(cached.stats).toMatchObject({ misses: 1, hits: 1, partialHits: 0, stepsReused: 61 });
    expect(plain(second)).toEqual(plain(first));
    await expect(cached.rangeQuery({ ...request, endMs: request.startMs + 3 * 3600_000 })).rejects.toThrow(/exceeds the limit/);
  });

  it('would serve stale steps if a write bypassed the log (the equality check above can fail)', async () => {
    const cached = new CachingQueryEngine(new PromQLEngine({ store }), { writes: store.writes });
    const uncached = new PromQLEngine({ store });
    const request = { tenant: TENANT, query: 'max_over_time(load[10m])', startMs: 3600_000, endMs: 7200_000, stepMs: MIN };
    await cached.rangeQuery(request);
    // Straight into the adapter: the write log does not see it.
    await appendLate(fx.store, 7000_000, 600_000);
    expect(plain(await cached.rangeQuery(request))).not.toEqual(plain(await uncached.rangeQuery(request)));
    // Through the tracking store, the same kind of write invalidates.
    await appendLate(store, 7000_000, 600_000);
    expect(plain(await cached.rangeQuery(request))).toEqual(plain(await uncached.rangeQuery(request)));
  });

  it('never answers one tenant from another tenant\'s cached result', async () => {
    const cached = new CachingQueryEngine(new PromQLEngine({ store }), { writes: store.writes });
    const request = { tenant: TENANT, query: 'load', startMs: 3600_000, endMs: 7200_000, stepMs: MIN };
    const own = await cached.rangeQuery(request);
    expect(own.value.resultType === 'matrix' && own.value.series.length).toBeGreaterThan(0);
    const other = await cached.rangeQuery({ ...request, tenant: 'someone-else' });
    expect(plain(other)).toEqual([]);
    expect(cached.stats.hits).toBe(0);
  });

  it('evicts least recently used entries past its memory budget', async () => {
    // Each entry: 2 series × 61 points × 16 B + overhead ≈ 2.4 kB; five do not fit in 10 kB.
    const cached = new CachingQueryEngine(new PromQLEngine({ store }), { writes: store.writes, maxBytes: 10_000 });
    const request = (phase: number) => ({ tenant: TENANT, query: 'load', startMs: 3600_000 + phase, endMs: 7200_000, stepMs: MIN });
    for (let phase = 0; phase < 5; phase++) await cached.rangeQuery(request(phase * 1000));
    expect(cached.stats.bytes).toBeLessThanOrEqual(10_000);
    expect(cached.stats.entries).toBe(4);
    await cached.rangeQuery(request(4000));
    expect(cached.stats.hits).toBe(1);
    await cached.rangeQuery(request(0));
    expect(cached.stats.hits).toBe(1);
  });
});
