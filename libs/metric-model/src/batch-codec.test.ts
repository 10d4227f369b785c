import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MetricBatch,
  type NativeHistogram,
  LabelSetInterner,
  MetricBatchBuilder,
  MetricBatchCodecError,
  STALE_NAN,
  decodeMetricBatch,
  encodeMetricBatch,
  isStaleNaN,
} from '#pharos/metric-model';

const histogram: NativeHistogram = {
  isInteger: false,
  schema: -53,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 4.5,
  sum: -1.25,
  positiveSpans: new Int32Array([0, 2, 1, 1]),
  positiveCounts: new Float64Array([1, 2, 1.5]),
  negativeSpans: new Int32Array([-3, 1]),
  negativeCounts: new Float64Array([0.5]),
  resetHint: 3,
  customValues: new Float64Array([0.1, 1, 10]),
};

function sampleBatch(): MetricBatch {
  const b = new MetricBatchBuilder('tenant-ü', 2, 2);
  b.addSeries(['__name__', 'up', 'instance', 'höst:9100']);
  b.addSample(1_700_000_000_000, 1);
  b.addSample(1_700_000_015_000, STALE_NAN);
  b.addSeries(['__name__', 'empty_series']);
  b.addSeries(['__name__', 'h']);
  b.addHistogram(2, 1_700_000_000_001, histogram);
  b.addSample(-5, -0);
  b.addExemplar({ seriesIndex: 0, labels: ['trace_id', 'abc'], timestamp: 1_700_000_000_000, value: 0.5 });
  b.addMetadata({ metricFamilyName: 'up', type: 'gauge', help: 'Target is up.', unit: '' });
  return b.build();
}

function plain(batch: MetricBatch): unknown {
  return { ...batch, sampleOffsets: [...batch.sampleOffsets], timestamps: [...batch.timestamps], values: [...batch.values] };
}

describe('batch codec', () => {
  it('round-trips every section, keeping the staleness marker and -0 bit-exact', () => {
    const batch = sampleBatch();
    const bytes = encodeMetricBatch(batch);
    expect(bytes.byteOffset % 8).toBe(0);
    const decoded = decodeMetricBatch(bytes);
    expect(plain(decoded)).toEqual(plain(batch));
    expect(isStaleNaN(decoded.values[1]!)).toBe(true);
    expect(Object.is(decoded.values[2], -0)).toBe(true);
  });

  it('returns views into aligned input and copies otherwise', () => {
    const bytes = encodeMetricBatch(sampleBatch());
    const aligned = decodeMetricBatch(bytes);
    expect(aligned.timestamps.buffer).toBe(bytes.buffer);
    expect(aligned.values.buffer).toBe(bytes.buffer);

    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const unaligned = decodeMetricBatch(shifted.subarray(3));
    expect(unaligned.timestamps.buffer).not.toBe(shifted.buffer);
    expect(plain(unaligned)).toEqual(plain(aligned));

    const copied = decodeMetricBatch(bytes, { copy: true });
    expect(copied.values.buffer).not.toBe(bytes.buffer);
    expect(plain(copied)).toEqual(plain(aligned));
  });

  it('copies unaligned columns into memory the caller hands out, and refuses memory that cannot hold them', () => {
    const bytes = encodeMetricBatch(sampleBatch());
    const shifted = new Uint8Array(bytes.length + 5);
    shifted.set(bytes, 5);
    const input = shifted.subarray(5);
    const block = new Uint8Array(4096);
    const asked: number[] = [];
    const decoded = decodeMetricBatch(input, {
      columnMemory: (n) => {
        asked.push(n);
        return block.subarray(64, 64 + n);
      },
    });
    expect(asked).toHaveLength(1);
    expect(decoded.timestamps.buffer).toBe(block.buffer);
    expect(decoded.timestamps.byteOffset).toBe(64);
    expect(decoded.sampleOffsets.buffer).toBe(block.buffer);
    expect(plain(decoded)).toEqual(plain(decodeMetricBatch(bytes)));
    // Aligned input still decodes to views of its own bytes: no memory asked for.
    decodeMetricBatch(bytes, { columnMemory: () => expect.fail('aligned input needs no copy') });
    expect(() => decodeMetricBatch(input, { columnMemory: (n) => block.subarray(4, 4 + n) })).toThrow(/8-byte boundary/);
    expect(() => decodeMetricBatch(input, { columnMemory: (n) => block.subarray(0, n - 8) })).toThrow(RangeError);
  });

  it('round-trips an empty batch', () => {
    const empty = new MetricBatchBuilder('t').build();
    expect(plain(decodeMetricBatch(encodeMetricBatch(empty)))).toEqual(plain(empty));
  });

  it('interns recurring label sets, bounded by its generations', () => {
    const interner = new LabelSetInterner(1024);
    const bytes = encodeMetricBatch(sampleBatch());
    const a = decodeMetricBatch(bytes, { interner });
    const b = decodeMetricBatch(Uint8Array.from(bytes), { interner });
    expect(b.series[0]).toBe(a.series[0]);
    expect(decodeMetricBatch(bytes, { interner: null }).series[0]).not.toBe(a.series[0]);
    // Many distinct series through a tiny interner: memory stays bounded.
    const builder = new MetricBatchBuilder('t');
    for (let i = 0; i < 2000; i++) builder.addSeries(['__name__', `m${i}`]);
    decodeMetricBatch(encodeMetricBatch(builder.build()), { interner });
    expect(interner.size).toBeLessThan(200);
  });

  it('rejects bad magic, unknown versions and every truncation with a codec error', () => {
    const bytes = encodeMetricBatch(sampleBatch());
    const badMagic = Uint8Array.from(bytes);
    badMagic[0] = 0;
    expect(() => decodeMetricBatch(badMagic)).toThrow(/bad magic/);
    const v3 = Uint8Array.from(bytes);
    v3[4] = 3;
    expect(() => decodeMetricBatch(v3)).toThrow(/unsupported metric batch version 3/);
    const flags = Uint8Array.from(bytes);
    flags[5] = 4;
    expect(() => decodeMetricBatch(flags)).toThrow(/unknown metric batch flags/);
    for (let len = 0; len < bytes.length; len++) {
      expect(() => decodeMetricBatch(bytes.subarray(0, len))).toThrow(MetricBatchCodecError);
    }
  });

  it('fuzz: random mutations raise only codec errors, quickly', () => {
    const bytes = encodeMetricBatch(sampleBatch());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.boolean(), (flips, align) => {
        const mutated = new Uint8Array(bytes.length + (align ? 0 : 1)).subarray(align ? 0 : 1);
        mutated.set(bytes);
        for (const [at, byte] of flips) mutated[at % mutated.length] = byte;
        const started = performance.now();
        try {
          const batch = decodeMetricBatch(mutated, { interner: null });
          expect(batch.sampleOffsets[batch.series.length]).toBe(batch.timestamps.length);
        } catch (error) {
          if (!(error instanceof MetricBatchCodecError)) throw error;
        }
        expect(performance.now() - started).toBeLessThan(2000); // catches a hang, tolerates GC pauses
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (random) => {
        try {
          decodeMetricBatch(random);
        } catch (error) {
          if (!(error instanceof MetricBatchCodecError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
