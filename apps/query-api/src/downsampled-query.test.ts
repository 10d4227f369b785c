import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG, LOGGER, METRIC_STORE, SELF_METRICS, TENANT_RESOLVER } from '#apps/common';
import { loadConfig } from '#pharos/config';
import { MetricBatchBuilder, labelsFromRecord } from '#pharos/metric-model';
import { PromQLEngine } from '#pharos/promql';
import { DuckDBMetricStore, WriteTrackingStore, type CounterRollupQuery, type MetricStore, type RollupQuery, type SelectQuery, type SeriesCounterRollups, type SeriesRollups, type SeriesSamples } from '#pharos/storage';
import { SelfMetrics, createLogger } from '#pharos/telemetry';
import { TenantResolver } from '#pharos/tenancy';
import { QueryApiModule } from './query-api.module.js';

/**
 * `max_source_resolution` end to end: the query API over the real engine, result cache and
 * DuckDB store (its rollup maintainer included). Two days of counters scraped every 30 s.
 */

const DAY = 86_400_000;
const SCRAPE = 30_000;
/** Whole days, so query steps fall on bucket boundaries as a dashboard's usually do. */
const T0 = 19_700 * DAY;
const SERIES = 4;

@Global()
@Module({})
class TestInfrastructure {}

/** Counts what the engine reads: raw samples returned by `select`, and `selectRollups` calls. */
class ReadCounter {
  rawSamples = 0;
  rollupCalls = 0;
  rollupBuckets = 0;

  wrap(store: MetricStore): MetricStore {
    const counter = this;
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'select') {
          return async function* (q: SelectQuery): AsyncGenerator<SeriesSamples> {
            for await (const s of target.select(q)) {
              counter.rawSamples += s.timestamps.length;
              yield s;
            }
          };
        }
        if (prop === 'selectRollups') {
          return async function* (q: RollupQuery): AsyncGenerator<SeriesRollups> {
            counter.rollupCalls++;
            for await (const r of target.selectRollups(q)) {
              counter.rollupBuckets += r.bucketStarts.length;
              yield r;
            }
          };
        }
        // The counter aggregate (ADR 0020), which WriteTrackingStore forwards: a rollup read too.
        if (prop === 'selectCounterRollups' && target.selectCounterRollups !== undefined) {
          return async function* (q: CounterRollupQuery): AsyncGenerator<SeriesCounterRollups> {
            counter.rollupCalls++;
            for await (const c of target.selectCounterRollups!(q)) {
              counter.rollupBuckets += c.bucketStarts.length;
              yield c;
            }
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

describe('downsampled range queries (max_source_resolution)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-downsample-'));
  const reads = new ReadCounter();
  let duck: DuckDBMetricStore;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    duck = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * DAY });
    const store = new WriteTrackingStore(reads.wrap(duck));
    const n = (2 * DAY) / SCRAPE;
    const totals = new Array<number>(SERIES).fill(0);
    // Appended in time slices, as a scraper would, so the maintainer closes buckets as it goes.
    for (let from = 0; from < n; from += 240) {
      const b = new MetricBatchBuilder('default');
      for (let s = 0; s < SERIES; s++) {
        b.addSeries(labelsFromRecord({ __name__: 'x_total', instance: `i${s}` }));
        for (let i = from; i < Math.min(n, from + 240); i++) {
          // A varying rate, and a reset every ~7 h at a different phase per series.
          if ((i + s * 97) % 840 === 0) totals[s] = 0;
          totals[s]! += (s + 1) * (2 + Math.sin(i / 120));
          b.addSample(T0 + i * SCRAPE, Math.round(totals[s]! * 1000) / 1000);
        }
      }
      await store.append(b.build());
    }
    // One native histogram series: it has no rollups, so downsampled reads take it raw.
    const h = new MetricBatchBuilder('default');
    const hs = h.addSeries(labelsFromRecord({ __name__: 'h_seconds', instance: 'i0' }));
    for (let i = 0; i < n; i += 4) {
      const count = 10 * i;
      h.addHistogram(hs, T0 + i * SCRAPE, {
        isInteger: true,
        schema: 0,
        zeroThreshold: 1e-128,
        zeroCount: 0,
        count,
        sum: count * 0.5,
        positiveSpans: Int32Array.of(0, 2),
        positiveCounts: Float64Array.of(count / 2, count / 2),
        negativeSpans: new Int32Array(0),
        negativeCounts: new Float64Array(0),
        resetHint: 0,
        customValues: new Float64Array(0),
      });
    }
    await store.append(h.build());
    await store.flush();
    const providers = [
      { provide: CONFIG, useValue: loadConfig({ yamlText: '' }) },
      { provide: LOGGER, useValue: createLogger({ level: 'error', format: 'json', destination: new PassThrough() }) },
      { provide: SELF_METRICS, useValue: new SelfMetrics('test') },
      { provide: TENANT_RESOLVER, useValue: new TenantResolver(false, []) },
      { provide: METRIC_STORE, useValue: store },
    ];
    const infrastructure: DynamicModule = { module: TestInfrastructure, global: true, providers, exports: providers };
    @Module({ imports: [infrastructure, QueryApiModule] })
    class Root {}
    app = await NestFactory.create<NestFastifyApplication>(Root, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await duck?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Matrix {
    status: string;
    data: { result: { metric: Record<string, string>; values: [number, string][] }[]; stats?: { sourceResolutionMs?: number } };
  }
  const query = async (params: string): Promise<{ status: number; body: Matrix & { errorType?: string; error?: string } }> => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/query_range?${params}` });
    return { status: res.statusCode, body: JSON.parse(res.body) as Matrix & { errorType?: string; error?: string } };
  };
  const rateParams = `query=${encodeURIComponent('rate(x_total[30m])')}&start=${(T0 + 3_600_000) / 1000}&end=${(T0 + 2 * DAY) / 1000}&step=600`;
  const byInstance = (m: Matrix): Map<string, Map<number, number>> =>
    new Map(m.data.result.map((s) => [s.metric['instance']!, new Map(s.values.map(([t, v]) => [t, Number(v)]))]));

  it('answers rate(x[30m]) over two days from 5 m rollups, close to the raw answer, and a raw request after it exactly', async () => {
    const raw = await query(rateParams);
    expect(raw.status).toBe(200);
    const rawReads = reads.rawSamples;
    expect(reads.rollupCalls).toBe(0);
    // Two days of 30 s samples for each series, all read.
    expect(rawReads).toBeGreaterThan(SERIES * 5690);

    reads.rawSamples = 0;
    const down = await query(`${rateParams}&max_source_resolution=5m&stats=all`);
    expect(down.status).toBe(200);
    expect(down.body.data.stats?.sourceResolutionMs).toBe(300_000);
    // Read from rollups (one call, ~575 buckets a series); raw only for the bucket the query
    // ends in (the end is a bucket's first millisecond: one sample a series).
    expect(reads.rollupCalls).toBe(1);
    expect(reads.rollupBuckets).toBeGreaterThanOrEqual(SERIES * 570);
    expect(reads.rawSamples).toBeLessThanOrEqual(SERIES * 10);

    const exact = byInstance(raw.body);
    const approx = byInstance(down.body);
    expect([...approx.keys()].sort()).toEqual([...exact.keys()].sort());
    let compared = 0;
    let worst = 0;
    const errors: number[] = [];
    for (const [instance, points] of exact) {
      const other = approx.get(instance)!;
      for (const [t, v] of points) {
        const w = other.get(t);
        if (w === undefined) continue;
        compared++;
        const rel = Math.abs(w - v) / Math.abs(v);
        errors.push(rel);
        worst = Math.max(worst, rel);
      }
    }
    // Every step has an answer in both (downsampled windows hold 6 buckets).
    expect(compared).toBeGreaterThan(SERIES * 280);
    errors.sort((a, b) => a - b);
    // Thanos' approximation: a window's samples are bucket ends, so it measures the rate over
    // [t - 25 m, t) rather than (t - 30 m, t], half a bucket earlier. With a rate that swings
    // by ±50 % over 6 h that is ~1 % (measured: median 1.07 %, worst 1.97 %; resets included).
    expect(errors[Math.floor(errors.length / 2)]!).toBeLessThan(0.015);
    expect(worst).toBeLessThan(0.025);

    // The result cache keys on the resolution: the downsampled request (cacheable without
    // stats) is not served the cached raw answer, and twice gives the same answer.
    for (let i = 0; i < 2; i++) {
      const cached = await query(`${rateParams}&max_source_resolution=5m`);
      expect(cached.body.data.result).toEqual(down.body.data.result);
    }
    // A raw request after the downsampled ones is exact: the same as before, and as an
    // uncached engine evaluating it afresh.
    const again = await query(rateParams);
    expect(again.body).toEqual(raw.body);
    const fresh = await new PromQLEngine({ store: duck }).rangeQuery({
      tenant: 'default',
      query: 'rate(x_total[30m])',
      startMs: T0 + 3_600_000,
      endMs: T0 + 2 * DAY,
      stepMs: 600_000,
    });
    if (fresh.value.resultType !== 'matrix') throw new Error('expected a matrix');
    for (const s of fresh.value.series) {
      const instance = s.labels[s.labels.indexOf('instance') + 1]!;
      const got = exact.get(instance)!;
      s.timestamps.forEach((t, i) => expect(got.get(t / 1000)).toBe(Number(String(s.values[i]))));
    }
  }, 60_000);

  it('keeps raw answers for raw, 0s and absent, and picks the coarsest resolution not above the limit', async () => {
    const absent = await query(rateParams);
    for (const value of ['raw', '0s', '0']) expect((await query(`${rateParams}&max_source_resolution=${value}`)).body).toEqual(absent.body);
    // 10 m is no resolution of its own: 5 m is the coarsest not above it.
    const tenMinutes = await query(`${rateParams}&max_source_resolution=10m&stats=all`);
    expect(tenMinutes.body.data.stats?.sourceResolutionMs).toBe(300_000);
    // auto: a fifth of the 10 m step is 2 m, finer than any rollup, so raw.
    const auto = await query(`${rateParams}&max_source_resolution=auto&stats=all`);
    expect(auto.body.data.stats?.sourceResolutionMs).toBe(0);
  });

  it('answers avg_over_time, max_over_time and count_over_time from their aggregates', async () => {
    const range = `start=${(T0 + DAY) / 1000}&end=${(T0 + 2 * DAY) / 1000}&step=3600`;
    const q = (expr: string, extra = ''): Promise<{ status: number; body: Matrix }> => query(`query=${encodeURIComponent(expr)}&${range}${extra}`);
    // Counts are exact for windows that start on a bucket boundary: 1 h holds 120 samples.
    const counts = await q('count_over_time(x_total[1h])', '&max_source_resolution=1h');
    for (const s of counts.body.data.result) for (const [, v] of s.values.slice(1)) expect(Number(v)).toBe(120);
    // Offset by 1 ms, a window holds exactly the samples of whole buckets ([t - 1 h, t)), so
    // max, min and count read from buckets equal the raw answers exactly, and sums up to the
    // order of float additions.
    for (const fn of ['max_over_time', 'min_over_time', 'count_over_time', 'sum_over_time']) {
      const expr = `${fn}(x_total[1h] offset 1ms)`;
      const exact = (await q(expr)).body;
      expect(exact.data.result).toHaveLength(SERIES);
      for (const resolution of ['5m', '1h']) {
        const down = (await q(expr, `&max_source_resolution=${resolution}`)).body;
        if (fn !== 'sum_over_time') {
          expect(down, `${fn} at ${resolution}`).toEqual(exact);
          continue;
        }
        const want = byInstance(exact);
        let compared = 0;
        for (const [instance, points] of byInstance(down)) {
          for (const [t, v] of points) {
            expect(Math.abs(v - want.get(instance)!.get(t)!)).toBeLessThanOrEqual(1e-12 * Math.abs(v));
            compared++;
          }
        }
        expect(compared).toBe(SERIES * 25);
      }
    }
    const avg = await q('avg_over_time(x_total[2h])', '&max_source_resolution=1h');
    expect(avg.status).toBe(200);
    expect(avg.body.data.result).toHaveLength(SERIES);
  });

  it('reads series without rollups (native histograms) raw, whole', async () => {
    const range = `start=${(T0 + DAY) / 1000}&end=${(T0 + 2 * DAY) / 1000}&step=1800`;
    for (const expr of ['histogram_count(rate(h_seconds[30m]))', 'count_over_time(h_seconds[1h])', 'histogram_sum(h_seconds)']) {
      const raw = await query(`query=${encodeURIComponent(expr)}&${range}`);
      expect(raw.body.data.result.length, expr).toBe(1);
      expect(raw.body.data.result[0]!.values.length, expr).toBeGreaterThan(40);
      expect((await query(`query=${encodeURIComponent(expr)}&${range}&max_source_resolution=5m`)).body, expr).toEqual(raw.body);
    }
  });

  it('refuses a bad max_source_resolution with bad_data naming the parameter', async () => {
    const bad = await query(`${rateParams}&max_source_resolution=fast`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: `'max_source_resolution' parameter: cannot parse "fast" to a valid duration` });
    const negative = await query(`${rateParams}&max_source_resolution=-5m`);
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatch(/max_source_resolution/);
    const instant = await app.inject({ method: 'GET', url: `/api/v1/query?query=x_total&time=${(T0 + DAY) / 1000}&max_source_resolution=1x` });
    expect(instant.statusCode).toBe(400);
  });
});
