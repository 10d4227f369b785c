import { describe, expect, it } from 'vitest';
import { SeriesAssemblyPool } from './assembly-pool.js';
import type { AssemblyTask } from './assembly-task.js';

/** A task of `series` series without rows: assembles to nothing, in the worker's order. */
function emptyTask(series: number): Omit<AssemblyTask, 'id'> {
  return {
    start: 0,
    end: 1,
    rowFirst: new Int32Array(series + 1),
    minT: new Float64Array(0),
    maxT: new Float64Array(0),
    count: new Int32Array(0),
    bytes: new Uint8Array(8),
    byteFirst: new Int32Array(1),
    headRuns: new Array(series).fill(undefined),
  };
}

describe('SeriesAssemblyPool', () => {
  it('serves the smallest read first among the tasks waiting, and ends its threads on close', async () => {
    const pool = new SeriesAssemblyPool(1);
    const done: string[] = [];
    const big = Array.from({ length: 6 }, (_, k) => pool.run(() => emptyTask(3), 100_000).then((r) => done.push(`big${k}:${r.lengths.length}`)));
    const small = pool.run(() => emptyTask(2), 10).then((r) => done.push(`small:${r.lengths.length}`));
    await Promise.all([...big, small]);
    // Two big tasks were already posted when the small one came; it goes right after them.
    expect(done.indexOf('small:2')).toBe(2);
    expect(done.filter((d) => d.startsWith('big'))).toEqual(['big0:3', 'big1:3', 'big2:3', 'big3:3', 'big4:3', 'big5:3']);
    expect(pool.threads).toBe(1);
    await pool.close();
    expect(pool.threads).toBe(0);
    await expect(pool.run(() => emptyTask(1), 1)).rejects.toThrow('closed');
  });

  it('rejects what is queued or running when closed', async () => {
    const pool = new SeriesAssemblyPool(1);
    const pending = Array.from({ length: 4 }, () => pool.run(() => emptyTask(1), 1));
    const closing = pool.close();
    for (const p of pending) await expect(p).rejects.toThrow('closed');
    await closing;
  });
});
