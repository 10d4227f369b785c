import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STALE_NAN } from '#pharos/metric-model';
import { ChunkArena, encodeSamples, STEP_MODE, type EncodedChunk } from './chunk-codec.js';
import { decodeChunk } from './chunk-decoder.js';
import { referenceDecodeChunk } from './chunk-decoder.reference.js';
import { xorshift32 as rng } from './test-random.js';

function bitsOf(a: Float64Array): string[] {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  return Array.from(a, (_, i) => `${u[2 * i + 1]!.toString(16)}:${u[2 * i]!.toString(16)}`);
}


/** Decodes `c` with both decoders at offset `at` of sentinel-filled arrays; expects the same bits. */
function decodeBoth(c: EncodedChunk, at = 3): { ts: Float64Array; vs: Float64Array } {
  const n = c.count + at + 2;
  const fast = [new Float64Array(n).fill(-7), new Float64Array(n).fill(-7)] as const;
  const ref = [new Float64Array(n).fill(-7), new Float64Array(n).fill(-7)] as const;
  expect(decodeChunk(c.data, c.minT, c.count, fast[0], fast[1], at)).toBe(c.count);
  referenceDecodeChunk(c.data, c.minT, c.count, ref[0], ref[1], at);
  expect(Array.from(fast[0])).toEqual(Array.from(ref[0]));
  expect(bitsOf(fast[1])).toEqual(bitsOf(ref[1]));
  return { ts: fast[0].subarray(at, at + c.count), vs: fast[1].subarray(at, at + c.count) };
}

/** Expects `chunks`, decoded by both decoders one after the other, to be `ts`/`vs` exactly. */
function expectSamples(chunks: EncodedChunk[], ts: Float64Array, vs: Float64Array): EncodedChunk[] {
  let at = 0;
  for (const c of chunks) {
    const out = decodeBoth(c);
    expect(Array.from(out.ts)).toEqual(Array.from(ts.subarray(at, at + c.count)));
    expect(bitsOf(out.vs)).toEqual(bitsOf(vs.subarray(at, at + c.count)));
    at += c.count;
  }
  expect(at).toBe(ts.length);
  return chunks;
}

function roundTrip(ts: Float64Array, vs: Float64Array): EncodedChunk[] {
  return expectSamples(encodeSamples(ts, vs, ts.length), ts, vs);
}

/**
 * Encodes through a head arena whose chunks all start with `hint`, `step` and `factor` (as the
 * head starts a series' next chunk from what its previous one taught), cutting where the arena
 * refuses a sample; checks every chunk round-trips through both decoders.
 */
function roundTripStepped(ts: Float64Array, vs: Float64Array, hint: number, step: number, factor: number): EncodedChunk[] {
  const arena = new ChunkArena(1);
  arena.ensure(0);
  const chunks: EncodedChunk[] = [];
  const emit = (): void => {
    chunks.push({ minT: arena.firstTs[0]!, maxT: arena.lastTs[0]!, count: arena.count[0]!, data: arena.bytes(0).slice() });
  };
  for (let i = 0; i < ts.length; i++) {
    if (i === 0) arena.start(0, ts[i]!, vs[i]!, hint, step, factor);
    else if (!arena.append(0, ts[i]!, vs[i]!)) {
      emit();
      arena.start(0, ts[i]!, vs[i]!, hint, step, factor);
    }
  }
  emit();
  return expectSamples(chunks, ts, vs);
}

const odd = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
const specials = [NaN, STALE_NAN, odd, Infinity, -Infinity, -0, 0, 1e300, -1e-300, 2 ** 60, 0.1 + 0.2, 5e-324];

/** Interval changes that hit every timestamp code: 0, and ±5, ±10, ±16, ±26-bit delta-of-deltas. */
const intervals = fc.oneof(
  fc.constant(15_000),
  fc.integer({ min: 14_990, max: 15_010 }),
  fc.integer({ min: 14_500, max: 15_500 }),
  fc.integer({ min: 1, max: 60_000 }),
  fc.integer({ min: 1, max: 3_000_000 }),
);

/** Value steps that hit every decimal code: 0, and deltas of 4, 8, 12, 20, 32 and 53 bits. */
const steps = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -7, max: 7 }),
  fc.integer({ min: -127, max: 127 }),
  fc.integer({ min: -2047, max: 2047 }),
  fc.integer({ min: -500_000, max: 500_000 }),
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  fc.double({ min: -(2 ** 49), max: 2 ** 49, noNaN: true }).map(Math.trunc),
);

describe('fast chunk decoder', () => {
  it('decodes every timestamp and decimal code as the encoder wrote it, at any exponent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(intervals, steps, fc.nat(99)), { minLength: 1, maxLength: 600 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (rows, decimals, t0) => {
          let t = t0;
          let m = 0;
          const ts = new Float64Array(rows.length);
          const vs = new Float64Array(rows.length);
          rows.forEach(([d, step, special], i) => {
            ts[i] = t += d;
            m += step;
            // Now and then a value the exponent cannot hold: a raw escape.
            vs[i] = special === 0 ? specials[i % specials.length]! : m / 10 ** decimals;
          });
          roundTrip(ts, vs);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decodes step chunks: codes of Δm − D, the short ones divided by g, the long ones and escapes as they are', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(intervals, steps, fc.nat(99)), { minLength: 1, maxLength: 600 }),
        fc.integer({ min: 0, max: 4 }),
        fc.oneof(fc.constant(0), fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })),
        fc.constantFrom(1, 2, 10, 100, 4096, 2 ** 30),
        (rows, decimals, stepD, factor) => {
          let t = 1_700_000_000_000;
          let m = 0;
          const ts = new Float64Array(rows.length);
          const vs = new Float64Array(rows.length);
          rows.forEach(([d, code, special], i) => {
            ts[i] = t += d;
            // Mostly the step plus a multiple of the factor (short codes), now and then a
            // delta that is not (long codes), a raw escape, or a jump past 53 bits of code.
            if (special % 5 === 1) m += code;
            else if (special === 7) m = m > 0 ? -(2 ** 50) : 2 ** 50;
            else m += stepD + Math.trunc(code / 64) * factor;
            if (Math.abs(m) > 2 ** 50) m = 0;
            vs[i] = special === 0 ? specials[i % specials.length]! : m / 10 ** decimals;
          });
          const chunks = roundTripStepped(ts, vs, decimals, stepD, factor);
          // A chunk whose first value is decimal at the hint's exponent takes the step.
          if (stepD !== 0 || factor !== 1) {
            for (const c of chunks) if ((c.data[0]! & 0x1f) === decimals && (c.data[0]! & 0x80) === 0) expect(c.data[0]! & STEP_MODE).toBe(STEP_MODE);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('codes a jittered counter from its step in a quarter of the bits', () => {
    const ts = new Float64Array(240);
    const vs = new Float64Array(240);
    const next = rng(5);
    for (let i = 0; i < 240; i++) {
      ts[i] = 1_700_000_000_000 + i * 15_000;
      // Hundredths growing 965.43 a scrape, with a jitter of whole units (the ingest bench's model).
      vs[i] = Math.round((1234567 + i * 965.43 + (next() % 7)) * 100) / 100;
    }
    const plain = roundTripStepped(ts, vs, 2, 0, 1);
    const stepped = roundTripStepped(ts, vs, 2, 96543, 100);
    expect(stepped).toHaveLength(1);
    expect(plain.length).toBeGreaterThan(2);
    const bytes = (cs: EncodedChunk[]): number => cs.reduce((n, c) => n + c.data.length, 0);
    expect(bytes(stepped) * 3).toBeLessThan(bytes(plain));
  });

  it('decodes XOR-coded floats: repeats, reused windows and new windows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(intervals, fc.oneof(fc.double(), fc.double({ min: 39, max: 41, noNaN: true }), fc.constantFrom(...specials), fc.constant(undefined))), {
          minLength: 2,
          maxLength: 600,
        }),
        (rows) => {
          let t = 1_700_000_000_000;
          const ts = new Float64Array(rows.length);
          const vs = new Float64Array(rows.length);
          // A full-precision first value makes the chunk XOR-coded.
          let v = Math.PI;
          rows.forEach(([d, next], i) => {
            ts[i] = t += d;
            if (i > 0 && next !== undefined) v = next;
            vs[i] = v;
          });
          const chunks = roundTrip(ts, vs);
          expect(chunks[0]!.data[0]! & 0x80).toBe(0x80);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference decoder on arbitrary decimal-mode bit streams, to the last byte', () => {
    const next = rng(42);
    for (let round = 0; round < 3000; round++) {
      const len = 1 + (next() % 300);
      const data = Uint8Array.from({ length: len }, () => next() & 0xff);
      // Random bits past the header, but a header the encoder can write (exponent ≤ 12),
      // every other one a step chunk's with its two varints.
      data[0] = next() % 13;
      if (round % 2 === 1 && len > 4) {
        data[0] |= STEP_MODE;
        data[1] = next() & 0xff;
        data[2] = next() & 0x7f;
        data[3] = 1 + (next() % 127);
      }
      const count = 1 + (next() % 240);
      decodeBoth({ minT: next() * 1000, maxT: 0, count, data });
    }
  });

  it('stops after the last sample at or before `end`, writing nothing past it', () => {
    const next = rng(9);
    for (let round = 0; round < 300; round++) {
      const total = 2 + (next() % 238);
      const xor = round % 3 === 0;
      const ts = new Float64Array(total);
      const vs = new Float64Array(total);
      let t = 1_700_000_000_000;
      let m = 1000;
      for (let i = 0; i < total; i++) {
        ts[i] = t += 1 + (next() % 30_000);
        m += (next() % 200) - 100;
        vs[i] = xor ? Math.sqrt(m + 0.5) : m / 100;
      }
      // The first chunk (a chunk's bytes are bounded, so XOR-coded values fill one early).
      const c = encodeSamples(ts, vs, total)[0]!;
      const n = c.count;
      const k = next() % (n + 1);
      // An end at sample k-1 or between it and sample k (or before the first, or after the last).
      const exact = round % 2 === 0;
      const end = k === 0 ? ts[0]! - 1 : exact ? ts[k - 1]! : k === n ? ts[n - 1]! + 5 : ts[k - 1]! + ((ts[k]! - ts[k - 1]!) >>> 1);
      const outT = new Float64Array(n + 1).fill(-1);
      const outV = new Float64Array(n + 1).fill(-1);
      expect(decodeChunk(c.data, c.minT, c.count, outT, outV, 1, end)).toBe(k);
      expect(Array.from(outT.subarray(1, 1 + k))).toEqual(Array.from(ts.subarray(0, k)));
      expect(bitsOf(outV.subarray(1, 1 + k))).toEqual(bitsOf(vs.subarray(0, k)));
      expect(Array.from(outT.subarray(1 + k))).toEqual(new Array(n - k).fill(-1));
      expect(outT[0]).toBe(-1);
    }
  });

  it('writes nothing for an empty chunk', () => {
    const ts = new Float64Array(2).fill(-1);
    expect(decodeChunk(new Uint8Array([0]), 5, 0, ts, new Float64Array(2), 0)).toBe(0);
    expect(Array.from(ts)).toEqual([-1, -1]);
  });
});
