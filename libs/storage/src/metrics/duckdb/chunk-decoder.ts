/**
 * The fast decoder of the sample chunk format (documented in chunk-codec.ts, whose encoder
 * writes it). A cold 24 h panel decodes every raw sample of its series, so this loop is the
 * read path's hottest code: the bit cursor and a 32-bit window of the stream live in local
 * variables (no method calls or field writes per bit), a whole code is classified by counting
 * the window's leading ones (`Math.clz32`), and the common codes (delta-of-delta 0, decimal
 * deltas in up to 20 bits) are taken from the window without reloading it. Rare codes (wide
 * decimal deltas, raw escapes, XOR values) go through {@link bitsAt}.
 */

/** Header bit 7: XOR value coding; otherwise bits 0–4 hold the decimal exponent. */
const XOR_HEADER = 0x80;
/** Header bit 6: a packed (sealed) decimal chunk, see chunk-packer.ts. */
const PACKED_HEADER = 0x40;
/** Header bit 5 of a head-format decimal chunk: a step and a factor follow the header. */
const STEP_HEADER = 0x20;
const EXPONENT_MASK = 0x1f;
/** The encoder's exponents: `POW10[e]` is the very double it divided by (`10 ** e`). */
const POW10 = Array.from({ length: EXPONENT_MASK + 1 }, (_, e) => 10 ** e);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * The 32 bits of `buf` from bit `pos` on, as a signed 32-bit integer (the first bit is the
 * sign bit); bytes past the end read as zeros.
 */
function windowAt(buf: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const off = pos & 7;
  if (i + 4 < buf.length) {
    return (((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) << off) | (buf[i + 4]! >>> (8 - off));
  }
  return tailWindow(buf, i, off);
}

/** {@link windowAt} near the end of the bytes: the slow, checked path, kept out of the hot function. */
function tailWindow(buf: Uint8Array, i: number, off: number): number {
  const len = buf.length;
  const b0 = i < len ? buf[i]! : 0;
  const b1 = i + 1 < len ? buf[i + 1]! : 0;
  const b2 = i + 2 < len ? buf[i + 2]! : 0;
  const b3 = i + 3 < len ? buf[i + 3]! : 0;
  const b4 = i + 4 < len ? buf[i + 4]! : 0;
  return (((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) << off) | (b4 >>> (8 - off));
}

/** `n` (1 ≤ n ≤ 32) bits from bit `pos`, unsigned. */
function bitsAt(buf: Uint8Array, pos: number, n: number): number {
  return windowAt(buf, pos) >>> (32 - n);
}

/** Up to 53 bits from bit `pos`, unsigned. */
function wideAt(buf: Uint8Array, pos: number, n: number): number {
  if (n <= 32) return bitsAt(buf, pos, n);
  return bitsAt(buf, pos, n - 32) * 4294967296 + bitsAt(buf, pos + n - 32, 32);
}

/** ZigZag back to a signed integer, for `z` < 2^31 (int arithmetic). */
function unzigzag31(z: number): number {
  return (z >>> 1) ^ -(z & 1);
}

/** ZigZag back to a signed integer, for any `z` ≤ 2^53 held exactly in a double. */
function unzigzagWide(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * Decodes a chunk's samples into `ts`/`vs` from index `at`, in time order, stopping after the
 * last sample at or before `end` (samples after it are neither decoded nor written): a refresh
 * reads only the newest few samples of a chunk that ends later. Returns how many samples it
 * wrote (`count` when `end` is at or after the chunk's last timestamp). `data` is the chunk's
 * bytes (header first), `firstTs` its first timestamp.
 */
export function decodeChunk(
  data: Uint8Array,
  firstTs: number,
  count: number,
  ts: Float64Array,
  vs: Float64Array,
  at: number,
  end = Infinity,
): number {
  if (count <= 0 || firstTs > end) return 0;
  const hdr = data[0]!;
  if ((hdr & XOR_HEADER) !== 0) return decodeXor(data, firstTs, count, ts, vs, at, end);
  const p = POW10[hdr & EXPONENT_MASK]!;
  if ((hdr & PACKED_HEADER) !== 0) return decodePacked(data, p, firstTs, count, ts, vs, at, end);
  if ((hdr & STEP_HEADER) === 0) return decodeDecimal(data, p, firstTs, count, ts, vs, at, end, 8, 0, 1);
  const z = readVarint(data, 1);
  const factor = readVarint(data, varintEnd);
  return decodeDecimal(data, p, firstTs, count, ts, vs, at, end, varintEnd * 8, unzigzagWide(z), factor);
}

/**
 * The timestamp code at the top of `w` (its first bit is 1): `10`+5, `110`+10, `1110`+16 or
 * `1111`+26 bits, at most 30 bits and so always inside one window. Returns the zigzagged
 * delta-of-delta times 32 plus the code's length (both fit an int).
 */
function timestampCode(w: number): number {
  const ones = Math.clz32(~w);
  if (ones === 1) return (((w >>> 25) & 0x1f) << 5) | 7;
  if (ones === 2) return (((w >>> 19) & 0x3ff) << 5) | 13;
  if (ones === 3) return (((w >>> 12) & 0xffff) << 5) | 20;
  return (((w >>> 2) & 0x3ffffff) << 5) | 30;
}

function decodeDecimal(
  data: Uint8Array,
  p: number,
  firstTs: number,
  count: number,
  ts: Float64Array,
  vs: Float64Array,
  at: number,
  end: number,
  start: number,
  stepD: number,
  factorG: number,
): number {
  // `pos` is the first unread bit; `w` holds the stream from `pos` on, at least 25 valid bits
  // when a value code starts (enough for every common one).
  let pos = start;
  let t = firstTs;
  let delta = 0;
  let m = 0;
  // A step chunk's step and factor apply from the second value on (both 0 and 1 before).
  let step = 0;
  let factor = 1;
  for (let i = 0; i < count; i++) {
    let w = windowAt(data, pos);
    if (i === 1) {
      step = stepD;
      factor = factorG;
    }
    if (i > 0) {
      if (w >= 0) {
        // `0`: the same interval again, the usual case at a steady scrape interval.
        w <<= 1;
        pos += 1;
      } else {
        const c = timestampCode(w);
        const n = c & 31;
        delta += unzigzag31(c >>> 5);
        pos += n;
        w = n === 7 ? w << 7 : windowAt(data, pos);
      }
      t += delta;
      if (t > end) return i;
    }
    ts[at + i] = t;
    if (w >= 0) {
      // `0`: the same value (in a step chunk: the step again).
      pos += 1;
      m += step;
      vs[at + i] = m / p;
      continue;
    }
    const ones = Math.clz32(~w);
    if (ones === 1) {
      m += step + unzigzag31((w >>> 26) & 0xf) * factor;
      pos += 6;
    } else if (ones === 2) {
      m += step + unzigzag31((w >>> 21) & 0xff) * factor;
      pos += 11;
    } else if (ones === 3) {
      m += step + unzigzag31((w >>> 16) & 0xfff) * factor;
      pos += 16;
    } else if (ones === 4) {
      m += step + unzigzag31((w >>> 7) & 0xfffff) * factor;
      pos += 25;
    } else if (ones === 5) {
      m += step + unzigzagWide(bitsAt(data, pos + 6, 32));
      pos += 38;
    } else if (ones === 6) {
      m += step + unzigzagWide(wideAt(data, pos + 7, 53));
      pos += 60;
    } else {
      // `1111111` + a raw float (NaN, the staleness marker, ±Inf, -0, or not decimal at this
      // exponent); `m` is untouched.
      u32[1] = bitsAt(data, pos + 7, 32);
      u32[0] = bitsAt(data, pos + 39, 32);
      pos += 71;
      vs[at + i] = f64[0]!;
      continue;
    }
    vs[at + i] = m / p;
  }
  return count;
}

/** Where {@link readVarint} leaves the byte offset after the varint it read. */
let varintEnd = 0;

/** An unsigned LEB128 varint at byte `at` (up to 2^53). */
function readVarint(data: Uint8Array, at: number): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = data[at++]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  varintEnd = at;
  return v;
}

/** A value code's payload of `n` bits after a prefix of `prefix` bits, at `pos`, unzigzagged. */
function codeAt(data: Uint8Array, w: number, pos: number, prefix: number, n: number): number {
  if (prefix + n <= 32) return unzigzag31((w << prefix) >>> (32 - n));
  const z = wideAt(data, pos + prefix, n);
  return z < 2147483648 ? unzigzag31(z) : unzigzagWide(z);
}

/**
 * The packed format (chunk-packer.ts): per-chunk transform, common factor and code widths,
 * timestamps implied when regular. Same window technique as {@link decodeDecimal}.
 */
function decodePacked(
  data: Uint8Array,
  p: number,
  firstTs: number,
  count: number,
  ts: Float64Array,
  vs: Float64Array,
  at: number,
  end: number,
): number {
  const flags = data[1]!;
  const transform = flags & 3;
  const regular = (flags & 4) !== 0;
  let byte = 2;
  let interval = 0;
  if (regular) {
    interval = readVarint(data, byte);
    byte = varintEnd;
  }
  let m = unzigzagWide(readVarint(data, byte));
  byte = varintEnd;
  let constant = 0;
  if (transform !== 0) {
    constant = unzigzagWide(readVarint(data, byte));
    byte = varintEnd;
  }
  const g = readVarint(data, byte);
  byte = varintEnd;
  const w1 = data[byte]!;
  const w2 = data[byte + 1]!;
  const w3 = data[byte + 2]!;
  let pos = (byte + 3) * 8;
  // Delta-of-delta: the last delta; delta-from-step: the step.
  let d = constant;
  let t = firstTs;
  let delta = 0;
  ts[at] = t;
  vs[at] = m / p;
  for (let i = 1; i < count; i++) {
    let w = windowAt(data, pos);
    if (regular) t += interval;
    else {
      // The window is reloaded after the timestamp code: value codes read up to 32 bits of it.
      if (w < 0) {
        const c = timestampCode(w);
        delta += unzigzag31(c >>> 5);
        pos += c & 31;
      } else pos += 1;
      w = windowAt(data, pos);
      t += delta;
    }
    if (t > end) return i;
    ts[at + i] = t;
    let x: number;
    if (w3 === 0) x = 0;
    else if (w >= 0) {
      x = 0;
      pos += 1;
    } else {
      const ones = Math.clz32(~w);
      if (ones === 1) {
        x = codeAt(data, w, pos, 2, w1) * g;
        pos += 2 + w1;
      } else if (ones === 2) {
        x = codeAt(data, w, pos, 3, w2) * g;
        pos += 3 + w2;
      } else if (ones === 3) {
        x = codeAt(data, w, pos, 4, w3) * g;
        pos += 4 + w3;
      } else {
        // `1111` + a raw float; the state is left as it was.
        u32[1] = bitsAt(data, pos + 4, 32);
        u32[0] = bitsAt(data, pos + 36, 32);
        pos += 68;
        vs[at + i] = f64[0]!;
        continue;
      }
    }
    if (transform === 0) m += x;
    else if (transform === 1) m += d + x;
    else {
      d += x;
      m += d;
    }
    vs[at + i] = m / p;
  }
  return count;
}

function decodeXor(data: Uint8Array, firstTs: number, count: number, ts: Float64Array, vs: Float64Array, at: number, end: number): number {
  // The first value is raw; later ones are XORed with the previous one within a window of
  // meaningful bits (`lead` zeros above, `trail` below) that a `11` code replaces.
  let hi = bitsAt(data, 8, 32);
  let lo = bitsAt(data, 40, 32);
  let pos = 72;
  let t = firstTs;
  let delta = 0;
  let lead = 0;
  let trail = 0;
  ts[at] = t;
  u32[1] = hi;
  u32[0] = lo;
  vs[at] = f64[0]!;
  for (let i = 1; i < count; i++) {
    const w = windowAt(data, pos);
    if (w >= 0) pos += 1;
    else {
      const c = timestampCode(w);
      delta += unzigzag31(c >>> 5);
      pos += c & 31;
    }
    t += delta;
    if (t > end) return i;
    ts[at + i] = t;
    const v = windowAt(data, pos);
    if (v >= 0) {
      // `0`: the value repeats.
      pos += 1;
      vs[at + i] = f64[0]!;
      continue;
    }
    if ((v & 0x40000000) !== 0) {
      // `11`: a new window, 5 bits of leading zeros, 6 bits of length (0 means 64).
      lead = (v >>> 25) & 0x1f;
      let sig = (v >>> 19) & 0x3f;
      if (sig === 0) sig = 64;
      trail = 64 - lead - sig;
      pos += 13;
    } else {
      pos += 2;
    }
    const sig = 64 - lead - trail;
    let xh: number;
    let xl: number;
    if (sig > 32) {
      const h = bitsAt(data, pos, sig - 32);
      const l = bitsAt(data, pos + sig - 32, 32);
      if (trail === 0) {
        xh = h;
        xl = l;
      } else {
        xl = (l << trail) >>> 0;
        xh = ((h << trail) | (l >>> (32 - trail))) >>> 0;
      }
    } else {
      const val = bitsAt(data, pos, sig);
      if (trail >= 32) {
        xh = (val << (trail - 32)) >>> 0;
        xl = 0;
      } else if (trail === 0) {
        xh = 0;
        xl = val;
      } else {
        xl = (val << trail) >>> 0;
        xh = val >>> (32 - trail);
      }
    }
    pos += sig;
    hi = (hi ^ xh) >>> 0;
    lo = (lo ^ xl) >>> 0;
    u32[1] = hi;
    u32[0] = lo;
    vs[at + i] = f64[0]!;
  }
  return count;
}
