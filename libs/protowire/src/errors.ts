/**
 * Malformed protobuf: a truncated varint or fixed-width field, a length that runs past its
 * message, an unknown wire type, field number 0. Protocol decoders catch it and rethrow
 * their own error class, so callers see which protocol's body was bad.
 */
export class ProtowireError extends Error {
  override readonly name = 'ProtowireError';

  constructor(
    /** What was wrong, without the offset. */
    readonly problem: string,
    /** Byte offset in the message being read where decoding failed, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? problem : `${problem} (at byte ${offset})`);
  }
}
