import { isUtf8 } from 'node:buffer';
import { endianness } from 'node:os';
import { METRIC_TYPES, type Exemplar, type HistogramSample, type MetricBatch, type MetricMetadata } from './batch.js';
import type { NativeHistogram } from './histogram.js';
import type { Labels } from './labels.js';
import { LabelSetInterner, hashBytes } from './label-interner.js';
import { decompressEncodedBatch, isCompressedBatch } from './batch-compression.js';

/**
 * The binary form of a {@link MetricBatch} on the stream between collector and processor.
 *
 * Layout (all integers little-endian):
 *
 * ```
 *  0  magic "PHMB"          4  version u8 (1)   5  flags u8 (0)   6  reserved u16 (0)
 *  8  seriesCount u32      12  sampleCount u32  16  varLength u32  20  reserved u32 (0)
 * 24  timestamps  f64 × sampleCount
 *     values      f64 × sampleCount
 *     sampleOffsets u32 × (seriesCount + 1), zero-padded to a multiple of 8
 *     variable section (varLength bytes):
 *       tenant        str
 *       per series    uvarint blockLength, block = 2 × labels × str   (name, value, …)
 *       histograms    uvarint count, then each (see writeHistogram)
 *       exemplars     uvarint count, then each: uvarint series, series-style label block, f64 ts, f64 value
 *       metadata      uvarint count, then each: str name, u8 type, str help, str unit
 * str = uvarint byteLength + UTF-8 bytes
 * ```
 *
 * The sample columns come first, at offsets that are multiples of 8, so that a decoder
 * handed 8-byte-aligned bytes returns typed-array views into them without copying: at
 * 1 M samples/s the columns are the bulk of the bytes. A series' label block is the key of
 * {@link LabelSetInterner}: in steady state the same series recur batch after batch and
 * decode to the same (shared, immutable) `Labels` array without creating strings.
 *
 * A new incompatible layout takes a new version byte; decoders reject versions they do not
 * know rather than guess.
 */
export const BATCH_CODEC_MAGIC = 0x424d4850; // "PHMB" read as a little-endian u32
export const BATCH_CODEC_VERSION = 1;
const HEADER_BYTES = 24;

/** Thrown by {@link decodeMetricBatch} when bytes are truncated, corrupt or of another version. */
export class MetricBatchCodecError extends Error {
  override readonly name = 'MetricBatchCodecError';
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The interner `decodeMetricBatch` uses unless told otherwise. */
const defaultInterner = new LabelSetInterner();

// ---------------------------------------------------------------------------------------
// Encoding

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Growable byte writer for the variable section; reused across calls. */
class ByteWriter {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  uvarint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    f64[0] = v;
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) b[p + i] = f64Bytes[i]!;
    this.pos = p + 8;
  }

  f64Array(a: Float64Array): void {
    this.uvarint(a.length);
    for (let i = 0; i < a.length; i++) this.f64(a[i]!);
  }

  str(s: string): void {
    // One UTF-16 unit is at most 3 UTF-8 bytes, so short strings fit a one-byte length.
    if (s.length < 43) {
      this.ensure(1 + 3 * s.length);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
  }

  labelBlock(labels: Labels): void {
    const lenAt = this.pos;
    this.ensure(5);
    this.pos += 5; // Room for the block length; the block is moved down once its size is known.
    for (let i = 0; i < labels.length; i++) this.str(labels[i]!);
    const len = this.pos - lenAt - 5;
    let lenBytes = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) lenBytes++;
    this.buf.copy(this.buf, lenAt + lenBytes, lenAt + 5, this.pos);
    this.pos = lenAt;
    this.uvarint(len);
    this.pos += len;
  }
}

const varWriter = new ByteWriter();
const blockWriter = new ByteWriter();

/**
 * Encoded label blocks per `Labels` array: receivers hand the same (interned) arrays for
 * recurring series, so each is encoded once and then copied. Weak keys: entries go with
 * their arrays.
 */
const encodedBlocks = new WeakMap<Labels, Uint8Array>();

function encodedBlock(labels: Labels): Uint8Array {
  let block = encodedBlocks.get(labels);
  if (block === undefined) {
    blockWriter.pos = 0;
    blockWriter.labelBlock(labels);
    block = Uint8Array.prototype.slice.call(blockWriter.buf, 0, blockWriter.pos);
    encodedBlocks.set(labels, block);
  }
  return block;
}

/**
 * Encodes a batch. The result is a fresh 8-byte-aligned buffer that the caller owns.
 */
export function encodeMetricBatch(batch: MetricBatch): Uint8Array {
  const seriesCount = batch.series.length;
  const sampleCount = batch.sampleOffsets[seriesCount] ?? 0;
  if (batch.sampleOffsets.length < seriesCount + 1) {
    throw new RangeError(`sampleOffsets has ${batch.sampleOffsets.length} entries for ${seriesCount} series`);
  }
  if (batch.timestamps.length < sampleCount || batch.values.length < sampleCount) {
    throw new RangeError(`batch has ${sampleCount} samples by its offsets but shorter columns`);
  }

  // Variable section: tenant, label blocks, then the rarer sections.
  const w = varWriter;
  w.pos = 0;
  w.str(batch.tenant);
  for (let i = 0; i < seriesCount; i++) {
    const block = encodedBlock(batch.series[i]!);
    w.ensure(block.length);
    w.buf.set(block, w.pos);
    w.pos += block.length;
  }
  w.uvarint(batch.histograms.length);
  for (const h of batch.histograms) writeHistogram(w, h);
  w.uvarint(batch.exemplars.length);
  for (const e of batch.exemplars) {
    w.uvarint(e.seriesIndex);
    w.labelBlock(e.labels);
    w.f64(e.timestamp);
    w.f64(e.value);
  }
  w.uvarint(batch.metadata.length);
  for (const m of batch.metadata) {
    w.str(m.metricFamilyName);
    w.u8(Math.max(0, METRIC_TYPES.indexOf(m.type)));
    w.str(m.help);
    w.str(m.unit);
  }

  const valuesAt = HEADER_BYTES + 8 * sampleCount;
  const offsetsAt = valuesAt + 8 * sampleCount;
  const varAt = align8(offsetsAt + 4 * (seriesCount + 1));
  const total = varAt + w.pos;
  // allocUnsafeSlow: its own ArrayBuffer, so offset 0 and 8-byte aligned; every byte is
  // written below (padding explicitly), so not zero-filling is safe.
  const out = Buffer.allocUnsafeSlow(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, BATCH_CODEC_MAGIC, true);
  view.setUint8(4, BATCH_CODEC_VERSION);
  view.setUint8(5, 0);
  view.setUint16(6, 0, true);
  view.setUint32(8, seriesCount, true);
  view.setUint32(12, sampleCount, true);
  view.setUint32(16, w.pos, true);
  view.setUint32(20, 0, true);
  if (LITTLE_ENDIAN_HOST) {
    new Float64Array(out.buffer, out.byteOffset + HEADER_BYTES, sampleCount).set(batch.timestamps.subarray(0, sampleCount));
    new Float64Array(out.buffer, out.byteOffset + valuesAt, sampleCount).set(batch.values.subarray(0, sampleCount));
    new Uint32Array(out.buffer, out.byteOffset + offsetsAt, seriesCount + 1).set(batch.sampleOffsets.subarray(0, seriesCount + 1));
  } else {
    for (let i = 0; i < sampleCount; i++) {
      view.setFloat64(HEADER_BYTES + 8 * i, batch.timestamps[i]!, true);
      view.setFloat64(valuesAt + 8 * i, batch.values[i]!, true);
    }
    for (let i = 0; i <= seriesCount; i++) view.setUint32(offsetsAt + 4 * i, batch.sampleOffsets[i]!, true);
  }
  out.fill(0, offsetsAt + 4 * (seriesCount + 1), varAt);
  w.buf.copy(out, varAt, 0, w.pos);
  return out;
}

/** Rounds up to a multiple of 8 in float arithmetic: `& ~7` would wrap above 2^31. */
function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function writeHistogram(w: ByteWriter, s: HistogramSample): void {
  const h = s.histogram;
  w.uvarint(s.seriesIndex);
  w.f64(s.timestamp);
  w.u8(h.isInteger ? 1 : 0);
  w.svarint(h.schema);
  w.f64(h.zeroThreshold);
  w.f64(h.zeroCount);
  w.f64(h.count);
  w.f64(h.sum);
  w.uvarint(h.resetHint);
  writeSpans(w, h.positiveSpans);
  w.f64Array(h.positiveCounts);
  writeSpans(w, h.negativeSpans);
  w.f64Array(h.negativeCounts);
  w.f64Array(h.customValues);
}

function writeSpans(w: ByteWriter, spans: Int32Array): void {
  w.uvarint(spans.length);
  for (let i = 0; i < spans.length; i++) w.svarint(spans[i]!);
}

// ---------------------------------------------------------------------------------------
// Decoding

export interface DecodeMetricBatchOptions {
  /**
   * Copy the sample columns even when they could be views. Views share the input's memory:
   * keep the input unmodified for as long as the batch is used, or copy (e.g. when the
   * stream reuses its buffers after the handler returns).
   */
  readonly copy?: boolean;
  /** Interner for series labels; default a shared, bounded one; `null` disables interning. */
  readonly interner?: LabelSetInterner | null;
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

  /** Reads a label block; returns its labels, interned when an interner is given. */
  labelBlock(interner: LabelSetInterner | null): Labels {
    const view = this.view;
    const len = this.uvarint();
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
  if (version !== BATCH_CODEC_VERSION) {
    throw new MetricBatchCodecError(`unsupported metric batch version ${version} (this build reads ${BATCH_CODEC_VERSION})`);
  }
  const seriesCount = view.getUint32(8, true);
  const sampleCount = view.getUint32(12, true);
  const varLength = view.getUint32(16, true);
  const valuesAt = HEADER_BYTES + 8 * sampleCount;
  const offsetsAt = valuesAt + 8 * sampleCount;
  const varAt = align8(offsetsAt + 4 * (seriesCount + 1));
  // Counts are u32, so these sums stay exact in float64; a mismatch is caught before any
  // array is sized from them.
  if (varAt + varLength !== bytes.length) {
    throw new MetricBatchCodecError(
      `corrupt metric batch: header promises ${varAt + varLength} bytes (${seriesCount} series, ${sampleCount} samples), got ${bytes.length}`,
    );
  }

  const useViews = LITTLE_ENDIAN_HOST && options.copy !== true && bytes.byteOffset % 8 === 0;
  let timestamps: Float64Array;
  let values: Float64Array;
  let sampleOffsets: Uint32Array;
  if (useViews) {
    timestamps = new Float64Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, sampleCount);
    values = new Float64Array(bytes.buffer, bytes.byteOffset + valuesAt, sampleCount);
    sampleOffsets = new Uint32Array(bytes.buffer, bytes.byteOffset + offsetsAt, seriesCount + 1);
  } else if (LITTLE_ENDIAN_HOST) {
    timestamps = new Float64Array(sampleCount);
    values = new Float64Array(sampleCount);
    sampleOffsets = new Uint32Array(seriesCount + 1);
    new Uint8Array(timestamps.buffer).set(bytes.subarray(HEADER_BYTES, valuesAt));
    new Uint8Array(values.buffer).set(bytes.subarray(valuesAt, offsetsAt));
    new Uint8Array(sampleOffsets.buffer).set(bytes.subarray(offsetsAt, offsetsAt + 4 * (seriesCount + 1)));
  } else {
    timestamps = new Float64Array(sampleCount);
    values = new Float64Array(sampleCount);
    sampleOffsets = new Uint32Array(seriesCount + 1);
    for (let i = 0; i < sampleCount; i++) {
      timestamps[i] = view.getFloat64(HEADER_BYTES + 8 * i, true);
      values[i] = view.getFloat64(valuesAt + 8 * i, true);
    }
    for (let i = 0; i <= seriesCount; i++) sampleOffsets[i] = view.getUint32(offsetsAt + 4 * i, true);
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
  const tenant = r.str();
  // Every label block takes at least one byte, so a huge count fails before allocating.
  if (seriesCount > r.end - r.pos) r.fail(`${seriesCount} series cannot fit in the remaining bytes`);
  const series: Labels[] = new Array(seriesCount);
  for (let i = 0; i < seriesCount; i++) series[i] = r.labelBlock(interner);

  const histogramCount = r.count(50, 'histogram');
  const histograms: HistogramSample[] = new Array(histogramCount);
  for (let i = 0; i < histogramCount; i++) histograms[i] = readHistogram(r, seriesCount);

  const exemplarCount = r.count(18, 'exemplar');
  const exemplars: Exemplar[] = new Array(exemplarCount);
  for (let i = 0; i < exemplarCount; i++) {
    const seriesIndex = r.uvarint();
    if (seriesIndex >= seriesCount) r.fail(`exemplar of series ${seriesIndex} out of ${seriesCount}`);
    const labels = r.labelBlock(null);
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
  return { tenant, series, sampleOffsets, timestamps, values, histograms, exemplars, metadata };
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
