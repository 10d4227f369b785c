/** Per-tenant limits the translator applies to each series it builds (as remote_write does). */
export interface OtlpLimits {
  /** Labels per series, `__name__` included; default 30. */
  readonly maxLabelsPerSeries?: number;
  /** UTF-8 bytes; default 1024. */
  readonly maxLabelNameLength?: number;
  /** UTF-8 bytes; default 2048. */
  readonly maxLabelValueLength?: number;
  /** Largest body after gzip decompression; default 64 MiB. */
  readonly maxDecompressedBytes?: number;
}

export interface ResolvedOtlpLimits {
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly maxDecompressedBytes: number;
}

export function resolveLimits(limits: OtlpLimits = {}): ResolvedOtlpLimits {
  return {
    maxLabelsPerSeries: positive(limits.maxLabelsPerSeries, 30, 'maxLabelsPerSeries'),
    maxLabelNameLength: positive(limits.maxLabelNameLength, 1024, 'maxLabelNameLength'),
    maxLabelValueLength: positive(limits.maxLabelValueLength, 2048, 'maxLabelValueLength'),
    maxDecompressedBytes: positive(limits.maxDecompressedBytes, 64 * 1024 * 1024, 'maxDecompressedBytes'),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Why a data point (or, for `invalid_exemplar`, an exemplar) was not written. Counted per
 * OTLP data point, whatever number of series it would have become.
 */
export type OtlpRejectionReason =
  | 'invalid_temporality'
  | 'invalid_metric_name'
  | 'invalid_label_name'
  | 'invalid_utf8'
  | 'too_many_labels'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'too_old'
  | 'too_far_in_future'
  | 'invalid_histogram'
  | 'invalid_exemplar'
  | 'delta_out_of_order'
  | 'delta_older_start'
  | 'delta_state_full';

export const OTLP_REJECTION_REASONS: readonly OtlpRejectionReason[] = [
  'invalid_temporality',
  'invalid_metric_name',
  'invalid_label_name',
  'invalid_utf8',
  'too_many_labels',
  'label_name_too_long',
  'label_value_too_long',
  'too_old',
  'too_far_in_future',
  'invalid_histogram',
  'invalid_exemplar',
  'delta_out_of_order',
  'delta_older_start',
  'delta_state_full',
];
