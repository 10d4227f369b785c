import { LabelSetInterner, METRIC_NAME_LABEL, sortLabelsInPlace, type Labels, type MetricBatchBuilder } from '#pharos/metric-model';
import { WireReader } from '#pharos/protowire';
import { HistogramReader } from './histogram-reader.js';
import { type RejectionReason, type ResolvedLimits, emptyRejections } from './options.js';
import { describeLabels, isLegacyMetricNameString } from './text.js';

/** How many human-readable problems a result carries; enough to debug, bounded for logs. */
export const MAX_FIRST_ERRORS = 5;

/**
 * State of one decoder: the reader, the reusable scratch arrays, the label cache, and the
 * per-call result being accumulated. One context decodes one request at a time (decoding is
 * synchronous), so reuse across requests is safe and is what keeps allocation per request
 * near zero.
 */
export class DecodeContext {
  readonly reader = new WireReader();
  readonly histograms = new HistogramReader();
  /** Raw label bytes of a series → its validated labels (see decode-v1). */
  readonly labelCache: LabelSetInterner;

  buf: Buffer = Buffer.alloc(0);
  /** Over the same bytes as `buf`, for hashing label bytes. */
  view: DataView = new DataView(new ArrayBuffer(0));
  builder!: MetricBatchBuilder;
  rejected: Record<RejectionReason, number> = emptyRejections();
  rejectedSamples = 0;
  firstErrors: string[] = [];
  minTs = -Infinity;
  maxTs = Infinity;

  /** v1: `[start, end)` of each Label message of the current series. */
  labelSpans = new Int32Array(128);
  /** v1: `[nameStart, nameEnd, valueStart, valueEnd]` per label of the current series. */
  nv = new Int32Array(256);
  /**
   * v1: the label cache's slot of each series of the batch being built (-1: not cached),
   * by the builder's series index; see {@link LabelSetInterner.lastSlot}.
   */
  seriesSlots = new Int32Array(1024);
  /** v2: label refs of the current series. */
  refs = new Uint32Array(128);
  /** Label strings being assembled (copied into a fresh array once accepted). */
  readonly pairs: string[] = [];
  /** Label strings of the exemplar being read. */
  readonly exemplarPairs: string[] = [];

  /** The sample most recently read by `readSample`. */
  sampleValue = 0;
  sampleTs = 0;

  constructor(
    public limits: ResolvedLimits,
    labelCacheBytes: number,
  ) {
    this.labelCache = new LabelSetInterner(labelCacheBytes);
  }

  begin(buf: Buffer, builder: MetricBatchBuilder, minTs: number, maxTs: number): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.reader.reset(buf);
    // The body's label bytes are the cache's keys: comparing them needs the body in the
    // cache's memory, copied there once per body rather than on every comparison.
    this.labelCache.attachBody(buf);
    this.builder = builder;
    this.rejected = emptyRejections();
    this.rejectedSamples = 0;
    this.firstErrors = [];
    this.minTs = minTs;
    this.maxTs = maxTs;
  }

  /** The body is decoded: the label cache lets go of it. */
  end(): void {
    this.labelCache.detachBody();
  }

  /** Counts a rejection; `describe` runs only while there is room for another message. */
  reject(reason: RejectionReason, count: number, describe: () => string): void {
    this.rejected[reason] += count;
    if (this.firstErrors.length < MAX_FIRST_ERRORS) this.firstErrors.push(`${reason}: ${describe()}`);
  }

  /** Rejects a whole series with `items` samples/histograms. */
  rejectSeries(reason: RejectionReason, items: number, pairs: readonly string[], problem: string): null {
    this.rejectedSamples += items;
    this.reject(reason, 1, () => `series ${describeLabels(pairs)}: ${problem}`);
    return null;
  }

  /** Records the label cache slot of the builder's series `index`. */
  setSeriesSlot(index: number, slot: number): void {
    if (index >= this.seriesSlots.length) this.seriesSlots = growInt32(this.seriesSlots, index + 1);
    this.seriesSlots[index] = slot;
  }

  /** Adds one float sample to the current series unless it is outside the time window. */
  addSample(labels: Labels, ts: number, value: number): boolean {
    if (ts < this.minTs || ts > this.maxTs) {
      this.rejectOutOfWindow(labels, ts);
      return false;
    }
    this.builder.addSample(ts, value);
    return true;
  }

  /** Checks the time window for a histogram sample; counts it when outside. */
  histogramInWindow(labels: Labels, ts: number): boolean {
    if (ts >= this.minTs && ts <= this.maxTs) return true;
    this.rejectOutOfWindow(labels, ts);
    return false;
  }

  // Error paths live in their own methods: a closure in a hot method would make V8 allocate
  // a context for its captured variables on every call, i.e. per sample.
  private rejectOutOfWindow(labels: Labels, ts: number): void {
    this.rejectedSamples++;
    if (ts < this.minTs) {
      this.reject('too_old', 1, () => `series ${describeLabels(labels)}: sample at ${ts} is older than ${this.minTs}`);
    } else {
      this.reject('too_far_in_future', 1, () => `series ${describeLabels(labels)}: sample at ${ts} is newer than ${this.maxTs}`);
    }
  }

  /** Counts a histogram sample that failed validation. */
  /** Reads the current series' next histogram (its message ends at `end`); true when kept. */
  readSeriesHistogram(r: WireReader, end: number, labels: Labels, seriesIndex: number): boolean {
    const h = this.histograms.read(r, end);
    const ts = this.histograms.timestamp;
    if (typeof h === 'string') {
      this.rejectHistogram(labels, ts, h);
      return false;
    }
    if (!this.histogramInWindow(labels, ts)) return false;
    this.builder.addHistogram(seriesIndex, ts, h);
    return true;
  }

  rejectHistogram(labels: Labels, ts: number, problem: string): void {
    this.rejectedSamples++;
    this.reject('invalid_histogram', 1, () => `series ${describeLabels(labels)}: histogram at ${ts}: ${problem}`);
  }

  /** Counts an entry that failed validation with a ready message. */
  rejectWithMessage(reason: RejectionReason, series: Labels | undefined, problem: string): void {
    this.reject(reason, 1, () => (series === undefined ? problem : `series ${describeLabels(series)}: ${problem}`));
  }

  /**
   * Adds an exemplar whose label strings are in `this.exemplarPairs` (already checked for
   * UTF-8 by the caller, which passes `problem` when something was wrong).
   */
  addExemplar(seriesIndex: number, series: Labels, value: number, timestamp: number, problem: string | undefined): boolean {
    const src = this.exemplarPairs;
    if (problem === undefined) {
      let runes = 0;
      for (let i = 0; i < src.length; i++) runes += runeCount(src[i]!);
      if (runes > EXEMPLAR_MAX_LABEL_RUNES) problem = `exemplar labels are ${runes} runes long, limit ${EXEMPLAR_MAX_LABEL_RUNES}`;
    }
    const labels: string[] = [];
    if (problem === undefined) {
      for (let i = 0; i < src.length; i += 2) if (src[i + 1] !== '') labels.push(src[i]!, src[i + 1]!);
      sortLabelsInPlace(labels);
      for (let i = 2; i < labels.length; i += 2) {
        if (labels[i] === labels[i - 2]) problem = `duplicate exemplar label name ${JSON.stringify(labels[i])}`;
      }
    }
    if (problem !== undefined) {
      this.rejectWithMessage('invalid_exemplar', series, problem);
      return false;
    }
    this.builder.addExemplar({ seriesIndex, labels, timestamp, value });
    return true;
  }

  /**
   * Finishes a label set held in `this.pairs` (names already checked one by one): drops
   * empty values, sorts by name, rejects duplicates and a missing or invalid metric name.
   * Returns the accepted labels, or `null` when the series was rejected (and counted).
   */
  finishLabels(items: number): Labels | null {
    const src = this.pairs;
    let kept = 0;
    for (let i = 0; i < src.length; i += 2) if (src[i + 1] !== '') kept += 2;
    const out: string[] = new Array(kept);
    let sorted = true;
    let j = 0;
    for (let i = 0; i < src.length; i += 2) {
      const value = src[i + 1]!;
      if (value === '') continue;
      const name = src[i]!;
      if (j > 0 && out[j - 2]! >= name) sorted = false;
      out[j++] = name;
      out[j++] = value;
    }
    if (!sorted) {
      sortLabelsInPlace(out);
      for (let i = 2; i < out.length; i += 2) {
        if (out[i] === out[i - 2]) return this.rejectSeries('duplicate_label_name', items, out, `duplicate label name ${JSON.stringify(out[i])}`);
      }
    }
    let metric: string | undefined;
    for (let i = 0; i < out.length; i += 2) {
      if (out[i] === METRIC_NAME_LABEL) {
        metric = out[i + 1];
        break;
      }
    }
    if (metric === undefined) return this.rejectSeries('missing_metric_name', items, out, 'no __name__ label (or it is empty)');
    if (this.limits.legacyNames && !isLegacyMetricNameString(metric)) {
      return this.rejectSeries('invalid_metric_name', items, out, `metric name ${JSON.stringify(metric)} is not a legacy Prometheus name`);
    }
    return out;
  }
}

/**
 * Prometheus' limit on an exemplar's label set: names and values together, in runes
 * (`ExemplarMaxLabelSetLength` in model/exemplar).
 */
export const EXEMPLAR_MAX_LABEL_RUNES = 128;

/** Code points in a string (the UTF-16 length minus the second half of surrogate pairs). */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

export function growInt32(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

export function growUint32(a: Uint32Array, min: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}
