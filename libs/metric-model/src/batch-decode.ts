import { isUtf8 } from 'node:buffer';
import { METRIC_TYPES, type Exemplar, type HistogramSample, type MetricBatch, type MetricMetadata } from './batch.js';
import {
  BATCH_CODEC_MAGIC,
  BATCH_CODEC_VERSION,
  BATCH_CODEC_VERSION_NO_REFS,
  FLAG_REFS,
  HEADER_BYTES,
  LITTLE_ENDIAN_HOST,
  MetricBatchCodecError,
  batchLayout,
} from './batch-codec.js';
import { decompressEncodedBatch, isCompressedBatch } from './batch-compression.js';
import type { NativeHistogram } from './histogram.js';
import type { Labels } from './labels.js';
import { LabelSetInterner, hashBytes } from './label-interner.js';
import { SERIES_REF_WORDS } from './series-ref.js';

/** The interner `decodeMetricBatch` uses unless told otherwise. */
const defaultInterner = new LabelSetInterner();

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * Placeholder label set of a series whose labels a record left out and the decoder could not
 * resolve by its ref (see {@link DecodeMetricBatchOptions.resolve}). Never a valid label set
 * (it lacks `__name__`): consumers compare by identity and drop or re-resolve such series.
 */
export const UNRESOLVED_LABELS: Labels = Object.freeze([]) as Labels;

/**
 * Finds a series by its ref (`refs[at .. at + 4)`) for a record that left its labels out;
 * undefined when unknown. Typically the metric store's series index.
 */
export type SeriesRefResolver = (tenant: string, refs: Uint32Array, at: number) => Labels | undefined;

export interface DecodeMetricBatchOptions {
  /**
   * Copy the sample columns even when they could be views. Views share the input's memory:
   * keep the input unmodified for as long as the batch is used, or copy (e.g. when the
   * stream reuses its buffers after the handler returns).
   */
  readonly copy?: boolean;
  /** Interner for series labels; default a shared, bounded one; `null` disables interning. */
  readonly interner?: LabelSetInterner | null;
  /**
   * Finds series by ref (version 2 records). Used for series whose labels were left out and,
   * first, for every series with a ref: a hit skips reading the label block. Without it, or
   * when it does not know a ref-only series, that series decodes to {@link UNRESOLVED_LABELS}.
   */
  readonly resolve?: SeriesRefResolver;
  /**
   * Hears each series of a version 2 record whose labels the record carried and `resolve` did
   * not know: a definition that later records may refer to by ref alone.
   */
  readonly onDefinition?: (tenant: string, refs: Uint32Array, at: number, labels: Labels) => void;
  /**
   * Memory for the sample columns when they are copied (input not on an 8-byte boundary, or
   * `copy`): returns at least `byteLength` bytes starting on an 8-byte boundary, which the batch
   * then keeps. Default: a fresh `ArrayBuffer` per batch. A consumer decoding many small
   * records hands out slices of larger blocks instead: each ArrayBuffer costs an allocation
   * and counts toward V8's external-memory trigger for major GCs.
   */
  readonly columnMemory?: (byteLength: number) => Uint8Array;
}

/** Bounds-checked cursor over the variable section. */
class ByteReader {
  pos: number;
  /** End of what may be read; narrowed while a label block is read. */
  end: number;

  constructor(
    readonly buf: Buffer,
    /** Over the same bytes as `buf`, for hashing. */
    readonly view: DataView,
    start: number,
    end: number,
  ) {
    this.pos = start;
    this.end = end;
  }

  fail(what: string): never {
    throw new MetricBatchCodecError(`corrupt metric batch: ${what} at byte ${this.pos}`);
  }

  uvarint(): number {
    const b = this.buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const c = b[this.pos++]!;
      value += (c & 0x7f) * scale;
      if (c < 0x80) return value;
      scale *= 0x80;
    }
    return this.fail('varint too long');
  }

  /** A count of items each at least `minBytes` long, checked against the bytes left. */
  count(minBytes: number, what: string): number {
    const n = this.uvarint();
    if (n * minBytes > this.end - this.pos) this.fail(`${what} count ${n} exceeds the remaining bytes`);
    return n;
  }

  svarint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('truncated byte');
    return this.buf[this.pos++]!;
  }

  f64(): number {
    const p = this.pos;
    if (p + 8 > this.end) this.fail('truncated float64');
    const b = this.buf;
    for (let i = 0; i < 8; i++) f64Bytes[i] = b[p + i]!;
    this.pos = p + 8;
    return f64[0]!;
  }

  f64Array(): Float64Array {
    const n = this.count(8, 'float64 array');
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.f64();
    return out;
  }

  str(): string {
    const n = this.uvarint();
    const start = this.pos;
    if (n > this.end - start) this.fail(`string of ${n} bytes runs past the end`);
    this.pos = start + n;
    return utf8(this.buf, start, start + n, this);
  }

  /** Skips a series' label block. */
  skipBlock(): void {
    const len = this.uvarint();
    if (len > this.end - this.pos) this.fail(`label block of ${len} bytes runs past the end`);
    this.pos += len;
  }

  /**
   * Reads a label block; returns its labels, interned when an interner is given, or undefined
   * for an empty block (a series whose labels the record left out).
   */
  labelBlock(interner: LabelSetInterner | null): Labels | undefined {
    const view = this.view;
    const len = this.uvarint();
    if (len === 0) return undefined;
    const start = this.pos;
    if (len > this.end - start) this.fail(`label block of ${len} bytes runs past the end`);
    const end = start + len;
    let hash = 0;
    if (interner !== null) {
      hash = hashBytes(view, start, end);
      const hit = interner.get(hash, this.buf, start, end);
      if (hit !== undefined) {
        this.pos = end;
        return hit;
      }
    }
    const labels: string[] = [];
    const outerEnd = this.end;
    this.end = end;
    while (this.pos < end) labels.push(this.str());
    this.end = outerEnd;
    if (labels.length % 2 !== 0) this.fail('label block holds an odd number of strings');
    if (interner !== null) interner.set(hash, this.buf, start, end, labels);
    return labels;
  }
}

function utf8(buf: Buffer, start: number, end: number, r: ByteReader): string {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      if (!isUtf8(buf.subarray(start, end))) r.fail('invalid UTF-8 in a string');
      break;
    }
  }
  return buf.toString('utf8', start, end);
}

/**
 * Decodes bytes produced by {@link encodeMetricBatch}. When `bytes` starts on an 8-byte
 * boundary (and the host is little-endian) the sample columns are views into `bytes`;
 * otherwise they are copied. Throws {@link MetricBatchCodecError} on truncated or corrupt
 * input or an unknown version.
 */
export function decodeMetricBatch(bytes: Uint8Array, options: DecodeMetricBatchOptions = {}): MetricBatch {
  if (isCompressedBatch(bytes)) {
    // The decompressed buffer belongs to this call alone, so views into it are safe.
    const raw = decompressEncodedBatch(bytes, (message) => new MetricBatchCodecError(message));
    return decodeMetricBatch(raw, { ...options, copy: false });
  }
  if (bytes.length < HEADER_BYTES) {
    throw new MetricBatchCodecError(`corrupt metric batch: ${bytes.length} bytes is shorter than the header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== BATCH_CODEC_MAGIC) throw new MetricBatchCodecError('not a metric batch (bad magic)');
  const version = view.getUint8(4);
  if (version !== BATCH_CODEC_VERSION && version !== BATCH_CODEC_VERSION_NO_REFS) {
    throw new MetricBatchCodecError(`unsupported metric batch version ${version} (this build reads ${BATCH_CODEC_VERSION_NO_REFS} and ${BATCH_CODEC_VERSION})`);
  }
  const flags = view.getUint8(5);
  if (version === BATCH_CODEC_VERSION_NO_REFS ? flags !== 0 : (flags & ~FLAG_REFS) !== 0) {
    throw new MetricBatchCodecError(`unknown metric batch flags ${flags} in version ${version}`);
  }
  const hasRefs = (flags & FLAG_REFS) !== 0;
  const seriesCount = view.getUint32(8, true);
  const sampleCount = view.getUint32(12, true);
  const varLength = view.getUint32(16, true);
  const { valuesAt, offsetsAt, refsAt, varAt } = batchLayout(seriesCount, sampleCount, hasRefs);
  // Counts are u32, so these sums stay exact in float64; a mismatch is caught before any
  // array is sized from them.
  if (varAt + varLength !== bytes.length) {
    throw new MetricBatchCodecError(
      `corrupt metric batch: header promises ${varAt + varLength} bytes (${seriesCount} series, ${sampleCount} samples), got ${bytes.length}`,
    );
  }

  const useViews = LITTLE_ENDIAN_HOST && options.copy !== true && bytes.byteOffset % 8 === 0;
  const refWords = hasRefs ? SERIES_REF_WORDS * seriesCount : 0;
  let timestamps: Float64Array;
  let values: Float64Array;
  let sampleOffsets: Uint32Array;
  let refs: Uint32Array | undefined;
  if (useViews) {
    timestamps = new Float64Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, sampleCount);
    values = new Float64Array(bytes.buffer, bytes.byteOffset + valuesAt, sampleCount);
    sampleOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + offsetsAt, seriesCount + 1);
    if (hasRefs) refs = new Uint32Array(bytes.buffer, bytes.byteOffset + refsAt, refWords);
  } else if (LITTLE_ENDIAN_HOST) {
    // The columns as laid out in the record (timestamps, values, offsets, padding, refs), in
    // one copy to a block that starts on an 8-byte boundary, so each column stays aligned.
    const size = varAt - HEADER_BYTES;
    const memory = options.columnMemory?.(size);
    if (memory !== undefined && (memory.byteOffset % 8 !== 0 || memory.byteLength < size)) {
      throw new RangeError(`columnMemory returned ${memory.byteLength} bytes at offset ${memory.byteOffset}; needs ${size} on an 8-byte boundary`);
    }
    const target = memory ?? new Uint8Array(size);
    target.set(bytes.subarray(HEADER_BYTES, varAt));
    const block = target.buffer;
    const base = target.byteOffset;
    timestamps = new Float64Array(block, base, sampleCount);
    values = new Float64Array(block, base + (valuesAt - HEADER_BYTES), sampleCount);
    sampleOffsets = new Uint32Array(block, base + (offsetsAt - HEADER_BYTES), seriesCount + 1);
    if (hasRefs) refs = new Uint32Array(block, base + (refsAt - HEADER_BYTES), refWords);
  } else {
    timestamps = new Float64Array(sampleCount);
    values = new Float64Array(sampleCount);
    sampleOffsets = new Uint32Array(seriesCount + 1);
    for (let i = 0; i < sampleCount; i++) {
      timestamps[i] = view.getFloat64(HEADER_BYTES + 8 * i, true);
      values[i] = view.getFloat64(valuesAt + 8 * i, true);
    }
    for (let i = 0; i <= seriesCount; i++) sampleOffsets[i] = view.getUint32(offsetsAt + 4 * i, true);
    if (hasRefs) {
      refs = new Uint32Array(refWords);
      for (let i = 0; i < refWords; i++) refs[i] = view.getUint32(refsAt + 4 * i, true);
    }
  }
  if (sampleOffsets[0] !== 0 || sampleOffsets[seriesCount] !== sampleCount) {
    throw new MetricBatchCodecError('corrupt metric batch: sample offsets do not span the samples');
  }
  for (let i = 0; i < seriesCount; i++) {
    if (sampleOffsets[i + 1]! < sampleOffsets[i]!) throw new MetricBatchCodecError(`corrupt metric batch: sample offsets decrease at series ${i}`);
  }

  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new ByteReader(buf, view, varAt, bytes.length);
  const interner = options.interner === undefined ? defaultInterner : options.interner;
  const resolve = refs === undefined ? undefined : options.resolve;
  const tenant = r.str();
  // Every label block takes at least one byte, so a huge count fails before allocating.
  if (seriesCount > r.end - r.pos) r.fail(`${seriesCount} series cannot fit in the remaining bytes`);
  const series: Labels[] = new Array(seriesCount);
  for (let i = 0; i < seriesCount; i++) {
    const known = resolve === undefined ? undefined : resolve(tenant, refs!, SERIES_REF_WORDS * i);
    if (known !== undefined) {
      r.skipBlock();
      series[i] = known;
      continue;
    }
    const labels = r.labelBlock(interner);
    if (labels !== undefined) {
      series[i] = labels;
      if (refs !== undefined && options.onDefinition !== undefined) options.onDefinition(tenant, refs, SERIES_REF_WORDS * i, labels);
    }
    // Version 1 has no refs, so an empty block is an empty label set there.
    else if (refs === undefined) series[i] = [];
    else series[i] = UNRESOLVED_LABELS;
  }

  const histogramCount = r.count(50, 'histogram');
  const histograms: HistogramSample[] = new Array(histogramCount);
  for (let i = 0; i < histogramCount; i++) histograms[i] = readHistogram(r, seriesCount);

  const exemplarCount = r.count(18, 'exemplar');
  const exemplars: Exemplar[] = new Array(exemplarCount);
  for (let i = 0; i < exemplarCount; i++) {
    const seriesIndex = r.uvarint();
    if (seriesIndex >= seriesCount) r.fail(`exemplar of series ${seriesIndex} out of ${seriesCount}`);
    const labels = r.labelBlock(null) ?? [];
    const timestamp = r.f64();
    const value = r.f64();
    exemplars[i] = { seriesIndex, labels, timestamp, value };
  }

  const metadataCount = r.count(4, 'metadata');
  const metadata: MetricMetadata[] = new Array(metadataCount);
  for (let i = 0; i < metadataCount; i++) {
    const metricFamilyName = r.str();
    const type = METRIC_TYPES[r.u8()];
    if (type === undefined) r.fail('unknown metric type');
    const help = r.str();
    const unit = r.str();
    metadata[i] = { metricFamilyName, type, help, unit };
  }
  if (r.pos !== r.end) r.fail(`${r.end - r.pos} trailing bytes`);
  const batch: MetricBatch = { tenant, series, sampleOffsets, timestamps, values, histograms, exemplars, metadata };
  return refs === undefined ? batch : { ...batch, seriesRefs: refs };
}

function readHistogram(r: ByteReader, seriesCount: number): HistogramSample {
  const seriesIndex = r.uvarint();
  if (seriesIndex >= seriesCount) r.fail(`histogram of series ${seriesIndex} out of ${seriesCount}`);
  const timestamp = r.f64();
  const flags = r.u8();
  if (flags > 1) r.fail('unknown histogram flags');
  const schema = r.svarint();
  const zeroThreshold = r.f64();
  const zeroCount = r.f64();
  const count = r.f64();
  const sum = r.f64();
  const resetHint = r.uvarint();
  const positiveSpans = readSpans(r);
  const positiveCounts = r.f64Array();
  const negativeSpans = readSpans(r);
  const negativeCounts = r.f64Array();
  const customValues = r.f64Array();
  const histogram: NativeHistogram = {
    isInteger: flags === 1,
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    positiveSpans,
    positiveCounts,
    negativeSpans,
    negativeCounts,
    resetHint,
    customValues,
  };
  return { seriesIndex, timestamp, histogram };
}

function readSpans(r: ByteReader): Int32Array {
  const n = r.count(1, 'span');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = r.svarint();
    if (v < -0x80000000 || v > 0x7fffffff) r.fail('span value out of int32 range');
    out[i] = v;
  }
  return out;
}
