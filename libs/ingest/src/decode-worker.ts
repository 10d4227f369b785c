import { parentPort } from 'node:worker_threads';
import { decodeRequest, type DecodeRequest } from './request-decoders.js';

/**
 * Entry of a decode worker thread (see {@link IngestDecodePool}): decodes request bodies and
 * sends back prepared batches, transferring their buffers instead of copying them.
 */
interface WorkerMessage {
  readonly id: number;
  readonly request: DecodeRequest;
}

parentPort!.on('message', ({ id, request }: WorkerMessage) => {
  try {
    const decoded = decodeRequest(request);
    const p = decoded.prepared;
    const transfer: ArrayBuffer[] = [p.seriesHashes.buffer, p.partitionOfSeries.buffer, p.samplesPerSeries.buffer] as ArrayBuffer[];
    for (const part of p.parts) if (!transfer.includes(part.bytes.buffer as ArrayBuffer)) transfer.push(part.bytes.buffer as ArrayBuffer);
    parentPort!.postMessage({ id, ok: true, decoded }, transfer);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
