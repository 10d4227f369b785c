import { Worker } from 'node:worker_threads';
import { ThreadedMetricStore, type DuckDBMetricStoreOptions, type MessageEndpoint } from '#pharos/storage';

/**
 * Starts the DuckDB metric store on a worker thread of its own and returns its proxy
 * (ADR 0018). The worker ends when the store is closed; if it dies otherwise, every pending
 * and later call fails with the reason and `onExit` hears it (the owner stops the process:
 * acknowledged writes are in the stream and are replayed at the next start).
 */
export async function startStoreThread(
  options: DuckDBMetricStoreOptions,
  onExit: (err: Error) => void = () => undefined,
): Promise<ThreadedMetricStore> {
  const worker = new Worker(new URL('./store-worker.js', import.meta.url), { workerData: options });
  let closing = false;
  const endpoint: MessageEndpoint = {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    on: (event, listener) => worker.on(event, listener),
  };
  const exited = new Promise<Error>((resolve) => {
    worker.once('error', (err) => resolve(err));
    worker.once('exit', (code) => resolve(new Error(`metric store thread exited with code ${code}`)));
  });
  const afterClose = async (): Promise<void> => {
    closing = true;
    await worker.terminate();
  };
  const store = await Promise.race([ThreadedMetricStore.connect(endpoint, afterClose), exited.then((err) => Promise.reject(err))]);
  void exited.then((err) => {
    store.fail(err);
    if (!closing) onExit(err);
  });
  return store;
}
