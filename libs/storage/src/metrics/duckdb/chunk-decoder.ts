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
  return (hdr & XOR_HEADER) !== 0
    ? decodeXor(data, firstTs, count, ts, vs, at, end)
    : decodeDecimal(data, POW10[hdr & EXPONENT_MASK]!, firstTs, count, ts, vs, at, end);
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
): number {
  // `pos` is the first unread bit; `w` holds the stream from `pos` on, at least 25 valid bits
  // when a value code starts (enough for every common one).
  let pos = 8;
  let t = firstTs;
  let delta = 0;
  let m = 0;
  for (let i = 0; i < count; i++) {
    let w = windowAt(data, pos);
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
      // `0`: the same value.
      pos += 1;
      vs[at + i] = m / p;
      continue;
    }
    const ones = Math.clz32(~w);
    if (ones === 1) {
      m += unzigzag31((w >>> 26) & 0xf);
      pos += 6;
    } else if (ones === 2) {
      m += unzigzag31((w >>> 21) & 0xff);
      pos += 11;
    } else if (ones === 3) {
      m += unzigzag31((w >>> 16) & 0xfff);
      pos += 16;
    } else if (ones === 4) {
      m += unzigzag31((w >>> 7) & 0xfffff);
      pos += 25;
    } else if (ones === 5) {
      m += unzigzagWide(bitsAt(data, pos + 6, 32));
      pos += 38;
    } else if (ones === 6) {
      m += unzigzagWide(wideAt(data, pos + 7, 53));
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
