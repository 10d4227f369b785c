/**
 * Which label and metric names are accepted.
 * - `utf8` (default): any non-empty valid UTF-8 name, as Prometheus 3 accepts by default
 *   (`metric_name_validation_scheme: utf8`, the 3.0 default).
 * - `legacy`: label names `[a-zA-Z_][a-zA-Z0-9_]*` and metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`,
 *   as Prometheus 2 and receivers that have not opted into UTF-8 names.
 */
export type NameValidationScheme = 'utf8' | 'legacy';

/** Per-tenant limits a receiver applies while decoding; every field is optional. */
export interface RemoteWriteLimits {
  /** Default `utf8` (Prometheus 3 default). */
  readonly nameValidation?: NameValidationScheme;
  /** Labels per series after empty values are dropped; default 30 (Mimir's default). */
  readonly maxLabelsPerSeries?: number;
  /** In UTF-8 bytes; default 1024 (Mimir's default). */
  readonly maxLabelNameLength?: number;
  /** In UTF-8 bytes; default 2048 (Mimir's default). */
  readonly maxLabelValueLength?: number;
  /**
   * Largest uncompressed body accepted, checked against the length the snappy block
   * declares before anything is allocated; default 64 MiB.
   */
  readonly maxDecompressedBytes?: number;
}

/** Options of one decode call. */
export interface RemoteWriteDecodeOptions extends RemoteWriteLimits {
  readonly version: RemoteWriteVersion;
  readonly tenant: string;
  /** Samples older than this (ms) are dropped and counted as `too_old`. */
  readonly minTimestampMs?: number;
  /** Samples newer than this (ms) are dropped and counted as `too_far_in_future`. */
  readonly maxTimestampMs?: number;
  /** `false` when the body is already uncompressed protobuf; default `true` (snappy block). */
  readonly compressed?: boolean;
}

export type RemoteWriteVersion = '1.0' | '2.0';

/** Limits with defaults applied; what the decoder actually reads. */
export interface ResolvedLimits {
  readonly legacyNames: boolean;
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly maxDecompressedBytes: number;
}

export const DEFAULT_MAX_LABELS_PER_SERIES = 30;
export const DEFAULT_MAX_LABEL_NAME_LENGTH = 1024;
export const DEFAULT_MAX_LABEL_VALUE_LENGTH = 2048;
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export function resolveLimits(limits: RemoteWriteLimits): ResolvedLimits {
  return {
    legacyNames: limits.nameValidation === 'legacy',
    maxLabelsPerSeries: positive(limits.maxLabelsPerSeries, DEFAULT_MAX_LABELS_PER_SERIES, 'maxLabelsPerSeries'),
    maxLabelNameLength: positive(limits.maxLabelNameLength, DEFAULT_MAX_LABEL_NAME_LENGTH, 'maxLabelNameLength'),
    maxLabelValueLength: positive(limits.maxLabelValueLength, DEFAULT_MAX_LABEL_VALUE_LENGTH, 'maxLabelValueLength'),
    maxDecompressedBytes: positive(
      limits.maxDecompressedBytes,
      DEFAULT_MAX_DECOMPRESSED_BYTES,
      'maxDecompressedBytes',
    ),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Why a series, sample, exemplar or metadata entry was dropped. Series-level reasons count
 * series, `too_old`/`too_far_in_future`/`invalid_histogram` count samples,
 * `invalid_exemplar` exemplars and `invalid_metadata` metadata entries.
 */
export type RejectionReason =
  | 'invalid_utf8'
  | 'invalid_label_name'
  | 'invalid_metric_name'
  | 'duplicate_label_name'
  | 'missing_metric_name'
  | 'too_many_labels'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'invalid_symbol_ref'
  | 'too_old'
  | 'too_far_in_future'
  | 'invalid_histogram'
  | 'invalid_exemplar'
  | 'invalid_metadata';

export const REJECTION_REASONS: readonly RejectionReason[] = [
  'invalid_utf8',
  'invalid_label_name',
  'invalid_metric_name',
  'duplicate_label_name',
  'missing_metric_name',
  'too_many_labels',
  'label_name_too_long',
  'label_value_too_long',
  'invalid_symbol_ref',
  'too_old',
  'too_far_in_future',
  'invalid_histogram',
  'invalid_exemplar',
  'invalid_metadata',
];

export function emptyRejections(): Record<RejectionReason, number> {
  const out = {} as Record<RejectionReason, number>;
  for (const r of REJECTION_REASONS) out[r] = 0;
  return out;
}
