import { BitReader, unzigzag } from './bit-io.js';

/**
 * The chunk decoder as it was before the fast one (chunk-decoder.ts): a plain reading of the
 * format through {@link BitReader}, code by code. Tests check the fast decoder against it on
 * random streams, and the read benchmark compares the two; nothing else uses it.
 */
const XOR_MODE = 0x80;
const STEP_MODE = 0x20;
const POW10 = Array.from({ length: 13 }, (_, e) => 10 ** e);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

const reader = new BitReader();

let varintAt = 0;

function varint(data: Uint8Array, at: number): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = data[at++]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  varintAt = at;
  return v;
}

/**
 * Decodes a chunk's `count` samples into `ts`/`vs` from index `at`. `data` is the chunk's
 * bytes (header first), `firstTs` its first timestamp.
 */
export function referenceDecodeChunk(data: Uint8Array, firstTs: number, count: number, ts: Float64Array, vs: Float64Array, at: number): void {
  if (count === 0) return;
  const hdr = data[0]!;
  const r = reader;
  const xor = (hdr & XOR_MODE) !== 0;
  const p = POW10[hdr & 0x1f]!;
  // A step chunk (bit 5): varints of zigzag(D) and g after the header; codes of Δm − D, the
  // short ones divided by g, from the second value on.
  let stepD = 0;
  let factorG = 1;
  let start = 1;
  if (!xor && (hdr & STEP_MODE) !== 0) {
    const z = varint(data, start);
    start = varintAt;
    stepD = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    factorG = varint(data, start);
    start = varintAt;
  }
  r.reset(data, start * 8);
  let t = firstTs;
  let delta = 0;
  let m = 0;
  let hi = 0;
  let lo = 0;
  let lead = 0;
  let trail = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      let z = 0;
      if (r.bit() === 1) {
        const ones = r.ones(3);
        z = ones === 0 ? r.bits(5) : ones === 1 ? r.bits(10) : ones === 2 ? r.bits(16) : r.bits(26);
      }
      delta += unzigzag(z);
      t += delta;
    }
    ts[at + i] = t;
    if (xor) {
      if (i === 0) {
        hi = r.bits(32);
        lo = r.bits(32);
      } else if (r.bit() === 1) {
        if (r.bit() === 1) {
          lead = r.bits(5);
          let sig = r.bits(6);
          if (sig === 0) sig = 64;
          trail = 64 - lead - sig;
        }
        const sig = 64 - lead - trail;
        let xh: number;
        let xl: number;
        if (sig > 32) {
          const h = r.bits(sig - 32);
          const l = r.bits(32);
          if (trail === 0) {
            xh = h;
            xl = l;
          } else {
            xl = (l << trail) >>> 0;
            xh = ((h << trail) | (l >>> (32 - trail))) >>> 0;
          }
        } else {
          const val = r.bits(sig);
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
        hi = (hi ^ xh) >>> 0;
        lo = (lo ^ xl) >>> 0;
      }
      u32[1] = hi;
      u32[0] = lo;
      vs[at + i] = f64[0]!;
    } else {
      let z = 0;
      let raw = false;
      let scaled = true;
      if (r.bit() === 1) {
        const ones = r.ones(6);
        if (ones === 0) z = r.bits(4);
        else if (ones === 1) z = r.bits(8);
        else if (ones === 2) z = r.bits(12);
        else if (ones === 3) z = r.bits(20);
        else if (ones === 4) (z = r.bits(32)), (scaled = false);
        else if (ones === 5) (z = r.wide(53)), (scaled = false);
        else raw = true;
      }
      if (raw) {
        u32[1] = r.bits(32);
        u32[0] = r.bits(32);
        vs[at + i] = f64[0]!;
      } else {
        const x = unzigzag(z);
        m += i === 0 ? x : stepD + (scaled ? x * factorG : x);
        vs[at + i] = m / p;
      }
    }
  }
}
