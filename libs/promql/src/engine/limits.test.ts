import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RangeFunctionImpl } from '../functions/contract.js';
import { FUNCTIONS } from '../functions/table.js';
import { DEFAULT_QUERY_LIMITS } from './engine.js';
import { PromQLError, type QueryLimits } from './query-api.js';
import { QueryContext } from './query-context.js';
import { openFixture, TENANT, type Fixture } from './test-fixture.js';

let fx: Fixture;
const M = 60_000;

beforeAll(async () => {
  fx = await openFixture();
  const series: Record<string, [number, number][]> = {};
  for (let s = 0; s < 20; s++) series[`m{i="${s}"}`] = Array.from({ length: 60 }, (_, i) => [i * M, i] as [number, number]);
  await fx.load(series);
});
afterAll(() => fx.close());

function limits(overrides: Partial<QueryLimits>): QueryLimits {
  return { ...DEFAULT_QUERY_LIMITS, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<PromQLError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PromQLError) return err;
    throw err;
  }
  throw new Error('query did not fail');
}

describe('limits', () => {
  it('fails past max samples with Prometheus’ message and type execution', async () => {
    const engine = fx.engine({ limits: limits({ maxSamples: 100 }) });
    const err = await failure(engine.rangeQuery({ tenant: TENANT, query: 'm', startMs: 0, endMs: 59 * M, stepMs: M }));
    expect(err.type).toBe('execution');
    expect(err.message).toBe('query processing would load too many samples into memory in query execution');
    // 20 series × 1 step fits.
    await expect(engine.instantQuery({ tenant: TENANT, query: 'm', timeMs: 10 * M })).resolves.toBeDefined();
  });

  it('counts range windows against max samples', async () => {
    const engine = fx.engine({ limits: limits({ maxSamples: 30 }) });
    const err = await failure(engine.instantQuery({ tenant: TENANT, query: 'sum_over_time(m{i="1"}[1h])', timeMs: 59 * M }));
    expect(err.type).toBe('execution');
  });

  it('limits the series a selector may return', async () => {
    const engine = fx.engine({ limits: limits({ maxSeries: 10 }) });
    const err = await failure(engine.instantQuery({ tenant: TENANT, query: 'm', timeMs: 10 * M }));
    expect(err.message).toBe('the query hit the max number of series limit (limit: 10 series)');
    await expect(engine.instantQuery({ tenant: TENANT, query: 'm{i=~"1|2"}', timeMs: 10 * M })).resolves.toBeDefined();
  });

  it('limits the range of range queries and selectors', async () => {
    const engine = fx.engine({ limits: limits({ maxRangeMs: 10 * M }) });
    expect((await failure(engine.rangeQuery({ tenant: TENANT, query: 'm', startMs: 0, endMs: 59 * M, stepMs: M }))).type).toBe('bad_data');
    expect((await failure(engine.instantQuery({ tenant: TENANT, query: 'rate(m[1h])', timeMs: 59 * M }))).type).toBe('bad_data');
  });

  it('rejects a range query of a range vector', async () => {
    const err = await failure(fx.engine().rangeQuery({ tenant: TENANT, query: 'm[5m]', startMs: 0, endMs: M, stepMs: M }));
    expect(err.message).toBe('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
  });

  it('reports parse errors as bad_data', async () => {
    const err = await failure(fx.engine().instantQuery({ tenant: TENANT, query: 'sum(', timeMs: 0 }));
    expect(err.type).toBe('bad_data');
  });
});

describe('timeouts and cancellation', () => {
  /** A kernel slow enough that the query spends its time inside evaluation loops. */
  const slow: RangeFunctionImpl = {
    kind: 'range',
    keepsName: false,
    evaluate(window) {
      const until = performance.now() + 0.05;
      while (performance.now() < until);
      return window.floatTo - window.floatFrom;
    },
  };
  const functions = new Map([...FUNCTIONS, ['count_over_time', slow]]);
  const query = { tenant: TENANT, query: 'count_over_time(m[10m])', startMs: 0, endMs: 59 * M, stepMs: 1000 };

  it('times out with type timeout', async () => {
    const engine = fx.engine({ limits: limits({ timeoutMs: 50 }), functions });
    const started = performance.now();
    const err = await failure(engine.rangeQuery(query));
    expect(err.type).toBe('timeout');
    expect(err.message).toBe('query timed out in expression evaluation');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reports a store read stopped by the deadline timer as a timeout, even before the clock reaches the deadline', () => {
    const options = {
      store: fx.store,
      tenant: TENANT,
      query: '',
      lookbackMs: 300_000,
      limits: DEFAULT_QUERY_LIMITS,
      deadline: Date.now() + 60_000,
      defaultEvalIntervalMs: 60_000,
      queryStart: 0,
      queryEnd: 0,
      queryStepMs: 0,
    };
    const timedOut = AbortSignal.abort(new DOMException('signal timed out', 'TimeoutError'));
    const err = (() => {
      try {
        new QueryContext({ ...options, signal: undefined, storeSignal: timedOut }).checkAlive();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PromQLError);
    expect((err as PromQLError).type).toBe('timeout');
    // A cancellation aborts both signals: it stays a cancellation.
    const cancel = new AbortController();
    cancel.abort();
    expect(() => new QueryContext({ ...options, signal: cancel.signal, storeSignal: cancel.signal }).checkAlive()).toThrow('canceled');
    expect(() => new QueryContext({ ...options, signal: undefined, storeSignal: new AbortController().signal }).checkAlive()).not.toThrow();
  });

  it('stops within ~100 ms of an abort, with type canceled', async () => {
    const engine = fx.engine({ functions });
    const controller = new AbortController();
    const pending = failure(engine.rangeQuery({ ...query, signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const abortedAt = performance.now();
    controller.abort();
    const err = await pending;
    expect(err.type).toBe('canceled');
    expect(performance.now() - abortedAt).toBeLessThan(150);
  });

  it('lets other work run while evaluating (yields to the event loop)', async () => {
    const engine = fx.engine({ functions, limits: limits({ timeoutMs: 400 }) });
    let last = performance.now();
    let longestGap = 0;
    let turns = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      turns++;
    }, 1);
    await failure(engine.rangeQuery(query));
    clearInterval(timer);
    expect(turns).toBeGreaterThanOrEqual(3);
    // Evaluation yields every ~20 ms of work; allow for a loaded machine.
    expect(longestGap).toBeLessThan(250);
  });
});

describe('stats', () => {
  it('reports Prometheus’ sample statistics', async () => {
    const r = await fx.engine().rangeQuery({ tenant: TENANT, query: 'm{i="1"}', startMs: 0, endMs: 2 * M, stepMs: M, stats: true });
    expect(r.stats?.samples.totalQueryableSamples).toBe(3);
    expect(r.stats?.samples.totalQueryableSamplesPerStep).toEqual([
      [0, 1],
      [60, 1],
      [120, 1],
    ]);
    expect(r.stats?.samples.peakSamples).toBeGreaterThanOrEqual(3);
    const w = await fx.engine().instantQuery({ tenant: TENANT, query: 'sum_over_time(m{i="1"}[5m])', timeMs: 10 * M, stats: true });
    expect(w.stats?.samples.totalQueryableSamples).toBe(5);
    expect(w.stats?.timings.evalTotalTime).toBeGreaterThan(0);
    // A subquery's samples count once, where its windows consume them (Prometheus 3.16).
    const sq = await fx.engine().rangeQuery({
      tenant: TENANT,
      query: 'sum_over_time(m{i="1"}[2m:1m])',
      startMs: 10 * M,
      endMs: 12 * M,
      stepMs: M,
      stats: true,
    });
    expect(sq.stats?.samples.totalQueryableSamplesPerStep).toEqual([
      [600, 2],
      [660, 2],
      [720, 2],
    ]);
  });
});
