import type { NativeHistogram } from './histogram.js';
import type { Labels } from './labels.js';

/**
 * The unit of the metrics write path: what a receiver decodes a request into, what travels
 * on the stream (see `batch-codec.ts`) and what the processor appends to the metric store.
 *
 * Samples are columnar: series `i` owns `timestamps[sampleOffsets[i] .. sampleOffsets[i+1])`
 * and the same range of `values`, so a batch of thousands of samples is a handful of typed
 * arrays rather than thousands of objects.
 */
export interface MetricBatch {
  readonly tenant: string;
  /** One label set per series; index `i` is referenced by the other sections. */
  readonly series: readonly Labels[];
  /** Length `series.length + 1`, non-decreasing, first 0, last = number of float samples. */
  readonly sampleOffsets: Uint32Array;
  /** Milliseconds since the Unix epoch (integers held exactly in float64). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly histograms: readonly HistogramSample[];
  readonly exemplars: readonly Exemplar[];
  readonly metadata: readonly MetricMetadata[];
  /**
   * Optional: the series refs (`series-ref.ts`), 4 words per series in series order. Only a
   * shortcut: when present they MUST equal `writeSeriesRef(tenant, series[i])`, so a batch
   * with refs means exactly what the same batch without them means; a store may use them to
   * find series without looking at their labels.
   */
  readonly seriesRefs?: Uint32Array;
}

export interface HistogramSample {
  readonly seriesIndex: number;
  readonly timestamp: number;
  readonly histogram: NativeHistogram;
}

export interface Exemplar {
  readonly seriesIndex: number;
  readonly labels: Labels;
  readonly timestamp: number;
  readonly value: number;
}

/** Prometheus metric-family metadata (remote-write `MetricMetadata`). */
export interface MetricMetadata {
  readonly metricFamilyName: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

export type MetricType =
  | 'unknown'
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset';

/**
 * Metric types in the order of the remote-write `MetricMetadata.MetricType` enum (the same in
 * 1.0 and 2.0); the stream codec stores the index too.
 */
export const METRIC_TYPES: readonly MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

/** Prometheus' staleness marker: a NaN with this exact bit pattern (value/value.go). */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const nanProbe = new Float64Array(1);
const nanProbeWords = new Uint32Array(nanProbe.buffer);

/** True when `v` is Prometheus' staleness marker rather than an ordinary NaN. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  nanProbe[0] = v;
  return nanProbeWords[1] === STALE_NAN_BITS_HI && nanProbeWords[0] === STALE_NAN_BITS_LO;
}

/** The staleness marker value. */
export const STALE_NAN: number = (() => {
  nanProbeWords[1] = STALE_NAN_BITS_HI;
  nanProbeWords[0] = STALE_NAN_BITS_LO;
  return nanProbe[0]!;
})();

/** Number of float samples in a batch. */
export function sampleCount(batch: MetricBatch): number {
  return batch.sampleOffsets[batch.series.length] ?? 0;
}

/** The earliest float or histogram sample time of a batch (Infinity when it has none). */
export function earliestTimestamp(batch: MetricBatch): number {
  let min = Infinity;
  const ts = batch.timestamps;
  for (let i = 0; i < ts.length; i++) if (ts[i]! < min) min = ts[i]!;
  for (const h of batch.histograms) if (h.timestamp < min) min = h.timestamp;
  return min;
}

/** Builds a batch incrementally; used by decoders that cannot size arrays up front. */
export class MetricBatchBuilder {
  private readonly series: Labels[] = [];
  private offsets: Uint32Array;
  private timestamps: Float64Array;
  private values: Float64Array;
  private samples = 0;
  private readonly histograms: HistogramSample[] = [];
  private readonly exemplars: Exemplar[] = [];
  private readonly metadata: MetricMetadata[] = [];

  constructor(
    private readonly tenant: string,
    expectedSeries = 64,
    expectedSamples = 256,
  ) {
    this.offsets = new Uint32Array(expectedSeries + 1);
    this.timestamps = new Float64Array(expectedSamples);
    this.values = new Float64Array(expectedSamples);
  }

  /** Starts a series; returns its index. Samples added next belong to it. */
  addSeries(labels: Labels): number {
    const index = this.series.length;
    this.series.push(labels);
    if (this.offsets.length < index + 2) this.offsets = grow(this.offsets, index + 2);
    this.offsets[index] = this.samples;
    this.offsets[index + 1] = this.samples;
    return index;
  }

  /** Appends a float sample to the most recently added series. */
  addSample(timestamp: number, value: number): void {
    if (this.samples === this.timestamps.length) {
      this.timestamps = grow(this.timestamps, this.samples * 2 + 16);
      this.values = grow(this.values, this.samples * 2 + 16);
    }
    this.timestamps[this.samples] = timestamp;
    this.values[this.samples] = value;
    this.samples++;
    this.offsets[this.series.length] = this.samples;
  }

  /** Removes the most recently added series and its samples (used when a series is rejected). */
  dropLastSeries(): void {
    const index = this.series.length - 1;
    if (index < 0) return;
    this.samples = this.offsets[index]!;
    this.series.pop();
    for (let i = this.histograms.length - 1; i >= 0 && this.histograms[i]!.seriesIndex === index; i--) {
      this.histograms.pop();
    }
    for (let i = this.exemplars.length - 1; i >= 0 && this.exemplars[i]!.seriesIndex === index; i--) {
      this.exemplars.pop();
    }
  }

  addHistogram(seriesIndex: number, timestamp: number, histogram: NativeHistogram): void {
    this.histograms.push({ seriesIndex, timestamp, histogram });
  }

  addExemplar(exemplar: Exemplar): void {
    this.exemplars.push(exemplar);
  }

  addMetadata(metadata: MetricMetadata): void {
    this.metadata.push(metadata);
  }

  get seriesCount(): number {
    return this.series.length;
  }

  get sampleCount(): number {
    return this.samples;
  }

  build(): MetricBatch {
    return {
      tenant: this.tenant,
      series: this.series,
      sampleOffsets: this.offsets.subarray(0, this.series.length + 1),
      timestamps: this.timestamps.subarray(0, this.samples),
      values: this.values.subarray(0, this.samples),
      histograms: this.histograms,
      exemplars: this.exemplars,
      metadata: this.metadata,
    };
  }
}

function grow<T extends Uint32Array | Float64Array>(array: T, minLength: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(minLength, array.length * 2));
  next.set(array);
  return next;
}
