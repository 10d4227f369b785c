import { MetricBatchBuilder, seriesHash, type MetricBatch } from '#pharos/metric-model';

/**
 * Splits a batch into one batch per stream partition, by series hash, so each series always
 * lands on the same partition and stays in order there. Returns `[partition, batch]` pairs;
 * a batch whose series all fall in one partition is returned as is, without copying.
 */
export function splitByPartition(batch: MetricBatch, partitions: number): Array<[number, MetricBatch]> {
  const n = batch.series.length;
  if (partitions === 1 || n === 0) return [[n === 0 ? 0 : partitionOf(batch, 0, partitions), batch]];
  const partitionOfSeries = new Uint16Array(n);
  let first = -1;
  let mixed = false;
  for (let i = 0; i < n; i++) {
    const p = partitionOf(batch, i, partitions);
    partitionOfSeries[i] = p;
    if (first < 0) first = p;
    else if (p !== first) mixed = true;
  }
  if (!mixed) return [[first, batch]];

  const builders = new Map<number, { builder: MetricBatchBuilder; index: Int32Array }>();
  for (let i = 0; i < n; i++) {
    const p = partitionOfSeries[i]!;
    let entry = builders.get(p);
    if (!entry) {
      entry = { builder: new MetricBatchBuilder(batch.tenant, Math.ceil(n / partitions) + 8, Math.ceil(batch.timestamps.length / partitions) + 8), index: new Int32Array(n).fill(-1) };
      builders.set(p, entry);
    }
    entry.index[i] = entry.builder.addSeries(batch.series[i]!);
    for (let s = batch.sampleOffsets[i]!, end = batch.sampleOffsets[i + 1]!; s < end; s++) {
      entry.builder.addSample(batch.timestamps[s]!, batch.values[s]!);
    }
  }
  for (const h of batch.histograms) {
    const entry = builders.get(partitionOfSeries[h.seriesIndex]!)!;
    entry.builder.addHistogram(entry.index[h.seriesIndex]!, h.timestamp, h.histogram);
  }
  for (const e of batch.exemplars) {
    const entry = builders.get(partitionOfSeries[e.seriesIndex]!)!;
    entry.builder.addExemplar({ ...e, seriesIndex: entry.index[e.seriesIndex]! });
  }
  // Metadata is per metric family, not per series: it rides with the first partition's batch.
  const out: Array<[number, MetricBatch]> = [];
  let metadataPlaced = false;
  for (const [p, { builder }] of builders) {
    if (!metadataPlaced) {
      for (const m of batch.metadata) builder.addMetadata(m);
      metadataPlaced = true;
    }
    out.push([p, builder.build()]);
  }
  return out;
}

function partitionOf(batch: MetricBatch, seriesIndex: number, partitions: number): number {
  return seriesHash(batch.series[seriesIndex]!) % partitions;
}
