import { writeBits, writeVarint, writeWide, zigzag } from './bit-io.js';

/**
 * The sample chunk format: the samples of one series, in time order, as a bit stream.
 *
 * Byte 0 is a header: bit 7 set selects XOR value coding, otherwise bits 0–4 hold a decimal
 * exponent `e` and bit 5 ({@link STEP_MODE}) says that two LEB128 varints follow the header,
 * a step `D` (zigzagged) and a factor `g` ≥ 1, before the bit stream (see the decimal mode
 * below). The first timestamp and the sample count travel beside the bytes (chunk rows have
 * `min_ts` and `count` columns), so the stream holds, per sample:
 *
 * - Timestamps, from the second sample on, as a delta-of-delta (Gorilla, with buckets sized
 *   for millisecond scrape timestamps): `0` → 0, `10`+5, `110`+10, `1110`+16, `1111`+26 bits
 *   of the zigzagged value. A chunk spans at most {@link MAX_CHUNK_SPAN_MS}, which bounds it.
 * - Values in decimal mode: the value is `m / 10^e` for an integer `m` (VictoriaMetrics'
 *   trick: counters and gauges are mostly integers or have a few decimals, and a binary XOR
 *   of such floats has many meaningful bits), coded as the zigzagged delta of `m` from the
 *   previous sample's: `0`, `10`+4, `110`+8, `1110`+12, `11110`+20, `111110`+32, `1111110`+53
 *   bits; `1111111`+64 escapes a raw float (NaN, the staleness marker bit-exact, ±Inf, -0 or a
 *   value that is not decimal at `e`) without disturbing `m`.
 *   With {@link STEP_MODE}, from the second sample on the codes hold `x = Δm − D` instead of
 *   `Δm`: the four shortest non-zero ones (up to 20 bits) as `x / g`, the 32- and 53-bit ones
 *   as `x` itself (what does not divide by `g` still codes; `0` is `x = 0`, so `m += D`). The
 *   head learns `D` and `g` from the series' previous chunk (its packed form's step and the
 *   common factor of its codes): a counter in hundredths growing ~965 a scrape with a jitter
 *   of whole units costs ~7 bits a sample instead of ~26, and its chunk holds 240 samples
 *   instead of filling its slot at 74.
 * - Values in XOR mode: Gorilla's XOR with the previous value (`0`; `10` + bits in the previous
 *   window; `11` + 5 bits of leading zeros + 6 bits of length + the meaningful bits).
 *
 * Decoding `m / 10^e` is the same division the encoder checked, so values come back bit-exact.
 */
export const MAX_CHUNK_SAMPLES = 240;
export const MAX_CHUNK_SPAN_MS = 2 * 3_600_000;
export const XOR_MODE = 0x80;
/** Header bit 5 of a decimal head chunk: value codes from a step, see above. */
export const STEP_MODE = 0x20;
export const NO_CHUNK = 0xff;
/** Worst case of one sample: a 30-bit timestamp code and a 71-bit value code. */
const MAX_SAMPLE_BITS = 101;
const MAX_E = 12;
/** |m| bound keeping deltas exact in doubles. */
const MAX_M = 2 ** 51;
const POW10 = Array.from({ length: MAX_E + 1 }, (_, e) => 10 ** e);
/** Escapes in a decimal chunk after which the next chunk uses XOR coding. */
const MAX_ESCAPES = 8;
/** Largest |D| a step chunk takes: codes of `Δm − D` then stay within 53 bits but in the rarest cases. */
const MAX_STEP = 2 ** 40;
/** Largest factor `g` a step chunk takes (a power of ten or two, see chunk-packer.ts). */
const MAX_FACTOR = 2 ** 30;
/** Largest |x| of the 53-bit code: its zigzag stays below 2^53. */
const MAX_CODE = 2 ** 52 - 1;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function isNegZero(v: number): boolean {
  return v === 0 && 1 / v < 0;
}

/** Smallest exponent `e` with `v === m / 10^e` for an integer `m`, or -1. */
export function decimalExponent(v: number): number {
  if (!Number.isFinite(v) || isNegZero(v)) return -1;
  for (let e = 0; e <= MAX_E; e++) {
    const p = POW10[e]!;
    const m = Math.round(v * p);
    if (Math.abs(m) > MAX_M) return -1;
    if (m / p === v) return e;
  }
  return -1;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Open chunks of many series, one fixed-size slot each in large pages (no per-series
 * objects), with their encoder state in parallel typed arrays indexed by slot number.
 */
export class ChunkArena {
  static readonly SLOT_BYTES = 256;
  /** Slots per page, a power of two: page and offset of a slot are a shift and a mask. */
  private readonly pageShift: number;
  private readonly slotMask: number;
  private readonly pages: Uint8Array[] = [];
  capacity = 0;
  firstTs = new Float64Array(0);
  lastTs = new Float64Array(0);
  tsDelta = new Float64Array(0);
  mPrev = new Float64Array(0);
  /** Step `D` and factor `g` of a {@link STEP_MODE} chunk (0 and 1 otherwise). */
  mStep = new Float64Array(0);
  mFactor = new Float64Array(0);
  lastV = new Float64Array(0);
  bitPos = new Uint16Array(0);
  count = new Uint16Array(0);
  hdr = new Uint8Array(0);
  lead = new Uint8Array(0);
  trail = new Uint8Array(0);
  escapes = new Uint8Array(0);

  constructor(pageSlots = 1 << 14) {
    const shift = Math.log2(pageSlots);
    if (!Number.isInteger(shift) || shift < 0 || shift > 20) throw new RangeError(`slots per page must be a power of two up to 2^20, got ${pageSlots}`);
    this.pageShift = shift;
    this.slotMask = pageSlots - 1;
  }

  ensure(slot: number): void {
    if (slot < this.capacity) return;
    const cap = Math.max(slot + 1, this.capacity * 2, 16);
    const grow = <T extends Float64Array | Uint16Array | Uint8Array>(a: T, fill?: number): T => {
      const next = new (a.constructor as new (n: number) => T)(cap);
      next.set(a);
      if (fill !== undefined) next.fill(fill, a.length);
      return next;
    };
    this.firstTs = grow(this.firstTs);
    this.lastTs = grow(this.lastTs);
    this.tsDelta = grow(this.tsDelta);
    this.mPrev = grow(this.mPrev);
    this.mStep = grow(this.mStep);
    this.mFactor = grow(this.mFactor, 1);
    this.lastV = grow(this.lastV);
    this.bitPos = grow(this.bitPos);
    this.count = grow(this.count);
    this.hdr = grow(this.hdr, NO_CHUNK);
    this.lead = grow(this.lead);
    this.trail = grow(this.trail);
    this.escapes = grow(this.escapes);
    this.capacity = cap;
  }

  page(slot: number): Uint8Array {
    const p = slot >>> this.pageShift;
    let page = this.pages[p];
    if (page === undefined) {
      while (this.pages.length <= p) this.pages.push(undefined as unknown as Uint8Array);
      page = this.pages[p] = new Uint8Array((this.slotMask + 1) * ChunkArena.SLOT_BYTES);
    }
    return page;
  }

  base(slot: number): number {
    return (slot & this.slotMask) * ChunkArena.SLOT_BYTES;
  }

  /** Bytes of the slot's open chunk (a view; copy before keeping it). */
  bytes(slot: number): Uint8Array {
    const base = this.base(slot);
    return this.page(slot).subarray(base, base + ((this.bitPos[slot]! + 7) >>> 3));
  }

  /**
   * Starts a chunk in `slot` with its first sample. `hint` is the header of the series'
   * previous chunk (or {@link NO_CHUNK}): a decimal chunk keeps at least its exponent so a
   * series alternating between 1 and 2 decimals does not cut a chunk each time. `step` and
   * `factor` (in units of the hint's exponent; 0 and 1 for none) make a decimal chunk at that
   * exponent a {@link STEP_MODE} one.
   */
  start(slot: number, t: number, v: number, hint: number, step = 0, factor = 1): void {
    const e0 = decimalExponent(v);
    let hdr: number;
    if (e0 >= 0) {
      let e = e0;
      if (hint !== NO_CHUNK && (hint & XOR_MODE) === 0 && (hint & 0x1f) > e0) {
        const he = hint & 0x1f;
        const m = Math.round(v * POW10[he]!);
        if (Math.abs(m) <= MAX_M && m / POW10[he]! === v) e = he;
      }
      hdr = e;
    } else if (Number.isFinite(v) && !isNegZero(v)) {
      hdr = XOR_MODE;
    } else {
      hdr = hint === NO_CHUNK ? 0 : hint & ~STEP_MODE;
    }
    const stepped =
      (hdr & XOR_MODE) === 0 &&
      hint !== NO_CHUNK &&
      (hint & (XOR_MODE | 0x1f)) === hdr &&
      (step !== 0 || factor !== 1) &&
      Number.isInteger(step) &&
      Math.abs(step) <= MAX_STEP &&
      Number.isInteger(factor) &&
      factor >= 1 &&
      factor <= MAX_FACTOR;
    if (stepped) hdr |= STEP_MODE;
    const page = this.page(slot);
    const base = this.base(slot);
    page.fill(0, base, base + ChunkArena.SLOT_BYTES);
    page[base] = hdr;
    this.hdr[slot] = hdr;
    this.firstTs[slot] = t;
    this.lastTs[slot] = t;
    this.tsDelta[slot] = 0;
    this.mPrev[slot] = 0;
    // The first value is coded as in a plain chunk; the step and factor apply after it.
    this.mStep[slot] = 0;
    this.mFactor[slot] = 1;
    this.lead[slot] = 0xff;
    this.trail[slot] = 0;
    this.escapes[slot] = 0;
    this.count[slot] = 1;
    let pos = base * 8 + 8;
    if ((hdr & XOR_MODE) !== 0) {
      f64[0] = v;
      pos = writeBits(page, pos, u32[1]!, 32);
      pos = writeBits(page, pos, u32[0]!, 32);
    } else {
      if (stepped) {
        let at = writeVarint(page, base + 1, step >= 0 ? step * 2 : -step * 2 - 1);
        at = writeVarint(page, at, factor);
        pos = at * 8;
      }
      pos = this.writeDecimal(slot, page, pos, v);
      if (stepped) {
        this.mStep[slot] = step;
        this.mFactor[slot] = factor;
      }
    }
    this.lastV[slot] = v;
    this.bitPos[slot] = pos - base * 8;
  }

  /**
   * Appends a sample later than the chunk's last one. Returns false, writing nothing, when
   * the chunk is full (count, span or bytes) or the value needs a new chunk header; the
   * caller then cuts the chunk and {@link start}s another with this sample.
   */
  append(slot: number, t: number, v: number): boolean {
    const n = this.count[slot]!;
    if (n >= MAX_CHUNK_SAMPLES || t - this.firstTs[slot]! >= MAX_CHUNK_SPAN_MS) return false;
    const bits = this.bitPos[slot]!;
    if (bits + MAX_SAMPLE_BITS > ChunkArena.SLOT_BYTES * 8) return false;
    const hdr = this.hdr[slot]!;
    // Decimal chunks: the value's integer at the chunk's exponent, computed once for the
    // check and the code (a value that is not decimal there is escaped, or cuts the chunk).
    let m = 0;
    let decimal = false;
    if ((hdr & XOR_MODE) === 0) {
      const p = POW10[hdr & 0x1f]!;
      m = Math.round(v * p);
      decimal = Math.abs(m) <= MAX_M && m / p === v && !isNegZero(v);
      // A step chunk's code of `Δm − D` beyond 53 bits (a jump across most of the range):
      // escaped as a raw float, which leaves `m` as it was.
      if (decimal && Math.abs(m - this.mPrev[slot]! - this.mStep[slot]!) > MAX_CODE) decimal = false;
      if (!decimal && !this.mayEscape(slot, hdr, v)) return false;
    }
    // The slot's page exists: `start` (or the head log's restore) made it.
    const page = this.pages[slot >>> this.pageShift]!;
    const base = (slot & this.slotMask) * ChunkArena.SLOT_BYTES;
    let pos = base * 8 + bits;
    const delta = t - this.lastTs[slot]!;
    // Prefix and payload in one write (both fit 32 bits); the payload masked to its width as
    // writing it on its own did.
    const z = zigzag(delta - this.tsDelta[slot]!);
    if (z === 0) pos += 1;
    else if (z < 32) pos = writeBits(page, pos, (0b10 << 5) | z, 7);
    else if (z < 1024) pos = writeBits(page, pos, (0b110 << 10) | z, 13);
    else if (z < 65536) pos = writeBits(page, pos, (0b1110 << 16) | z, 20);
    else pos = writeBits(page, pos, (0b1111 << 26) | (z & 0x3ffffff), 30);
    this.tsDelta[slot] = delta;
    this.lastTs[slot] = t;
    if ((hdr & XOR_MODE) !== 0) pos = this.writeXor(slot, page, pos, v);
    else if (decimal) pos = this.writeM(slot, page, pos, m);
    else pos = this.writeEscape(slot, page, pos, v);
    this.lastV[slot] = v;
    this.count[slot] = n + 1;
    this.bitPos[slot] = pos - base * 8;
    return true;
  }

  /**
   * Header the next chunk of this slot should start from: XOR once a decimal chunk had to
   * escape many values, else the current header.
   */
  nextHint(slot: number): number {
    const hdr = this.hdr[slot]!;
    if (hdr === NO_CHUNK) return NO_CHUNK;
    if ((hdr & XOR_MODE) === 0 && this.escapes[slot]! > MAX_ESCAPES) return XOR_MODE;
    return hdr;
  }

  /**
   * For a value that is not decimal at the chunk's exponent: whether it may be escaped (a
   * raw float) in this chunk. False when it is decimal but needs more digits than the chunk's
   * exponent (a new chunk codes it better), or the chunk escapes too often.
   */
  private mayEscape(slot: number, hdr: number, v: number): boolean {
    if (this.escapes[slot]! > MAX_ESCAPES) return false;
    const e = decimalExponent(v);
    return !(e > (hdr & 0x1f));
  }

  private writeDecimal(slot: number, page: Uint8Array, pos: number, v: number): number {
    const p = POW10[this.hdr[slot]! & 0x1f]!;
    const m = Math.round(v * p);
    if (!(Math.abs(m) <= MAX_M && m / p === v) || isNegZero(v)) return this.writeEscape(slot, page, pos, v);
    return this.writeM(slot, page, pos, m);
  }

  /** A value that is not `m / 10^e`: the escape code and the raw float; `m` is left as it was. */
  private writeEscape(slot: number, page: Uint8Array, pos: number, v: number): number {
    this.escapes[slot]!++;
    f64[0] = v;
    pos = writeBits(page, pos, 0b1111111, 7);
    pos = writeBits(page, pos, u32[1]!, 32);
    return writeBits(page, pos, u32[0]!, 32);
  }

  /**
   * A decimal value's integer `m`, as the zigzagged delta from the previous one less the
   * chunk's step (0 but in a {@link STEP_MODE} chunk), divided by its factor in the short codes.
   */
  private writeM(slot: number, page: Uint8Array, pos: number, m: number): number {
    const x = m - this.mPrev[slot]! - this.mStep[slot]!;
    this.mPrev[slot] = m;
    const g = this.mFactor[slot]!;
    if (g === 1 || x % g === 0) {
      const z = zigzag(g === 1 ? x : x / g);
      if (z === 0) return pos + 1;
      if (z < 16) return writeBits(page, pos, (0b10 << 4) | z, 6);
      if (z < 256) return writeBits(page, pos, (0b110 << 8) | z, 11);
      if (z < 4096) return writeBits(page, pos, (0b1110 << 12) | z, 16);
      if (z < 1048576) return writeBits(page, pos, (0b11110 << 20) | z, 25);
    }
    // The long codes hold `x` itself, divisible by the factor or not.
    const z = zigzag(x);
    if (z < 4294967296) return writeBits(page, writeBits(page, pos, 0b111110, 6), z, 32);
    return writeWide(page, writeBits(page, pos, 0b1111110, 7), z, 53);
  }

  private writeXor(slot: number, page: Uint8Array, pos: number, v: number): number {
    f64[0] = this.lastV[slot]!;
    const ph = u32[1]!;
    const pl = u32[0]!;
    f64[0] = v;
    const xh = (u32[1]! ^ ph) >>> 0;
    const xl = (u32[0]! ^ pl) >>> 0;
    if (xh === 0 && xl === 0) return pos + 1;
    let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (lead > 31) lead = 31;
    const pLead = this.lead[slot]!;
    const pTrail = this.trail[slot]!;
    let shift: number;
    let sig: number;
    if (pLead !== 0xff && lead >= pLead && trail >= pTrail) {
      pos = writeBits(page, pos, 0b10, 2);
      shift = pTrail;
      sig = 64 - pLead - pTrail;
    } else {
      sig = 64 - lead - trail;
      pos = writeBits(page, pos, 0b11, 2);
      pos = writeBits(page, pos, lead, 5);
      pos = writeBits(page, pos, sig & 63, 6);
      this.lead[slot] = lead;
      this.trail[slot] = trail;
      shift = trail;
    }
    let rh: number;
    let rl: number;
    if (shift === 0) {
      rh = xh;
      rl = xl;
    } else if (shift >= 32) {
      rh = 0;
      rl = xh >>> (shift - 32);
    } else {
      rl = ((xl >>> shift) | (xh << (32 - shift))) >>> 0;
      rh = xh >>> shift;
    }
    if (sig > 32) {
      pos = writeBits(page, pos, rh, sig - 32);
      return writeBits(page, pos, rl, 32);
    }
    return writeBits(page, pos, rl, sig);
  }
}

// The decoder lives beside the encoder in its own file (it is the read path's hot loop).
export { decodeChunk } from './chunk-decoder.js';

/** An encoded chunk with the facts stored beside its bytes. */
export interface EncodedChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly data: Uint8Array;
}

const scratch = new ChunkArena(1);

/**
 * Encodes sorted, deduplicated samples into as many head-format chunks as the limits require
 * (what goes to disk is {@link encodeSealedChunks} in chunk-packer.ts: these, packed).
 */
export function encodeSamples(ts: Float64Array, vs: Float64Array, n: number): EncodedChunk[] {
  const out: EncodedChunk[] = [];
  scratch.ensure(0);
  let hint = NO_CHUNK;
  const emit = (): void => {
    out.push({ minT: scratch.firstTs[0]!, maxT: scratch.lastTs[0]!, count: scratch.count[0]!, data: scratch.bytes(0).slice() });
    hint = scratch.nextHint(0);
  };
  for (let i = 0; i < n; i++) {
    if (i === 0) scratch.start(0, ts[i]!, vs[i]!, hint);
    else if (!scratch.append(0, ts[i]!, vs[i]!)) {
      emit();
      scratch.start(0, ts[i]!, vs[i]!, hint);
    }
  }
  if (n > 0) emit();
  return out;
}
