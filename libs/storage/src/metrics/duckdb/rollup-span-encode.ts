import { decimalExponent } from './chunk-codec.js';
import {
  CONSTANT,
  DECIMAL,
  DECIMAL_2,
  DECIMAL_AFTER,
  DERIVED,
  DERIVED_CONSTANT,
  DERIVED_DIFFERENCE,
  DERIVED_EQUAL,
  INV10,
  NEAR_DECIMAL,
  NEAR_DECIMAL_2,
  MAX_SPAN_BUCKETS,
  POW10,
  putF64,
  putU16,
  RAW,
} from './rollup-span-codec.js';

/**
 * Encoders of the field modes of rollup-span-codec.ts (where the format is described). Each
 * returns undefined when its mode cannot code the values bit-exact; callers keep the shortest
 * BLOB among those that can.
 */

/** Exponents tried for near-decimal coding, and the values sampled to pick one. */
const MAX_NEAR_E = 8;
const NEAR_SAMPLE = 32;
/** Largest ULP correction coded (beyond it the values are not near any decimal: raw). */
const MAX_CORRECTION = 2 ** 40;
/** |m| bound: deltas of two such stay exact in doubles. */
const MAX_M = 2 ** 51;
/** |m| bound of second-order coding: `m − (2m' − m'')` stays exact in doubles. */
const MAX_M_2 = 2 ** 49;
/** Exceptions a derived field holds at most (each costs 10 bytes). */
const MAX_EXCEPTIONS = 0xffff;

/**
 * Field BLOB of `values[from, from + n)` in the shortest mode that needs no other field; a
 * timestamp field passes `buckets` (the rows' bucket starts) and is coded as offsets from them.
 */
export function encodeSpanField(values: Float64Array, from: number, n: number, buckets?: Float64Array): Uint8Array {
  if (n > MAX_SPAN_BUCKETS) throw new RangeError(`a rollup span holds at most ${MAX_SPAN_BUCKETS} buckets, not ${n}`);
  const v = fieldValues;
  for (let i = 0; i < n; i++) v[i] = buckets === undefined ? values[from + i]! : values[from + i]! - buckets[from + i]!;
  let constant = v[0] === v[0];
  for (let i = 1; i < n && constant; i++) constant = Object.is(v[i], v[0]);
  if (constant) {
    const out = new Uint8Array(9);
    out[0] = CONSTANT;
    putF64(out, 1, v[0]!);
    return out;
  }
  let best: Uint8Array | undefined = encodeConstantExcept(v, n);
  const e = commonExponent(v, n);
  if (e >= 0) best = shortest(best, encodeDecimal(v, n, e));
  else {
    const near = nearExponent(v, n);
    if (near >= 0) best = shortest(best, encodeNearDecimal(v, n, near));
  }
  if (best !== undefined && best.length < 1 + 8 * n) return best;
  const out = new Uint8Array(1 + 8 * n);
  out[0] = RAW;
  for (let i = 0; i < n; i++) putF64(out, 1 + 8 * i, v[i]!);
  return out;
}

/**
 * The values of the field being encoded (offsets from their buckets for a timestamp field): a
 * module buffer, as a fresh array a field cost more than encoding a short span's values.
 */
const fieldValues = new Float64Array(MAX_SPAN_BUCKETS);

/** The shorter of two candidate BLOBs (the first when equal). */
export function shortest(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.length < a.length ? b : a;
}

/** Whether `a` and `b` have the same bits (NaN never does: its payload is kept as an exception). */
function same(a: number, b: number): boolean {
  return Object.is(a, b) && a === a;
}

/**
 * Mode 7 op 0: one value for most rows, the others listed. The value is the first, middle or
 * last one (whichever most rows share).
 */
function encodeConstantExcept(v: Float64Array, n: number): Uint8Array | undefined {
  // A value three rows in four share is nearly always at two of these three places.
  const a = v[0]!;
  const b = v[n >> 1]!;
  const z = v[n - 1]!;
  if (!same(a, b) && !same(a, z) && !same(b, z)) return undefined;
  let c = v[0]!;
  let misses = n + 1;
  for (const k of [0, n >> 1, n - 1]) {
    const x = v[k]!;
    let m = 0;
    for (let i = 0; i < n && m < misses; i++) if (!same(v[i]!, x)) m++;
    if (m < misses) (misses = m), (c = x);
  }
  if (misses > Math.min(MAX_EXCEPTIONS, n / 4)) return undefined;
  return withExceptions(DERIVED_CONSTANT, v, n, (i) => same(v[i]!, c), misses, (out) => putF64(out, 2, c), 10);
}

/**
 * Mode 7 op 1 (`b` undefined: every value field `fa`'s) or op 2 (field `fa`'s minus `fb`'s), the
 * rows where that does not hold listed; `a` and `b` are those fields' values of the same rows.
 */
export function encodeDerived(v: Float64Array, n: number, fa: number, a: Float64Array, fb?: number, b?: Float64Array): Uint8Array | undefined {
  const op = b === undefined ? DERIVED_EQUAL : DERIVED_DIFFERENCE;
  const holds = b === undefined ? (i: number) => same(v[i]!, a[i]!) : (i: number) => same(v[i]!, a[i]! - b[i]!);
  // Past a quarter of the rows another mode is shorter (10 bytes an exception).
  const limit = Math.min(MAX_EXCEPTIONS, n / 4);
  let misses = 0;
  for (let i = 0; i < n && misses <= limit; i++) if (!holds(i)) misses++;
  if (misses > limit) return undefined;
  return withExceptions(
    op,
    v,
    n,
    holds,
    misses,
    (out) => {
      out[2] = fa;
      if (fb !== undefined) out[3] = fb;
    },
    op === DERIVED_EQUAL ? 3 : 4,
  );
}

function withExceptions(op: number, v: Float64Array, n: number, holds: (i: number) => boolean, misses: number, head: (out: Uint8Array) => void, at: number): Uint8Array {
  const out = new Uint8Array(at + 2 + 10 * misses);
  out[0] = DERIVED;
  out[1] = op;
  head(out);
  putU16(out, at, misses);
  let e = at + 2;
  for (let i = 0; i < n; i++) {
    if (holds(i)) continue;
    putU16(out, e, i);
    putF64(out, e + 2, v[i]!);
    e += 10;
  }
  return out;
}

/** The m of each value while a field is encoded (a span has at most 1,440 rows). */
let ms = new Float64Array(1440);
/** The ULP corrections c of each value while a near-decimal field is encoded. */
let cs = new Float64Array(1440);

/**
 * Mode 1 (first order: deltas of m) or 4 (second order), whichever is shorter, at exponent e
 * (see rollup-span-codec.ts): one pass checks the values and sizes both, the shorter is written.
 */
function encodeDecimal(v: Float64Array, n: number, e: number): Uint8Array | undefined {
  const p = POW10[e]!;
  if (ms.length < n) ms = new Float64Array(n);
  let first = 0;
  let second = 0;
  let secondOk = true;
  for (let i = 0; i < n; i++) {
    const m = Math.round(v[i]! * p);
    // A value decimal at a smaller exponent need not divide back exactly at this one.
    if (Math.abs(m) > MAX_M || m / p !== v[i]) return undefined;
    if (Math.abs(m) > MAX_M_2) secondOk = false;
    ms[i] = m;
    const prev = i > 0 ? ms[i - 1]! : 0;
    first += varintLength(zig(m - prev));
    second += varintLength(zig(m - (i > 1 ? 2 * prev - ms[i - 2]! : prev)));
  }
  const useSecond = secondOk && second < first;
  const out = new Uint8Array(2 + (useSecond ? second : first));
  out[0] = useSecond ? DECIMAL_2 : DECIMAL;
  out[1] = e;
  let at = 2;
  for (let i = 0; i < n; i++) {
    const prev = i > 0 ? ms[i - 1]! : 0;
    at = writeVarint(out, at, zig(ms[i]! - (useSecond && i > 1 ? 2 * prev - ms[i - 2]! : prev)));
  }
  return out;
}

/**
 * Mode 6: each value as decimal m against field `f`'s value of the row before (`ref`, the
 * same rows; the first row against its own), as the decoder computes it.
 */
export function encodeDecimalAfter(v: Float64Array, n: number, f: number, ref: Float64Array): Uint8Array | undefined {
  const e = commonExponent(v, n);
  if (e < 0) return undefined;
  const p = POW10[e]!;
  const out = new Uint8Array(3 + 8 * n);
  out[0] = DECIMAL_AFTER;
  out[1] = f;
  out[2] = e;
  let at = 3;
  for (let i = 0; i < n; i++) {
    const m = Math.round(v[i]! * p);
    const r = Math.round(ref[i > 0 ? i - 1 : 0]! * p);
    if (Math.abs(m) > MAX_M || !(Math.abs(r) <= MAX_M) || m / p !== v[i] || (r + (m - r)) / p !== v[i]) return undefined;
    at = writeVarint(out, at, zig(m - r));
  }
  return out.slice(0, at);
}

/** Smallest e at which every value is `m / 10^e`, or -1. */
function commonExponent(v: Float64Array, n: number): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const k = decimalExponent(v[i]!);
    if (k < 0) return -1;
    if (k > e) e = k;
  }
  return e;
}

/**
 * Mode 3 or 5 (second order), whichever is shorter: values a few ULPs off a decimal (sums, increases and counters
 * accumulated from decimal steps in floating point: 6632.620000000003): the nearest
 * `m / 10^e` as in decimal coding, then the difference to the value as an integer multiple c
 * of a power of two u (half the ULP of the column's smallest value), so decoding is
 * `m × 10^-e + c × u`: two multiplications and an addition (the encoder checks each result bit
 * for bit), at the exponent {@link nearExponent} picked. Taken only when it saves at least 3
 * bytes a value over raw.
 */
function encodeNearDecimal(v: Float64Array, n: number, e: number): Uint8Array | undefined {
  const p = POW10[e]!;
  const inv = INV10[e]!;
  const u = unitFor(v, n, p);
  const k = Math.log2(u);
  if (!(k >= -1074 && k <= 1023)) return undefined;
  if (ms.length < n) ms = new Float64Array(n);
  if (cs.length < n) cs = new Float64Array(n);
  let first = 0;
  let second = 0;
  let secondOk = true;
  for (let i = 0; i < n; i++) {
    // `+ 0`: a -0 would lose its sign in the deltas (and then fails the check below: raw).
    const m = Math.round(v[i]! * p) + 0;
    const c = (v[i]! - m * inv) / u;
    if (!(Math.abs(m) <= MAX_M) || !(Math.abs(c) <= MAX_CORRECTION) || !Number.isInteger(c) || !Object.is(m * inv + c * u, v[i])) return undefined;
    if (Math.abs(m) > MAX_M_2) secondOk = false;
    ms[i] = m;
    cs[i] = c;
    const prev = i > 0 ? ms[i - 1]! : 0;
    const cost = varintLength(zig(c));
    first += cost + varintLength(zig(m - prev));
    second += cost + varintLength(zig(m - (i > 1 ? 2 * prev - ms[i - 2]! : prev)));
  }
  const useSecond = secondOk && second < first;
  const size = 4 + (useSecond ? second : first);
  if (size > 1 + 5 * n) return undefined;
  const out = new Uint8Array(size);
  out[0] = useSecond ? NEAR_DECIMAL_2 : NEAR_DECIMAL;
  out[1] = e;
  putU16(out, 2, k);
  let at = 4;
  for (let i = 0; i < n; i++) {
    const prev = i > 0 ? ms[i - 1]! : 0;
    at = writeVarint(out, at, zig(ms[i]! - (useSecond && i > 1 ? 2 * prev - ms[i - 2]! : prev)));
    at = writeVarint(out, at, zig(cs[i]!));
  }
  return out;
}

/**
 * The exponent near-decimal coding of `v` costs least at, of the first or second order (judged
 * on the first values), or -1 when neither codes them in ≤ 5 bytes a value.
 */
function nearExponent(v: Float64Array, n: number): number {
  const sample = Math.min(n, NEAR_SAMPLE);
  let best = -1;
  let bestCost = Infinity;
  /** Whether every correction at the best exponent so far fits one byte (the least it can cost). */
  let leastCorrections = false;
  for (let e = 0; e <= MAX_NEAR_E; e++) {
    const p = POW10[e]!;
    const inv = INV10[e]!;
    const u = unitFor(v, sample, p);
    let first = 0;
    let second = 0;
    let corrections = 0;
    let prev = 0;
    let before = 0;
    for (let i = 0; i < sample && first < Infinity; i++) {
      const m = Math.round(v[i]! * p) + 0;
      const c = (v[i]! - m * inv) / u;
      if (!(Math.abs(m) <= MAX_M_2) || !(Math.abs(c) <= MAX_CORRECTION) || !Number.isInteger(c)) first = second = Infinity;
      else {
        const cost = varintLength(zig(c));
        corrections += cost;
        first += cost + varintLength(zig(m - prev));
        second += cost + varintLength(zig(m - (i > 1 ? 2 * prev - before : prev)));
      }
      before = prev;
      prev = m;
    }
    const cost = Math.min(first, second);
    if (cost < bestCost) {
      bestCost = cost;
      best = e;
      leastCorrections = corrections === sample;
    } else if (leastCorrections && cost > bestCost) {
      // Each larger exponent multiplies m (and so its deltas) by about ten while the corrections
      // cannot get shorter than one byte: past the first longer one none has been shorter on
      // this data (same bytes in bench and tests), so the search stops there.
      break;
    }
  }
  return bestCost > 5 * sample ? -1 : best;
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

function zig(d: number): number {
  return d >= 0 ? d * 2 : -d * 2 - 1;
}

/** Bytes of the varint of `z` (≥ 0, an integer up to 2^53): comparisons, no division (the mode choice sizes every value several times). */
function varintLength(z: number): number {
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  let n = 5;
  for (let t = 2 ** 35; z >= t; t *= 128) n++;
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
