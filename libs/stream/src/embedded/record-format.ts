/**
 * On-disk framing of one record in a segment file. All integers are little-endian.
 *
 * | bytes | field                                                     |
 * |-------|-----------------------------------------------------------|
 * | 4     | frame length, this field included                         |
 * | 4     | CRC32 (zlib polynomial) of every byte after this field    |
 * | 8     | offset (uint64, written as two uint32 halves)             |
 * | 8     | timestamp, ms since the epoch (float64, exact for ints)   |
 * | 4     | key length in bytes                                       |
 * | n     | key, UTF-8                                                |
 * | m     | value                                                     |
 *
 * The CRC covers the offset, so a frame copied to the wrong place (or a stale frame left from
 * an earlier file life) is rejected as well as a torn or bit-flipped one.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 28;
/** Frames above this are refused on produce and treated as corruption on read. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

const TWO_32 = 0x1_0000_0000;

export interface DecodedRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string;
  /** A view into the buffer that was decoded; valid as long as that buffer is. */
  readonly value: Buffer;
  readonly frameBytes: number;
}

export function frameBytes(keyBytes: number, valueBytes: number): number {
  return FRAME_HEADER_BYTES + keyBytes + valueBytes;
}

/**
 * Writes one frame at `pos` of `buf` (which must have room) and returns the frame length.
 * The value is copied once, into the buffer that goes to `write()`.
 */
export function encodeFrame(
  buf: Buffer,
  pos: number,
  offset: number,
  timestamp: number,
  key: string,
  keyBytes: number,
  value: Uint8Array,
): number {
  const len = FRAME_HEADER_BYTES + keyBytes + value.byteLength;
  buf.writeUInt32LE(len, pos);
  buf.writeUInt32LE(offset % TWO_32, pos + 8);
  buf.writeUInt32LE(Math.floor(offset / TWO_32), pos + 12);
  buf.writeDoubleLE(timestamp, pos + 16);
  buf.writeUInt32LE(keyBytes, pos + 24);
  if (keyBytes > 0) buf.write(key, pos + FRAME_HEADER_BYTES, keyBytes, 'utf8');
  buf.set(value, pos + FRAME_HEADER_BYTES + keyBytes);
  buf.writeUInt32LE(crc32(buf.subarray(pos + 8, pos + len)), pos + 4);
  return len;
}

export type DecodeResult =
  | { readonly kind: 'record'; readonly record: DecodedRecord }
  /** The frame's header is readable but its bytes extend past `end`; `need` is the frame length. */
  | { readonly kind: 'incomplete'; readonly need: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Decodes the frame at `pos`, reading no byte at or past `end`. */
export function decodeFrame(buf: Buffer, pos: number, end: number): DecodeResult {
  if (end - pos < 4) return { kind: 'incomplete', need: FRAME_HEADER_BYTES };
  const len = buf.readUInt32LE(pos);
  if (len < FRAME_HEADER_BYTES || len > MAX_FRAME_BYTES) return { kind: 'corrupt', reason: `bad frame length ${len}` };
  if (end - pos < len) return { kind: 'incomplete', need: len };
  const stored = buf.readUInt32LE(pos + 4);
  if (crc32(buf.subarray(pos + 8, pos + len)) !== stored) return { kind: 'corrupt', reason: 'CRC mismatch' };
  const keyBytes = buf.readUInt32LE(pos + 24);
  if (FRAME_HEADER_BYTES + keyBytes > len) return { kind: 'corrupt', reason: 'key longer than frame' };
  const offset = buf.readUInt32LE(pos + 8) + buf.readUInt32LE(pos + 12) * TWO_32;
  const keyStart = pos + FRAME_HEADER_BYTES;
  return {
    kind: 'record',
    record: {
      offset,
      timestamp: buf.readDoubleLE(pos + 16),
      key: keyBytes === 0 ? '' : buf.toString('utf8', keyStart, keyStart + keyBytes),
      value: buf.subarray(keyStart + keyBytes, pos + len),
      frameBytes: len,
    },
  };
}
