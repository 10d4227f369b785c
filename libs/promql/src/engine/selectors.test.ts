import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLines, openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

const M = 60_000;
let fx: Fixture;

beforeAll(async () => {
  fx = await openFixture();
  await fx.load({
    'lb{a="1"}': [[0, 1]],
    'stale{a="1"}': [
      [0, 1],
      [M, 'stale'],
      [2 * M, 3],
    ],
    'win{a="1"}': [
      [0, 0],
      [30_000, 1],
      [M, 2],
      [90_000, 3],
    ],
    'at{a="1"}': [
      [0, 10],
      [M, 20],
      [2 * M, 30],
    ],
  });
});
afterAll(() => fx.close());

async function instant(query: string, t: number, lookbackDeltaMs?: number): Promise<string[]> {
  return vectorLines(
    await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: t, ...(lookbackDeltaMs === undefined ? {} : { lookbackDeltaMs }) }),
  );
}

describe('instant vector selectors', () => {
  it('finds the last sample within the lookback delta, excluding one exactly lookback old', async () => {
    expect(await instant('lb', 0)).toEqual(['lb{a="1"} => 1']);
    expect(await instant('lb', 5 * M - 1)).toEqual(['lb{a="1"} => 1']);
    expect(await instant('lb', 5 * M)).toEqual([]);
    expect(await instant('lb', -1)).toEqual([]);
  });

  it('honours a per-query lookback delta', async () => {
    expect(await instant('lb', 30_000, 30_000)).toEqual([]);
    expect(await instant('lb', 29_999, 30_000)).toEqual(['lb{a="1"} => 1']);
  });

  it('ends a series at a staleness marker', async () => {
    expect(await instant('stale', 30_000)).toEqual(['stale{a="1"} => 1']);
    expect(await instant('stale', M)).toEqual([]);
    expect(await instant('stale', 90_000)).toEqual([]);
    expect(await instant('stale', 2 * M)).toEqual(['stale{a="1"} => 3']);
  });

  it('applies offset (also negative) and @', async () => {
    expect(await instant('at offset 1m', 2 * M)).toEqual(['at{a="1"} => 20']);
    expect(await instant('at offset -1m', M)).toEqual(['at{a="1"} => 30']);
    expect(await instant('at @ 60', 10 * M)).toEqual(['at{a="1"} => 20']);
    expect(await instant('at @ 120 offset 1m', 0)).toEqual(['at{a="1"} => 20']);
  });

  it('resolves @ start() and @ end() against the range', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'at @ end()', startMs: 0, endMs: 2 * M, stepMs: M });
    expect(matrixLines(r)).toEqual(['at{a="1"} => 0:30 60:30 120:30']);
    const s = await fx.engine().rangeQuery({ tenant: TENANT, query: 'at @ start()', startMs: M, endMs: 2 * M, stepMs: M });
    expect(matrixLines(s)).toEqual(['at{a="1"} => 60:20 120:20']);
  });

  it('evaluates a range query at every step with step-stamped points', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'stale', startMs: 0, endMs: 3 * M, stepMs: 30_000 });
    expect(matrixLines(r)).toEqual(['stale{a="1"} => 0:1 30:1 120:3 150:3 180:3']);
  });
});

describe('matrix selectors', () => {
  it('selects the left-open window (t - range, t]', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'win[1m]', timeMs: M });
    expect(matrixLines(r)).toEqual(['win{a="1"} => 30:1 60:2']);
  });

  it('applies offset to the window', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'win[1m] offset 30s', timeMs: 90_000 });
    expect(matrixLines(r)).toEqual(['win{a="1"} => 30:1 60:2']);
  });

  it('leaves staleness markers out of windows', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'stale[5m]', timeMs: 3 * M });
    expect(matrixLines(r)).toEqual(['stale{a="1"} => 0:1 120:3']);
  });

  it('counts only the samples of each step window for range functions', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'count_over_time(win[1m])', startMs: 0, endMs: 2 * M, stepMs: 30_000 });
    expect(matrixLines(r)).toEqual(['{a="1"} => 0:1 30:2 60:2 90:2 120:1']);
  });
});

describe('subqueries', () => {
  it('aligns subquery steps to absolute multiples of the step', async () => {
    // At t=100s, [1m:30s] covers (40s, 100s]: steps at 60s and 90s.
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'win[1m:30s]', timeMs: 100_000 });
    expect(matrixLines(r)).toEqual(['win{a="1"} => 60:2 90:3']);
  });

  it('excludes a step exactly at the range start (left-open)', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'win[1m:30s]', timeMs: 90_000 });
    expect(matrixLines(r)).toEqual(['win{a="1"} => 60:2 90:3']);
  });

  it('uses the default evaluation interval when the step is omitted', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'at[3m:]', timeMs: 150_000 });
    expect(matrixLines(r)).toEqual(['at{a="1"} => 0:10 60:20 120:30']);
  });

  it('feeds range functions and nests', async () => {
    const r = await fx.engine().instantQuery({ tenant: TENANT, query: 'max_over_time(at[2m:1m])', timeMs: 2 * M });
    expect(vectorLines(r)).toEqual(['{a="1"} => 30']);
    const nested = await fx.engine().instantQuery({
      tenant: TENANT,
      query: 'sum_over_time(count_over_time(at[2m:1m])[2m:1m])',
      timeMs: 2 * M,
    });
    // Inner counts at 60s: (−60s, 60s] ⇒ steps 0, 60 = 2; at 120s: (0, 120] ⇒ 60, 120 = 2.
    expect(vectorLines(nested)).toEqual(['{a="1"} => 4']);
  });
});
