import { describe, expect, it } from 'vitest';
import {
  MetricBatchBuilder,
  MetricBatchCodecError,
  compressEncodedBatch,
  decodeMetricBatch,
  encodeMetricBatch,
  labelsFromRecord,
} from '#pharos/metric-model';

function batch() {
  const b = new MetricBatchBuilder('tenant-a');
  for (let i = 0; i < 500; i++) {
    b.addSeries(labelsFromRecord({ __name__: 'node_cpu_seconds_total', instance: `host-${i % 7}:9100`, cpu: String(i) }));
    b.addSample(1_700_000_000_000 + i, i / 3);
  }
  return b.build();
}

describe('compressed metric batches', () => {
  it('round-trip through decodeMetricBatch and are much smaller', () => {
    const encoded = encodeMetricBatch(batch());
    const compressed = compressEncodedBatch(encoded);
    expect(compressed.byteLength * 5).toBeLessThan(encoded.byteLength);
    const decoded = decodeMetricBatch(compressed);
    expect(decoded.tenant).toBe('tenant-a');
    expect(decoded.series).toHaveLength(500);
    expect(Array.from(decoded.values.subarray(0, 3))).toEqual([0, 1 / 3, 2 / 3]);
    expect(decoded.series[42]).toEqual(['__name__', 'node_cpu_seconds_total', 'cpu', '42', 'instance', 'host-0:9100']);
  });

  it('refuse corrupt frames and lying lengths with a codec error', () => {
    const compressed = compressEncodedBatch(encodeMetricBatch(batch()));
    const garbled = compressed.slice();
    for (let i = 20; i < 60; i++) garbled[i] ^= 0x5a;
    expect(() => decodeMetricBatch(garbled)).toThrow(MetricBatchCodecError);
    const lying = compressed.slice();
    new DataView(lying.buffer).setUint32(4, 0x7fffffff, true);
    expect(() => decodeMetricBatch(lying)).toThrow(/over the limit/);
    const short = compressed.slice();
    new DataView(short.buffer).setUint32(4, 100, true);
    expect(() => decodeMetricBatch(short)).toThrow(MetricBatchCodecError);
    expect(() => decodeMetricBatch(compressed.subarray(0, compressed.length - 10))).toThrow(MetricBatchCodecError);
  });
});
