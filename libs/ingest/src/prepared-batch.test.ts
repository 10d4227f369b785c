import { describe, expect, it } from 'vitest';
import { MetricBatchBuilder, decodeMetricBatch, labelsFromRecord, seriesHash } from '#pharos/metric-model';
import { IngestDecodePool, prepareBatch, withoutSeries } from '#pharos/ingest';
import { RemoteWriteDecodeError, encodeWriteRequestV1 } from '#pharos/remote-write';
import snappy from 'snappy';

function batchOf(n: number) {
  const b = new MetricBatchBuilder('t');
  for (let i = 0; i < n; i++) {
    b.addSeries(labelsFromRecord({ __name__: 'm', i: String(i) }));
    b.addSample(1000 + i, i);
    b.addSample(2000 + i, i * 2);
  }
  return b.build();
}

describe('prepareBatch', () => {
  it('splits by series partition and keeps every sample exactly once', () => {
    const batch = batchOf(50);
    const prepared = prepareBatch(batch, 4);
    expect(prepared.floatSamples).toBe(100);
    const seen = new Map<string, number[]>();
    for (const part of prepared.parts) {
      const decoded = decodeMetricBatch(part.bytes);
      decoded.series.forEach((labels, i) => {
        expect(seriesHash(labels) % 4).toBe(part.partition);
        seen.set(labels[3]!, Array.from(decoded.values.subarray(decoded.sampleOffsets[i], decoded.sampleOffsets[i + 1])));
      });
    }
    expect(seen.size).toBe(50);
    expect(seen.get('7')).toEqual([7, 14]);
  });

  it('drops refused series and only those', () => {
    const prepared = prepareBatch(batchOf(20), 3);
    const refused = new Uint8Array(20);
    refused[3] = refused[11] = 1;
    const kept = withoutSeries(prepared, refused);
    expect(kept.floatSamples).toBe(36);
    expect(kept.seriesHashes.length).toBe(18);
    const names = kept.parts.flatMap((p) => decodeMetricBatch(p.bytes).series.map((l) => l[3]));
    expect(names.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(i)).filter((i) => i !== '3' && i !== '11').sort());
  });
});

describe('IngestDecodePool inline', () => {
  it('decodes a remote-write body into prepared parts and surfaces decode errors by class', async () => {
    const pool = new IngestDecodePool(0);
    const body = snappy.compressSync(Buffer.from(encodeWriteRequestV1([{ labels: { __name__: 'up', job: 'a' }, samples: [{ timestamp: 5, value: 1 }] }])));
    const decoded = await pool.decode({ kind: 'prometheus-remote-write', body, partitions: 2, options: { version: '1.0', tenant: 'x' } });
    expect(decoded.prepared.floatSamples).toBe(1);
    expect(decoded.prepared.tenant).toBe('x');
    await expect(
      pool.decode({ kind: 'prometheus-remote-write', body: Buffer.from('garbage'), partitions: 2, options: { version: '1.0', tenant: 'x' } }),
    ).rejects.toBeInstanceOf(RemoteWriteDecodeError);
    await pool.close();
  });
});
