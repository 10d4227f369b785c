import { writeBits, writeVarint, writeWide } from './bit-io.js';
import { decodeChunk } from './chunk-decoder.js';
import { encodeSamples, MAX_CHUNK_SAMPLES, XOR_MODE, type EncodedChunk } from './chunk-codec.js';

/**
 * The packed chunk format: what a decimal chunk becomes when it is sealed (cut from the head
 * on its way to disk). The head's format (chunk-codec.ts) is written a sample at a time, so
 * its codes are fixed in advance; with the whole chunk at hand the packer picks, per chunk,
 * the transform and code widths that fit its values, VictoriaMetrics-style (its blocks pick a
 * delta or delta-of-delta coding per block, then zstd them). On node_exporter-like data this
 * is ~3.2× smaller: a counter in hundredths growing at a steady rate with jitter costs 25 bits
 * a sample as a plain delta and 5–7 bits as a delta from its typical step, divided by the
 * deltas' common factor (a multiple of 100 here, 4,096 for byte gauges moving in pages).
 *
 * Layout: byte 0 is `PACKED | e` (bit 6; bits 0–4 the decimal exponent, as in the head
 * format; bit 7 clear). Byte 1 holds the transform (bits 0–1) and bit 2, set when every
 * timestamp interval is the same. Then unsigned LEB128 varints (signed ones zigzagged): the
 * interval (if regular), `m0` (the first value is `m0 / 10^e`; the packer never packs a chunk
 * whose first value is escaped), the transform's constant (delta-from-step: the step `D`;
 * delta-of-delta: the first delta), the common factor `g` ≥ 1, then three code widths
 * `w1 ≤ w2 ≤ w3` (one byte each). The bit stream starts at the next byte; per sample after
 * the first:
 * - the timestamp, unless regular: the head format's delta-of-delta code;
 * - the value: `0` → x = 0; `10` + w1, `110` + w2, `1110` + w3 bits → x = unzigzag(bits) × g;
 *   `1111` + 64 bits: a raw float (not decimal at e: NaN, the staleness marker, ±Inf, −0),
 *   which leaves the state as it was. With state `m` (and `d`, the last delta):
 *   delta: `m += x`; delta-from-step: `m += D + x`; delta-of-delta: `d += x; m += d`.
 *   The value is `m / 10^e`, the very division the head's encoder checked: bit-exact.
 *   `w3 = 0` means every code is 0 and none is an escape: no value codes at all (a constant,
 *   or a counter at an exact step).
 */
export const PACKED = 0x40;
export const TRANSFORM_DELTA = 0;
export const TRANSFORM_STEP = 1;
export const TRANSFORM_DOD = 2;
export const REGULAR_TIMESTAMPS = 0x04;

const MAX_E = 12;
const POW10 = Array.from({ length: MAX_E + 1 }, (_, e) => 10 ** e);
/** |m| bound of the head format (deltas of two such stay exact in doubles). */
const MAX_M = 2 ** 51;
/** Largest |x| coded: its zigzag stays below 2^53 (53 bits, exact in a double). */
const MAX_X = 2 ** 52 - 1;
/** Longest header: 2 bytes, four varints of up to 8 bytes, three widths. */
const MAX_HEADER_BYTES = 2 + 4 * 8 + 3;
/** Worst case per sample: a 30-bit timestamp code and an escape (4 + 64 bits). */
const MAX_SAMPLE_BITS = 98;

// Scratch for one chunk at a time (the packer runs on the store's thread, one chunk per call).
const ts = new Float64Array(MAX_CHUNK_SAMPLES);
const vs = new Float64Array(MAX_CHUNK_SAMPLES);
/** Per sample: its integer at the chunk's exponent, or NaN for a sample coded raw. */
const ms = new Float64Array(MAX_CHUNK_SAMPLES);
/** The raw codes (before division by the common factor) of each transform, per sample. */
const xStep = new Float64Array(MAX_CHUNK_SAMPLES);
const xDod = new Float64Array(MAX_CHUNK_SAMPLES);
/** Number of codes of each bit length 0–53, of the transform chosen. */
const lengths = new Int32Array(54);
const out = new Uint8Array(MAX_HEADER_BYTES + Math.ceil((MAX_CHUNK_SAMPLES * MAX_SAMPLE_BITS) / 8) + 8);

function isNegZero(v: number): boolean {
  return v === 0 && 1 / v < 0;
}

/** Powers of ten tried as a common factor (10^0 … 10^15, exact in doubles). */
const MAX_POW10_FACTOR = 15;
const POW10_FACTORS = Array.from({ length: MAX_POW10_FACTOR + 1 }, (_, k) => 10 ** k);
/** 10^0 … 10^9 as int32s, for remainders of codes below 2^31. */
const POW10_INT = Int32Array.from({ length: 10 }, (_, k) => 10 ** k);

/** Bits of `z` (0 for 0), for `z` < 2^53. */
function bitLength(z: number): number {
  if (z < 4294967296) return 32 - Math.clz32(z);
  return 64 - Math.clz32(Math.floor(z / 4294967296));
}

function zigzag(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}

/** The code widths chosen for one transform and what its codes cost in bits. */
interface Widths {
  w1: number;
  w2: number;
  w3: number;
  bits: number;
}

/** Code lengths that occur (ascending), and how many codes are at most each long. */
const present = new Int32Array(54);
const upTo = new Int32Array(54);

/**
 * The cheapest `w1 ≤ w2 ≤ w3` for the code lengths counted in {@link lengths}: w3 is the
 * longest (every code must fit); an optimal w1 and w2 are lengths that occur, so only those
 * pairs are tried (a handful per chunk).
 */
function chooseWidths(longest: number, into: Widths): void {
  let k = 0;
  let acc = 0;
  for (let b = 1; b <= longest; b++) {
    acc += lengths[b]!;
    upTo[b] = acc;
    if (lengths[b]! > 0) present[k++] = b;
  }
  const zeros = lengths[0]!;
  into.w3 = Math.max(longest, 1);
  if (k === 0) {
    into.w1 = into.w2 = 1;
    into.bits = zeros;
    return;
  }
  const all = upTo[longest]!;
  let best = Infinity;
  for (let i = 0; i < k; i++) {
    const w1 = present[i]!;
    const c1 = upTo[w1]!;
    for (let j = i; j < k; j++) {
      const w2 = present[j]!;
      const c2 = upTo[w2]!;
      const cost = c1 * (2 + w1) + (c2 - c1) * (3 + w2) + (all - c2) * (4 + longest);
      if (cost < best) {
        best = cost;
        into.w1 = w1;
        into.w2 = w2;
      }
    }
  }
  into.bits = best + zeros;
}

const chosen: Widths = { w1: 1, w2: 1, w3: 1, bits: 0 };

/**
 * What the latest {@link packChunk} learnt of its chunk's values for the series' next head
 * chunk (chunk-codec.ts, `STEP_MODE`): the step of its delta-from-step transform and the common
 * factor of those codes, in units of its exponent; 0 and 1 when it has none to give.
 */
export const packHint = { step: 0, factor: 1 };

/**
 * The bytes a sealed chunk is stored as: the packed form of a decimal head chunk when it is
 * smaller, else a copy of `data` (XOR chunks, a first value coded raw, or nothing gained).
 * `data` is the head format's bytes (a view into the head's arena: never kept). Sets
 * {@link packHint}.
 */
export function packChunk(data: Uint8Array, firstTs: number, count: number): Uint8Array {
  const hdr = data[0]!;
  packHint.step = 0;
  packHint.factor = 1;
  if (count < 2 || count > MAX_CHUNK_SAMPLES || (hdr & XOR_MODE) !== 0 || (hdr & PACKED) !== 0) return data.slice();
  decodeChunk(data, firstTs, count, ts, vs, 0);
  const e = hdr & 0x1f;
  const p = POW10[e]!;
  let decimals = 0;
  for (let i = 0; i < count; i++) {
    const v = vs[i]!;
    const m = Math.round(v * p);
    // The head encoder's own test for a decimal value at e (anything else it escaped).
    if (Math.abs(m) <= MAX_M && m / p === v && !isNegZero(v)) {
      ms[i] = m;
      decimals++;
    } else ms[i] = NaN;
  }
  if (Number.isNaN(ms[0]!)) return data.slice();

  const interval = ts[1]! - ts[0]!;
  let regular = true;
  for (let i = 2; i < count && regular; i++) if (ts[i]! - ts[i - 1]! !== interval) regular = false;

  // The step D of delta-from-step: the delta nearest the mean, an actual delta so that the
  // codes keep the deltas' common factor; the first delta seeds delta-of-delta.
  let sum = 0;
  let prev = ms[0]!;
  let firstDelta = NaN;
  for (let i = 1; i < count; i++) {
    const m = ms[i]!;
    if (Number.isNaN(m)) continue;
    const d = m - prev;
    if (Number.isNaN(firstDelta)) firstDelta = d;
    sum += d;
    prev = m;
  }
  if (Number.isNaN(firstDelta)) firstDelta = 0;
  const mean = decimals > 1 ? sum / (decimals - 1) : 0;
  let step = firstDelta;
  prev = ms[0]!;
  for (let i = 1; i < count; i++) {
    const m = ms[i]!;
    if (Number.isNaN(m)) continue;
    const d = m - prev;
    if (Math.abs(d - mean) < Math.abs(step - mean)) step = d;
    prev = m;
  }

  // The raw codes of delta-from-step and delta-of-delta, as their decoder's state machine
  // sees them, in one pass (a plain delta is delta-from-step with a step of 0: it is written
  // as such when the step is 0, and a random walk's step costs a varint more at worst).
  let m = ms[0]!;
  let d = firstDelta;
  let stepValid = true;
  let dodValid = true;
  // Sums of the codes' magnitudes: the transform with the smaller one is costed and written
  // (costing both took the packer ~20 % longer for the rare byte it saved).
  let stepSum = 0;
  let dodSum = 0;
  for (let i = 1; i < count; i++) {
    const mi = ms[i]!;
    if (Number.isNaN(mi)) continue;
    const delta = mi - m;
    const cs = delta - step;
    const cd = delta - d;
    d = delta;
    m = mi;
    xStep[i] = cs;
    xDod[i] = cd;
    const as = Math.abs(cs);
    const ad = Math.abs(cd);
    stepSum += as;
    dodSum += ad;
    if (as > MAX_X) stepValid = false;
    if (ad > MAX_X) dodValid = false;
  }
  let tr = dodValid && (!stepValid || dodSum < stepSum) ? TRANSFORM_DOD : stepValid ? TRANSFORM_STEP : -1;
  if (tr < 0) return data.slice();
  const x = tr === TRANSFORM_STEP ? xStep : xDod;
  const g = commonFactor(x, count);
  lengths.fill(0);
  let longest = 0;
  for (let i = 1; i < count; i++) {
    if (Number.isNaN(ms[i]!)) continue;
    const b = bitLength(zigzag(g === 1 ? x[i]! : x[i]! / g));
    lengths[b]!++;
    if (b > longest) longest = b;
  }
  chooseWidths(longest, chosen);
  if (longest === 0 && decimals === count) {
    // Every code is 0 and none is an escape: no value codes at all (w3 = 0).
    chosen.w1 = chosen.w2 = chosen.w3 = 0;
    chosen.bits = 0;
  }
  // Escapes are not in the histogram: room for them too when the output is zeroed.
  chosen.bits += (count - decimals) * 68;
  const constant = tr === TRANSFORM_DOD ? firstDelta : step;
  // The factor is of the chosen transform's codes: the step's only when that is delta-from-step.
  packHint.step = step;
  packHint.factor = tr === TRANSFORM_STEP ? g : 1;
  if (tr === TRANSFORM_STEP && step === 0) tr = TRANSFORM_DELTA;
  return writePacked(data, count, e, tr, constant, g, regular, interval);
}

/**
 * A common factor of the codes `x[1, count)` (those of decimal samples): the larger of the
 * greatest power of ten and the greatest power of two dividing them all. Not their GCD (a
 * remainder loop per code costs the packer more than the rare other factor saves); these two
 * are what real series share: counters in hundredths stepping by whole units, byte gauges
 * moving in pages.
 */
function commonFactor(x: Float64Array, count: number): number {
  let k = -1;
  let or = 0;
  let small = true;
  for (let i = 1; i < count; i++) {
    if (Number.isNaN(ms[i]!)) continue;
    const c = Math.abs(x[i]!);
    if (c === 0) continue;
    if (c < 2147483648) {
      or |= c;
      // int32 remainders where they will do: a double `%` is an fmod call.
      const ci = c | 0;
      if (k < 0) {
        k = 0;
        while (k < 9 && ci % POW10_INT[k + 1]! === 0) k++;
      } else while (k > 0 && (k > 9 || ci % POW10_INT[k]! !== 0)) k--;
      continue;
    }
    small = false;
    if (k < 0) {
      k = 0;
      while (k < MAX_POW10_FACTOR && c % POW10_FACTORS[k + 1]! === 0) k++;
    } else while (k > 0 && c % POW10_FACTORS[k]! !== 0) k--;
  }
  if (k < 0) return 1;
  const ten = POW10_FACTORS[k]!;
  const two = small && or !== 0 ? 2 ** (31 - Math.clz32(or & -or)) : 1;
  return two > ten ? two : ten;
}


function writePacked(data: Uint8Array, count: number, e: number, tr: number, constant: number, g: number, regular: boolean, interval: number): Uint8Array {
  // A plain delta is delta-from-step with a step of 0.
  const x = tr === TRANSFORM_DOD ? xDod : xStep;
  const { w1, w2, w3 } = chosen;
  // The writer ORs bits in: zero what this chunk can reach (the packer's estimate plus the
  // header's and timestamps' worst case), not the whole scratch.
  out.fill(0, 0, Math.min(out.length, MAX_HEADER_BYTES + 8 + ((chosen.bits + (regular ? 0 : 30 * count) + 7) >>> 3)));
  out[0] = PACKED | e;
  out[1] = tr | (regular ? REGULAR_TIMESTAMPS : 0);
  let at = 2;
  if (regular) at = writeVarint(out, at, interval);
  at = writeVarint(out, at, zigzag(ms[0]!));
  if (tr !== TRANSFORM_DELTA) at = writeVarint(out, at, zigzag(constant));
  at = writeVarint(out, at, g);
  out[at++] = w1;
  out[at++] = w2;
  out[at++] = w3;
  let pos = at * 8;
  let delta = 0;
  for (let i = 1; i < count; i++) {
    if (!regular) {
      const d = ts[i]! - ts[i - 1]!;
      const z = zigzag(d - delta);
      delta = d;
      if (z === 0) pos += 1;
      else if (z < 32) pos = writeBits(out, pos, (0b10 << 5) | z, 7);
      else if (z < 1024) pos = writeBits(out, pos, (0b110 << 10) | z, 13);
      else if (z < 65536) pos = writeBits(out, pos, (0b1110 << 16) | z, 20);
      else pos = writeBits(out, pos, (0b1111 << 26) | (z & 0x3ffffff), 30);
    }
    if (w3 === 0) continue;
    const m = ms[i]!;
    if (Number.isNaN(m)) {
      f64[0] = vs[i]!;
      pos = writeBits(out, pos, 0b1111, 4);
      pos = writeBits(out, pos, u32[1]!, 32);
      pos = writeBits(out, pos, u32[0]!, 32);
      continue;
    }
    const z = zigzag(g === 1 ? x[i]! : x[i]! / g);
    if (z === 0) pos += 1;
    else {
      const b = bitLength(z);
      // Prefix and payload in one write when both fit 32 bits (the usual case).
      if (b <= w1) pos = w1 <= 30 ? writeBits(out, pos, (0b10 << w1) | z, 2 + w1) : writeWide(out, writeBits(out, pos, 0b10, 2), z, w1);
      else if (b <= w2) pos = w2 <= 29 ? writeBits(out, pos, (0b110 << w2) | z, 3 + w2) : writeWide(out, writeBits(out, pos, 0b110, 3), z, w2);
      else pos = w3 <= 28 ? writeBits(out, pos, (0b1110 << w3) | z, 4 + w3) : writeWide(out, writeBits(out, pos, 0b1110, 4), z, w3);
    }
  }
  const bytes = (pos + 7) >>> 3;
  // The head's bytes when packing gained nothing (tiny chunks, noisy values).
  return bytes < data.length ? out.slice(0, bytes) : data.slice();
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Encodes sorted, deduplicated samples into sealed chunks: head-format chunks, each packed. */
export function encodeSealedChunks(ts: Float64Array, vs: Float64Array, n: number): EncodedChunk[] {
  const chunks = encodeSamples(ts, vs, n);
  return chunks.map((c) => ({ ...c, data: packChunk(c.data, c.minT, c.count) }));
}
