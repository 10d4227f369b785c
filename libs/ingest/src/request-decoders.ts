import { decodeRemoteWrite, type RemoteWriteDecodeOptions } from '#pharos/remote-write';
import { prepareBatch, type PreparedBatch } from './prepared-batch.js';
import type { SeriesDefinitions } from './series-definitions.js';

/** A request body to decode and prepare, as it crosses to a decode worker. */
export interface DecodeRequest {
  readonly kind: 'prometheus-remote-write';
  readonly body: Uint8Array;
  readonly options: RemoteWriteDecodeOptions;
  readonly partitions: number;
}

export interface DecodedRequest {
  readonly prepared: PreparedBatch;
  /** Refusals by reason, in the decoder's units (see the protocol's decoder). */
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedSamples: number;
  readonly firstErrors: readonly string[];
}

/**
 * Decodes a request and prepares its batch for the stream. Pure CPU work with no shared
 * state but the decoders' label caches and the thread's series `definitions` (when given,
 * records name known series by ref), so it runs the same on the main thread or in a worker.
 * Throws the protocol's decode error for an unreadable body.
 */
export function decodeRequest(request: DecodeRequest, definitions?: SeriesDefinitions): DecodedRequest {
  switch (request.kind) {
    case 'prometheus-remote-write': {
      const result = decodeRemoteWrite(request.body, request.options);
      return {
        prepared: prepareBatch(result.batch, request.partitions, definitions, result.seriesSlots),
        rejected: result.rejected,
        rejectedSamples: result.rejectedSamples,
        firstErrors: result.firstErrors,
      };
    }
  }
}
