/**
 * Entry of the metric store thread (ADR 0018): opens the DuckDB metric store named by
 * `workerData` and serves it to the thread that started this worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDBMetricStore, StoreHost, serializeError, type DuckDBMetricStoreOptions, type MessageEndpoint, type StoreResponse } from '#pharos/storage';
import { appendRecords } from './record-appender.js';

const port = parentPort as unknown as MessageEndpoint;
try {
  const store = await DuckDBMetricStore.open(workerData as DuckDBMetricStoreOptions);
  new StoreHost(store, port, appendRecords);
} catch (err) {
  port.postMessage({ kind: 'failed', error: serializeError(err) } satisfies StoreResponse);
}
