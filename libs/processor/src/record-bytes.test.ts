import { describe, expect, it } from 'vitest';
import {
  MetricBatchBuilder,
  MetricBatchCodecError,
  compressEncodedBatch,
  decodeMetricBatch,
  encodeMetricBatch,
  labelsFromRecord,
  seriesRefsOf,
  type Labels,
  type MetricBatch,
} from '#pharos/metric-model';
import { recordBytes } from './record-bytes.js';

const T = 't';
const SERIES: Labels[] = Array.from({ length: 30 }, (_, i) => labelsFromRecord({ __name__: 'up', instance: `host-${i}:9100`, job: 'node' }));

function batch(): MetricBatch {
  const b = new MetricBatchBuilder(T);
  SERIES.forEach((labels, i) => {
    b.addSeries(labels);
    b.addSample(1_700_000_000_000 + i, i * 1.5);
  });
  return b.build();
}

describe('recordBytes', () => {
  it('sees refs in compressed and plain version 2 records, and the bytes decode to the same batch', () => {
    const b = batch();
    const refs = seriesRefsOf(T, SERIES);
    const omit = new Uint8Array(SERIES.length);
    omit.fill(1, 10); // 10 definitions, 20 by ref alone
    const plain = encodeMetricBatch(b, { refs, omitLabels: omit });
    const compressed = compressEncodedBatch(plain);
    for (const value of [plain, compressed]) {
      const { bytes, hasRefs } = recordBytes(value);
      expect(hasRefs).toBe(true);
      expect(Buffer.from(bytes).equals(Buffer.from(plain))).toBe(true);
    }
    const decoded = decodeMetricBatch(recordBytes(compressed).bytes, { interner: null });
    expect(decoded.series.slice(0, 10)).toEqual(SERIES.slice(0, 10));
    expect(decoded.seriesRefs).toEqual(refs);
    expect(Array.from(decoded.values)).toEqual(Array.from(b.values));
  });

  it('reports no refs for version 1 records', () => {
    const v1 = encodeMetricBatch(batch());
    expect(recordBytes(v1).hasRefs).toBe(false);
    const { bytes, hasRefs } = recordBytes(compressEncodedBatch(v1));
    expect(hasRefs).toBe(false);
    expect(decodeMetricBatch(bytes).series).toEqual(SERIES);
  });

  it('hands a corrupt compressed frame back unchanged, so the codec names the problem', () => {
    const compressed = compressEncodedBatch(encodeMetricBatch(batch()));
    const corrupt = compressed.slice();
    corrupt.fill(0xab, 12, 40);
    const out = recordBytes(corrupt);
    expect(out.bytes).toBe(corrupt);
    expect(out.hasRefs).toBe(false);
    expect(() => decodeMetricBatch(out.bytes)).toThrow(MetricBatchCodecError);
    const short = compressed.slice();
    new DataView(short.buffer).setUint32(4, 3, true); // declares fewer bytes than the frame holds
    expect(recordBytes(short).bytes).toBe(short);
    expect(recordBytes(new Uint8Array(3)).hasRefs).toBe(false);
  });
});
