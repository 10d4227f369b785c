import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, labelsFromRecord, seriesRefsOf, type Labels, type MetricBatch } from '#pharos/metric-model';
import { DuckDBMetricStore, WriteTrackingStore } from '#pharos/storage';
import { SeriesRefTable } from './series-ref-table.js';

const T = 't';
const HOUR = 3_600_000;

function batch(series: readonly Labels[], ts: number, withRefs: boolean): MetricBatch {
  const b = new MetricBatchBuilder(T);
  series.forEach((labels, i) => {
    b.addSeries(labels);
    b.addSample(ts, i);
  });
  const built = b.build();
  return withRefs ? { ...built, seriesRefs: seriesRefsOf(T, series) } : built;
}

describe('SeriesRefTable', () => {
  it('maps refs to ids through growth, replacing an equal ref', () => {
    const table = new SeriesRefTable();
    const refs = new Uint32Array(4 * 5000);
    for (let i = 0; i < refs.length; i++) refs[i] = (Math.imul(i + 1, 0x9e3779b1) >>> 0) ^ (i >>> 2);
    // Same first word (slot) for two refs: probing must tell them apart.
    refs[4] = refs[0]!;
    for (let i = 0; i < 5000; i++) table.set(refs, 4 * i, i + 1);
    expect(table.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(table.get(refs, 4 * i)).toBe(i + 1);
    table.set(refs, 8, 5001);
    expect(table.get(refs, 8)).toBe(5001);
    expect(table.size).toBe(5000);
    expect(table.get(Uint32Array.from([1, 2, 3, 4]), 0)).toBe(-1);
    expect(() => table.set(refs, 0, 0)).toThrow(RangeError);
  });
});

describe('DuckDB store: series refs', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('resolves every appended series at once, after deletes and too-old drops, and after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-refs-store-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 24 * HOUR });
    expect(store.capabilities.seriesRefs).toBe(true);
    const series = [0, 1, 2].map((i) => labelsFromRecord({ __name__: 'm', i: String(i) }));
    const refs = seriesRefsOf(T, series);
    const now = Date.now();
    const r = await store.append(batch(series.slice(0, 2), now - HOUR, false));
    expect(r.samplesStored).toBe(2);
    // All samples too old: the series is still known, since records may name it by ref.
    expect((await store.append(batch([series[2]!], now - 48 * HOUR, true))).samplesTooOld).toBe(1);
    for (let i = 0; i < 3; i++) expect(store.resolveSeriesRef(T, refs, 4 * i)).toEqual(series[i]);
    expect(store.resolveSeriesRef('other', refs, 0)).toBeUndefined();
    // A batch that names series by ref appends to the same series as one by labels.
    await store.append(batch(series.slice(0, 2), now - HOUR + 15_000, true));
    expect(await store.deleteSeries({ tenant: T, matchers: [{ name: 'i', type: '=', value: '1' }] })).toBe(1);
    expect(store.resolveSeriesRef(T, refs, 4)).toEqual(series[1]);
    await store.flush();
    await store.close();

    const again = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 24 * HOUR });
    for (let i = 0; i < 3; i++) expect(again.resolveSeriesRef(T, refs, 4 * i)).toEqual(series[i]);
    expect((await again.stats()).series).toBe(3);
    const got: number[][] = [];
    for await (const s of again.select({ tenant: T, matchers: [{ name: '__name__', type: '=', value: 'm' }], start: now - 2 * HOUR, end: now })) {
      got.push(Array.from(s.values));
    }
    expect(got).toEqual([[0, 0]]);
    await again.close();
  });

  it('are resolved through the write-tracking wrapper the platform puts around the store', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-refs-wrapped-'));
    const store = new WriteTrackingStore(await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 24 * HOUR }));
    expect(store.capabilities.seriesRefs).toBe(true);
    const series = [0, 1].map((i) => labelsFromRecord({ __name__: 'w', i: String(i) }));
    const refs = seriesRefsOf(T, series);
    await store.append(batch(series, Date.now() - HOUR, false));
    for (let i = 0; i < 2; i++) expect(store.resolveSeriesRef?.(T, refs, 4 * i)).toEqual(series[i]);
    await store.close();
  });
});
