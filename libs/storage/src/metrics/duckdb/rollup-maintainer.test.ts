import { describe, expect, it } from 'vitest';
import { RollupMaintainer } from './rollup-maintainer.js';

const RES = 100;

function maintainer(): RollupMaintainer {
  // Closing buckets never reads raw samples; a read here would be a bug.
  return new RollupMaintainer([RES], 0, () => Promise.reject(new Error('unexpected raw read')));
}

/** Series 2 has a sample in bucket [0, 100) while series 1 runs ahead to t = 1,000. */
function laggingSender(): RollupMaintainer {
  const m = maintainer();
  m.onSample(2, 10, 1);
  for (let t = 0; t <= 1_000; t += 10) m.onSample(1, t, t);
  return m;
}

function bucketZeroOfSeries2(m: RollupMaintainer): { count: number; sum: number; lastValue: number } | undefined {
  return m.snapshot([2], RES, 0, 0).overlays.get(2)?.get(0);
}

describe('RollupMaintainer: closing idle buckets', () => {
  it('keeps the bucket of a lagging series open while it still receives samples: no recomputation', () => {
    const m = laggingSender();
    let plan = m.planFlush();
    // Series 1's buckets 0..900 closed as it moved on; series 2 had a sample since the last
    // plan, so its bucket stays open although data time is past its end.
    expect(plan.rows[0]).toBe(10);
    m.commitFlush(plan);
    m.onSample(2, 20, 2);
    plan = m.planFlush();
    expect(plan.marks[0]).toBe(0);
    expect(plan.refresh[0]).toEqual([]);
    expect(plan.rows[0]).toBe(0);
    m.commitFlush(plan);
    expect(bucketZeroOfSeries2(m)).toMatchObject({ count: 2, sum: 3, lastValue: 2 });
  });

  it('closes it once the series had no sample for a whole plan interval; a later sample in it is late', () => {
    const m = laggingSender();
    m.commitFlush(m.planFlush());
    let plan = m.planFlush();
    expect(plan.rows[0]).toBe(1);
    expect(bucketZeroOfSeries2(m)).toMatchObject({ count: 1, sum: 1 });
    m.commitFlush(plan);
    m.onSample(2, 30, 3);
    plan = m.planFlush();
    expect(plan.marks[0]).toBe(1);
    expect(plan.refresh[0]).toEqual([[0, 2, 0]]);
  });
});

describe('RollupMaintainer: closing after a wall-clock idle time', () => {
  /** A maintainer whose series must go `idleMs` without samples, on a clock the test moves. */
  function withIdle(idleMs: number): { m: RollupMaintainer; clock: { now: number } } {
    const clock = { now: 1_000_000 };
    const m = new RollupMaintainer([RES], 0, () => Promise.reject(new Error('unexpected raw read')), idleMs, () => clock.now);
    m.onSample(2, 10, 1);
    for (let t = 0; t <= 1_000; t += 10) m.onSample(1, t, t);
    return { m, clock };
  }

  it('keeps a lagging series open through pauses shorter than the idle time, then takes its later samples in order', () => {
    const { m, clock } = withIdle(30_000);
    // Flushes every 2 s for 20 s with no sample of series 2 (a sender pausing, a backlog).
    for (let k = 0; k < 10; k++) {
      clock.now += 2_000;
      const plan = m.planFlush();
      expect(plan.refresh[0]).toEqual([]);
      m.commitFlush(plan);
    }
    expect(bucketZeroOfSeries2(m)).toMatchObject({ count: 1, sum: 1 });
    m.onSample(2, 20, 2);
    clock.now += 2_000;
    const plan = m.planFlush();
    expect(plan.marks[0]).toBe(0);
    expect(plan.refresh[0]).toEqual([]);
    m.commitFlush(plan);
    expect(bucketZeroOfSeries2(m)).toMatchObject({ count: 2, sum: 3, lastValue: 2 });
  });

  it('closes it once the series has had no sample for the idle time', () => {
    const { m, clock } = withIdle(30_000);
    let closedAt = -1;
    for (let k = 1; k <= 20 && closedAt < 0; k++) {
      clock.now += 2_000;
      const plan = m.planFlush();
      // Series 1's buckets close as it moves on (first plan); series 2's once it is idle.
      if (k > 1 && plan.rows[0]! > 0) closedAt = k;
      m.commitFlush(plan);
    }
    // Its last sample was in the generation before the first plan (t = 1,000,000); the plan
    // at 1,032,000 is the first whose idle cut (1,002,000) lies after that generation began.
    expect(closedAt).toBe(16);
    m.onSample(2, 30, 3);
    clock.now += 2_000;
    const plan = m.planFlush();
    expect(plan.marks[0]).toBe(1);
    expect(plan.refresh[0]).toEqual([[0, 2, 0]]);
  });
});

describe('RollupMaintainer: a restart between two samples of one bucket', () => {
  it('recomputes the bucket instead of storing a second row for it', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { DuckDBMetricStore } = await import('./duckdb-metric-store.js');
    const { MetricBatchBuilder, labelsFromRecord } = await import('#pharos/metric-model');
    const dir = await mkdtemp(join(tmpdir(), 'pharos-rollup-restart-'));
    const FIVE_MIN = 300_000;
    const base = Math.floor((Date.now() - 86_400_000) / 3_600_000) * 3_600_000;
    const write = async (store: Awaited<ReturnType<typeof DuckDBMetricStore.open>>, name: string, t: number, v: number): Promise<void> => {
      const b = new MetricBatchBuilder('t');
      b.addSeries(labelsFromRecord({ __name__: name }));
      b.addSample(t, v);
      await store.append(b.build());
    };
    try {
      let store = await DuckDBMetricStore.open({ dir, threads: 1, rollupGraceMs: 0, rollupIdleMs: 0 });
      await write(store, 'lagging', base + 1_000, 1);
      // Another series moves data time an hour on; two flushes close the idle bucket, write
      // its row and move the watermark past it.
      for (let k = 1; k <= 12; k++) await write(store, 'ahead', base + k * FIVE_MIN, k);
      await store.flush();
      await store.flush();
      await store.close();
      store = await DuckDBMetricStore.open({ dir, threads: 1, rollupGraceMs: 0, rollupIdleMs: 0 });
      // In order for its series, in the bucket whose row is already stored.
      await write(store, 'lagging', base + 2_000, 2);
      const rollups = [];
      for await (const s of store.selectRollups({ tenant: 't', matchers: [{ name: '__name__', type: '=', value: 'lagging' }], start: base, end: base + FIVE_MIN, resolutionMs: FIVE_MIN })) rollups.push(s);
      expect(rollups).toHaveLength(1);
      expect([...rollups[0]!.bucketStarts]).toEqual([base]);
      expect([...rollups[0]!.count]).toEqual([2]);
      expect([...rollups[0]!.sum]).toEqual([3]);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
