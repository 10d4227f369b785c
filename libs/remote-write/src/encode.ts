import {
  type Labels,
  type MetricMetadata,
  type MetricType,
  type NativeHistogram,
  METRIC_TYPES,
  labelsFromRecord,
} from '#pharos/metric-model';
import { ProtoWriter, WIRE_LEN } from '#pharos/protowire';

/** One series to encode. Record labels are sorted (empty values dropped); flat arrays are sent as given. */
export interface RemoteWriteSeries {
  readonly labels: Readonly<Record<string, string>> | Labels;
  readonly samples?: readonly RemoteWriteSample[];
  readonly histograms?: readonly RemoteWriteHistogram[];
  readonly exemplars?: readonly RemoteWriteExemplar[];
  /** 2.0 only: per-series metadata (1.0 sends metadata per request). */
  readonly metadata?: RemoteWriteSeriesMetadata;
  /** 2.0 only: created (start) timestamp in ms; 0 or absent means unset. */
  readonly createdTimestamp?: number;
}

export interface RemoteWriteSample {
  readonly timestamp: number;
  readonly value: number;
}

export interface RemoteWriteHistogram {
  readonly timestamp: number;
  readonly histogram: NativeHistogram;
}

export interface RemoteWriteExemplar {
  readonly labels: Readonly<Record<string, string>> | Labels;
  readonly value: number;
  readonly timestamp: number;
}

export interface RemoteWriteSeriesMetadata {
  readonly type: MetricType;
  readonly help?: string;
  readonly unit?: string;
}

// Reused across calls: the load generator encodes thousands of bodies and should not grow
// a fresh buffer for each.
const mainWriter = new ProtoWriter(256 * 1024);
const symbolWriter = new ProtoWriter(64 * 1024);

function flatLabels(labels: Readonly<Record<string, string>> | Labels): Labels {
  return Array.isArray(labels) ? (labels as Labels) : labelsFromRecord(labels as Readonly<Record<string, string>>);
}

function metricTypeNumber(type: MetricType): number {
  const n = METRIC_TYPES.indexOf(type);
  return n < 0 ? 0 : n;
}

/**
 * Encodes a `prometheus.WriteRequest` (remote write 1.0), uncompressed: the caller
 * snappy-compresses (block format) before sending.
 */
export function encodeWriteRequestV1(series: readonly RemoteWriteSeries[], metadata: readonly MetricMetadata[] = []): Buffer {
  const w = mainWriter;
  w.reset();
  for (const s of series) {
    const ts = w.beginLd(1);
    const labels = flatLabels(s.labels);
    for (let i = 0; i < labels.length; i += 2) writeLabelV1(w, 1, labels[i]!, labels[i + 1]!);
    if (s.samples !== undefined) {
      for (const sample of s.samples) {
        const at = w.beginLd(2);
        w.doubleField(1, sample.value);
        w.tag(2, 0);
        w.int64(sample.timestamp);
        w.endLd(at);
      }
    }
    if (s.exemplars !== undefined) {
      for (const e of s.exemplars) {
        const at = w.beginLd(3);
        const el = flatLabels(e.labels);
        for (let i = 0; i < el.length; i += 2) writeLabelV1(w, 1, el[i]!, el[i + 1]!);
        w.doubleField(2, e.value);
        w.tag(3, 0);
        w.int64(e.timestamp);
        w.endLd(at);
      }
    }
    if (s.histograms !== undefined) {
      for (const h of s.histograms) writeHistogram(w, 4, h);
    }
    w.endLd(ts);
  }
  for (const m of metadata) {
    const at = w.beginLd(3);
    const type = metricTypeNumber(m.type);
    if (type !== 0) w.varintField(1, type);
    w.stringField(2, m.metricFamilyName);
    w.stringField(4, m.help);
    w.stringField(5, m.unit);
    w.endLd(at);
  }
  return w.finish();
}

function writeLabelV1(w: ProtoWriter, field: number, name: string, value: string): void {
  const at = w.beginLd(field);
  w.stringField(1, name);
  w.stringField(2, value);
  w.endLd(at);
}

/**
 * Encodes an `io.prometheus.write.v2.Request` (remote write 2.0), uncompressed. Strings are
 * interned in the symbol table with `symbols[0] = ""` as the spec requires.
 */
export function encodeWriteRequestV2(series: readonly RemoteWriteSeries[]): Buffer {
  const symbols = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let r = symbols.get(s);
    if (r === undefined) {
      r = symbols.size;
      symbols.set(s, r);
    }
    return r;
  };
  const w = mainWriter;
  w.reset();
  for (const s of series) {
    const ts = w.beginLd(5);
    const labels = flatLabels(s.labels);
    if (labels.length > 0) {
      const at = w.beginLd(1);
      for (const l of labels) w.uint32(ref(l));
      w.endLd(at);
    }
    if (s.samples !== undefined) {
      for (const sample of s.samples) {
        const at = w.beginLd(2);
        w.doubleField(1, sample.value);
        w.tag(2, 0);
        w.int64(sample.timestamp);
        w.endLd(at);
      }
    }
    if (s.histograms !== undefined) {
      for (const h of s.histograms) writeHistogram(w, 3, h);
    }
    if (s.exemplars !== undefined) {
      for (const e of s.exemplars) {
        const at = w.beginLd(4);
        const el = flatLabels(e.labels);
        if (el.length > 0) {
          const refs = w.beginLd(1);
          for (const l of el) w.uint32(ref(l));
          w.endLd(refs);
        }
        w.doubleField(2, e.value);
        w.tag(3, 0);
        w.int64(e.timestamp);
        w.endLd(at);
      }
    }
    if (s.metadata !== undefined) {
      const at = w.beginLd(5);
      const type = metricTypeNumber(s.metadata.type);
      if (type !== 0) w.varintField(1, type);
      const help = ref(s.metadata.help ?? '');
      const unit = ref(s.metadata.unit ?? '');
      if (help !== 0) w.varintField(3, help);
      if (unit !== 0) w.varintField(4, unit);
      w.endLd(at);
    }
    if (s.createdTimestamp !== undefined && s.createdTimestamp !== 0) {
      w.tag(6, 0);
      w.int64(s.createdTimestamp);
    }
    w.endLd(ts);
  }
  // Symbols go first, as senders conventionally write them, so they are encoded after the
  // series (which decide them) and the two parts are joined.
  const sw = symbolWriter;
  sw.reset();
  for (const s of symbols.keys()) {
    sw.tag(4, WIRE_LEN);
    sw.string(s);
  }
  sw.bytes(w.buf, 0, w.pos);
  return sw.finish();
}

function writeHistogram(w: ProtoWriter, field: number, sample: RemoteWriteHistogram): void {
  const h = sample.histogram;
  const at = w.beginLd(field);
  if (h.isInteger) w.varintField(1, h.count);
  else w.doubleField(2, h.count);
  if (h.sum !== 0) w.doubleField(3, h.sum);
  if (h.schema !== 0) {
    w.tag(4, 0);
    w.sint64(h.schema);
  }
  if (h.zeroThreshold !== 0) w.doubleField(5, h.zeroThreshold);
  if (h.isInteger) w.varintField(6, h.zeroCount);
  else w.doubleField(7, h.zeroCount);
  writeSpans(w, 8, h.negativeSpans);
  writeBuckets(w, h.isInteger ? 9 : 10, h.negativeCounts, h.isInteger);
  writeSpans(w, 11, h.positiveSpans);
  writeBuckets(w, h.isInteger ? 12 : 13, h.positiveCounts, h.isInteger);
  if (h.resetHint !== 0) w.varintField(14, h.resetHint);
  w.tag(15, 0);
  w.int64(sample.timestamp);
  if (h.customValues.length > 0) {
    const cv = w.beginLd(16);
    for (let i = 0; i < h.customValues.length; i++) w.double(h.customValues[i]!);
    w.endLd(cv);
  }
  w.endLd(at);
}

function writeSpans(w: ProtoWriter, field: number, spans: Int32Array): void {
  for (let i = 0; i + 1 < spans.length; i += 2) {
    const at = w.beginLd(field);
    if (spans[i] !== 0) {
      w.tag(1, 0);
      w.sint64(spans[i]!);
    }
    if (spans[i + 1] !== 0) w.varintField(2, spans[i + 1]!);
    w.endLd(at);
  }
}

/** Integer histograms send deltas between consecutive buckets (sint64), float ones absolute counts. */
function writeBuckets(w: ProtoWriter, field: number, counts: Float64Array, deltas: boolean): void {
  if (counts.length === 0) return;
  const at = w.beginLd(field);
  let prev = 0;
  for (let i = 0; i < counts.length; i++) {
    if (deltas) {
      w.sint64(counts[i]! - prev);
      prev = counts[i]!;
    } else {
      w.double(counts[i]!);
    }
  }
  w.endLd(at);
}
