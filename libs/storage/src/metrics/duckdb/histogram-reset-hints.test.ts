import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RESET_HINT_GAUGE, RESET_HINT_NO, RESET_HINT_UNKNOWN, RESET_HINT_YES, STALE_NAN, type NativeHistogram } from '#pharos/metric-model';
import { DuckDBMetricStore, type MetricStore } from '#pharos/storage';
import { buildBatch, collect } from '../../../conformance/metric-store.conformance.js';

const T = 'tenant-a';
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 24 * 3_600_000;
const U = RESET_HINT_UNKNOWN;
const N = RESET_HINT_NO;

/** An integer histogram of schema 0 with buckets 0 and 1 holding `a` and `b` observations. */
function h(a: number, b: number, resetHint = U): NativeHistogram {
  return {
    isInteger: true,
    schema: 0,
    zeroThreshold: 1e-128,
    zeroCount: 0,
    count: a + b,
    sum: a + 2 * b,
    positiveSpans: Int32Array.from([0, 2]),
    positiveCounts: Float64Array.from([a, b]),
    negativeSpans: new Int32Array(0),
    negativeCounts: new Float64Array(0),
    resetHint,
    customValues: new Float64Array(0),
  };
}

const at = (i: number): number => BASE + i * 15_000;

describe('DuckDB store: counter-reset hints assigned on append, as Prometheus TSDB reads them back', () => {
  const dirs: string[] = [];
  const stores: MetricStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function open(dir?: string): Promise<{ store: MetricStore; dir: string }> {
    const d = dir ?? (await mkdtemp(join(tmpdir(), 'pharos-reset-hints-')));
    if (dir === undefined) dirs.push(d);
    const store = await DuckDBMetricStore.open({ dir: d, threads: 1 });
    stores.push(store);
    return { store, dir: d };
  }

  async function append(store: MetricStore, name: string, histograms: [number, NativeHistogram][], samples: [number, number][] = []): Promise<void> {
    await store.append(buildBatch(T, [{ labels: { __name__: name }, histograms, samples }]));
  }

  async function hints(store: MetricStore, name: string): Promise<[number, number][]> {
    const [s] = await collect(store.select({ tenant: T, matchers: [{ name: '__name__', type: '=', value: name }], start: BASE - 1, end: BASE + 3_600_000 }));
    return s === undefined ? [] : s.histograms.map((x, i) => [(s.histogramTimestamps[i]! - BASE) / 15_000, x.resetHint]);
  }

  it('marks samples that continue their predecessor "not a reset", after a reset "unknown"; kept by flush and reopen', async () => {
    const { store, dir } = await open();
    await append(store, 'c', [
      [at(0), h(1, 1)],
      [at(1), h(2, 1)],
      [at(2), h(2, 3)],
    ]);
    // Across batches too; a bucket that drops is a reset although the total grows.
    await append(store, 'c', [
      [at(3), h(1, 9)],
      [at(4), h(2, 9)],
    ]);
    const expected = [
      [0, U],
      [1, N],
      [2, N],
      [3, U],
      [4, N],
    ];
    expect(await hints(store, 'c')).toEqual(expected);
    await store.flush();
    expect(await hints(store, 'c')).toEqual(expected);
    await store.close();
    const reopened = await open(dir);
    expect(await hints(reopened.store, 'c')).toEqual(expected);
    // The predecessor is not in memory after a restart: unknown, which is always safe.
    await append(reopened.store, 'c', [[at(5), h(3, 9)]]);
    await append(reopened.store, 'c', [[at(6), h(4, 9)]]);
    expect((await hints(reopened.store, 'c')).slice(5)).toEqual([
      [5, U],
      [6, N],
    ]);
  });

  it('ignores the sender\'s reset hints but keeps gauge histograms gauge', async () => {
    const { store } = await open();
    await append(store, 'c', [
      [at(0), h(1, 1, N)],
      [at(1), h(2, 2, RESET_HINT_YES)],
      [at(2), h(3, 3, RESET_HINT_YES)],
      [at(3), h(4, 4)],
    ]);
    expect(await hints(store, 'c')).toEqual([
      [0, U],
      [1, U],
      [2, U],
      [3, N],
    ]);
    await append(store, 'g', [
      [at(0), h(5, 5, RESET_HINT_GAUGE)],
      [at(1), h(1, 1, RESET_HINT_GAUGE)],
      [at(2), h(2, 2)],
    ]);
    expect(await hints(store, 'g')).toEqual([
      [0, RESET_HINT_GAUGE],
      [1, RESET_HINT_GAUGE],
      [2, U],
    ]);
  });

  it('leaves out-of-order samples, duplicates and samples after floats or staleness markers unknown', async () => {
    const { store } = await open();
    await append(store, 'c', [
      [at(0), h(1, 1)],
      [at(2), h(2, 2)],
      [at(3), h(3, 3)],
    ]);
    // Out of order, then a replayed duplicate (the stored "not a reset" wins), then in order again.
    await append(store, 'c', [
      [at(1), h(1, 2)],
      [at(3), h(3, 3)],
      [at(4), h(4, 4)],
    ]);
    expect(await hints(store, 'c')).toEqual([
      [0, U],
      [1, U],
      [2, N],
      [3, N],
      [4, N],
    ]);
    // A float sample (here a staleness marker) between two histograms starts over.
    await append(store, 'c', [], [[at(5), STALE_NAN]]);
    await append(store, 'c', [
      [at(6), h(5, 5)],
      [at(7), h(6, 6)],
    ]);
    // A histogram staleness marker too.
    await append(store, 'c', [
      [at(8), { ...h(6, 6), sum: STALE_NAN }],
      [at(9), h(7, 7)],
      [at(10), h(8, 8)],
    ]);
    expect((await hints(store, 'c')).slice(5)).toEqual([
      [6, U],
      [7, N],
      [8, U],
      [9, U],
      [10, N],
    ]);
  });

  it('forgets the predecessor when it is deleted', async () => {
    const { store } = await open();
    await append(store, 'c', [
      [at(0), h(1, 1)],
      [at(1), h(2, 2)],
    ]);
    await store.deleteSeries({ tenant: T, matchers: [{ name: '__name__', type: '=', value: 'c' }], start: at(1), end: at(1) });
    await append(store, 'c', [[at(2), h(3, 3)]]);
    expect(await hints(store, 'c')).toEqual([
      [0, U],
      [2, U],
    ]);
  });
});
