/**
 * Thrown when an OTLP request body cannot be read at all: malformed protobuf or JSON, a
 * field of the wrong type, a body that decompresses past the limit. The whole request is
 * unusable, so receivers answer HTTP 400 / gRPC INVALID_ARGUMENT (not retryable); problems
 * confined to data points are counted in the decode result instead.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';

  constructor(
    message: string,
    /** Byte offset in the uncompressed protobuf body, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}
