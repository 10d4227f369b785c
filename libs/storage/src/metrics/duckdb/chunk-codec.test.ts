import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STALE_NAN } from '#pharos/metric-model';
import { decodeChunk, encodeSamples, MAX_CHUNK_SAMPLES } from './chunk-codec.js';

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

  it('codes a constant series in about one bit per sample plus a header', () => {
    const n = MAX_CHUNK_SAMPLES;
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const vs = new Float64Array(n).fill(8_589_934_592);
    const [c] = encodeSamples(ts, vs, n);
    expect(c!.data.length).toBeLessThan(2 + 6 + (2 * n) / 8 + 8);
  });
});
