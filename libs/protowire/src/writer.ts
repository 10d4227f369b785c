import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './reader.js';

const TWO_POW_32 = 4294967296;

/**
 * Minimal protobuf writer over one growable Buffer. Length-delimited fields reserve one
 * length byte and shift the payload only when it turns out to be 128 bytes or more (one
 * memmove per large message), so nothing is sized twice.
 */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A copy of what was written, sized exactly. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  uint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Unsigned 64-bit varint from a non-negative number (exact up to 2^53). */
  uint64(v: number): void {
    if (v < TWO_POW_32) {
      this.uint32(v >>> 0);
      return;
    }
    this.varint64(v % TWO_POW_32 >>> 0, Math.floor(v / TWO_POW_32) >>> 0);
  }

  /** int64 varint: negative values take ten bytes (two's complement), as protobuf requires. */
  int64(v: number): void {
    if (v >= 0) {
      this.uint64(v);
      return;
    }
    const hi = Math.floor(v / TWO_POW_32);
    const lo = v - hi * TWO_POW_32;
    this.varint64(lo >>> 0, hi >>> 0);
  }

  /** Zigzag sint32/sint64, in float arithmetic so values beyond 2^31 stay exact. */
  sint64(v: number): void {
    this.uint64(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** `fixed64`/`sfixed64`: a bigint is exact over the whole 64 bits (e.g. epoch nanoseconds). */
  fixed64(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'bigint') this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    else this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(Math.trunc(v))), this.pos);
    this.pos += 8;
  }

  string(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings fit a one-byte length.
    if (s.length < 43) {
      this.ensure(1 + 3 * s.length);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uint32(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  stringField(field: number, s: string): void {
    if (s === '') return; // proto3 leaves default values out.
    this.tag(field, WIRE_LEN);
    this.string(s);
  }

  doubleField(field: number, v: number): void {
    this.tag(field, WIRE_FIXED64);
    this.double(v);
  }

  varintField(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.uint64(v);
  }

  /** Starts a length-delimited payload; pass the result to {@link endLd}. */
  beginLd(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  endLd(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copy(this.buf, at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    let p = at;
    let v = len;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo >= 0x80) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }
}
