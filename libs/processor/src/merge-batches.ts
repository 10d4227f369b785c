import { SERIES_REF_WORDS, sampleCount, type Exemplar, type HistogramSample, type Labels, type MetricBatch, type MetricMetadata } from '#pharos/metric-model';

/**
 * Concatenates batches of one tenant into one store append; a single batch passes through.
 * Columns are copied in bulk; series refs are kept when every batch has them.
 */
export function mergeBatches(tenant: string, batches: readonly MetricBatch[]): MetricBatch {
  if (batches.length === 1) return batches[0]!;
  let seriesTotal = 0;
  let samplesTotal = 0;
  let allRefs = true;
  for (const b of batches) {
    seriesTotal += b.series.length;
    samplesTotal += sampleCount(b);
    if (b.seriesRefs === undefined) allRefs = false;
  }
  const series: Labels[] = new Array(seriesTotal);
  const sampleOffsets = new Uint32Array(seriesTotal + 1);
  const timestamps = new Float64Array(samplesTotal);
  const values = new Float64Array(samplesTotal);
  const refs = allRefs ? new Uint32Array(SERIES_REF_WORDS * seriesTotal) : undefined;
  const histograms: HistogramSample[] = [];
  const exemplars: Exemplar[] = [];
  const metadata: MetricMetadata[] = [];
  let s0 = 0;
  let t0 = 0;
  for (const b of batches) {
    const n = b.series.length;
    const m = sampleCount(b);
    for (let i = 0; i < n; i++) {
      series[s0 + i] = b.series[i]!;
      sampleOffsets[s0 + i] = t0 + b.sampleOffsets[i]!;
    }
    timestamps.set(b.timestamps.subarray(0, m), t0);
    values.set(b.values.subarray(0, m), t0);
    if (refs !== undefined) refs.set(b.seriesRefs!.subarray(0, SERIES_REF_WORDS * n), SERIES_REF_WORDS * s0);
    for (const h of b.histograms) histograms.push({ ...h, seriesIndex: s0 + h.seriesIndex });
    for (const e of b.exemplars) exemplars.push({ ...e, seriesIndex: s0 + e.seriesIndex });
    for (const md of b.metadata) metadata.push(md);
    s0 += n;
    t0 += m;
  }
  sampleOffsets[seriesTotal] = t0;
  const merged: MetricBatch = { tenant, series, sampleOffsets, timestamps, values, histograms, exemplars, metadata };
  return refs === undefined ? merged : { ...merged, seriesRefs: refs };
}
