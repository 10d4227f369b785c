import { describe, expect, it } from 'vitest';
import { Annotations, type QueryResult, type ResultSeries } from '#pharos/promql';
import { LiveRangeFeed } from './live-range-feed.js';
import { LiveUpdateKind } from './metric-types.js';

/** A matrix with one series `up` holding value t/1000 at every step of [start, end]. */
function matrix(startMs: number, endMs: number, stepMs: number): QueryResult {
  const n = Math.floor((endMs - startMs) / stepMs) + 1;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = startMs + i * stepMs;
    values[i] = timestamps[i]! / 1000;
  }
  const series: ResultSeries = { labels: ['__name__', 'up'], timestamps, values, histTimestamps: new Float64Array(), histograms: [] };
  return { value: { resultType: 'matrix', series: [series] }, annotations: new Annotations() };
}

interface Call {
  startMs: number;
  endMs: number;
  signal: AbortSignal;
}

function feed(overrides: Partial<ConstructorParameters<typeof LiveRangeFeed>[0]> = {}) {
  const calls: Call[] = [];
  let closed = 0;
  const f = new LiveRangeFeed({
    windowMs: 10_000,
    stepMs: 1_000,
    refreshMs: 1_000,
    evaluate: async (startMs, endMs, signal) => {
      calls.push({ startMs, endMs, signal });
      return matrix(startMs, endMs, 1_000);
    },
    onClose: () => closed++,
    ...overrides,
  });
  return { f, calls, closed: () => closed };
}

describe('LiveRangeFeed', () => {
  it('sends the whole window first, then only from the last step sent', async () => {
    const { f, calls } = feed();
    const first = await f.next();
    expect(first.done).toBe(false);
    const full = first.value!;
    expect(full.kind).toBe(LiveUpdateKind.FULL);
    expect(full.endMs % 1_000).toBe(0);
    expect(full.endMs - full.startMs).toBe(10_000);
    expect(full.series[0]!.timestamps).toHaveLength(11);

    const second = (await f.next()).value!;
    expect(second.kind).toBe(LiveUpdateKind.APPEND);
    expect(second.startMs).toBe(full.endMs);
    expect(second.endMs).toBeGreaterThanOrEqual(full.endMs + 1_000);
    expect(Array.from(second.series[0]!.timestamps)).toEqual(Array.from({ length: (second.endMs - second.startMs) / 1_000 + 1 }, (_, i) => second.startMs + i * 1_000));
    expect(calls[1]!.startMs).toBe(full.endMs);
    await f.return();
  });

  it('skips ticks that pass while the consumer holds an update, and says how many', async () => {
    const { f } = feed({ refreshMs: 1_000 });
    await f.next();
    // The client takes 2.5 s to consume: two ticks fall due meanwhile and are not queued;
    // the next pull is served at once, up to now, and the other tick counts as skipped.
    await new Promise((r) => setTimeout(r, 2_500));
    const started = Date.now();
    const next = (await f.next()).value!;
    expect(Date.now() - started).toBeLessThan(500);
    expect(next.skippedTicks).toBe(1);
    expect(next.endMs).toBeGreaterThanOrEqual(Math.floor(started / 1_000) * 1_000);
    const after = (await f.next()).value!;
    expect(after.skippedTicks).toBe(0);
    await f.return();
  }, 10_000);

  it('skips ticks while the transport is congested', async () => {
    let congested = true;
    const { f, calls } = feed({ congested: () => congested, refreshMs: 1_000 });
    setTimeout(() => (congested = false), 2_200);
    const first = (await f.next()).value!;
    expect(first.kind).toBe(LiveUpdateKind.FULL);
    expect(first.skippedTicks).toBe(3);
    expect(calls).toHaveLength(1);
    await f.return();
  }, 10_000);

  it('return() ends a pending wait and aborts the evaluation in flight, once', async () => {
    let release: () => void = () => undefined;
    const { f, calls, closed } = feed({
      evaluate: (startMs, endMs, signal) => {
        calls.push({ startMs, endMs, signal });
        return new Promise<QueryResult>((resolve, reject) => {
          release = () => resolve(matrix(startMs, endMs, 1_000));
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        });
      },
    });
    const pending = f.next();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(1);
    await f.return();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
    release();
    await f.return();
    expect(closed()).toBe(1);
    expect(await f.next()).toEqual({ done: true, value: undefined });
  });

  it('ends with the evaluation error and closes', async () => {
    const { f, closed } = feed({ evaluate: () => Promise.reject(new Error('query timed out')) });
    await expect(f.next()).rejects.toThrow('query timed out');
    expect(closed()).toBe(1);
  });
});
