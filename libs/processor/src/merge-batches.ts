import { MetricBatchBuilder, sampleCount, type MetricBatch } from '#pharos/metric-model';

/** Concatenates batches of one tenant into one store append; a single batch passes through. */
export function mergeBatches(tenant: string, batches: readonly MetricBatch[]): MetricBatch {
  if (batches.length === 1) return batches[0]!;
  let seriesTotal = 0;
  let samplesTotal = 0;
  for (const b of batches) {
    seriesTotal += b.series.length;
    samplesTotal += sampleCount(b);
  }
  const builder = new MetricBatchBuilder(tenant, seriesTotal, samplesTotal);
  for (const b of batches) {
    const base = builder.seriesCount;
    for (let i = 0; i < b.series.length; i++) {
      builder.addSeries(b.series[i]!);
      for (let s = b.sampleOffsets[i]!, end = b.sampleOffsets[i + 1]!; s < end; s++) builder.addSample(b.timestamps[s]!, b.values[s]!);
    }
    for (const h of b.histograms) builder.addHistogram(base + h.seriesIndex, h.timestamp, h.histogram);
    for (const e of b.exemplars) builder.addExemplar({ ...e, seriesIndex: base + e.seriesIndex });
    for (const m of b.metadata) builder.addMetadata(m);
  }
  return builder.build();
}
