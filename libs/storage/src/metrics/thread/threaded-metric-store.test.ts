import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { DuckDBMetricStore, StoreHost, ThreadedMetricStore, WriteTrackingStore, type MessageEndpoint } from '#pharos/storage';
import { describeMetricStoreConformance } from '../../../conformance/metric-store.conformance.js';

/**
 * The store served over a message channel, as the store thread serves it (ADR 0018), with
 * host and proxy on this thread: every call, streamed read, label-id cache, moved column and
 * error crosses a real `MessagePort` (structured clone and transfer), so the whole port
 * contract is checked through the protocol. The worker itself is exercised by the
 * integration tests.
 */
describeMetricStoreConformance('DuckDB over the store-thread protocol', {
  async newLocation() {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-metrics-thread-'));
    return {
      open: async () => {
        const store = await DuckDBMetricStore.open({ dir, threads: 1 });
        const { port1, port2 } = new MessageChannel();
        const proxyReady = ThreadedMetricStore.connect(port1 as unknown as MessageEndpoint, async () => {
          port1.close();
        });
        new StoreHost(store, port2 as unknown as MessageEndpoint);
        return new WriteTrackingStore(await proxyReady);
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
