import { describe, expect, it } from 'vitest';
import { MetricBatchBuilder, type MetricBatch } from '#pharos/metric-model';
import { CoalescingAppender } from './coalescing-appender.js';

function batch(tenant: string, name: string, value: number): MetricBatch {
  const b = new MetricBatchBuilder(tenant);
  b.addSeries(['__name__', name]);
  b.addSample(1000, value);
  b.addExemplar({ seriesIndex: 0, labels: ['trace_id', name], timestamp: 1000, value });
  return b.build();
}

describe('CoalescingAppender', () => {
  it('merges scrapes per tenant into one write and resolves each once it is durable', async () => {
    const writes: MetricBatch[] = [];
    let release: () => void = () => undefined;
    const durable = new Promise<void>((r) => (release = r));
    const app = new CoalescingAppender(
      async (b) => {
        writes.push(b);
        await durable;
        return { samplesWritten: b.timestamps.length, rejected: {} };
      },
      { maxDelayMs: 10, maxSamples: 1000 },
    );
    let resolved = 0;
    const all = [app.append(batch('a', 'x', 1)), app.append(batch('a', 'y', 2)), app.append(batch('b', 'z', 3))].map((p) => p.then((o) => (resolved++, o)));
    await new Promise((r) => setTimeout(r, 30));
    expect(writes.map((w) => [w.tenant, w.series.map((s) => s[1])])).toEqual([
      ['a', ['x', 'y']],
      ['b', ['z']],
    ]);
    expect(writes[0]!.exemplars.map((e) => [e.seriesIndex, e.labels[1]])).toEqual([
      [0, 'x'],
      [1, 'y'],
    ]);
    expect(resolved).toBe(0);
    release();
    expect((await Promise.all(all)).map((o) => o.samplesWritten)).toEqual([1, 1, 1]);
  });

  it('writes at once past maxSamples, and rejects every waiter when the write is refused', async () => {
    const writes: number[] = [];
    const app = new CoalescingAppender(
      async (b) => {
        writes.push(b.series.length);
        throw new Error('backpressured');
      },
      { maxDelayMs: 60_000, maxSamples: 2 },
    );
    const p1 = app.append(batch('a', 'x', 1));
    const p2 = app.append(batch('a', 'y', 2));
    await expect(p1).rejects.toThrow('backpressured');
    await expect(p2).rejects.toThrow('backpressured');
    expect(writes).toEqual([2]);
  });
});
