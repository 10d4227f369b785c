import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryValue } from './query-api.js';
import { openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

let fx: Fixture;
const T = 60_000;

beforeAll(async () => {
  fx = await openFixture();
  const at = (v: number): [number, number][] => [[T, v]];
  await fx.load({
    'req{job="api",inst="1"}': at(10),
    'req{job="api",inst="2"}': at(20),
    'req{job="db",inst="1"}': at(30),
    'lim{job="api",inst="1"}': at(4),
    'lim{job="api",inst="2"}': at(0),
    'lim{job="db",inst="1"}': at(-7),
    'jobinfo{job="api",team="a"}': at(1),
    'jobinfo{job="db",team="b"}': at(1),
    'dup{job="api",x="1"}': at(1),
    'dup{job="api",x="2"}': at(2),
    'nanm{k="1"}': at(NaN),
  });
});
afterAll(() => fx.close());

async function q(query: string): Promise<string[]> {
  return vectorLines(await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T }));
}

async function value(query: string): Promise<QueryValue> {
  return (await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T })).value;
}

describe('arithmetic', () => {
  it('matches one-to-one on all labels but the name and drops the name', async () => {
    expect(await q('req + lim')).toEqual(['{inst="1",job="api"} => 14', '{inst="1",job="db"} => 23', '{inst="2",job="api"} => 20']);
  });

  it('computes % as Go math.Mod, ^ as math.Pow and atan2', async () => {
    expect(await q('req{job="db"} % lim{job="db"}')).toEqual(['{inst="1",job="db"} => 2']);
    expect(await value('-7 % 3')).toEqual({ resultType: 'scalar', t: T, f: -1 });
    expect(await value('1 ^ (0/0)')).toEqual({ resultType: 'scalar', t: T, f: 1 });
    expect(await value('2 ^ 10')).toEqual({ resultType: 'scalar', t: T, f: 1024 });
    expect(await q('req{job="db"} atan2 lim{job="db"}')).toEqual([`{inst="1",job="db"} => ${Math.atan2(30, -7)}`]);
    expect(await q('req{job="db"} / 0')).toEqual(['{inst="1",job="db"} => Infinity']);
  });

  it('keeps only the on() labels for one-to-one matching', async () => {
    expect(await q('req * on(job, inst) lim')).toEqual(['{inst="1",job="api"} => 40', '{inst="1",job="db"} => -210', '{inst="2",job="api"} => 0']);
    expect(await q('sum by (job) (req) / on(job) sum by (job) (lim)')).toEqual(['{job="api"} => 7.5', '{job="db"} => -4.285714285714286']);
  });

  it('supports group_left with included labels from the one side', async () => {
    expect(await q('req * on(job) group_left(team) jobinfo')).toEqual([
      '{inst="1",job="api",team="a"} => 10',
      '{inst="1",job="db",team="b"} => 30',
      '{inst="2",job="api",team="a"} => 20',
    ]);
    expect(await q('jobinfo * on(job) group_right req')).toEqual(['{inst="1",job="api"} => 10', '{inst="1",job="db"} => 30', '{inst="2",job="api"} => 20']);
  });

  it('fails one-to-one matching with several matches on the many side', async () => {
    await expect(value('req + on(job) jobinfo')).rejects.toThrow(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
  });

  it('fails when the one side has duplicates', async () => {
    await expect(value('jobinfo + on(job) req')).rejects.toThrow(
      'found duplicate series for the match group {job="api"} on the right hand-side of the operation: [req{inst="1", job="api"}, req{inst="2", job="api"}];many-to-many matching not allowed: matching labels must be unique on one side'.replace(
        /req\{/g,
        '{__name__="req", ',
      ),
    );
    await expect(value('jobinfo * on(job) group_left dup')).rejects.toThrow('found duplicate series for the match group');
  });

  it('fails when group_left output would repeat a label set', async () => {
    await expect(value('dup * on(job) group_left jobinfo * 0 + ignoring(x) group_left dup')).rejects.toThrow();
    await expect(value('{__name__=~"req|lim"} * on(job) group_left jobinfo')).rejects.toThrow(
      'multiple matches for labels: grouping labels must ensure unique matches',
    );
  });

  it('rejects two results with the same labels', async () => {
    await expect(value('{__name__=~"req|lim"} * 2')).rejects.toThrow('vector cannot contain metrics with the same labelset');
  });
});

describe('comparisons', () => {
  it('filters and keeps the lhs value and name', async () => {
    expect(await q('req > 15')).toEqual(['req{inst="1",job="db"} => 30', 'req{inst="2",job="api"} => 20']);
    expect(await q('15 < req')).toEqual(['req{inst="1",job="db"} => 30', 'req{inst="2",job="api"} => 20']);
    expect(await q('req > lim')).toEqual(['req{inst="1",job="api"} => 10', 'req{inst="1",job="db"} => 30', 'req{inst="2",job="api"} => 20']);
    expect(await q('nanm != nanm')).toEqual(['nanm{k="1"} => NaN']);
    expect(await q('nanm == nanm')).toEqual([]);
  });

  it('returns 0/1 without the name under bool', async () => {
    expect(await q('req > bool 15')).toEqual(['{inst="1",job="api"} => 0', '{inst="1",job="db"} => 1', '{inst="2",job="api"} => 1']);
    expect(await value('1 < bool 2')).toEqual({ resultType: 'scalar', t: T, f: 1 });
  });
});

describe('set operators', () => {
  it('and / or / unless match on signatures', async () => {
    expect(await q('req and lim > 0')).toEqual(['req{inst="1",job="api"} => 10']);
    expect(await q('req unless lim > 0')).toEqual(['req{inst="1",job="db"} => 30', 'req{inst="2",job="api"} => 20']);
    expect(await q('req and on(job) jobinfo{team="b"}')).toEqual(['req{inst="1",job="db"} => 30']);
    expect(await q('jobinfo or req')).toEqual([
      'jobinfo{job="api",team="a"} => 1',
      'jobinfo{job="db",team="b"} => 1',
      'req{inst="1",job="api"} => 10',
      'req{inst="1",job="db"} => 30',
      'req{inst="2",job="api"} => 20',
    ]);
    expect(await q('req{inst="1"} or on(job) jobinfo')).toEqual(['req{inst="1",job="api"} => 10', 'req{inst="1",job="db"} => 30']);
    expect(await q('req or vector(1)')).toHaveLength(4);
  });
});

describe('unary minus', () => {
  it('negates and drops the name', async () => {
    expect(await q('-req{job="db"}')).toEqual(['{inst="1",job="db"} => -30']);
    expect(await value('-(1 + 2)')).toEqual({ resultType: 'scalar', t: T, f: -3 });
  });
});
