import { describe, expect, it } from 'vitest';
import type { SeriesSamples } from '#pharos/storage';
import type { BinaryExpr } from '../ast.js';
import type { FunctionImpl, VectorFunctionImpl } from '../functions/contract.js';
import { FUNCTIONS } from '../functions/table.js';
import { kahanInc } from '../histogram/kahan.js';
import { parsePromQL } from '../parser/parse.js';
import { vectorVector } from './binary.js';
import { PromQLEngine } from './engine.js';
import { InMemorySeriesStore } from './panel-fixture.js';
import { PromQLError, type QueryResult } from './query-api.js';
import { QueryContext } from './query-context.js';
import { FLOAT_POINT, newStepSeries, type StepSeries } from './step-values.js';

/**
 * The evaluator's fast paths for cold range queries must answer exactly as the general paths
 * they stand in for: aggregations folded straight from a range function's series, the
 * whole-grid `histogram_quantile`, and vector matching fixed once per series pair. Each is
 * compared bit for bit (values, order, annotations, errors, sample statistics) with the general
 * path on awkward data: counter resets, gaps, jittered and regular scrapes, staleness markers,
 * NaN, values that overflow a sum.
 */

const TENANT = 't';
const HOUR = 3_600_000;

/** Deterministic noise in [0, 1). */
function noise(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function series(labels: Record<string, string>, points: readonly (readonly [number, number])[]): SeriesSamples {
  const names = Object.keys(labels).sort();
  return {
    labels: names.flatMap((n) => [n, labels[n]!]),
    timestamps: Float64Array.from(points, (p) => p[0]),
    values: Float64Array.from(points, (p) => p[1]),
    histogramTimestamps: new Float64Array(0),
    histograms: [],
  };
}

/** Writes a staleness marker at `index` (bit pattern kept: no NaN passes through a JS number). */
function markStale(s: SeriesSamples, index: number): void {
  new BigUint64Array(s.values.buffer, s.values.byteOffset, s.values.length)[index] = 0x7ff0000000000002n;
}

function counterData(): SeriesSamples[] {
  const out: SeriesSamples[] = [];
  const random = noise(42);
  for (let s = 0; s < 24; s++) {
    const points: [number, number][] = [];
    // Some series start near zero (rate's zero-point clamp), some reset, some have gaps.
    let v = s % 4 === 0 ? 0 : 1000 * s;
    const jitter = s % 3 === 0;
    for (let t = 0; t < 3 * HOUR; t += 15_000) {
      if (s % 5 === 1 && random() < 0.15) continue;
      v = s % 6 === 2 && random() < 0.03 ? random() * 2 : v + random() * (s % 7 === 0 ? 1e-3 : 50);
      points.push([t + (jitter ? Math.floor(random() * 3000) : 0), s === 11 && random() < 0.05 ? NaN : v]);
    }
    const x = series({ __name__: 'c_total', job: `j${s % 3}`, inst: `i${s}`, mode: s % 2 === 0 ? 'a' : 'b' }, points);
    if (s % 8 === 3) markStale(x, 40);
    out.push(x);
  }
  // Sums that overflow (avg's incremental mean) and infinities.
  for (let s = 0; s < 3; s++) {
    const points: [number, number][] = [];
    for (let t = 0; t < 3 * HOUR; t += 15_000) points.push([t, s === 2 && t % 600_000 === 0 ? Infinity : 1.6e308 - s * 1e307]);
    out.push(series({ __name__: 'big', job: 'j0', inst: `b${s}` }, points));
  }
  return out;
}

function bits(r: QueryResult): unknown {
  if (r.value.resultType !== 'matrix') throw new Error(`expected a matrix, got ${r.value.resultType}`);
  return r.value.series.map((s) => ({
    labels: s.labels.join(','),
    t: Array.from(s.timestamps),
    v: Array.from(new Uint32Array(Float64Array.from(s.values).buffer)),
  }));
}

async function answer(engine: PromQLEngine, query: string, stepMs: number): Promise<unknown> {
  try {
    const r = await engine.rangeQuery({ tenant: TENANT, query, startMs: 10 * 60_000, endMs: 3 * HOUR, stepMs, stats: true });
    return { bits: bits(r), warnings: [...r.annotations.warnings], infos: [...r.annotations.infos], samples: r.stats!.samples };
  } catch (err) {
    if (err instanceof PromQLError) return { error: err.message };
    throw err;
  }
}

describe('aggregations folded from range functions', () => {
  const engine = new PromQLEngine({ store: new InMemorySeriesStore(TENANT, counterData()) });
  const aggregations = ['sum', 'avg', 'count', 'min', 'max', 'group', 'sum by (job)', 'avg without (inst)', 'max by (mode, job)', 'sum without (mode, inst)'];
  const functions = ['rate(c_total[75s])', 'increase(c_total[5m])', 'avg_over_time(c_total[2m])', 'rate(c_total[1m] offset 3m)', 'sum_over_time(big[5m])', 'avg_over_time(big[2m])', 'rate({__name__=~"c_total|big"}[2m])'];
  for (const agg of aggregations) {
    for (const fn of functions) {
      it(`${agg} (${fn}) equals the unfused evaluation`, async () => {
        // Double negation is exact and keeps the series and their order, but is not a range call.
        for (const step of [60_000, 37_000]) {
          const fused = (await answer(engine, `${agg} (${fn})`, step)) as { bits?: unknown[]; samples?: unknown };
          const unfused = (await answer(engine, `${agg} (-(-${fn}))`, step)) as { bits?: unknown[]; samples?: unknown };
          expect(fused.bits).toEqual(unfused.bits);
          expect(fused.bits?.length).toBeGreaterThan(0);
        }
      });
    }
  }

  it('sums and averages as Prometheus, sample by sample in input order', async () => {
    // Reference: Prometheus' `aggregation` for floats, one step at a time (kahansum.Inc, and the
    // incremental mean once a sum overflows), over the input series in the store's order.
    const data = counterData();
    for (const fn of ['rate(c_total[75s])', 'avg_over_time(big[2m])', 'sum_over_time({__name__=~"c_total|big"}[1m])']) {
      const input = await engine.rangeQuery({ tenant: TENANT, query: fn, startMs: 10 * 60_000, endMs: 3 * HOUR, stepMs: 60_000 });
      if (input.value.resultType !== 'matrix') throw new Error('expected a matrix');
      const byLabels = new Map(input.value.series.map((x) => [x.labels.join(','), x] as const));
      const ordered = data.map((d) => byLabels.get(d.labels.filter((_, i) => i < d.labels.indexOf('__name__') || i > d.labels.indexOf('__name__') + 1).join(','))).filter((x) => x !== undefined);
      expect(ordered.length).toBe(input.value.series.length);
      for (const op of ['sum', 'avg'] as const) {
        const expected = new Map<number, number>();
        const state = new Map<number, { sum: number; c: number; n: number; mean: number; incremental: boolean }>();
        for (const x of ordered) {
          x.timestamps.forEach((t, i) => {
            const f = x.values[i]!;
            const g = state.get(t);
            if (g === undefined) {
              state.set(t, { sum: f, c: 0, n: 1, mean: f, incremental: false });
              return;
            }
            g.n++;
            if (op === 'sum' || !g.incremental) {
              const [sum, c] = kahanInc(f, g.sum, g.c);
              if (op === 'sum' || (sum !== Infinity && sum !== -Infinity)) {
                g.sum = sum;
                g.c = c;
                return;
              }
              g.incremental = true;
              g.mean = g.sum / (g.n - 1);
              g.c /= g.n - 1;
            }
            const q = (g.n - 1) / g.n;
            [g.mean, g.c] = kahanInc(f / g.n, q * g.mean, q * g.c);
          });
        }
        for (const [t, g] of state) expected.set(t, op === 'sum' ? g.sum + g.c : g.incremental ? g.mean + g.c : g.sum / g.n + g.c / g.n);
        const r = await engine.rangeQuery({ tenant: TENANT, query: `${op}(${fn})`, startMs: 10 * 60_000, endMs: 3 * HOUR, stepMs: 60_000 });
        if (r.value.resultType !== 'matrix') throw new Error('expected a matrix');
        const [only] = r.value.series;
        expect(only!.timestamps.length).toBe(expected.size);
        const got = Array.from(only!.timestamps, (t, i) => [t, only!.values[i]] as const);
        expect(got.map(([t, v]) => [t, Object.is(v, expected.get(t)) || (Number.isNaN(v) && Number.isNaN(expected.get(t)))])).toEqual(got.map(([t]) => [t, true]));
      }
    }
  });

  it('keeps Prometheus sample statistics', async () => {
    // peak = the largest window plus every rate point held, as when the vector is built first.
    const r = (await answer(engine, 'sum(rate(c_total[75s]))', 60_000)) as { samples: { peakSamples: number; totalQueryableSamples: number } };
    const plain = (await answer(engine, 'rate(c_total[75s])', 60_000)) as { samples: { peakSamples: number; totalQueryableSamples: number }; bits: unknown[] };
    expect(r.samples.totalQueryableSamples).toBe(plain.samples.totalQueryableSamples);
    expect(r.samples.peakSamples).toBe(plain.samples.peakSamples);
  });

  it('fails on series that collide once the name is dropped, as unfused', async () => {
    const minutes = Array.from({ length: 180 }, (_, i) => i * 60_000);
    const store = new InMemorySeriesStore(TENANT, [
      series({ __name__: 'a_total', k: '1' }, minutes.map((t, i) => [t, i])),
      series({ __name__: 'b_total', k: '1' }, minutes.map((t, i) => [t, 2 * i])),
    ]);
    const e = new PromQLEngine({ store });
    const fused = await answer(e, 'sum(rate({k="1"}[2m]))', 60_000);
    expect(fused).toEqual({ error: 'vector cannot contain metrics with the same labelset' });
    expect(await answer(e, 'sum(-(-rate({k="1"}[2m])))', 60_000)).toEqual(fused);
  });
});

describe('rate kernel', () => {
  it('equals the function table on regular scrapes, clamps and markers', async () => {
    const data = counterData();
    const generic = new Map<string, FunctionImpl>([...FUNCTIONS].map(([name, impl]) => [name, { ...impl }]));
    const inline = new PromQLEngine({ store: new InMemorySeriesStore(TENANT, data) });
    const viaTable = new PromQLEngine({ store: new InMemorySeriesStore(TENANT, data), functions: generic });
    for (const query of ['rate(c_total[75s])', 'increase(c_total[1m])', 'rate(c_total[5m])', 'rate(c_total[45s] @ 3600)', 'rate(big[1m])']) {
      for (const step of [15_000, 60_000, 37_000]) {
        const a = await answer(inline, query, step);
        expect(a).toEqual(await answer(viaTable, query, step));
      }
    }
  });
});

describe('histogram_quantile over all steps', () => {
  const buckets = ['0.1', '0.5', '1', '+Inf'];
  const data: SeriesSamples[] = [];
  const random = noise(7);
  for (const handler of ['a', 'b', 'c']) {
    buckets.forEach((le, b) => {
      const points: [number, number][] = [];
      let v = 0;
      for (let t = 0; t < 3 * HOUR; t += 15_000) {
        // Handler b has gaps; handler c's buckets are not monotonic now and then.
        if (handler === 'b' && random() < 0.2) continue;
        v += (b + 1) * random() * (handler === 'c' && b === 2 && random() < 0.1 ? -5 : 1);
        points.push([t, Math.max(0, v)]);
      }
      data.push(series({ __name__: 'h_bucket', handler, le }, points));
    });
  }
  data.push(series({ __name__: 'h_bucket', handler: 'd', le: 'oops' }, [[0, 1], [HOUR, 2]]));
  const perStep = new Map<string, FunctionImpl>([...FUNCTIONS].map(([name, impl]) => {
    if (impl.kind !== 'vector') return [name, impl];
    const { evaluateGrid: _, ...rest } = impl;
    return [name, rest satisfies VectorFunctionImpl];
  }));
  const grid = new PromQLEngine({ store: new InMemorySeriesStore(TENANT, data) });
  const stepped = new PromQLEngine({ store: new InMemorySeriesStore(TENANT, data), functions: perStep });

  for (const query of [
    'histogram_quantile(0.9, rate(h_bucket[2m]))',
    'histogram_quantile(0.5, sum by (le) (rate(h_bucket[75s])))',
    'histogram_quantile(0.99, sum by (le, handler) (rate(h_bucket[75s])))',
    'histogram_quantile(scalar(count(h_bucket)) / 20 - 0.1, h_bucket)',
    'histogram_quantile(1.5, h_bucket)',
    'sum(histogram_quantile(0.9, rate(h_bucket[1m])))',
    'histogram_quantile(0.9, label_replace(h_bucket, "__name__", "x", "handler", "b"))',
  ]) {
    it(query, async () => {
      for (const step of [60_000, 37_000]) {
        const a = await answer(grid, query, step);
        expect(a).toEqual(await answer(stepped, query, step));
      }
      // An instant query's vector keeps the output order (range results are sorted).
      const instant = async (e: PromQLEngine): Promise<unknown> => {
        try {
          const r = await e.instantQuery({ tenant: TENANT, query, timeMs: HOUR + 7_000 });
          return r.value.resultType === 'vector' ? r.value.samples.map((x) => [x.labels.join(','), x.f]) : r.value;
        } catch (err) {
          return (err as Error).message;
        }
      };
      expect(await instant(grid)).toEqual(await instant(stepped));
    });
  }
});

describe('vector matching fixed per series pair', () => {
  const grid = { start: 0, end: 9 * 60_000, interval: 60_000, numSteps: 10 };
  const ctx = new QueryContext({
    store: new InMemorySeriesStore(TENANT, []),
    tenant: TENANT,
    query: '',
    lookbackMs: 300_000,
    limits: { maxSamples: 1e9, maxSeries: 1e9, timeoutMs: 60_000, maxRangeMs: 1e15 },
    deadline: Date.now() + 60_000,
    signal: undefined,
    storeSignal: new AbortController().signal,
    defaultEvalIntervalMs: 60_000,
    queryStart: 0,
    queryEnd: grid.end,
    queryStepMs: grid.interval,
  });
  const random = noise(3);
  const column = (labels: string[], present: number, nan = false): StepSeries => {
    const s = newStepSeries(labels, grid.numSteps);
    for (let i = 0; i < grid.numSteps; i++) {
      if (random() >= present) continue;
      s.kinds[i] = FLOAT_POINT;
      s.floats[i] = nan && i === 3 ? NaN : Math.round(random() * 20) - 5;
      s.points++;
    }
    return s;
  };
  const side = (name: string, present: number): StepSeries[] =>
    ['x', 'y', 'z', 'w'].map((inst, i) => column(['__name__', name, 'inst', inst, 'job', i % 2 === 0 ? 'a' : 'b'], present, i === 1));
  const lhs = side('l', 0.8);
  const rhs = side('r', 0.7);
  const one = [column(['__name__', 'info', 'job', 'a', 'team', 't1'], 0.9), column(['__name__', 'info', 'job', 'b', 'team', 't2'], 0.9)];

  /** `r` plus a series sharing a signature (other name) that never has a point: the general path must run. */
  const withShadow = (r: StepSeries[], like: StepSeries): StepSeries[] => [...r, newStepSeries(['__name__', 'shadow', ...like.labels.slice(2)], grid.numSteps)];
  const expr = (q: string): BinaryExpr => {
    const e = parsePromQL(q);
    if (e.kind !== 'BinaryExpr') throw new Error(q);
    return e;
  };
  const view = (xs: StepSeries[]): unknown => xs.map((s) => ({ labels: s.labels.join(','), kinds: Array.from(s.kinds), v: Array.from(s.floats, (f, i) => (s.kinds[i] ? f : 0)), points: s.points }));

  const cases: [string, StepSeries[], StepSeries[]][] = [
    ['l / r', lhs, rhs],
    ['l - ignoring(job) r', lhs, rhs],
    ['l > r', lhs, rhs],
    ['l >= bool r', lhs, rhs],
    ['l * on(inst, job) r', lhs, rhs],
    ['l * on(job) group_left(team) info', lhs, one],
    ['info + on(job) group_right l', one, lhs],
  ];
  for (const [q, l, r] of cases) {
    it(q, async () => {
      const e = expr(q);
      const fast = await vectorVector(ctx, e, l, r, grid);
      const onRight = e.matching?.card === 'one-to-many' ? l : r;
      const general =
        e.matching?.card === 'one-to-many'
          ? await vectorVector(ctx, e, withShadow(l, onRight[0]!), r, grid)
          : await vectorVector(ctx, e, l, withShadow(r, onRight[0]!), grid);
      expect(view(fast)).toEqual(view(general));
      expect(fast.length).toBeGreaterThan(0);
    });
  }
});
