import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STALE_NAN } from '#pharos/metric-model';
import { decodeChunk, encodeSamples, MAX_CHUNK_SAMPLES, XOR_MODE } from './chunk-codec.js';
import { encodeSealedChunks, PACKED, packChunk, REGULAR_TIMESTAMPS, TRANSFORM_DELTA, TRANSFORM_DOD, TRANSFORM_STEP } from './chunk-packer.js';

function bitsOf(a: Float64Array): string[] {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  return Array.from(a, (_, i) => `${u[2 * i + 1]!.toString(16)}:${u[2 * i]!.toString(16)}`);
}

/** Packs every head chunk of the samples and checks each decodes to exactly what its head form does, `end`-truncated too. */
function checkPacked(ts: Float64Array, vs: Float64Array): { head: number; packed: number; packedChunks: number } {
  let head = 0;
  let packed = 0;
  let packedChunks = 0;
  for (const c of encodeSamples(ts, vs, ts.length)) {
    const p = packChunk(c.data, c.minT, c.count);
    head += c.data.length;
    packed += p.length;
    if ((p[0]! & PACKED) !== 0 && (p[0]! & XOR_MODE) === 0) packedChunks++;
    expect(p.length).toBeLessThanOrEqual(c.data.length);
    const wantT = new Float64Array(c.count);
    const wantV = new Float64Array(c.count);
    decodeChunk(c.data, c.minT, c.count, wantT, wantV, 0);
    const gotT = new Float64Array(c.count + 2);
    const gotV = new Float64Array(c.count + 2);
    expect(decodeChunk(p, c.minT, c.count, gotT, gotV, 2)).toBe(c.count);
    expect(Array.from(gotT.subarray(2))).toEqual(Array.from(wantT));
    expect(bitsOf(gotV.subarray(2))).toEqual(bitsOf(wantV));
    // Stopping at a timestamp inside the chunk decodes exactly the samples up to it.
    const k = c.count >>> 1;
    const n = decodeChunk(p, c.minT, c.count, gotT, gotV, 0, wantT[k]!);
    expect(n).toBe(k + 1);
    expect(bitsOf(gotV.subarray(0, n))).toEqual(bitsOf(wantV.subarray(0, n)));
  }
  return { head, packed, packedChunks };
}

const odd = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
const specials = [NaN, STALE_NAN, odd, Infinity, -Infinity, -0, 0, 1e300, 2 ** 51, -(2 ** 51), 0.1 + 0.2];

function series(n: number, value: (i: number) => number, interval = 15_000, jitterMs = 0): { ts: Float64Array; vs: Float64Array } {
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let h = 12345;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    ts[i] = 1_700_000_000_000 + i * interval + (jitterMs > 0 ? h % jitterMs : 0);
    vs[i] = value(i);
  }
  return { ts, vs };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('chunk packer', () => {
  it('packs node_exporter-like series several times smaller, bit-exactly', () => {
    const r = rng(7);
    // A counter in hundredths at a steady rate with jitter: a step plus small multiples of 100.
    const counter = series(960, (i) => Math.round((1234567 + i * 812.37 + Math.floor(r() * 7)) * 100) / 100);
    const c = checkPacked(counter.ts, counter.vs);
    expect(c.packedChunks).toBeGreaterThan(0);
    expect(c.head / c.packed).toBeGreaterThan(3);
    // Byte gauges moving in 4 KiB pages: the common factor.
    const bytes = series(960, () => 2 ** 30 + Math.floor(r() * 2048 - 1024) * 4096);
    const b = checkPacked(bytes.ts, bytes.vs);
    expect(b.head / b.packed).toBeGreaterThan(1.8);
    // A constant costs a bit a sample in the head format and next to nothing packed.
    const constant = series(960, () => 8_589_934_592);
    const k = checkPacked(constant.ts, constant.vs);
    expect(k.head / k.packed).toBeGreaterThan(3);
  });

  it('chooses the transform that fits: step, delta-of-delta, plain delta', () => {
    const r = rng(11);
    const transformOf = (vs: Float64Array): number => {
      const ts = Float64Array.from(vs, (_, i) => 1e12 + i * 15_000);
      const [c] = encodeSamples(ts, vs, 60);
      const p = packChunk(c!.data, c!.minT, c!.count);
      expect(p[0]! & PACKED).toBe(PACKED);
      expect(p[1]! & REGULAR_TIMESTAMPS).toBe(REGULAR_TIMESTAMPS);
      return p[1]! & 3;
    };
    expect(transformOf(Float64Array.from({ length: 60 }, (_, i) => 1e6 + i * 12_345 + Math.floor(r() * 5)))).toBe(TRANSFORM_STEP);
    // A rate that keeps rising: the deltas drift, their differences stay small.
    expect(transformOf(Float64Array.from({ length: 60 }, (_, i) => 1e6 + i * i * 1_000 + i * 3))).toBe(TRANSFORM_DOD);
    // A gauge that mostly stays put and moves in thousands: its typical step is 0, written as a plain delta.
    let v = 5e5;
    expect(transformOf(Float64Array.from({ length: 60 }, () => (v += r() < 0.7 ? 0 : (Math.floor(r() * 21) - 10) * 1000)))).toBe(TRANSFORM_DELTA);
  });

  it('keeps escaped values (NaN, staleness markers, -0, infinities) and irregular timestamps exact', () => {
    const r = rng(3);
    const withSpecials = series(700, (i) => (i % 37 === 5 ? specials[i % specials.length]! : 100 + i * 0.25 + Math.floor(r() * 3) / 100), 10_000, 900);
    checkPacked(withSpecials.ts, withSpecials.vs);
  });

  it('round-trips arbitrary samples bit-exactly (fuzzed)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(fc.constant(15_000), fc.integer({ min: 1, max: 20_000_000 })),
            fc.oneof(fc.integer().map((i) => i / 100), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double(), fc.constantFrom(...specials)),
          ),
          { minLength: 1, maxLength: 600 },
        ),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (pairs, t0) => {
          let t = t0;
          const ts = Float64Array.from(pairs, ([d]) => (t += d));
          const vs = Float64Array.from(pairs, ([, v]) => v);
          checkPacked(ts, vs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes sealed chunks that decode to the samples given', () => {
    const { ts, vs } = series(2 * MAX_CHUNK_SAMPLES + 17, (i) => 0.5 + i * 1.5);
    const out = new Float64Array(ts.length);
    const outT = new Float64Array(ts.length);
    let at = 0;
    for (const c of encodeSealedChunks(ts, vs, ts.length)) {
      expect(c.data[0]! & PACKED).toBe(PACKED);
      at += decodeChunk(c.data, c.minT, c.count, outT, out, at);
    }
    expect(at).toBe(ts.length);
    expect(Array.from(outT)).toEqual(Array.from(ts));
    expect(bitsOf(out)).toEqual(bitsOf(vs));
  });
});
