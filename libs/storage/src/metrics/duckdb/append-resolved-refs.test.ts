import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, labelsFromRecord, seriesRefsOf, type Labels, type MetricBatch } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';

const HOUR = 3_600_000;

function batch(tenant: string, series: readonly Labels[], ts: number, value: number, refs: Uint32Array): MetricBatch {
  const b = new MetricBatchBuilder(tenant);
  series.forEach((labels, i) => {
    b.addSeries(labels);
    b.addSample(ts, value + i);
  });
  return { ...b.build(), seriesRefs: refs };
}

async function valuesOf(store: DuckDBMetricStore, tenant: string, start: number, end: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for await (const s of store.select({ tenant, matchers: [{ name: '__name__', type: '=', value: 'm' }], start, end })) {
    out.set(s.labels.join(','), Array.from(s.values));
  }
  return out;
}

describe('DuckDB store: ids of refs resolved while decoding', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('appends a resolved record to the series the refs named, and never misfiles a batch that reuses a resolved column', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-resolved-refs-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 24 * HOUR });
    const t0 = Date.now() - HOUR;
    const series = [0, 1, 2].map((i) => labelsFromRecord({ __name__: 'm', i: String(i) }));
    await store.append(batch('a', series, t0, 0, seriesRefsOf('a', series)));
    await store.append(batch('b', series, t0, 100, seriesRefsOf('b', series)));

    // As the processor does: resolve a record's refs column, then append a batch over it.
    const refsA = seriesRefsOf('a', series);
    const resolved = [0, 1, 2].map((i) => store.resolveSeriesRef('a', refsA, 4 * i)!);
    expect(resolved).toEqual(series);
    await store.append(batch('a', resolved, t0 + 15_000, 10, refsA));

    // The same column object again, but for tenant b with b's own label arrays: what was
    // resolved for tenant a (ids, or the ref table's learnt order) must not be used.
    await store.append(batch('b', series, t0 + 15_000, 110, refsA));
    // Even with tenant a's own label arrays, a batch of tenant b over a's resolved column
    // goes to b's series: a resolution belongs to the tenant it was made for.
    await store.append(batch('b', resolved, t0 + 20_000, 130, refsA));
    // And a batch whose series order differs from the column it reuses.
    const refsB = seriesRefsOf('b', series);
    for (let i = 0; i < 3; i++) store.resolveSeriesRef('b', refsB, 4 * i);
    const reversed = [...series].reverse();
    await store.append(batch('b', reversed, t0 + 30_000, 120, seriesRefsOf('b', reversed)));

    const a = await valuesOf(store, 'a', t0 - 1, t0 + HOUR);
    expect([...a.values()]).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    const b = await valuesOf(store, 'b', t0 - 1, t0 + HOUR);
    expect([...b.values()]).toEqual([
      [100, 110, 130, 122],
      [101, 111, 131, 121],
      [102, 112, 132, 120],
    ]);
    await store.close();
  });
});
