import type { NativeHistogram } from '#pharos/metric-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromQL, type VectorSelector } from '#pharos/promql';
import { hist } from '../functions/testing.js';
import { histogramStatsSelectors, withDetectedResetHints } from './histogram-stats.js';
import { openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

let fx: Fixture;
const T = 60_000;

// Custom buckets (-Inf,5] (5,+Inf] with 1 and 100.
const split = (scale: number): NativeHistogram =>
  hist({ schema: -53, count: 101 * scale, sum: 33 * scale, pos: [0, 2], posCounts: [scale, 100 * scale], customValues: [5] });

beforeAll(async () => {
  fx = await openFixture();
  await fx.loadHistograms({ 'cbh{label="a"}': [[T, split(1)]], 'cbh{label="b"}': [[T, split(2)]] });
  await fx.load({ 'bound{label="a"}': [[T, 1]], 'bound{label="b"}': [[T, 4]] });
});
afterAll(() => fx.close());

async function run(query: string): Promise<{ lines: string[]; infos: string[] }> {
  const r = await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T });
  return { lines: vectorLines(r), infos: [...r.annotations.infos] };
}

describe('trim operators </ and >/', () => {
  it('trims histograms by a scalar and keeps the metric name', async () => {
    expect((await run('cbh{label="a"} </ 10')).lines).toEqual(['cbh{label="a"} => hist(count=1,sum=2.5)']);
    expect((await run('cbh{label="a"} >/ 2')).lines).toEqual(['cbh{label="a"} => hist(count=100.6,sum=502.1)']);
  });

  it('trims by a matched float vector', async () => {
    expect((await run('cbh >/ on (label) bound')).lines).toEqual([
      '{label="a"} => hist(count=100.8,sum=502.4)',
      '{label="b"} => hist(count=200.4,sum=1001.8)',
    ]);
  });

  it('yields nothing for floats on the left, with the info Prometheus gives', async () => {
    const r = await run('bound </ 1');
    expect(r.lines).toEqual([]);
    expect(r.infos).toEqual(['PromQL info: incompatible sample types encountered for binary operator "</": float </ float (1:1)']);
    expect((await run('1 >/ cbh')).lines).toEqual([]);
  });

  it('refuses two scalars at evaluation, as Prometheus does', async () => {
    await expect(run('1 </ 2')).rejects.toThrow('operator "</" not allowed for Scalar operations');
  });
});

describe('counter-reset hints as the HistogramStatsIterator gives them', () => {
  const selectorsOf = (q: string): string[] =>
    [...histogramStatsSelectors(parsePromQL(q))].map((s: VectorSelector) => s.name ?? '').sort();

  it('applies to selectors under histogram_count/sum/avg with nothing needing buckets between', () => {
    expect(selectorsOf('histogram_count(sum(a)) + histogram_sum(rate(b[5m])) + c')).toEqual(['a', 'b']);
    expect(selectorsOf('histogram_count(a == b)')).toEqual([]);
    expect(selectorsOf('histogram_count(sum_over_time(a[5m:1m]))')).toEqual([]);
    expect(selectorsOf('histogram_count(histogram_quantile(0.5, a))')).toEqual([]);
    expect(selectorsOf('histogram_count(a >/ 3)')).toEqual([]);
    // Read directly by the stats function, the hints would go unseen: not worth deciding them.
    expect(selectorsOf('histogram_sum(a) + histogram_count((b))')).toEqual([]);
  });

  it('marks unknown hints after a previous sample as reset or not reset', () => {
    const h = (count: number, resetHint = 0) => hist({ count, sum: count, pos: [0, 1], posCounts: [count], resetHint });
    const series = {
      labels: [],
      timestamps: new Float64Array(0),
      values: new Float64Array(0),
      histTimestamps: Float64Array.from([1, 2, 3, 4]),
      histograms: [h(3), h(4), h(2), h(5, 3)],
    };
    const [out] = withDetectedResetHints([series]);
    expect(out!.histograms.map((x) => x.resetHint)).toEqual([0, 2, 1, 3]);
    expect(series.histograms.map((x) => x.resetHint)).toEqual([0, 0, 0, 3]);
  });
});
