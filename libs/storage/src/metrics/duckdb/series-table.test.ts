import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, labelsFromRecord, seriesKey, seriesRefsOf, type Labels } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { storedLabels } from './series-index.js';

const HOUR = 3_600_000;

/** Rows of the `series` table as written before refs were stored: JSON labels, no `ref` column. */
async function writeOldLayout(dir: string, rows: readonly [number, string, Labels][]): Promise<void> {
  const instance = await DuckDBInstance.create(join(dir, 'metrics.duckdb'));
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE series (id UINTEGER NOT NULL, tenant VARCHAR NOT NULL, labels VARCHAR NOT NULL)`);
  const appender = await conn.createAppender('series');
  for (const [id, tenant, labels] of rows) {
    appender.appendUInteger(id);
    appender.appendVarchar(tenant);
    appender.appendVarchar(JSON.stringify(labels));
    appender.endRow();
  }
  appender.closeSync();
  conn.closeSync();
  instance.closeSync();
}

async function storedRows(dir: string): Promise<{ id: number; labels: string; refBytes: number | null }[]> {
  const instance = await DuckDBInstance.create(join(dir, 'metrics.duckdb'));
  const conn = await instance.connect();
  const reader = await conn.runAndReadAll(`SELECT id, labels, octet_length(ref) FROM series ORDER BY id`);
  const rows = reader.getRows().map(([id, labels, n]) => ({ id: Number(id), labels: String(labels), refBytes: n === null ? null : Number(n) }));
  conn.closeSync();
  instance.closeSync();
  return rows;
}

describe('DuckDB store: the series table', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens a store written with the old layout, resolves its refs and migrates it once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-series-old-'));
    const a = [labelsFromRecord({ __name__: 'up', job: 'api' }), labelsFromRecord({ __name__: 'up', job: 'db' })];
    // A value holding the key's separator cannot use the key form: it stays JSON.
    const b = [labelsFromRecord({ __name__: 'up', note: 'x\u0000y\u0001z' })];
    await writeOldLayout(dir, [
      [1, 'a', a[0]!],
      [2, 'a', a[1]!],
      [7, 'b', b[0]!],
    ]);

    const store = await DuckDBMetricStore.open({ dir, threads: 1 });
    const refsA = seriesRefsOf('a', a);
    const refsB = seriesRefsOf('b', b);
    expect(store.resolveSeriesRef('a', refsA, 0)).toEqual(a[0]);
    expect(store.resolveSeriesRef('a', refsA, 4)).toEqual(a[1]);
    expect(store.resolveSeriesRef('b', refsB, 0)).toEqual(b[0]);
    expect(store.resolveSeriesRef('b', refsA, 0)).toBeUndefined();
    // A new series gets an id after the stored ones; a known one keeps its own (4 series, not 5).
    const now = Date.now();
    const batch = new MetricBatchBuilder('a');
    const c = labelsFromRecord({ __name__: 'up', job: 'web' });
    for (const labels of [a[0]!, c]) {
      batch.addSeries(labels);
      batch.addSample(now - HOUR, 1);
    }
    await store.append(batch.build());
    expect((await store.stats()).series).toBe(4);
    await store.close();

    const rows = await storedRows(dir);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 7, 8]);
    expect(rows.every((r) => r.refBytes === 16)).toBe(true);
    expect(rows.map((r) => r.labels)).toEqual([seriesKey(a[0]!), seriesKey(a[1]!), JSON.stringify(b[0]), seriesKey(c)]);

    const again = await DuckDBMetricStore.open({ dir, threads: 1 });
    const refsC = seriesRefsOf('a', [c]);
    expect(again.resolveSeriesRef('a', refsA, 4)).toEqual(a[1]);
    expect(again.resolveSeriesRef('a', refsC, 0)).toEqual(c);
    expect(again.resolveSeriesRef('b', refsB, 0)).toEqual(b[0]);
    expect((await again.stats()).series).toBe(4);
    await again.close();
  });

  it('stores a label set as its series key only when that is exact', () => {
    const plain = labelsFromRecord({ __name__: 'm', host: 'h1', zone: 'é' });
    expect(storedLabels(plain)).toBe(seriesKey(plain));
    for (const odd of [
      ['a\u0001', 'x'],
      ['a', 'x\u0000'],
      ['a', '\ud800'],
      ['[a', 'v'],
    ]) {
      expect(storedLabels(odd)).toBe(JSON.stringify(odd));
    }
  });
});
