import { ProtowireError } from './errors.js';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;

// Doubles are read through one shared 8-byte scratch: unaligned Float64Array views are not
// allowed, and DataView per call would allocate.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * A cursor over protobuf bytes, bounded by `end` (the end of the message being read), so a
 * field can never read into its parent's bytes or past the buffer. Every read checks the
 * bound and throws {@link ProtowireError}; nothing here can index out of range.
 *
 * One reader is reused for a whole request: descending into a sub-message saves `end`,
 * narrows it, and restores it afterwards (see {@link WireReader.enter}).
 */
export class WireReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
    this.end = buf.length;
  }

  /** Reads a field tag; returns it whole (`field << 3 | wireType`). */
  tag(): number {
    const at = this.pos;
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw new ProtowireError('invalid field number 0', at);
    return tag;
  }

  /** Varint that must fit in 32 bits (tags, lengths, refs, enum values, uint32 fields). */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p < this.end) {
      const c = b[p]!;
      if (c < 0x80) {
        this.pos = p + 1;
        return c;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= this.end) throw new ProtowireError('truncated varint', p);
      const c = b[p++]!;
      value += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) {
        this.pos = p;
        if (value >= TWO_POW_32) throw new ProtowireError('varint does not fit in 32 bits', p);
        return value;
      }
    }
    // Negative int32 enums are sign-extended to 10 bytes; they are out of range for every
    // 32-bit field we read, so a longer varint is an error either way.
    throw new ProtowireError('varint too long for a 32-bit field', p);
  }

  /**
   * Varint read as 64 bits; returns the signed (two's complement) value as a number when
   * `signed`, else the unsigned one. Exact up to 2^53; int64 millisecond timestamps fit.
   */
  varint64(signed: boolean): number {
    const b = this.buf;
    const end = this.end;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let c = 0;
    // Bytes 1-4 fill bits 0-27 of the low word.
    for (let i = 0; i < 4; i++) {
      if (p >= end) throw new ProtowireError('truncated varint', p);
      c = b[p++]!;
      lo = (lo | ((c & 0x7f) << (i * 7))) >>> 0;
      if (c < 0x80) {
        this.pos = p;
        return lo;
      }
    }
    // Byte 5 straddles the two words.
    if (p >= end) throw new ProtowireError('truncated varint', p);
    c = b[p++]!;
    lo = (lo | ((c & 0x7f) << 28)) >>> 0;
    hi = (c & 0x7f) >>> 4;
    if (c >= 0x80) {
      let done = false;
      for (let i = 0; i < 5; i++) {
        if (p >= end) throw new ProtowireError('truncated varint', p);
        c = b[p++]!;
        hi = (hi | ((c & 0x7f) << (i * 7 + 3))) >>> 0;
        if (c < 0x80) {
          done = true;
          break;
        }
      }
      if (!done) throw new ProtowireError('varint longer than 10 bytes', p);
    }
    this.pos = p;
    return signed ? (hi | 0) * TWO_POW_32 + lo : hi * TWO_POW_32 + lo;
  }

  /** Zigzag-decoded sint32/sint64. */
  sint64(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < this.end && b[p]! < 0x80) {
      const c = b[p]!;
      this.pos = p + 1;
      return (c >>> 1) ^ -(c & 1);
    }
    const u = this.varint64(false);
    // Float arithmetic keeps the zigzag exact up to 2^53 where 32-bit operators would wrap.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtowireError('truncated double', p);
    const b = this.buf;
    f64Bytes[0] = b[p]!;
    f64Bytes[1] = b[p + 1]!;
    f64Bytes[2] = b[p + 2]!;
    f64Bytes[3] = b[p + 3]!;
    f64Bytes[4] = b[p + 4]!;
    f64Bytes[5] = b[p + 5]!;
    f64Bytes[6] = b[p + 6]!;
    f64Bytes[7] = b[p + 7]!;
    this.pos = p + 8;
    return f64[0]!;
  }

  /** `fixed64` as a number: exact up to 2^53, rounded above (counts never get there). */
  fixed64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtowireError('truncated fixed64', p);
    const b = this.buf;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    this.pos = p + 8;
    return hi * TWO_POW_32 + lo;
  }

  /** `sfixed64` (two's complement) as a number, exact up to ±2^53. */
  sfixed64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtowireError('truncated sfixed64', p);
    const b = this.buf;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
    this.pos = p + 8;
    return hi * TWO_POW_32 + lo;
  }

  /**
   * A `fixed64` count of nanoseconds as whole milliseconds, rounded down exactly: today's
   * epoch nanoseconds (~1.7e18) are past 2^53, so dividing the float would sometimes land a
   * millisecond off. 2^32 ns = 4294 ms + 967296 ns, which keeps every step below 2^53.
   */
  fixed64NanosToMillis(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtowireError('truncated fixed64', p);
    const b = this.buf;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    this.pos = p + 8;
    return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
  }

  /** Reads a length prefix and returns the end offset of the payload, checked against `end`. */
  lengthEnd(): number {
    const at = this.pos;
    const len = this.uint32();
    const payloadEnd = this.pos + len;
    if (payloadEnd > this.end) {
      throw new ProtowireError(`length ${len} runs past the end of its message`, at);
    }
    return payloadEnd;
  }

  /** Narrows the bound to a sub-message; returns the previous bound to pass to {@link leave}. */
  enter(subEnd: number): number {
    const saved = this.end;
    this.end = subEnd;
    return saved;
  }

  leave(savedEnd: number): void {
    this.pos = this.end;
    this.end = savedEnd;
  }

  /** Skips a field of an unknown number (or one we ignore). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT: {
        const b = this.buf;
        let p = this.pos;
        const limit = Math.min(this.end, p + 10);
        while (p < limit && b[p]! >= 0x80) p++;
        if (p >= limit) throw new ProtowireError('truncated or overlong varint', p);
        this.pos = p + 1;
        return;
      }
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        // Groups (3, 4) are deprecated and used by no protocol we read; 6 and 7 do not exist.
        throw new ProtowireError(`unsupported wire type ${wireType}`, this.pos);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtowireError('truncated fixed-width field', this.pos);
    this.pos += n;
  }
}

/** Throws the error every decoder gives for a known field sent with the wrong wire type. */
export function wrongWireType(message: string, field: number, wireType: number, at: number): never {
  throw new ProtowireError(`${message}: field ${field} has wire type ${wireType}`, at);
}
