/**
 * A native histogram sample as Prometheus defines it (exponential buckets, or custom
 * buckets when `schema` is -53), with bucket counts held as absolute values: integer
 * histograms arrive delta-encoded on the wire and are expanded at decode time so that
 * every consumer sees one shape.
 */
export interface NativeHistogram {
  /** Integer counts (`true`) or float counts (`false`), kept so a round trip is exact. */
  readonly isInteger: boolean;
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  /** Flat `[offset0, length0, offset1, length1, …]` as in the remote-write `BucketSpan`. */
  readonly positiveSpans: Int32Array;
  readonly positiveCounts: Float64Array;
  readonly negativeSpans: Int32Array;
  readonly negativeCounts: Float64Array;
  /** 0 unknown, 1 reset, 2 not a reset, 3 gauge histogram (remote-write `ResetHint`). */
  readonly resetHint: number;
  /** Upper bounds of custom buckets (schema -53 only), else empty. */
  readonly customValues: Float64Array;
}

export const RESET_HINT_UNKNOWN = 0;
export const RESET_HINT_YES = 1;
export const RESET_HINT_NO = 2;
export const RESET_HINT_GAUGE = 3;
export const CUSTOM_BUCKETS_SCHEMA = -53;
