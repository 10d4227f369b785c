import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, labelsFromRecord } from '#pharos/metric-model';
import { DuckDBMetricStore, StoreHost, ThreadedMetricStore, type MessageEndpoint, type SeriesSamples } from '#pharos/storage';

const SERIES = 700;

describe('store-thread protocol: label sets sent once, cache bounded', () => {
  let dir: string;
  let proxy: ThreadedMetricStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-thread-labels-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1 });
    const { port1, port2 } = new MessageChannel();
    const ready = ThreadedMetricStore.connect(port1 as unknown as MessageEndpoint, async () => port1.close());
    new StoreHost(store, port2 as unknown as MessageEndpoint, undefined, 600);
    proxy = await ready;
    const b = new MetricBatchBuilder('t');
    const now = Date.now();
    for (let i = 0; i < SERIES; i++) {
      b.addSeries(labelsFromRecord({ __name__: 'm', i: String(i).padStart(4, '0') }));
      b.addSample(now - 1000, i);
      b.addSample(now, i + 1);
    }
    await proxy.append(b.build());
  });

  afterAll(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(): Promise<SeriesSamples[]> {
    const out: SeriesSamples[] = [];
    for await (const s of proxy.select({ tenant: 't', matchers: [{ name: '__name__', type: '=', value: 'm' }], start: 0, end: Date.now() + 1000 })) out.push(s);
    return out;
  }

  it('keeps concurrent reads right when a later-filled message leaves first', async () => {
    const query = { tenant: 't', matchers: [{ name: '__name__', type: '=' as const, value: 'm' }], start: 0, end: Date.now() + 1000 };
    // A's last message is filled but waits for A to read on; B then reads everything.
    const a = proxy.select(query)[Symbol.asyncIterator]();
    const firstOfA = await a.next();
    const b: SeriesSamples[] = [];
    for await (const s of proxy.select(query)) b.push(s);
    const restOfA: SeriesSamples[] = [firstOfA.value as SeriesSamples];
    for (let n = await a.next(); n.done !== true; n = await a.next()) restOfA.push(n.value);
    for (const all of [b, restOfA]) {
      expect(all).toHaveLength(SERIES);
      for (const s of all) expect(Number(s.labels[s.labels.indexOf('i') + 1])).toBe(s.values[0]);
    }
  });

  it('answers every read right while evicting the least recently sent label sets', async () => {
    for (let round = 0; round < 3; round++) {
      const all = await readAll();
      expect(all).toHaveLength(SERIES);
      for (const s of all) {
        const i = Number(s.labels[s.labels.indexOf('i') + 1]);
        expect([...s.values]).toEqual([i, i + 1]);
      }
      expect(proxy.cachedLabelSets).toBeLessThanOrEqual(600);
    }
  });
});
