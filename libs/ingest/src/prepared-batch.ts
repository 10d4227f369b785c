import {
  SERIES_REF_WORDS,
  UNRESOLVED_LABELS,
  compressEncodedBatch,
  decodeMetricBatch,
  encodeMetricBatch,
  seriesHash,
  type Labels,
  type MetricBatch,
  type SeriesSlots,
} from '#pharos/metric-model';
import type { SeriesDefinitions } from './series-definitions.js';

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
  /**
   * Set when the parts carry series labels that later batches may refer to by ref: call it
   * once the parts are durable on a stream whose consumers resolve refs, with the series
   * (by request index) that were refused and so not written. See {@link SeriesDefinitions}.
   */
  readonly onDurable?: (refused: Uint8Array | undefined) => void;
  /** The {@link SeriesDefinitions} ticket behind `onDurable` (0: none); crosses threads. */
  readonly definitionTicket: number;
}

export interface PreparedPart {
  readonly partition: number;
  readonly bytes: Uint8Array;
}

/**
 * Splits a batch by series partition and encodes each part. With `definitions`, records carry
 * series refs and leave out the labels of series already defined (ADR 0010); without, every
 * series carries its labels and no ref (codec version 1). `slots`, from a decoder that interns
 * label sets, lets `definitions` find the series by slot (see {@link SeriesDefinitions.describe}).
 */
export function prepareBatch(batch: MetricBatch, partitions: number, definitions?: SeriesDefinitions, slots?: SeriesSlots): PreparedBatch {
  const n = batch.series.length;
  const seriesHashes = new Float64Array(n);
  const partitionOfSeries = new Uint16Array(n);
  const samplesPerSeries = new Uint32Array(n);
  let refs: Uint32Array | undefined;
  let omit: Uint8Array | undefined;
  let ticket = 0;
  if (definitions !== undefined) {
    refs = new Uint32Array(SERIES_REF_WORDS * n);
    omit = new Uint8Array(n);
    ticket = definitions.describe(batch.tenant, batch.series, partitions, { hashes: seriesHashes, partitionOf: partitionOfSeries, refs, omit }, slots);
  } else {
    for (let i = 0; i < n; i++) {
      const h = seriesHash(batch.series[i]!);
      seriesHashes[i] = h;
      partitionOfSeries[i] = h % partitions;
    }
  }
  const offsets = batch.sampleOffsets;
  for (let i = 0; i < n; i++) samplesPerSeries[i] = offsets[i + 1]! - offsets[i]!;
  for (const h of batch.histograms) samplesPerSeries[h.seriesIndex]!++;
  const parts = encodeParts(batch, partitions, partitionOfSeries, refs, omit);
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
    definitionTicket: ticket,
  };
}

/**
 * One record per partition that has series, in order of first appearance; metadata (per metric
 * family, not per series) rides with the first. A batch of metadata alone goes to partition 0.
 */
function encodeParts(
  batch: MetricBatch,
  partitions: number,
  partitionOf: Uint16Array,
  refs: Uint32Array | undefined,
  omit: Uint8Array | undefined,
): PreparedPart[] {
  const n = batch.series.length;
  if (n === 0) return [{ partition: 0, bytes: finish(encodeMetricBatch(batch, refs ? { refs, omitLabels: omit } : {}), true) }];
  // Counting sort of the series by partition, keeping request order within each.
  const counts = new Uint32Array(partitions + 1);
  const firstSeen: number[] = [];
  for (let i = 0; i < n; i++) if (counts[partitionOf[i]! + 1]!++ === 0) firstSeen.push(partitionOf[i]!);
  for (let p = 0; p < partitions; p++) counts[p + 1]! += counts[p]!;
  const order = new Uint32Array(n);
  const fill = counts.slice(0, partitions);
  for (let i = 0; i < n; i++) order[fill[partitionOf[i]!]!++] = i;
  const parts: PreparedPart[] = [];
  for (let k = 0; k < firstSeen.length; k++) {
    const p = firstSeen[k]!;
    const pick = order.subarray(counts[p]!, counts[p + 1]!);
    let labelsInside = omit === undefined;
    if (!labelsInside) for (let j = 0; j < pick.length && !labelsInside; j++) labelsInside = omit![pick[j]!] === 0;
    const single = firstSeen.length === 1;
    const bytes = encodeMetricBatch(batch, { series: single ? undefined : pick, refs, omitLabels: omit, metadata: k === 0 });
    parts.push({ partition: p, bytes: finish(bytes, labelsInside) });
  }
  return parts;
}

/**
 * Records that carry label text are zstd-compressed (labels shrink ~10–40×); records of refs
 * and samples alone are not: their bytes are mostly refs and values, which compress little, so
 * compressing would cost CPU on both sides for a small saving of short-lived stream bytes.
 */
function finish(encoded: Uint8Array, hasLabels: boolean): Uint8Array {
  return hasLabels ? compressEncodedBatch(encoded) : encoded;
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
    // No resolver: series sent by ref come back as placeholders and are sent by ref again.
    const batch = decodeMetricBatch(part.bytes, { copy: true, interner: null });
    const kept = drop ? filterBatch(batch, drop) : batch;
    floatSamples += kept.timestamps.length;
    histogramSamples += kept.histograms.length;
    exemplars += kept.exemplars.length;
    if (kept.series.length > 0 || kept.metadata.length > 0) {
      parts.push(drop ? { partition: part.partition, bytes: reencode(kept) } : part);
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
    definitionTicket: prepared.definitionTicket,
    ...(prepared.onDurable ? { onDurable: prepared.onDurable } : {}),
  };
}

function reencode(batch: MetricBatch): Uint8Array {
  if (batch.seriesRefs === undefined) return finish(encodeMetricBatch(batch), true);
  const omit = new Uint8Array(batch.series.length);
  let labelsInside = false;
  for (let i = 0; i < batch.series.length; i++) {
    if (batch.series[i] === UNRESOLVED_LABELS) omit[i] = 1;
    else labelsInside = true;
  }
  return finish(encodeMetricBatch(batch, { omitLabels: omit }), labelsInside || batch.series.length === 0);
}

/** The batch without the series (by index) in `drop`; refs and sections follow their series. */
function filterBatch(batch: MetricBatch, drop: ReadonlySet<number>): MetricBatch {
  const n = batch.series.length;
  const newIndex = new Int32Array(n).fill(-1);
  const series: Labels[] = [];
  for (let i = 0; i < n; i++) if (!drop.has(i)) newIndex[i] = series.push(batch.series[i]!) - 1;
  const offsets = new Uint32Array(series.length + 1);
  let samples = 0;
  for (let i = 0; i < n; i++) if (newIndex[i]! >= 0) samples += batch.sampleOffsets[i + 1]! - batch.sampleOffsets[i]!;
  const timestamps = new Float64Array(samples);
  const values = new Float64Array(samples);
  const refs = batch.seriesRefs === undefined ? undefined : new Uint32Array(SERIES_REF_WORDS * series.length);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const k = newIndex[i]!;
    if (k < 0) continue;
    offsets[k] = at;
    for (let s = batch.sampleOffsets[i]!, end = batch.sampleOffsets[i + 1]!; s < end; s++, at++) {
      timestamps[at] = batch.timestamps[s]!;
      values[at] = batch.values[s]!;
    }
    if (refs !== undefined) refs.set(batch.seriesRefs!.subarray(SERIES_REF_WORDS * i, SERIES_REF_WORDS * (i + 1)), SERIES_REF_WORDS * k);
  }
  offsets[series.length] = at;
  return {
    tenant: batch.tenant,
    series,
    sampleOffsets: offsets,
    timestamps,
    values,
    histograms: batch.histograms.filter((h) => newIndex[h.seriesIndex]! >= 0).map((h) => ({ ...h, seriesIndex: newIndex[h.seriesIndex]! })),
    exemplars: batch.exemplars.filter((e) => newIndex[e.seriesIndex]! >= 0).map((e) => ({ ...e, seriesIndex: newIndex[e.seriesIndex]! })),
    metadata: batch.metadata,
    ...(refs === undefined ? {} : { seriesRefs: refs }),
  };
}
