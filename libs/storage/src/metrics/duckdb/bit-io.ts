/**
 * Bit-level writing and reading on plain `Uint8Array`s, most significant bit first. The
 * writer ORs bits into place, so the bytes it writes to must start zeroed; a zero bit is
 * written by advancing the position. Positions are absolute bit offsets into the array.
 */

/**
 * Writes the low `n` (≤ 32) bits of `value` (an unsigned 32-bit integer) at `pos`; returns the
 * new position. The bits are placed as one 32-bit window ORed into up to four bytes (the head
 * appends every sample through here: a loop per byte cost it a branch and a read-modify-write
 * per byte); a field straddling five bytes is written in two parts.
 */
export function writeBits(buf: Uint8Array, pos: number, value: number, n: number): number {
  if (n <= 0) return pos;
  const i = pos >>> 3;
  const span = (pos & 7) + n;
  if (span > 32) {
    const rest = span - 32;
    return writeBits(buf, writeBits(buf, pos, value >>> rest, n - rest), value & ((1 << rest) - 1), rest);
  }
  // The low n bits, moved so that the field ends `span` bits into byte i (bits before it stay 0).
  const w = (n === 32 ? value : value & ((1 << n) - 1)) << (32 - span);
  buf[i]! |= w >>> 24;
  if (span > 8) {
    buf[i + 1]! |= w >>> 16;
    if (span > 16) {
      buf[i + 2]! |= w >>> 8;
      if (span > 24) buf[i + 3]! |= w;
    }
  }
  return pos + n;
}

/**
 * Writes an unsigned LEB128 varint (up to 2^53) at byte `at`, the bytes set rather than ORed;
 * returns the byte after it. Chunk headers carry their constants this way.
 */
export function writeVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 128) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

/** Writes an unsigned integer of up to 53 bits (`n` ≤ 53). */
export function writeWide(buf: Uint8Array, pos: number, value: number, n: number): number {
  if (n <= 32) return writeBits(buf, pos, value >>> 0, n);
  const hi = Math.floor(value / 4294967296);
  pos = writeBits(buf, pos, hi, n - 32);
  return writeBits(buf, pos, value >>> 0, 32);
}

/**
 * A cursor over a bit stream, read field by field: the plain reading that
 * chunk-decoder.reference.ts (the tests' oracle) uses. The hot chunk decoder
 * (chunk-decoder.ts) does not: a method call and a field write per field cost it ~4× more
 * than a window kept in local variables.
 */
export class BitReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;

  reset(buf: Uint8Array, pos: number): void {
    this.buf = buf;
    this.pos = pos;
  }

  bit(): number {
    const p = this.pos++;
    return (this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1;
  }

  /**
   * Reads `n` (≤ 32) bits as an unsigned integer: one big-endian 32-bit window (and a fifth
   * byte when the bits straddle it) instead of a loop per byte; decoding a chunk is mostly
   * these reads, and a cold dashboard decodes millions of samples.
   */
  bits(n: number): number {
    if (n <= 0) return 0;
    const buf = this.buf;
    const pos = this.pos;
    const i = pos >>> 3;
    const off = pos & 7;
    this.pos = pos + n;
    // Bytes past the end read as zeros; a well-formed stream never takes its bits from there.
    const len = buf.length;
    const w =
      (((i < len ? buf[i]! : 0) << 24) | ((i + 1 < len ? buf[i + 1]! : 0) << 16) | ((i + 2 < len ? buf[i + 2]! : 0) << 8) | (i + 3 < len ? buf[i + 3]! : 0)) >>>
      0;
    if (off + n <= 32) return ((w << off) >>> 0) >>> (32 - n);
    // off ≥ 1 here: the low 32 - off bits of the window, then `extra` bits of the fifth byte.
    const extra = off + n - 32;
    const head = (w << off) >>> off;
    const tail = (i + 4 < len ? buf[i + 4]! : 0) >>> (8 - extra);
    return head * (1 << extra) + tail;
  }

  /** Reads an unsigned integer of up to 53 bits. */
  wide(n: number): number {
    if (n <= 32) return this.bits(n);
    const hi = this.bits(n - 32);
    return hi * 4294967296 + this.bits(32);
  }

  /** Counts leading one bits, consuming them and the terminating zero, up to `max` ones. */
  ones(max: number): number {
    let n = 0;
    while (n < max && this.bit() === 1) n++;
    return n;
  }
}

/** ZigZag for integers held exactly in doubles (|v| ≤ 2^52). */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
