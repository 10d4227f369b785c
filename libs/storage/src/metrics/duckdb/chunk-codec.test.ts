import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STALE_NAN } from '#pharos/metric-model';
import { ChunkArena, decodeChunk, encodeSamples, MAX_CHUNK_SAMPLES } from './chunk-codec.js';

function bitsOf(a: Float64Array): string[] {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  return Array.from(a, (_, i) => `${u[2 * i + 1]!.toString(16)}:${u[2 * i]!.toString(16)}`);
}

function roundTrip(ts: Float64Array, vs: Float64Array): void {
  const chunks = encodeSamples(ts, vs, ts.length);
  const outT = new Float64Array(ts.length);
  const outV = new Float64Array(ts.length);
  let at = 0;
  for (const c of chunks) {
    expect(c.count).toBeLessThanOrEqual(MAX_CHUNK_SAMPLES);
    decodeChunk(c.data, c.minT, c.count, outT, outV, at);
    expect(outT[at]).toBe(c.minT);
    expect(outT[at + c.count - 1]).toBe(c.maxT);
    at += c.count;
  }
  expect(at).toBe(ts.length);
  expect(Array.from(outT)).toEqual(Array.from(ts));
  expect(bitsOf(outV)).toEqual(bitsOf(vs));
}

const odd = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
const specials = [NaN, STALE_NAN, odd, Infinity, -Infinity, -0, 0, 1e300, -1e-300, 2 ** 60, 0.1 + 0.2, 5e-324];

describe('chunk codec', () => {
  it('round-trips arbitrary floats and timestamps bit-exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 20_000_000 }), fc.oneof(fc.double(), fc.integer().map((i) => i / 100), fc.constantFrom(...specials))), { minLength: 1, maxLength: 700 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (pairs, t0) => {
          let t = t0;
          const ts = Float64Array.from(pairs, ([d]) => (t += d));
          const vs = Float64Array.from(pairs, ([, v]) => v);
          roundTrip(ts, vs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips counters, gauges and scrape jitter', () => {
    const n = 1000;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let v = 1234.56;
    for (let i = 0; i < n; i++) {
      ts[i] = 1_700_000_000_000 + i * 15_000 + (i % 3);
      v += (i % 7) * 0.01;
      vs[i] = i % 50 === 49 ? STALE_NAN : Math.round(v * 100) / 100;
    }
    roundTrip(ts, vs);
  });

  it('goes on in a wide slot when a chunk fills its slot: a fast counter keeps MAX_CHUNK_SAMPLES a chunk', () => {
    // ~26 bits a sample in the head format (hundredths growing ~965 a scrape): 256 bytes held 74.
    const n = 3 * MAX_CHUNK_SAMPLES;
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    let v = 266_761;
    const vs = Float64Array.from({ length: n }, (_, i) => (v = Math.round((v + 960 + ((i * 7919) % 11)) * 100) / 100));
    const chunks = encodeSamples(ts, vs, n);
    expect(chunks.map((c) => c.count)).toEqual([MAX_CHUNK_SAMPLES, MAX_CHUNK_SAMPLES, MAX_CHUNK_SAMPLES]);
    expect(chunks[0]!.data.length).toBeGreaterThan(ChunkArena.SLOT_BYTES);
    roundTrip(ts, vs);
  });

  it('gives wide slots back when their series start a new chunk, and reuses them zeroed', () => {
    const arena = new ChunkArena(16);
    const T = 1_700_000_000_000;
    const K = 40;
    // Square roots: XOR coded, ~60 bits each, so 40 of them need a wide slot.
    const value = (from: number, i: number): number => Math.sqrt(from + i + 2);
    const fill = (slot: number, from: number): void => {
      arena.ensure(slot);
      arena.start(slot, T + from * 15_000, value(from, 0), 0xff);
      for (let i = 1; i < K; i++) expect(arena.append(slot, T + (from + i) * 15_000, value(from, i))).toBe(true);
      expect(arena.bytes(slot).length).toBeGreaterThan(ChunkArena.SLOT_BYTES);
    };
    for (let slot = 0; slot < 20; slot++) fill(slot, 0);
    expect(arena.wideSlots).toBe(20);
    // New chunks give theirs back and take them again: none more than the 20 in use.
    for (let slot = 0; slot < 20; slot++) fill(slot, 100);
    expect(arena.wideSlots).toBe(20);
    for (let slot = 0; slot < 20; slot++) {
      const times = new Float64Array(K);
      const out = new Float64Array(K);
      decodeChunk(arena.bytes(slot), T + 100 * 15_000, K, times, out, 0);
      expect(Array.from(out)).toEqual(Array.from({ length: K }, (_, i) => value(100, i)));
    }
    for (let slot = 0; slot < 10; slot++) arena.close(slot);
    expect(arena.wideSlots).toBe(10);
  });

  it('codes a constant series in about one bit per sample plus a header', () => {
    const n = MAX_CHUNK_SAMPLES;
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const vs = new Float64Array(n).fill(8_589_934_592);
    const [c] = encodeSamples(ts, vs, n);
    expect(c!.data.length).toBeLessThan(2 + 6 + (2 * n) / 8 + 8);
  });
});
