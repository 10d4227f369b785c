export { RemoteWriteDecodeError } from './errors.js';
export type {
  NameValidationScheme,
  RemoteWriteLimits,
  RemoteWriteDecodeOptions,
  RemoteWriteVersion,
  RejectionReason,
} from './options.js';
export {
  REJECTION_REASONS,
  DEFAULT_MAX_LABELS_PER_SERIES,
  DEFAULT_MAX_LABEL_NAME_LENGTH,
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
} from './options.js';
export type { RemoteWriteDecodeResult, RemoteWriteDecodeCall, RemoteWriteDecoderOptions } from './decoder.js';
export { RemoteWriteDecoder, decodeRemoteWrite, snappyDeclaredLength } from './decoder.js';
export type { RemoteWriteNegotiation } from './negotiate.js';
export {
  negotiateRemoteWriteVersion,
  REMOTE_WRITE_V1_PROTO,
  REMOTE_WRITE_V2_PROTO,
  REMOTE_WRITE_CONTENT_TYPE_V1,
  REMOTE_WRITE_CONTENT_TYPE_V2,
  HEADER_SAMPLES_WRITTEN,
  HEADER_HISTOGRAMS_WRITTEN,
  HEADER_EXEMPLARS_WRITTEN,
} from './negotiate.js';
export type {
  RemoteWriteSeries,
  RemoteWriteSample,
  RemoteWriteHistogram,
  RemoteWriteExemplar,
  RemoteWriteSeriesMetadata,
} from './encode.js';
export { encodeWriteRequestV1, encodeWriteRequestV2 } from './encode.js';
