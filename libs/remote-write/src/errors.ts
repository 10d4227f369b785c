/**
 * Thrown when a remote-write body cannot be read at all: bad snappy framing, a body larger
 * than allowed, or malformed protobuf (truncated varint, unknown wire type, a length that
 * runs past its message). The whole request is unusable, so the receiver answers 400;
 * problems confined to one series are not thrown but counted in the decode result.
 */
export class RemoteWriteDecodeError extends Error {
  override readonly name = 'RemoteWriteDecodeError';

  constructor(
    message: string,
    /** Byte offset in the uncompressed body where decoding failed, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}
