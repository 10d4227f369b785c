import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { DuckDBMetricStore } from './duckdb-metric-store.js';
import { seriesRollups, StoredRollups } from './rollup-reader.js';
import type { RollupRow } from './rollups.js';

/** Stored rows of two series (ids 1 and 2), each row's fields derived from its bucket so any misplaced copy shows. */
function stored(rows: readonly [number, number][]): StoredRollups {
  const col = (f: (b: number) => number): Float64Array => Float64Array.from(rows, ([, b]) => f(b));
  return new StoredRollups(
    {
      bucketStarts: col((b) => b),
      count: col((b) => b + 1),
      sum: col((b) => b + 2),
      min: col((b) => b + 3),
      max: col((b) => b + 4),
      firstTimestamp: col((b) => b + 5),
      firstValue: col((b) => b + 6),
      lastTimestamp: col((b) => b + 7),
      lastValue: col((b) => b + 8),
      increase: col((b) => b + 9),
    },
    Float64Array.from(rows, ([id]) => id),
    rows.length,
  );
}

function row(bucket: number, tag: number): RollupRow {
  return { bucket, count: tag, sum: tag, min: tag, max: tag, firstTs: tag, firstValue: tag, lastTs: tag, lastValue: tag, increase: tag };
}

describe('seriesRollups', () => {
  const s = stored([
    [1, 100],
    [1, 200],
    [1, 300],
    [1, 400],
    [2, 100],
    [2, 500],
  ]);

  it('finds each series’ run and hands out views without an overlay', () => {
    expect(s.runOf(1)).toEqual([0, 4]);
    expect(s.runOf(2)).toEqual([4, 6]);
    expect(s.runOf(3)).toBeUndefined();
    const r = seriesRollups(['a', 'b'], s, s.runOf(2), [], undefined)!;
    expect(Array.from(r.bucketStarts)).toEqual([100, 500]);
    expect(Array.from(r.increase)).toEqual([109, 509]);
    expect(r.count.buffer).toBe(s.columns.count.buffer);
    expect(seriesRollups([], s, undefined, [], undefined)).toBeUndefined();
  });

  it('merges overlay rows before, between, over and after stored rows, and drops dirty buckets', () => {
    const overlay = [row(50, -1), row(200, -2), row(250, -3), row(600, -4)];
    const r = seriesRollups(['a', 'b'], s, s.runOf(1), overlay, new Set([300, 250]))!;
    // 250 is both dropped and in the overlay: the overlay row is the recomputed one and stays.
    expect(Array.from(r.bucketStarts)).toEqual([50, 100, 200, 250, 400, 600]);
    expect(Array.from(r.count)).toEqual([-1, 101, -2, -3, 401, -4]);
    expect(Array.from(r.lastValue)).toEqual([-1, 108, -2, -3, 408, -4]);
  });

  it('answers from the overlay alone, and nothing when everything is dropped', () => {
    expect(Array.from(seriesRollups([], undefined, undefined, [row(7, 1)], undefined)!.bucketStarts)).toEqual([7]);
    expect(seriesRollups([], s, s.runOf(2), [], new Set([100, 500]))).toBeUndefined();
  });
});

describe('DuckDBMetricStore.selectRollups', () => {
  it('applies limitSeries to series with rollups in the range, not to every matching series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-limit-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * 86_400_000 });
    try {
      const T = 19_675 * 86_400_000;
      const b = new MetricBatchBuilder('t');
      // a and b (first by labels) only have old data; c has data in the range asked for.
      for (const [name, at] of [['a', T], ['b', T], ['c', T + 86_400_000]] as const) {
        b.addSeries(['__name__', 'm', 'k', name]);
        for (let i = 0; i < 40; i++) b.addSample(at + i * 15_000, i);
      }
      await store.append(b.build());
      await store.flush();
      const got: string[] = [];
      for await (const r of store.selectRollups({ tenant: 't', matchers: [{ name: '__name__', type: '=', value: 'm' }], start: T + 86_400_000, end: T + 2 * 86_400_000, resolutionMs: 300_000, limitSeries: 1 })) {
        got.push(r.labels[3]!);
        expect(Array.from(r.count)).toEqual([20, 20]);
      }
      expect(got).toEqual(['c']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
