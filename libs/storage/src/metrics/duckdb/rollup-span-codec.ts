import { decimalExponent } from './chunk-codec.js';

/**
 * The packed rollup format: the buckets of one series at one resolution within one span (a UTC
 * day), the way raw samples are stored as chunks. A 7 d panel over 1,000 series then reads
 * 7,000 table rows instead of 2 M, and DuckDB no longer materializes (and node-api copies) a
 * vector per column per 2,048 rows. Each field is a BLOB of its own (a column of
 * `rollup_spans`), so a read fetches the fields it needs and no others, as it did with rows.
 *
 * The bucket BLOB: `u16` bucket count n, `u8` mode: 0 = n consecutive buckets from the `u16`
 * index that follows (the usual case), 1 = n `u16` indexes; bucket = span start + index ×
 * resolution.
 *
 * A field BLOB (timestamps as offsets from their bucket's start) is one of:
 * - `0` constant: one `f64` for every bucket (counts at a steady scrape interval, offsets);
 * - `1` decimal: `u8` exponent e, then per bucket the zigzag varint of `m − previous m` where
 *   the value is `m / 10^e` (VictoriaMetrics' trick, as in chunk-codec.ts): integer counters,
 *   values with a few decimals, timestamp offsets;
 * - `3` near-decimal: `u8` exponent e, `i16` k, then per bucket the zigzag varints of
 *   `m − previous m` and of c, the value being `m × 10^-e + c × 2^k`: sums, increases and
 *   counters accumulated from decimal steps in floating point lie a few ULPs off a decimal
 *   (6632.620000000003), 3–4 bytes instead of 8;
 * - `2` raw: n `f64`, little-endian (anything else).
 * Decoding divides by the same power of ten the encoder checked, so values come back bit-exact.
 * Fields decode in tight loops with no allocation.
 */

/** Every field in the order of the port's `RollupField` (and of `rollup_spans`' field columns). */
export const SPAN_FIELDS = ['count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;
/** Whether field `f` (index in {@link SPAN_FIELDS}) is a timestamp, coded as an offset from its bucket's start. */
export function isTimestampField(f: number): boolean {
  return f === 4 || f === 6;
}
/** The span a row of `rollup_spans` covers: one UTC day. */
export const SPAN_MS = 86_400_000;
/** At most this many buckets in a span (5 m: 288). */
export const MAX_SPAN_BUCKETS = 1440;

const CONSECUTIVE = 0;
const LISTED = 1;
const CONSTANT = 0;
const DECIMAL = 1;
const RAW = 2;
const NEAR_DECIMAL = 3;
/** Exponents tried for near-decimal coding, and the values sampled to pick one. */
const MAX_NEAR_E = 8;
const NEAR_SAMPLE = 32;
/** Largest ULP correction coded (beyond it the values are not near any decimal: raw). */
const MAX_CORRECTION = 2 ** 40;
const MAX_E = 12;
const POW10 = Array.from({ length: MAX_E + 1 }, (_, e) => 10 ** e);
/** Near-decimal bases are `m × 10^-e` (a multiplication decodes faster than a division; the encoder checks each value either way). */
const INV10 = POW10.map((p) => 1 / p);
/** |m| bound: deltas of two such stay exact in doubles. */
const MAX_M = 2 ** 51;
/** Raw fields are little-endian; on such a platform they are copied, not read value by value. */
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
/** Aligned room for the raw values of one field while they are copied out. */
let scratch = new Float64Array(1024);

/** Start of the span holding bucket `b`. */
export function spanStart(b: number): number {
  return Math.floor(b / SPAN_MS) * SPAN_MS;
}

/** Bucket BLOB of `buckets[from, from + n)`: ascending starts of buckets within the span at `start`. */
export function encodeSpanBuckets(start: number, resolutionMs: number, buckets: Float64Array, from: number, n: number): Uint8Array {
  if (n <= 0 || n > MAX_SPAN_BUCKETS) throw new RangeError(`a rollup span holds 1 to ${MAX_SPAN_BUCKETS} buckets, got ${n}`);
  const index = new Uint16Array(n);
  let consecutive = true;
  for (let i = 0; i < n; i++) {
    const k = (buckets[from + i]! - start) / resolutionMs;
    if (!Number.isInteger(k) || k < 0 || (k + 1) * resolutionMs > SPAN_MS) throw new RangeError(`bucket ${buckets[from + i]} is not a bucket of the span at ${start}`);
    if (i > 0 && k <= index[i - 1]!) throw new RangeError(`rollup span buckets must ascend (${buckets[from + i]} after ${buckets[from + i - 1]})`);
    index[i] = k;
    if (i > 0 && k !== index[i - 1]! + 1) consecutive = false;
  }
  const out = new Uint8Array(consecutive ? 5 : 3 + 2 * n);
  const view = new DataView(out.buffer);
  view.setUint16(0, n, true);
  out[2] = consecutive ? CONSECUTIVE : LISTED;
  if (consecutive) view.setUint16(3, index[0]!, true);
  else for (let i = 0; i < n; i++) view.setUint16(3 + 2 * i, index[i]!, true);
  return out;
}

/** Number of buckets in a bucket BLOB. */
export function spanBucketCount(blob: Uint8Array): number {
  return blob[0]! | (blob[1]! << 8);
}

/**
 * Decodes the buckets of a bucket BLOB (span at `start`) that lie in `[first, last]` into
 * `into` from `at`; returns how many, and sets `range` to the rows `[lo, hi)` of the span they
 * are (what {@link decodeSpanField} takes).
 */
export function decodeSpanBuckets(blob: Uint8Array, start: number, resolutionMs: number, into: Float64Array, at: number, first: number, last: number, range: Int32Array): number {
  const n = spanBucketCount(blob);
  let lo = 0;
  let hi = 0;
  if (blob[2] === CONSECUTIVE) {
    const b0 = start + (blob[3]! | (blob[4]! << 8)) * resolutionMs;
    lo = Math.min(n, Math.max(0, Math.ceil((first - b0) / resolutionMs)));
    hi = Math.min(n, Math.floor((last - b0) / resolutionMs) + 1);
    for (let i = lo; i < hi; i++) into[at + i - lo] = b0 + i * resolutionMs;
  } else if (blob[2] === LISTED) {
    lo = n;
    for (let i = 0; i < n; i++) {
      const b = start + (blob[3 + 2 * i]! | (blob[4 + 2 * i]! << 8)) * resolutionMs;
      if (b < first) continue;
      if (b > last) break;
      if (lo === n) lo = i;
      into[at + i - lo] = b;
      hi = i + 1;
    }
  } else throw new Error(`rollup span bucket mode ${blob[2]} is not known`);
  if (hi < lo) hi = lo;
  range[0] = lo;
  range[1] = hi;
  return hi - lo;
}

/**
 * Field BLOB of `values[from, from + n)`; a timestamp field passes `buckets` (the rows' bucket
 * starts) and is coded as offsets from them.
 */
export function encodeSpanField(values: Float64Array, from: number, n: number, buckets?: Float64Array): Uint8Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = buckets === undefined ? values[from + i]! : values[from + i]! - buckets[from + i]!;
  let constant = v[0] === v[0];
  for (let i = 1; i < n && constant; i++) constant = Object.is(v[i], v[0]);
  if (constant) {
    const out = new Uint8Array(9);
    out[0] = CONSTANT;
    new DataView(out.buffer).setFloat64(1, v[0]!, true);
    return out;
  }
  const decimal = encodeDecimal(v, n) ?? encodeNearDecimal(v, n);
  if (decimal !== undefined) return decimal;
  const out = new Uint8Array(1 + 8 * n);
  out[0] = RAW;
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) view.setFloat64(1 + 8 * i, v[i]!, true);
  return out;
}

function encodeDecimal(v: Float64Array, n: number): Uint8Array | undefined {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const k = decimalExponent(v[i]!);
    if (k < 0) return undefined;
    if (k > e) e = k;
  }
  const p = POW10[e]!;
  // Worst case 8 bytes a value (a 53-bit zigzag); cut to size at the end.
  const out = new Uint8Array(2 + 8 * n);
  out[0] = DECIMAL;
  out[1] = e;
  let at = 2;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.round(v[i]! * p);
    // A value decimal at a smaller exponent need not divide back exactly at this one.
    if (Math.abs(m) > MAX_M || m / p !== v[i]) return undefined;
    const d = m - prev;
    prev = m;
    let z = d >= 0 ? d * 2 : -d * 2 - 1;
    while (z >= 128) {
      out[at++] = (z % 128) | 128;
      z = Math.floor(z / 128);
    }
    out[at++] = z;
  }
  return out.slice(0, at);
}

/**
 * Values a few ULPs off a decimal (sums, increases and counters accumulated from decimal
 * steps in floating point: 6632.620000000003): the nearest `m / 10^e` as in decimal coding,
 * then the difference to the value as an integer multiple c of a power of two u (half the ULP
 * of the column's smallest value), so decoding is `m × 10^-e + c × u`: two multiplications and
 * an addition (the encoder checks each result bit for bit).
 * Taken only when it saves at least 3 bytes a value over raw.
 */
function encodeNearDecimal(v: Float64Array, n: number): Uint8Array | undefined {
  let best = -1;
  let bestCost = Infinity;
  for (let e = 0; e <= MAX_NEAR_E; e++) {
    const p = POW10[e]!;
    const inv = INV10[e]!;
    const u = unitFor(v, Math.min(n, NEAR_SAMPLE), p);
    let cost = 0;
    let prev = 0;
    for (let i = 0; i < Math.min(n, NEAR_SAMPLE) && cost < Infinity; i++) {
      const m = Math.round(v[i]! * p) + 0;
      const c = (v[i]! - m * inv) / u;
      if (!(Math.abs(m) <= MAX_M) || !(Math.abs(c) <= MAX_CORRECTION) || !Number.isInteger(c)) cost = Infinity;
      else cost += varintLength(zig(m - prev)) + varintLength(zig(c));
      prev = m;
    }
    if (cost < bestCost) (bestCost = cost), (best = e);
  }
  if (best < 0 || bestCost > 5 * Math.min(n, NEAR_SAMPLE)) return undefined;
  const p = POW10[best]!;
  const inv = INV10[best]!;
  const u = unitFor(v, n, p);
  const k = Math.log2(u);
  if (!(k >= -1074 && k <= 1023)) return undefined;
  const out = new Uint8Array(4 + 16 * n);
  out[0] = NEAR_DECIMAL;
  out[1] = best;
  new DataView(out.buffer).setInt16(2, k, true);
  let at = 4;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    // `+ 0`: a -0 would lose its sign in the deltas (and then fails the check below: raw).
    const m = Math.round(v[i]! * p) + 0;
    const c = (v[i]! - m * inv) / u;
    if (!(Math.abs(m) <= MAX_M) || !(Math.abs(c) <= MAX_CORRECTION) || !Number.isInteger(c) || !Object.is(m * inv + c * u, v[i])) return undefined;
    at = writeVarint(out, at, zig(m - prev));
    at = writeVarint(out, at, zig(c));
    prev = m;
    if (at > 1 + 5 * n) return undefined;
  }
  return out.slice(0, at);
}

/**
 * Half the ULP of the smallest nonzero `round(v × p) / p` among the first `n` values (1 when
 * all are 0): `m × 10^-e` may sit a fraction of an ULP off the decimal, so its distance to a
 * value need not be a whole number of the value's ULPs.
 */
function unitFor(v: Float64Array, n: number, p: number): number {
  let smallest = Infinity;
  for (let i = 0; i < n; i++) {
    const x = Math.abs(Math.round(v[i]! * p) / p) / 2;
    if (x > 0 && x < smallest) smallest = x;
  }
  if (!Number.isFinite(smallest)) return 1;
  return 2 ** Math.max(-1074, Math.floor(Math.log2(smallest)) - 52);
}

/** Inverse of {@link zig}; small values (the usual one-byte varints) in integer arithmetic. */
function unzig(z: number): number {
  return z < 0x40000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function zig(d: number): number {
  return d >= 0 ? d * 2 : -d * 2 - 1;
}

function varintLength(z: number): number {
  let n = 1;
  while (z >= 128) (z = Math.floor(z / 128)), n++;
  return n;
}

function writeVarint(out: Uint8Array, at: number, z: number): number {
  while (z >= 128) {
    out[at++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  out[at++] = z;
  return at;
}

/**
 * Decodes rows `[lo, hi)` of a field BLOB into `into` from `at`; a timestamp field passes the
 * decoded bucket starts (`into`'s positions of the same rows in `buckets`).
 */
export function decodeSpanField(blob: Uint8Array, lo: number, hi: number, into: Float64Array, at: number, buckets?: Float64Array): void {
  if (hi <= lo) return;
  const mode = blob[0]!;
  if (mode === CONSTANT) {
    into.fill(new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getFloat64(1, true), at, at + hi - lo);
  } else if (mode === RAW) {
    if (blob.length < 1 + 8 * hi) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
    if (LITTLE_ENDIAN) {
      // The values are unaligned in the blob: one byte copy into aligned scratch, then one
      // typed-array copy (a DataView read per value cost ~4× more).
      const bytes = 8 * (hi - lo);
      if (scratch.byteLength < bytes) scratch = new Float64Array(Math.max(bytes / 8, 2 * scratch.length));
      new Uint8Array(scratch.buffer, 0, bytes).set(blob.subarray(1 + 8 * lo, 1 + 8 * hi));
      into.set(scratch.subarray(0, hi - lo), at);
    } else {
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      for (let i = lo; i < hi; i++) into[at + i - lo] = view.getFloat64(1 + 8 * i, true);
    }
  } else if (mode === DECIMAL) {
    const p = POW10[blob[1]!]!;
    let q = 2;
    let m = 0;
    for (let i = 0; i < hi; i++) {
      let b = blob[q++]!;
      let z = b & 127;
      if (b >= 128) {
        let mul = 128;
        do {
          b = blob[q++]!;
          z += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      m += unzig(z);
      if (i >= lo) into[at + i - lo] = m / p;
    }
    if (q > blob.length) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
  } else if (mode === NEAR_DECIMAL) {
    const inv = INV10[blob[1]!]!;
    const u = 2 ** ((blob[2]! | (blob[3]! << 8)) << 16 >> 16);
    let q = 4;
    let m = 0;
    for (let i = 0; i < hi; i++) {
      let b = blob[q++]!;
      let z = b & 127;
      if (b >= 128) {
        let mul = 128;
        do {
          b = blob[q++]!;
          z += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      m += unzig(z);
      b = blob[q++]!;
      let c = b & 127;
      if (b >= 128) {
        let mul = 128;
        do {
          b = blob[q++]!;
          c += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      if (i >= lo) into[at + i - lo] = m * inv + unzig(c) * u;
    }
    if (q > blob.length) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
  } else throw new Error(`rollup span field mode ${mode} is not known`);
  if (buckets !== undefined) for (let i = at; i < at + hi - lo; i++) into[i]! += buckets[i]!;
}
