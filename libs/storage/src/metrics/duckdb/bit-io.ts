/**
 * Bit-level writing and reading on plain `Uint8Array`s, most significant bit first. The
 * writer ORs bits into place, so the bytes it writes to must start zeroed; a zero bit is
 * written by advancing the position. Positions are absolute bit offsets into the array.
 */

/** Writes the low `n` (≤ 32) bits of `value` (an unsigned 32-bit integer) at `pos`; returns the new position. */
export function writeBits(buf: Uint8Array, pos: number, value: number, n: number): number {
  while (n > 0) {
    const used = pos & 7;
    const free = 8 - used;
    const take = n < free ? n : free;
    const bits = (value >>> (n - take)) & ((1 << take) - 1);
    buf[pos >>> 3]! |= bits << (free - take);
    pos += take;
    n -= take;
  }
  return pos;
}

/** Writes an unsigned integer of up to 53 bits (`n` ≤ 53). */
export function writeWide(buf: Uint8Array, pos: number, value: number, n: number): number {
  if (n <= 32) return writeBits(buf, pos, value >>> 0, n);
  const hi = Math.floor(value / 4294967296);
  pos = writeBits(buf, pos, hi, n - 32);
  return writeBits(buf, pos, value >>> 0, 32);
}

/**
 * A cursor over a bit stream. One reader is reused for many chunks (`reset`), so decoding
 * allocates nothing per sample.
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

  /** Reads `n` (≤ 32) bits as an unsigned integer. */
  bits(n: number): number {
    let out = 0;
    let pos = this.pos;
    const buf = this.buf;
    while (n > 0) {
      const used = pos & 7;
      const avail = 8 - used;
      const take = n < avail ? n : avail;
      const bits = (buf[pos >>> 3]! >>> (avail - take)) & ((1 << take) - 1);
      out = out * (1 << take) + bits;
      pos += take;
      n -= take;
    }
    this.pos = pos;
    return out;
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
