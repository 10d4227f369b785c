export type { Labels } from './labels.js';
export {
  METRIC_NAME_LABEL,
  METRIC_TYPE_LABEL,
  METRIC_UNIT_LABEL,
  METADATA_LABEL_NAMES,
  isMetadataLabel,
  labelsFromRecord,
  labelsToRecord,
  labelValue,
  seriesKey,
  labelsFromSeriesKey,
  sortLabelsInPlace,
  fnv1a32,
  partitionFor,
} from './labels.js';
export type { NativeHistogram } from './histogram.js';
export {
  RESET_HINT_UNKNOWN,
  RESET_HINT_YES,
  RESET_HINT_NO,
  RESET_HINT_GAUGE,
  CUSTOM_BUCKETS_SCHEMA,
} from './histogram.js';
export { continuesWithoutReset, counterResetHintOnAppend } from './histogram-reset.js';
export type { MetricBatch, HistogramSample, Exemplar, MetricMetadata, MetricType } from './batch.js';
export { MetricBatchBuilder, isStaleNaN, STALE_NAN, sampleCount, earliestTimestamp, METRIC_TYPES } from './batch.js';
export type { LabelMatcher, MatchType } from './matcher.js';
export { compileMatcher, matchesAll, InvalidMatcherError } from './matcher.js';
export type { CompiledRE2 } from './re2.js';
export { compileAnchoredRE2, RE2SyntaxError } from './re2.js';
export { expandTemplate } from './re2-expand.js';
export { seriesHash } from './series-hash.js';
export { METRICS_TOPIC, METRIC_STORE_GROUP } from './topics.js';
export type { EncodeMetricBatchOptions } from './batch-codec.js';
export { encodeMetricBatch, MetricBatchCodecError, BATCH_CODEC_MAGIC, BATCH_CODEC_VERSION } from './batch-codec.js';
export type { DecodeMetricBatchOptions, SeriesRefResolver } from './batch-decode.js';
export { decodeMetricBatch, UNRESOLVED_LABELS } from './batch-decode.js';
export { SERIES_REF_WORDS, writeSeriesRef, seriesRef, seriesRefsOf, seriesRefHex } from './series-ref.js';
export { LabelSetInterner, hashBytes } from './label-interner.js';
export type { SeriesSlots } from './label-interner.js';
export { ByteKeyGeneration, BYTE_KEY_ENTRY_OVERHEAD, SnappyBlockError } from './byte-key-table.js';
export { compressEncodedBatch, isCompressedBatch, COMPRESSED_BATCH_MAGIC } from './batch-compression.js';
export { lowerBound } from './sorted-search.js';
