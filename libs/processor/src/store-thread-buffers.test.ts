import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { MetricBatchBuilder, encodeMetricBatch, labelsFromRecord } from '#pharos/metric-model';
import { appendRecords } from '#pharos/processor';
import { DuckDBMetricStore, StoreHost, ThreadedMetricStore, type MessageEndpoint } from '#pharos/storage';

const T = 'tenant-a';
const BASE = Date.now() - 3_600_000;

/** One record: `series` series (ids from `first`), one sample each at `step`. */
function record(first: number, series: number, step: number): Uint8Array {
  const b = new MetricBatchBuilder(T);
  for (let i = first; i < first + series; i++) {
    b.addSeries(labelsFromRecord({ __name__: 'thing', i: String(i) }));
    b.addSample(BASE + step * 15_000, step * 1_000 + i);
  }
  return encodeMetricBatch(b.build());
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('packs deliveries of any size into buffers the store thread hands back, and stores every sample', async () => {
  dir = await mkdtemp(join(tmpdir(), 'pharos-store-thread-buffers-'));
  const store = await DuckDBMetricStore.open({ dir, threads: 1 });
  const { port1, port2 } = new MessageChannel();
  const proxy = await (async () => {
    const ready = ThreadedMetricStore.connect(port1 as unknown as MessageEndpoint, async () => port1.close());
    new StoreHost(store, port2 as unknown as MessageEndpoint, appendRecords);
    return ready;
  })();
  expect(proxy.spareRecordBuffers).toBe(0);
  // The largest delivery first; then smaller ones (records of odd sizes, so the padding
  // between them lands where earlier records' bytes were) must reuse its buffer.
  const deliveries = [
    [record(0, 50, 0), record(50, 50, 0), record(100, 50, 0)],
    [record(0, 7, 1), record(7, 93, 1), record(100, 50, 1)],
    [record(0, 150, 2)],
    [record(0, 1, 3), record(1, 149, 3)],
  ];
  for (const records of deliveries) {
    const result = await proxy.appendRecords(records);
    expect(result.tenants[T]?.stored).toBe(150);
    // One buffer went back and forth: the later deliveries fitted in it.
    expect(proxy.spareRecordBuffers).toBe(1);
  }
  const values = new Map<string, number[]>();
  for await (const s of proxy.select({ tenant: T, matchers: [{ name: '__name__', type: '=', value: 'thing' }], start: BASE - 1, end: BASE + 60_000 })) {
    values.set(s.labels[s.labels.indexOf('i') + 1]!, [...s.values]);
  }
  expect(values.size).toBe(150);
  for (const [i, v] of values) expect(v).toEqual([0, 1, 2, 3].map((step) => step * 1_000 + Number(i)));
  // A delivery larger than the buffer gets a new one, and both are kept for reuse.
  await proxy.appendRecords(Array.from({ length: 40 }, (_, k) => record(k * 10, 10, 4)));
  expect(proxy.spareRecordBuffers).toBe(2);
  await proxy.close();
});
