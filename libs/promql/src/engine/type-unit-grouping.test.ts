import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

/**
 * The type-and-unit metadata labels (`__type__`, `__unit__`) under `without (…)` and
 * `absent*()`: Prometheus 3 drops them with the metric name in every `without` grouping and
 * never copies them into the series `absent` builds, whether or not the feature is on.
 */
let fx: Fixture;
const T = 60_000;

beforeAll(async () => {
  fx = await openFixture();
  const at = (v: number): [number, number][] => [[T, v]];
  await fx.load({
    'req_total{__type__="counter",__unit__="request",job="a",i="1"}': at(1),
    'req_total{__type__="counter",__unit__="request",job="a",i="2"}': at(2),
    'req_total{__type__="gauge",__unit__="byte",job="a",i="3"}': at(4),
    'req_total{job="b",i="1"}': at(8),
  });
});
afterAll(() => fx.close());

async function q(query: string): Promise<string[]> {
  return vectorLines(await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T }));
}

describe('type and unit labels in without-grouping and absent()', () => {
  it('without (…) drops them, so series differing only in type or unit share a group', async () => {
    expect(await q('sum without (i) (req_total)')).toEqual(['{job="a"} => 7', '{job="b"} => 8']);
    expect(await q('max without (i) (req_total)')).toEqual(['{job="a"} => 4', '{job="b"} => 8']);
  });

  it('by (…) keeps them when named', async () => {
    expect(await q('sum by (__type__) (req_total)')).toEqual(['{__type__="counter"} => 3', '{__type__="gauge"} => 4', '{} => 8']);
  });

  it('topk without (…) groups without them and keeps each series\' own labels', async () => {
    expect(await q('topk without (i) (1, req_total)')).toEqual(['req_total{__type__="gauge",__unit__="byte",i="3",job="a"} => 4', 'req_total{i="1",job="b"} => 8']);
  });

  it('count_values without (…) drops them', async () => {
    expect(await q('count_values without (i) ("v", req_total{job="a"})')).toEqual(['{job="a",v="1"} => 1', '{job="a",v="2"} => 1', '{job="a",v="4"} => 1']);
  });

  it('absent() and absent_over_time() leave them out of the series they build', async () => {
    expect(await q('absent(req_total{__type__="counter",__unit__="request",job="none"})')).toEqual(['{job="none"} => 1']);
    expect(await q('absent_over_time(req_total{__type__="counter",__unit__="request",job="none"}[1m])')).toEqual(['{job="none"} => 1']);
  });
});
