import { zstdDecompressSync } from 'node:zlib';
import { BATCH_CODEC_MAGIC, BATCH_CODEC_VERSION, isCompressedBatch } from '#pharos/metric-model';

/** Bytes of the compressed frame's header: magic, then the decoded length (u32 LE each). */
const COMPRESSED_HEADER_BYTES = 8;
/** Byte offsets of the encoded batch header's version and flags, and the refs flag. */
const VERSION_BYTE = 4;
const FLAGS_BYTE = 5;
const FLAG_REFS = 1;
/** Larger declared sizes are left to the codec, which refuses them with its own error. */
const MAX_PEEK_BYTES = 256 * 1024 * 1024;

/**
 * A stream record's encoded batch, decompressed when it is compressed, and whether it names
 * series by ref. The processor decodes records that carry refs without interning their
 * labels: such a record carries label text only for series the store does not know yet, the
 * store keeps its own copy of those, and every later record names them by ref — so an
 * interned copy was never looked up again, yet it held ~20 strings per series in the heap for
 * good (at 32 k series, two thirds of the main thread's strings, re-marked by every major
 * GC). Records without refs (codec version 1: line protocol) keep the interner, which spares
 * them decoding the same labels again in every record.
 *
 * The frame is metric-model's (`batch-compression.ts`: magic "PHMZ", u32 LE decoded length,
 * zstd frame). Anything unexpected — a corrupt frame, a length that does not match — hands
 * the original bytes back, so that the codec reports the problem with its own error.
 */
export function recordBytes(value: Uint8Array): { bytes: Uint8Array; hasRefs: boolean } {
  let bytes = value;
  if (isCompressedBatch(value)) {
    const declared = new DataView(value.buffer, value.byteOffset, COMPRESSED_HEADER_BYTES).getUint32(4, true);
    if (declared > MAX_PEEK_BYTES) return { bytes: value, hasRefs: false };
    try {
      bytes = zstdDecompressSync(value.subarray(COMPRESSED_HEADER_BYTES), { maxOutputLength: Math.max(1, declared) });
    } catch {
      return { bytes: value, hasRefs: false };
    }
    if (bytes.length !== declared) return { bytes: value, hasRefs: false };
  }
  if (bytes.length <= FLAGS_BYTE) return { bytes, hasRefs: false };
  const magic = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  const hasRefs = magic === (BATCH_CODEC_MAGIC | 0) && bytes[VERSION_BYTE] === BATCH_CODEC_VERSION && (bytes[FLAGS_BYTE]! & FLAG_REFS) !== 0;
  return { bytes, hasRefs };
}
