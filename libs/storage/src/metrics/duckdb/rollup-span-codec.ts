/**
 * The packed rollup format: the buckets of one series at one resolution within one span, the
 * way raw samples are stored as chunks. A 7 d panel over 1,000 series then reads a few rows a
 * series instead of 2,000, and DuckDB no longer materializes (and node-api copies) a vector per
 * column per 2,048 rows. Each field is a BLOB of its own (a column of `rollup_spans`), so a read
 * fetches the fields it needs (and those their BLOBs may reference, {@link MAY_REFERENCE}).
 * Encoding is in rollup-span-encode.ts and rollup-span-fields.ts.
 *
 * A span holds buckets of one UTC day: all of them, or (a day packed in parts as it
 * completes) its first part, merged with the next part into a new span later; every bucket
 * index lies within {@link SPAN_MS} of the span's start.
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
 * - `2` raw: n `f64`, little-endian (anything else);
 * - `4` decimal, second order: as `1` but each varint is `m − (2 × previous m − the one
 *   before)` (the first two as in `1`): counters at a steady rate, their sums;
 * - `5` near-decimal, second order: as `3` with `m` predicted as in `4`;
 * - `6` decimal after a field: `u8` field f, `u8` e, then per bucket the zigzag varint of
 *   `m − round(f's value of the bucket before × 10^e)` (the first bucket: of its own):
 *   a counter's first value in a bucket lies one scrape after the last value of the one before;
 * - `7` derived: `u8` op, then op 0 `f64` c (every value is c), op 1 `u8` field a (every
 *   value is a's), op 2 `u8` a, `u8` b (every value is a's − b's), then `u16` count and that
 *   many exceptions, `u16` row and `f64` value, rows ascending: for a counter without a reset
 *   in the bucket min is the first value, max the last and the increase last − first, exactly
 *   (the differences of nearby doubles are exact); a missed scrape makes a count an exception.
 * Modes 6 and 7 reference other fields of the same span, which are decoded first
 * ({@link MAY_REFERENCE} is what a field may reference: no cycles).
 * Decoding divides by the same power of ten the encoder checked, so values come back
 * bit-exact; the encoder takes a mode only when it checked every value. Fields decode in
 * tight loops with no allocation.
 */

/** Every field in the order of the port's `RollupField` (and of `rollup_spans`' field columns). */
export const SPAN_FIELDS = ['count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;
/** Whether field `f` (index in {@link SPAN_FIELDS}) is a timestamp, coded as an offset from its bucket's start. */
export function isTimestampField(f: number): boolean {
  return f === 4 || f === 6;
}
/** The longest span a row of `rollup_spans` covers: one UTC day (and its bucket indexes lie within it). */
export const SPAN_MS = 86_400_000;
/** At most this many buckets in a span (5 m: 288). */
export const MAX_SPAN_BUCKETS = 1440;

/**
 * Fields whose values field f's BLOB may reference (modes 6 and 7), by index in
 * {@link SPAN_FIELDS}: min the first value, max the last (a counter's), the increase both, the
 * first value the last. A read fetches these besides the fields it asks for (a `max` read the
 * last values too, a small BLOB a counter's max becomes); the graph has no cycle.
 */
export const MAY_REFERENCE: readonly (readonly number[])[] = [[], [], [5], [7], [], [7], [], [], [7, 5]];

const CONSECUTIVE = 0;
const LISTED = 1;
export const CONSTANT = 0;
export const DECIMAL = 1;
export const RAW = 2;
export const NEAR_DECIMAL = 3;
export const DECIMAL_2 = 4;
export const NEAR_DECIMAL_2 = 5;
export const DECIMAL_AFTER = 6;
export const DERIVED = 7;
/** Ops of a derived field: every value c, a field's, or a field's minus another's. */
export const DERIVED_CONSTANT = 0;
export const DERIVED_EQUAL = 1;
export const DERIVED_DIFFERENCE = 2;
export const MAX_E = 12;
export const POW10 = Array.from({ length: MAX_E + 1 }, (_, e) => 10 ** e);
/** Near-decimal bases are `m × 10^-e` (a multiplication decodes faster than a division; the encoder checks each value either way). */
export const INV10 = POW10.map((p) => 1 / p);
/** Raw fields are little-endian; on such a platform they are copied, not read value by value. */
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
/** Aligned room for the raw values of one field while they are copied out. */
let scratch = new Float64Array(1024);
/** One `f64` read out of a BLOB without a DataView per call (a span's fields are decoded a few thousand times a read). */
const one = new Float64Array(1);
const oneBytes = new Uint8Array(one.buffer);

/** The little-endian `f64` at `at` in `blob`. */
function f64At(blob: Uint8Array, at: number): number {
  if (LITTLE_ENDIAN) for (let k = 0; k < 8; k++) oneBytes[k] = blob[at + k]!;
  else for (let k = 0; k < 8; k++) oneBytes[7 - k] = blob[at + k]!;
  return one[0]!;
}

/**
 * Writes `x` as a little-endian `f64` at `at` in `out`. The encoders write their BLOBs with
 * these rather than a DataView: taking `.buffer` of a small typed array moves its bytes off the
 * V8 heap, which cost more than encoding a short span's values.
 */
export function putF64(out: Uint8Array, at: number, x: number): void {
  one[0] = x;
  if (LITTLE_ENDIAN) for (let k = 0; k < 8; k++) out[at + k] = oneBytes[k]!;
  else for (let k = 0; k < 8; k++) out[at + k] = oneBytes[7 - k]!;
}

/** Writes the low 16 bits of `x` little-endian at `at` in `out` (a negative `x` in two's complement). */
export function putU16(out: Uint8Array, at: number, x: number): void {
  out[at] = x & 0xff;
  out[at + 1] = (x >> 8) & 0xff;
}

/** Bucket indexes of the span being encoded (a module buffer: no allocation a span). */
const bucketIndex = new Uint16Array(MAX_SPAN_BUCKETS);

/** Start of the span holding bucket `b`. */
export function spanStart(b: number): number {
  return Math.floor(b / SPAN_MS) * SPAN_MS;
}

/** Bucket BLOB of `buckets[from, from + n)`: ascending starts of buckets within the span at `start`. */
export function encodeSpanBuckets(start: number, resolutionMs: number, buckets: Float64Array, from: number, n: number): Uint8Array {
  if (n <= 0 || n > MAX_SPAN_BUCKETS) throw new RangeError(`a rollup span holds 1 to ${MAX_SPAN_BUCKETS} buckets, got ${n}`);
  const index = bucketIndex;
  let consecutive = true;
  for (let i = 0; i < n; i++) {
    const k = (buckets[from + i]! - start) / resolutionMs;
    if (!Number.isInteger(k) || k < 0 || (k + 1) * resolutionMs > SPAN_MS) throw new RangeError(`bucket ${buckets[from + i]} is not a bucket of the span at ${start}`);
    if (i > 0 && k <= index[i - 1]!) throw new RangeError(`rollup span buckets must ascend (${buckets[from + i]} after ${buckets[from + i - 1]})`);
    index[i] = k;
    if (i > 0 && k !== index[i - 1]! + 1) consecutive = false;
  }
  const out = new Uint8Array(consecutive ? 5 : 3 + 2 * n);
  putU16(out, 0, n);
  out[2] = consecutive ? CONSECUTIVE : LISTED;
  if (consecutive) putU16(out, 3, index[0]!);
  else for (let i = 0; i < n; i++) putU16(out, 3 + 2 * i, index[i]!);
  return out;
}

/** Number of buckets in a bucket BLOB. */
export function spanBucketCount(blob: Uint8Array): number {
  return blob[0]! | (blob[1]! << 8);
}

/**
 * The rows `[range[0], range[1])` of a bucket BLOB (span at `start`) whose buckets lie in
 * `[first, last]`; returns how many.
 */
export function spanRowRange(blob: Uint8Array, start: number, resolutionMs: number, first: number, last: number, range: Int32Array): number {
  const n = spanBucketCount(blob);
  let lo = 0;
  let hi = 0;
  if (blob[2] === CONSECUTIVE) {
    const b0 = start + (blob[3]! | (blob[4]! << 8)) * resolutionMs;
    lo = Math.min(n, Math.max(0, Math.ceil((first - b0) / resolutionMs)));
    hi = Math.min(n, Math.floor((last - b0) / resolutionMs) + 1);
  } else if (blob[2] === LISTED) {
    lo = n;
    for (let i = 0; i < n; i++) {
      const b = start + (blob[3 + 2 * i]! | (blob[4 + 2 * i]! << 8)) * resolutionMs;
      if (b < first) continue;
      if (b > last) break;
      if (lo === n) lo = i;
      hi = i + 1;
    }
  } else throw new Error(`rollup span bucket mode ${blob[2]} is not known`);
  if (hi < lo) hi = lo;
  range[0] = lo;
  range[1] = hi;
  return hi - lo;
}

/**
 * Decodes the buckets of a bucket BLOB (span at `start`) that lie in `[first, last]` into
 * `into` from `at`; returns how many, and sets `range` to the rows `[lo, hi)` of the span they
 * are (what {@link decodeSpanField} takes).
 */
export function decodeSpanBuckets(blob: Uint8Array, start: number, resolutionMs: number, into: Float64Array, at: number, first: number, last: number, range: Int32Array): number {
  const count = spanRowRange(blob, start, resolutionMs, first, last, range);
  const lo = range[0]!;
  const hi = range[1]!;
  if (blob[2] === CONSECUTIVE) {
    const b0 = start + (blob[3]! | (blob[4]! << 8)) * resolutionMs;
    for (let i = lo; i < hi; i++) into[at + i - lo] = b0 + i * resolutionMs;
  } else for (let i = lo; i < hi; i++) into[at + i - lo] = start + (blob[3 + 2 * i]! | (blob[4 + 2 * i]! << 8)) * resolutionMs;
  return count;
}

/** Inverse of zigzag coding; small values (the usual one-byte varints) in integer arithmetic. */
export function unzig(z: number): number {
  return z < 0x40000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * Decodes rows `[lo, hi)` of a field BLOB into `into` from `at`; a timestamp field passes the
 * decoded bucket starts (`into`'s positions of the same rows in `buckets`). A field that
 * references others (modes 6 and 7) needs `refs[f]` for each field f it names: f's values of
 * rows `[0, hi)` from index `refAt[f]` (0 without `refAt`; rollup-span-fields.ts decodes a
 * span's fields in that order, straight into the caller's columns where it can).
 *
 * The varint loops read a one-byte varint (the usual case) with one comparison and zigzag in
 * integer arithmetic; rows before `lo` are decoded (each value depends on the one before) but
 * not stored.
 */
export function decodeSpanField(
  blob: Uint8Array,
  lo: number,
  hi: number,
  into: Float64Array,
  at: number,
  buckets?: Float64Array,
  refs?: readonly (Float64Array | undefined)[],
  refAt?: Int32Array,
): void {
  if (hi <= lo) return;
  const mode = blob[0]!;
  // Position of row i in `into`.
  const shift = at - lo;
  if (mode === CONSTANT) {
    const c = f64At(blob, 1);
    // A timestamp offset (constant at a steady scrape phase) and its bucket in one pass.
    if (buckets !== undefined) {
      for (let i = at; i < at + hi - lo; i++) into[i] = c + buckets[i]!;
      return;
    }
    into.fill(c, at, at + hi - lo);
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
  } else if (mode === DECIMAL || mode === DECIMAL_2) {
    const p = POW10[blob[1]!]!;
    const second = mode === DECIMAL_2;
    let q = 2;
    let m = 0;
    let delta = 0;
    for (let i = 0; i < hi; i++) {
      let z = blob[q]!;
      if (z < 128) q++;
      else if (blob[q + 1]! < 128) {
        // Two bytes: the other common length (deltas of a few hundred hundredths).
        z = (z & 127) | (blob[q + 1]! << 7);
        q += 2;
      } else {
        z &= 127;
        q++;
        let mul = 128;
        let b: number;
        do {
          b = blob[q++]!;
          z += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      const d = z < 0x40000000 ? (z >>> 1) ^ -(z & 1) : unzig(z);
      // First order: m += d; second order: the delta itself accumulates d.
      delta = second && i > 1 ? delta + d : d;
      m += delta;
      if (i >= lo) into[shift + i] = m / p;
    }
    if (q > blob.length) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
  } else if (mode === NEAR_DECIMAL || mode === NEAR_DECIMAL_2) {
    const inv = INV10[blob[1]!]!;
    const u = 2 ** (((blob[2]! | (blob[3]! << 8)) << 16) >> 16);
    const second = mode === NEAR_DECIMAL_2;
    let q = 4;
    let m = 0;
    let delta = 0;
    for (let i = 0; i < hi; i++) {
      let z = blob[q]!;
      if (z < 128) q++;
      else if (blob[q + 1]! < 128) {
        // Two bytes: the other common length (deltas of a few hundred hundredths).
        z = (z & 127) | (blob[q + 1]! << 7);
        q += 2;
      } else {
        z &= 127;
        q++;
        let mul = 128;
        let b: number;
        do {
          b = blob[q++]!;
          z += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      const d = z < 0x40000000 ? (z >>> 1) ^ -(z & 1) : unzig(z);
      delta = second && i > 1 ? delta + d : d;
      m += delta;
      let c = blob[q++]!;
      if (c >= 128) {
        c &= 127;
        let mul = 128;
        let b: number;
        do {
          b = blob[q++]!;
          c += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      if (i >= lo) into[shift + i] = m * inv + (c < 0x40000000 ? (c >>> 1) ^ -(c & 1) : unzig(c)) * u;
    }
    if (q > blob.length) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
  } else if (mode === DECIMAL_AFTER) {
    const ref = referenced(refs, blob[1]!, hi, refAt);
    const r0 = refAt === undefined ? 0 : refAt[blob[1]!]!;
    const p = POW10[blob[2]!]!;
    let q = 3;
    for (let i = 0; i < hi; i++) {
      let z = blob[q++]!;
      if (z >= 128) {
        z &= 127;
        let mul = 128;
        let b: number;
        do {
          b = blob[q++]!;
          z += (b & 127) * mul;
          mul *= 128;
        } while (b >= 128);
      }
      if (i >= lo) into[shift + i] = (Math.round(ref[r0 + (i > 0 ? i - 1 : 0)]! * p) + (z < 0x40000000 ? (z >>> 1) ^ -(z & 1) : unzig(z))) / p;
    }
    if (q > blob.length) throw new Error(`rollup span field of ${blob.length} bytes holds fewer than ${hi} values`);
  } else if (mode === DERIVED) {
    const op = blob[1]!;
    let q: number;
    if (op === DERIVED_CONSTANT) {
      into.fill(f64At(blob, 2), at, at + hi - lo);
      q = 10;
    } else if (op === DERIVED_EQUAL) {
      const a = referenced(refs, blob[2]!, hi, refAt);
      const a0 = refAt === undefined ? 0 : refAt[blob[2]!]!;
      if (a !== into || a0 + lo !== at) into.set(a.subarray(a0 + lo, a0 + hi), at);
      q = 3;
    } else if (op === DERIVED_DIFFERENCE) {
      const a = referenced(refs, blob[2]!, hi, refAt);
      const b = referenced(refs, blob[3]!, hi, refAt);
      const a0 = (refAt === undefined ? 0 : refAt[blob[2]!]!) - shift;
      const b0 = (refAt === undefined ? 0 : refAt[blob[3]!]!) - shift;
      for (let i = at; i < at + hi - lo; i++) into[i] = a[a0 + i]! - b[b0 + i]!;
      q = 4;
    } else throw new Error(`rollup span derived field op ${op} is not known`);
    const exceptions = blob[q]! | (blob[q + 1]! << 8);
    if (blob.length < q + 2 + 10 * exceptions) throw new Error(`rollup span field of ${blob.length} bytes is shorter than its ${exceptions} exceptions`);
    for (let k = 0, e = q + 2; k < exceptions; k++, e += 10) {
      const row = blob[e]! | (blob[e + 1]! << 8);
      if (row >= hi) break;
      if (row >= lo) into[shift + row] = f64At(blob, e + 2);
    }
  } else throw new Error(`rollup span field mode ${mode} is not known`);
  if (buckets !== undefined) for (let i = at; i < at + hi - lo; i++) into[i]! += buckets[i]!;
}

/** The decoded values of field `f` a BLOB references (rows from 0 through at least `hi`). */
function referenced(refs: readonly (Float64Array | undefined)[] | undefined, f: number, hi: number, refAt: Int32Array | undefined): Float64Array {
  const ref = refs?.[f];
  if (ref === undefined || ref.length < (refAt === undefined ? 0 : refAt[f]!) + hi) throw new Error(`rollup span field references field ${f} (${SPAN_FIELDS[f] ?? 'unknown'}), which was not decoded before it`);
  return ref;
}
