import { parentPort } from 'node:worker_threads';
import { decodeRequest, type DecodeRequest } from './request-decoders.js';
import { SeriesDefinitions } from './series-definitions.js';

/**
 * Entry of a decode worker thread (see {@link IngestDecodePool}): decodes request bodies and
 * sends back prepared batches, transferring their buffers instead of copying them.
 */
export interface DecodeWorkerMessage {
  readonly id: number;
  readonly request: DecodeRequest;
  /** Tickets of earlier batches now durable, with the series refused from each (or null). */
  readonly confirmed: readonly (readonly [number, Uint8Array | null])[];
}

/** This thread's knowledge of which series the stream's consumers hold (ADR 0010). */
const definitions = new SeriesDefinitions();

parentPort!.on('message', ({ id, request, confirmed }: DecodeWorkerMessage) => {
  for (const [ticket, refused] of confirmed) definitions.confirm(ticket, refused ?? undefined);
  try {
    const decoded = decodeRequest(request, definitions);
    const p = decoded.prepared;
    const transfer: ArrayBuffer[] = [p.seriesHashes.buffer, p.partitionOfSeries.buffer, p.samplesPerSeries.buffer] as ArrayBuffer[];
    for (const part of p.parts) if (!transfer.includes(part.bytes.buffer as ArrayBuffer)) transfer.push(part.bytes.buffer as ArrayBuffer);
    parentPort!.postMessage({ id, ok: true, decoded }, transfer);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
