export { OtlpDecodeError } from './errors.js';
export { OtlpDecoder } from './decoder.js';
export type { OtlpDecodeCall, OtlpDecodeResult, OtlpDecoderOptions, OtlpFormat, DeltaSamples } from './decoder.js';
export type { OtlpLimits, OtlpRejectionReason } from './options.js';
export { OTLP_REJECTION_REASONS } from './options.js';
export type { OtlpTranslationOptions, TranslationStrategy } from './settings.js';
export { TRANSLATION_STRATEGIES, OtlpSettingsError, resolveTranslationSettings } from './settings.js';
export { DeltaToCumulative, addHistograms } from './delta.js';
export type { DeltaConversion, DeltaToCumulativeOptions } from './delta.js';
export {
  encodeExportResponse,
  encodeRpcStatus,
  rpcStatusJson,
  GRPC_INVALID_ARGUMENT,
  GRPC_RESOURCE_EXHAUSTED,
  GRPC_UNAVAILABLE,
  GRPC_UNAUTHENTICATED,
  GRPC_PERMISSION_DENIED,
  GRPC_INTERNAL,
  GRPC_UNIMPLEMENTED,
} from './response.js';
export type { OtlpMetricKind } from './naming.js';
export { metricFamilyName, labelName, prometheusUnit, OtlpNameError } from './naming.js';
export { encodeExportRequest } from './encode.js';
export type {
  OtlpJsonRequest,
  OtlpJsonResourceMetrics,
  OtlpJsonScopeMetrics,
  OtlpJsonMetric,
  OtlpJsonKeyValue,
  OtlpJsonAnyValue,
  OtlpJsonNumberPoint,
  OtlpJsonHistogramPoint,
  OtlpJsonExponentialPoint,
  OtlpJsonSummaryPoint,
  OtlpJsonExemplar,
} from './encode.js';
