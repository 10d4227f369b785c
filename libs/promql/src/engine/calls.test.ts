import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLines, openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

let fx: Fixture;
const M = 60_000;

beforeAll(async () => {
  fx = await openFixture();
  const counter = (step: number): [number, number][] => Array.from({ length: 11 }, (_, i) => [i * M, i * step] as [number, number]);
  await fx.load({
    'http_total{job="a"}': counter(60),
    'http_total{job="b"}': counter(120),
    'gauge{job="a"}': counter(6),
    'early{job="a"}': [[0, 5]],
    'up{job="api",instance="h1"}': [[0, 1]],
    'up{job="api",instance="h2"}': [[0, 1]],
    'target_info{job="api",instance="h1",region="eu"}': [[0, 1]],
    'build_info{job="api",instance="h2",version="3"}': [[0, 1]],
    'late{job="a"}': [
      [90_000, 1],
      [150_000, 2],
    ],
  });
});
afterAll(() => fx.close());

async function q(query: string, t = 10 * M): Promise<ReturnType<typeof vectorLines>> {
  return vectorLines(await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: t }));
}

describe('range functions from the table', () => {
  it('evaluates sum(rate()) over a range', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'sum(rate(http_total[5m]))', startMs: 5 * M, endMs: 10 * M, stepMs: 5 * M });
    expect(matrixLines(r)).toEqual(['{} => 300:3 600:3']);
  });

  it('drops the name (but last_over_time keeps it)', async () => {
    expect(await q('rate(http_total{job="a"}[5m])')).toEqual(['{job="a"} => 1']);
    expect(await q('last_over_time(http_total{job="a"}[5m])')).toEqual(['http_total{job="a"} => 600']);
  });

  it('adds the non-counter info for rate over a name without a counter suffix', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'rate(gauge[5m])', timeMs: 10 * M });
    expect([...r.annotations.infos]).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "gauge" (1:6)',
    ]);
  });

  it('passes scalar arguments at each step', async () => {
    expect(await q('quantile_over_time(0.5, gauge[2m])')).toEqual(['{job="a"} => 57']);
    expect(await q('predict_linear(gauge[5m], 60)')).toEqual(['{job="a"} => 66']);
  });

  it('fails when dropping the name makes two series equal', async () => {
    await expect(q('rate({__name__=~"http_total|gauge", job="a"}[5m])')).rejects.toThrow('vector cannot contain metrics with the same labelset');
  });

  it('merges series that only differed by name when their points do not overlap (Prometheus 3.16)', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'last_over_time({__name__=~"late|early"}[30s]) * 1', startMs: 0, endMs: 3 * M, stepMs: 30_000 });
    expect(matrixLines(r)).toEqual(['{job="a"} => 0:5 90:1 150:2']);
    const neg = await fx.engine().rangeQuery({ tenant: TENANT, query: '-{__name__=~"late|early"}', startMs: 0, endMs: 30_000, stepMs: 30_000 });
    expect(matrixLines(neg)).toEqual(['{job="a"} => 0:-5 30:-5']);
  });
});

describe('functions the engine implements', () => {
  it('time, pi, vector, scalar', async () => {
    const t = await fx.engine().instantQuery({ tenant: TENANT, query: 'time()', timeMs: 12_345 });
    expect(t.value).toEqual({ resultType: 'scalar', t: 12_345, f: 12.345 });
    const pi = await fx.engine().instantQuery({ tenant: TENANT, query: 'pi()', timeMs: 0 });
    expect(pi.value).toEqual({ resultType: 'scalar', t: 0, f: Math.PI });
    expect(await q('vector(time())', 2000)).toEqual(['{} => 2']);
    const one = await fx.engine().instantQuery({ tenant: TENANT, query: 'scalar(gauge)', timeMs: 10 * M });
    expect(one.value).toEqual({ resultType: 'scalar', t: 10 * M, f: 60 });
    const many = await fx.engine().instantQuery({ tenant: TENANT, query: 'scalar(http_total)', timeMs: 10 * M });
    expect(many.value).toMatchObject({ resultType: 'scalar', f: NaN });
  });

  it('absent and absent_over_time', async () => {
    expect(await q('absent(nope{job="x", a=~"y"})')).toEqual(['{job="x"} => 1']);
    expect(await q('absent(gauge)')).toEqual([]);
    expect(await q('absent(sum(nope))')).toEqual(['{} => 1']);
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'absent_over_time(late{job="a"}[1m])', startMs: 0, endMs: 4 * M, stepMs: M });
    expect(matrixLines(r)).toEqual(['{job="a"} => 0:1 60:1 240:1']);
  });

  it('timestamp() of a selector gives sample times, otherwise step times', async () => {
    expect(await q('timestamp(late)', 200_000)).toEqual(['{job="a"} => 150']);
    expect(await q('timestamp(late @ 100)', 200_000)).toEqual(['{job="a"} => 90']);
    expect(await q('timestamp(late + 1)', 200_000)).toEqual(['{job="a"} => 200']);
  });

  it('start(), end(), range(), step(), min_of(), max_of()', async () => {
    const r = await fx.engine().rangeQuery({
      tenant: TENANT,
      query: 'vector(start() + end() * 1000 + range() * 1000000 + step() * 1000000000)',
      startMs: 60_000,
      endMs: 120_000,
      stepMs: 30_000,
    });
    const v = 60 + 120 * 1000 + 60 * 1e6 + 30 * 1e9;
    expect(matrixLines(r)).toEqual([`{} => 60:${v} 90:${v} 120:${v}`]);
    const i = await fx.engine().instantQuery({ tenant: TENANT, query: 'step() + min_of(3, 4) * 10 + max_of(3, 4) * 100', timeMs: 0 });
    expect(i.value).toEqual({ resultType: 'scalar', t: 0, f: 430 });
  });

  it('info() adds the data labels of matching info series', async () => {
    expect(await q('info(up)', 60_000)).toEqual(['up{instance="h1",job="api",region="eu"} => 1', 'up{instance="h2",job="api"} => 1']);
    expect(await q('info(up, {region=~".+"})', 60_000)).toEqual(['up{instance="h1",job="api",region="eu"} => 1']);
    expect(await q('info(up, {__name__="build_info"})', 60_000)).toEqual(['up{instance="h1",job="api"} => 1', 'up{instance="h2",job="api",version="3"} => 1']);
  });

  it('keeps the order of sort functions in instant queries', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'sort_desc(http_total)', timeMs: 10 * M });
    if (r.value.resultType !== 'vector') throw new Error('vector expected');
    expect(r.value.samples.map((s) => s.f)).toEqual([1200, 600]);
    const asc = await fx.engine().instantQuery({ tenant: TENANT, query: 'sort(http_total)', timeMs: 10 * M });
    if (asc.value.resultType !== 'vector') throw new Error('vector expected');
    expect(asc.value.samples.map((s) => s.f)).toEqual([600, 1200]);
  });

  it('evaluates step-invariant subtrees once and repeats them', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'rate(http_total{job="a"}[5m] @ 300)', startMs: 0, endMs: 2 * M, stepMs: M });
    expect(matrixLines(r)).toEqual(['{job="a"} => 0:1 60:1 120:1']);
  });
});
