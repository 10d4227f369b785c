import { SERIES_REF_WORDS, UNRESOLVED_LABELS, type Labels, type MetricBatch } from '#pharos/metric-model';

/**
 * The batch without its unresolved series (labels {@link UNRESOLVED_LABELS}), how many float
 * and histogram samples went with them, and the ref index (word offset) of the first.
 */
export function withoutUnresolved(batch: MetricBatch): { kept: MetricBatch; droppedSamples: number; firstRef: number | undefined } {
  const n = batch.series.length;
  const newIndex = new Int32Array(n).fill(-1);
  const series: Labels[] = [];
  let firstRef: number | undefined;
  for (let i = 0; i < n; i++) {
    if (batch.series[i] !== UNRESOLVED_LABELS) newIndex[i] = series.push(batch.series[i]!) - 1;
    else firstRef ??= SERIES_REF_WORDS * i;
  }
  const offsets = new Uint32Array(series.length + 1);
  const refs = batch.seriesRefs === undefined ? undefined : new Uint32Array(SERIES_REF_WORDS * series.length);
  let samples = 0;
  for (let i = 0; i < n; i++) if (newIndex[i]! >= 0) samples += batch.sampleOffsets[i + 1]! - batch.sampleOffsets[i]!;
  const timestamps = new Float64Array(samples);
  const values = new Float64Array(samples);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const k = newIndex[i]!;
    if (k < 0) continue;
    offsets[k] = at;
    const from = batch.sampleOffsets[i]!;
    const to = batch.sampleOffsets[i + 1]!;
    timestamps.set(batch.timestamps.subarray(from, to), at);
    values.set(batch.values.subarray(from, to), at);
    at += to - from;
    if (refs !== undefined) refs.set(batch.seriesRefs!.subarray(SERIES_REF_WORDS * i, SERIES_REF_WORDS * (i + 1)), SERIES_REF_WORDS * k);
  }
  offsets[series.length] = at;
  const histograms = batch.histograms.filter((h) => newIndex[h.seriesIndex]! >= 0).map((h) => ({ ...h, seriesIndex: newIndex[h.seriesIndex]! }));
  const droppedSamples = batch.timestamps.length - samples + (batch.histograms.length - histograms.length);
  const kept: MetricBatch = {
    tenant: batch.tenant,
    series,
    sampleOffsets: offsets,
    timestamps,
    values,
    histograms,
    exemplars: batch.exemplars.filter((e) => newIndex[e.seriesIndex]! >= 0).map((e) => ({ ...e, seriesIndex: newIndex[e.seriesIndex]! })),
    metadata: batch.metadata,
  };
  return { kept: refs === undefined ? kept : { ...kept, seriesRefs: refs }, droppedSamples, firstRef };
}
