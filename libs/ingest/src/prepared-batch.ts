import {
  MetricBatchBuilder,
  compressEncodedBatch,
  decodeMetricBatch,
  encodeMetricBatch,
  seriesHash,
  type MetricBatch,
} from '#pharos/metric-model';
import { splitByPartition } from './partition-split.js';

/**
 * A decoded request made ready for the stream: its batch split by series partition and
 * encoded, plus what the limits need to know per series (hash for the active-series table,
 * sample count). Building it is the CPU-heavy part of ingestion, so it can happen in a worker
 * thread (see {@link IngestDecodePool}); only the limit checks and the produce stay on the
 * main thread.
 */
export interface PreparedBatch {
  readonly tenant: string;
  readonly parts: readonly PreparedPart[];
  /** Per series of the request, in request order. */
  readonly seriesHashes: Float64Array;
  readonly partitionOfSeries: Uint16Array;
  /** Float plus histogram samples per series. */
  readonly samplesPerSeries: Uint32Array;
  readonly floatSamples: number;
  readonly histogramSamples: number;
  readonly exemplars: number;
  readonly metadata: number;
}

export interface PreparedPart {
  readonly partition: number;
  readonly bytes: Uint8Array;
}

export function prepareBatch(batch: MetricBatch, partitions: number): PreparedBatch {
  const n = batch.series.length;
  const seriesHashes = new Float64Array(n);
  const partitionOfSeries = new Uint16Array(n);
  const samplesPerSeries = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = seriesHash(batch.series[i]!);
    seriesHashes[i] = h;
    partitionOfSeries[i] = h % partitions;
    samplesPerSeries[i] = batch.sampleOffsets[i + 1]! - batch.sampleOffsets[i]!;
  }
  for (const h of batch.histograms) samplesPerSeries[h.seriesIndex]!++;
  const parts = splitByPartition(batch, partitions).map(([partition, part]) => ({ partition, bytes: compressEncodedBatch(encodeMetricBatch(part)) }));
  return {
    tenant: batch.tenant,
    parts,
    seriesHashes,
    partitionOfSeries,
    samplesPerSeries,
    floatSamples: batch.timestamps.length,
    histogramSamples: batch.histograms.length,
    exemplars: batch.exemplars.length,
    metadata: batch.metadata.length,
  };
}

/**
 * Drops the series marked in `refused` from a prepared batch. Parts without refused series
 * are kept as they are; the others are decoded, filtered and encoded again. Refusals are
 * rare (a tenant at its series limit), so this path favours simplicity over speed.
 */
export function withoutSeries(prepared: PreparedBatch, refused: Uint8Array): PreparedBatch {
  const n = prepared.seriesHashes.length;
  const keptIndex: number[] = [];
  const refusedByPartition = new Map<number, Set<number>>();
  const localIndex = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const p = prepared.partitionOfSeries[i]!;
    const local = localIndex.get(p) ?? 0;
    localIndex.set(p, local + 1);
    if (refused[i]) {
      if (!refusedByPartition.has(p)) refusedByPartition.set(p, new Set());
      refusedByPartition.get(p)!.add(local);
    } else {
      keptIndex.push(i);
    }
  }
  let floatSamples = 0;
  let histogramSamples = 0;
  let exemplars = 0;
  const parts: PreparedPart[] = [];
  for (const part of prepared.parts) {
    const drop = refusedByPartition.get(part.partition);
    const batch = decodeMetricBatch(part.bytes, { copy: true });
    const kept = drop ? filterBatch(batch, drop) : batch;
    floatSamples += kept.timestamps.length;
    histogramSamples += kept.histograms.length;
    exemplars += kept.exemplars.length;
    if (kept.series.length > 0 || kept.metadata.length > 0) {
      parts.push(drop ? { partition: part.partition, bytes: compressEncodedBatch(encodeMetricBatch(kept)) } : part);
    }
  }
  const pick = <T extends Float64Array | Uint16Array | Uint32Array>(a: T): T => {
    const out = new (a.constructor as new (len: number) => T)(keptIndex.length);
    keptIndex.forEach((from, to) => (out[to] = a[from]!));
    return out;
  };
  return {
    tenant: prepared.tenant,
    parts,
    seriesHashes: pick(prepared.seriesHashes),
    partitionOfSeries: pick(prepared.partitionOfSeries),
    samplesPerSeries: pick(prepared.samplesPerSeries),
    floatSamples,
    histogramSamples,
    exemplars,
    metadata: prepared.metadata,
  };
}

function filterBatch(batch: MetricBatch, drop: ReadonlySet<number>): MetricBatch {
  const builder = new MetricBatchBuilder(batch.tenant, batch.series.length, batch.timestamps.length);
  const newIndex = new Int32Array(batch.series.length).fill(-1);
  for (let i = 0; i < batch.series.length; i++) {
    if (drop.has(i)) continue;
    newIndex[i] = builder.addSeries(batch.series[i]!);
    for (let s = batch.sampleOffsets[i]!, end = batch.sampleOffsets[i + 1]!; s < end; s++) builder.addSample(batch.timestamps[s]!, batch.values[s]!);
  }
  for (const h of batch.histograms) if (newIndex[h.seriesIndex]! >= 0) builder.addHistogram(newIndex[h.seriesIndex]!, h.timestamp, h.histogram);
  for (const e of batch.exemplars) if (newIndex[e.seriesIndex]! >= 0) builder.addExemplar({ ...e, seriesIndex: newIndex[e.seriesIndex]! });
  for (const m of batch.metadata) builder.addMetadata(m);
  return builder.build();
}
