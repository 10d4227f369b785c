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
