import fc from 'fast-check';
import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { type NativeHistogram, sampleCount } from '#pharos/metric-model';
import {
  type RemoteWriteSeries,
  type RemoteWriteVersion,
  RemoteWriteDecodeError,
  RemoteWriteDecoder,
  encodeWriteRequestV1,
  encodeWriteRequestV2,
} from '#pharos/remote-write';

// Malformed input may only ever produce a RemoteWriteDecodeError (→ 400), never another
// exception (→ 500, or a crash) and never a hang; each decode gets a generous time bound.
// A hang is unbounded; 2 s catches one while tolerating GC pauses on a loaded 2-core machine.
const TIME_BOUND_MS = 2000;

function decodeOrDecodeError(decoder: RemoteWriteDecoder, bytes: Uint8Array, version: RemoteWriteVersion, compressed: boolean): void {
  const started = performance.now();
  try {
    const { batch } = decoder.decode(bytes, { version, tenant: 't', compressed, minTimestampMs: -1e15, maxTimestampMs: 1e15 });
    expect(batch.sampleOffsets.length).toBe(batch.series.length + 1);
    expect(sampleCount(batch)).toBe(batch.timestamps.length);
  } catch (error) {
    if (!(error instanceof RemoteWriteDecodeError)) throw error;
  }
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
}

const histogram: NativeHistogram = {
  isInteger: true,
  schema: 1,
  zeroThreshold: 0.5,
  zeroCount: 1,
  count: 10,
  sum: 5,
  positiveSpans: new Int32Array([-1, 2, 1, 1]),
  positiveCounts: new Float64Array([2, 3, 4]),
  negativeSpans: new Int32Array(0),
  negativeCounts: new Float64Array(0),
  resetHint: 1,
  customValues: new Float64Array(0),
};

const seriesArb: fc.Arbitrary<RemoteWriteSeries> = fc.record({
  labels: fc
    .dictionary(fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }), fc.string({ maxLength: 12, unit: 'grapheme' }), { maxKeys: 5 })
    .map((d) => ({ ...d, __name__: 'm' })),
  samples: fc.array(fc.record({ timestamp: fc.integer({ min: -1e12, max: 2e12 }), value: fc.double() }), { maxLength: 4 }),
  histograms: fc.constant([{ timestamp: 5, histogram }]),
  exemplars: fc.array(fc.record({ labels: fc.constant({ trace_id: 'abc' }), value: fc.double(), timestamp: fc.integer({ min: 0, max: 1e12 }) }), { maxLength: 2 }),
  metadata: fc.constant({ type: 'counter' as const, help: 'h' }),
});

describe('fuzzing the remote-write decoder', () => {
  const decoder = new RemoteWriteDecoder();
  for (const version of ['1.0', '2.0'] as const) {
    it(`v${version}: random bytes, uncompressed and snappy`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          decodeOrDecodeError(decoder, bytes, version, false);
          decodeOrDecodeError(decoder, bytes, version, true);
          decodeOrDecodeError(decoder, compressSync(bytes), version, true);
        }),
        { numRuns: 1500 },
      );
    });

    it(`v${version}: valid bodies survive a round trip and mutations only raise decode errors`, () => {
      fc.assert(
        fc.property(
          fc.array(seriesArb, { minLength: 1, maxLength: 4 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          fc.nat(),
          (series, flips, cut) => {
            const body = version === '1.0' ? encodeWriteRequestV1(series) : encodeWriteRequestV2(series);
            const ok = decoder.decode(body, { version, tenant: 't', compressed: false });
            expect(ok.batch.timestamps.length).toBe(series.reduce((n, s) => n + (s.samples?.length ?? 0), 0));
            const mutated = Buffer.from(body);
            for (const [at, byte] of flips) mutated[at % mutated.length] = byte;
            decodeOrDecodeError(decoder, mutated, version, false);
            decodeOrDecodeError(decoder, compressSync(mutated), version, true);
            decodeOrDecodeError(decoder, body.subarray(0, cut % (body.length + 1)), version, false);
            const compressed = compressSync(body);
            decodeOrDecodeError(decoder, compressed.subarray(0, cut % (compressed.length + 1)), version, true);
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});
