import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleCount } from '#pharos/metric-model';
import { OtlpDecodeError, OtlpDecoder, type OtlpFormat, encodeExportRequest } from '#pharos/otlp';

// Malformed input may only ever give an OtlpDecodeError (→ 400 / INVALID_ARGUMENT), never
// another exception (→ 500) and never a hang.
const TIME_BOUND_MS = 2000;

function decodeOrError(decoder: OtlpDecoder, bytes: Uint8Array, format: OtlpFormat): void {
  const started = performance.now();
  try {
    const { batch } = decoder.decode(bytes, { tenant: 't', format, minTimestampMs: -1e15, maxTimestampMs: 1e15 });
    expect(batch.sampleOffsets.length).toBe(batch.series.length + 1);
    expect(sampleCount(batch)).toBe(batch.timestamps.length);
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
  }
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
}

const now = `${BigInt(Date.now()) * 1_000_000n}`;
const valid = encodeExportRequest({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }, { key: 'arr', value: { arrayValue: { values: [{ intValue: 1 }] } } }] },
      scopeMetrics: [
        {
          scope: { name: 's', version: '1' },
          metrics: [
            { name: 'g', unit: 's', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1, attributes: [{ key: 'a', value: { stringValue: 'b' } }] }] } },
            { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: now, asInt: 3, exemplars: [{ timeUnixNano: now, asDouble: 1, traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708' }] }] } },
            { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: now, count: 3, sum: 2, bucketCounts: [1, 2], explicitBounds: [1] }] } },
            { name: 'e', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: now, count: 3, scale: 3, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, 1] } }] } },
            { name: 'q', summary: { dataPoints: [{ timeUnixNano: now, count: 2, sum: 1, quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
          ],
        },
      ],
    },
  ],
});

describe('OTLP decoders under malformed input', () => {
  const decoder = new OtlpDecoder();

  it('protobuf: random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodeOrError(decoder, bytes, 'protobuf')), { numRuns: 2000 });
  });

  it('protobuf: a valid request with bytes flipped, cut or inserted', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length), (at, byte, cut) => {
        const flipped = Buffer.from(valid);
        flipped[at] = byte;
        decodeOrError(decoder, flipped, 'protobuf');
        decodeOrError(decoder, valid.subarray(0, cut), 'protobuf');
        decodeOrError(decoder, Buffer.concat([valid.subarray(0, at), Buffer.from([byte]), valid.subarray(at)]), 'protobuf');
      }),
      { numRuns: 3000 },
    );
  });

  it('JSON: arbitrary JSON values and shapes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        decodeOrError(decoder, Buffer.from(JSON.stringify(v)), 'json');
        decodeOrError(decoder, Buffer.from(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [v] }] }] })), 'json');
        decodeOrError(decoder, Buffer.from(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [v] } }] }] }] })), 'json');
      }),
      { numRuns: 2000 },
    );
  });
});
