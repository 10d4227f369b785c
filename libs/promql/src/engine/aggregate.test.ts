import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsHash, xxh64 } from './labels-hash.js';
import { openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

let fx: Fixture;
const T = 60_000;

beforeAll(async () => {
  fx = await openFixture();
  const at = (v: number): [number, number][] => [[T, v]];
  await fx.load({
    'x{job="a",i="1"}': at(1),
    'x{job="a",i="2"}': at(2),
    'x{job="a",i="3"}': at(2),
    'x{job="b",i="1"}': at(10),
    'x{job="b",i="2"}': at(NaN),
    'x{job="c",i="1"}': at(-5),
    'big{i="1"}': at(Number.MAX_VALUE),
    'big{i="2"}': at(Number.MAX_VALUE),
    'big{i="3"}': at(-Number.MAX_VALUE),
    'kahan{i="1"}': at(1e100),
    'kahan{i="2"}': at(1),
    'kahan{i="3"}': at(-1e100),
  });
  const ratio: Record<string, [number, number][]> = {};
  for (let i = 0; i < 20; i++) ratio[`m{i="${i}",job="j${i % 3}"}`] = at(i);
  await fx.load(ratio);
});
afterAll(() => fx.close());

async function q(query: string): Promise<string[]> {
  return vectorLines(await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T }));
}

async function ordered(query: string): Promise<string[]> {
  const r = await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T });
  if (r.value.resultType !== 'vector') throw new Error('not a vector');
  return r.value.samples.map((s) => `${s.labels.join(',')}=${s.f}`);
}

describe('sum, avg, count, group, min, max', () => {
  it('groups by and without', async () => {
    expect(await q('sum by (job) (x{job!="b"})')).toEqual(['{job="a"} => 5', '{job="c"} => -5']);
    expect(await q('sum without (i) (x{job!="b"})')).toEqual(['{job="a"} => 5', '{job="c"} => -5']);
    expect(await q('sum(x{job!="b"})')).toEqual(['{} => 0']);
    expect(await q('count by (job) (x)')).toEqual(['{job="a"} => 3', '{job="b"} => 2', '{job="c"} => 1']);
    expect(await q('group by (job) (x)')).toEqual(['{job="a"} => 1', '{job="b"} => 1', '{job="c"} => 1']);
    expect(await q('avg by (job) (x{job="a"})')).toEqual([`{job="a"} => ${5 / 3}`]);
    expect(await q('sum by (__name__) (x{job="c"})')).toEqual(['x{} => -5']);
  });

  it('compensates sums (Kahan–Neumaier) as Prometheus does', async () => {
    expect(await q('sum(kahan)')).toEqual(['{} => 1']);
    expect(await q('avg(kahan)')).toEqual([`{} => ${1 / 3}`]);
  });

  it('switches avg to an incremental mean instead of overflowing', async () => {
    const [line] = await q('avg(big)');
    const v = Number(line!.split(' => ')[1]);
    expect(Math.abs(v - Number.MAX_VALUE / 3) / v).toBeLessThan(1e-15);
    expect(await q('sum(big)')).toEqual(['{} => Infinity']);
  });

  it('handles NaN in min and max as Prometheus (NaN only when all are NaN)', async () => {
    expect(await q('max by (job) (x{job="b"})')).toEqual(['{job="b"} => 10']);
    expect(await q('min by (job) (x{job="b"})')).toEqual(['{job="b"} => 10']);
    expect(await q('max(x{job="b",i="2"})')).toEqual(['{} => NaN']);
  });

  it('computes stddev and stdvar', async () => {
    expect(await q('stdvar by (job) (x{job="a"})')).toEqual([`{job="a"} => ${2 / 9}`]);
    expect(await q('stddev by (job) (x{job="a"})')).toEqual([`{job="a"} => ${Math.sqrt(2 / 9)}`]);
    expect(await q('stddev(x{job="b"})')).toEqual(['{} => NaN']);
  });
});

describe('quantile', () => {
  it('interpolates between ranks and warns on out-of-range φ', async () => {
    expect(await q('quantile by (job) (0.5, x{job="a"})')).toEqual(['{job="a"} => 2']);
    expect(await q('quantile(0.25, x{job="a"})')).toEqual(['{} => 1.5']);
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'quantile(2, x)', timeMs: T });
    expect(vectorLines(r)).toEqual(['{} => Infinity']);
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)']);
  });
});

describe('topk, bottomk, limitk, limit_ratio', () => {
  it('keeps the original series, ordered for instant queries, NaN last', async () => {
    expect(await ordered('topk(2, x)')).toEqual(['__name__,x,i,1,job,b=10', '__name__,x,i,2,job,a=2']);
    expect(await ordered('bottomk(2, x)')).toEqual(['__name__,x,i,1,job,c=-5', '__name__,x,i,1,job,a=1']);
    expect(await ordered('topk(1, x{job="b"})')).toEqual(['__name__,x,i,1,job,b=10']);
    expect(await ordered('bottomk(1, x{job="b"})')).toEqual(['__name__,x,i,1,job,b=10']);
    expect(await ordered('topk(5, x{job="b"})')).toEqual(['__name__,x,i,1,job,b=10', '__name__,x,i,2,job,b=NaN']);
  });

  it('selects per group', async () => {
    expect(await q('topk by (job) (1, x)')).toEqual(['x{i="1",job="b"} => 10', 'x{i="1",job="c"} => -5', 'x{i="2",job="a"} => 2']);
    expect(await q('limitk by (job) (1, x)')).toHaveLength(3);
  });

  it('returns nothing for k < 1 and fails on NaN', async () => {
    expect(await q('topk(0, x)')).toEqual([]);
    await expect(q('topk(scalar(x{job="b",i="2"}), x)')).rejects.toThrow('Parameter value is NaN');
  });

  it('samples by the label hash for limit_ratio', async () => {
    const all = await q('limit_ratio(1, x)');
    expect(all).toHaveLength(6);
    const some = await q('limit_ratio(0.5, x)');
    const rest = await q('limit_ratio(-0.5, x)');
    expect(some.length + rest.length).toBe(6);
    expect(new Set([...some, ...rest]).size).toBe(6);
  });

  it('picks the series real Prometheus 3.16 picks (checked with tests/promqltest/oracle.sh)', async () => {
    const values = async (query: string): Promise<number[]> =>
      (await q(query)).map((line) => Number(line.split(' => ')[1])).sort((x, y) => x - y);
    expect(await values('limit_ratio(0.5, m)')).toEqual([0, 1, 2, 3, 7, 8, 11, 13, 14, 15, 17, 18]);
    expect(await values('limit_ratio(-0.3, m)')).toEqual([4, 5, 6, 9, 12, 16, 19]);
  });

  it('hashes label sets as Prometheus (XXH64 of the stringlabels encoding)', () => {
    expect(xxh64(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
    expect(xxh64(new TextEncoder().encode('abc'))).toBe(0x44bc2cf5ad770999n);
    expect(labelsHash([])).toBe(0xef46db3751d8e999n);
    // Each string is its length (one byte below 255) followed by its bytes.
    expect(labelsHash(['a', 'bc'])).toBe(xxh64(Uint8Array.from([1, 97, 2, 98, 99])));
  });
});

describe('count_values', () => {
  it('counts series per value with Go float formatting', async () => {
    expect(await q('count_values("v", x{job="a"})')).toEqual(['{v="1"} => 1', '{v="2"} => 2']);
    expect(await q('count_values by (job) ("v", x{job="b"})')).toEqual(['{job="b",v="10"} => 1', '{job="b",v="NaN"} => 1']);
    expect(await q('count_values("v", big{i="1"})')).toEqual([`{v="17976931348623157${'0'.repeat(292)}"} => 1`]);
    expect(await q('count_values("v", kahan{i="2"} / 3e7)')).toEqual(['{v="0.000000033333333333333334"} => 1']);
  });
});
