import { endianness } from 'node:os';
import { METRIC_TYPES, type HistogramSample, type MetricBatch } from './batch.js';
import type { Labels } from './labels.js';
import { SERIES_REF_WORDS } from './series-ref.js';

/**
 * The binary form of a {@link MetricBatch} on the stream between collector and processor.
 *
 * Layout (all integers little-endian):
 *
 * ```
 *  0  magic "PHMB"          4  version u8 (1|2) 5  flags u8          6  reserved u16 (0)
 *  8  seriesCount u32      12  sampleCount u32  16  varLength u32  20  reserved u32 (0)
 * 24  timestamps  f64 × sampleCount
 *     values      f64 × sampleCount
 *     sampleOffsets u32 × (seriesCount + 1), zero-padded to a multiple of 8
 *     refs        u32 × 4 × seriesCount            (version 2 with flag REFS only)
 *     variable section (varLength bytes):
 *       tenant        str
 *       per series    uvarint blockLength, block = 2 × labels × str   (name, value, …);
 *                     blockLength 0 (version 2 with refs only): labels left out, see below
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
 * Version 2 adds the series refs column (`series-ref.ts`) and lets a series leave its labels
 * out: the consumer then finds the series by its ref. A producer does that only for series it
 * knows the consumer holds (docs/adr/0010-series-refs-on-the-stream.md); label text is most
 * of a record otherwise. Version 1 records (no refs) are written when no refs are given and
 * are still read.
 *
 * A new incompatible layout takes a new version byte; decoders reject versions they do not
 * know rather than guess.
 */
export const BATCH_CODEC_MAGIC = 0x424d4850; // "PHMB" read as a little-endian u32
export const BATCH_CODEC_VERSION = 2;
export const BATCH_CODEC_VERSION_NO_REFS = 1;
/** Flag of version 2: the refs column is present. */
export const FLAG_REFS = 1;
export const HEADER_BYTES = 24;

/** Thrown by {@link decodeMetricBatch} when bytes are truncated, corrupt or of another version. */
export class MetricBatchCodecError extends Error {
  override readonly name = 'MetricBatchCodecError';
}

export const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Where each column starts, from the counts in the header. */
export interface BatchLayout {
  readonly valuesAt: number;
  readonly offsetsAt: number;
  readonly refsAt: number;
  readonly varAt: number;
}

export function batchLayout(seriesCount: number, sampleCount: number, hasRefs: boolean): BatchLayout {
  const valuesAt = HEADER_BYTES + 8 * sampleCount;
  const offsetsAt = valuesAt + 8 * sampleCount;
  const refsAt = align8(offsetsAt + 4 * (seriesCount + 1));
  const varAt = refsAt + (hasRefs ? 4 * SERIES_REF_WORDS * seriesCount : 0);
  return { valuesAt, offsetsAt, refsAt, varAt };
}

/** Rounds up to a multiple of 8 in float arithmetic: `& ~7` would wrap above 2^31. */
function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

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

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    const p = this.pos;
    // Label blocks are a few hundred bytes: a loop beats `set`'s per-call cost at that size.
    if (n < 512) for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
    else buf.set(b, p);
    this.pos = p + n;
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

/** A series' label block with its length prefix, as the variable section holds it. */
export function encodedLabelBlock(labels: Labels): Uint8Array {
  let block = encodedBlocks.get(labels);
  if (block === undefined) {
    blockWriter.pos = 0;
    blockWriter.labelBlock(labels);
    block = Uint8Array.prototype.slice.call(blockWriter.buf, 0, blockWriter.pos);
    encodedBlocks.set(labels, block);
  }
  return block;
}

export interface EncodeMetricBatchOptions {
  /**
   * Encode only these series of the batch, in this order (indices into `batch.series`), e.g.
   * one stream partition's share: saves building a batch per part. Default: every series.
   */
  readonly series?: Uint32Array;
  /**
   * Write the refs column (version 2): 4 words per series of `batch`, indexed like
   * `batch.series`. Default `batch.seriesRefs`; without either, a version 1 record is written.
   */
  readonly refs?: Uint32Array;
  /**
   * Per series of `batch`, 1 = leave its labels out: the consumer finds the series by its
   * ref. Only for series the consumer is known to hold (ADR 0010). Needs refs.
   */
  readonly omitLabels?: Uint8Array;
  /** Whether the batch's metadata is written (default true; a split writes it once). */
  readonly metadata?: boolean;
}

/**
 * Encodes a batch (or the share of its series that `options.series` names). The result is a
 * fresh 8-byte-aligned buffer that the caller owns.
 */
export function encodeMetricBatch(batch: MetricBatch, options: EncodeMetricBatchOptions = {}): Uint8Array {
  const all = batch.series.length;
  const offsets = batch.sampleOffsets;
  if (offsets.length < all + 1) throw new RangeError(`sampleOffsets has ${offsets.length} entries for ${all} series`);
  const totalSamples = offsets[all] ?? 0;
  if (batch.timestamps.length < totalSamples || batch.values.length < totalSamples) {
    throw new RangeError(`batch has ${totalSamples} samples by its offsets but shorter columns`);
  }
  const pick = options.series;
  const seriesCount = pick === undefined ? all : pick.length;
  const refs = options.refs ?? batch.seriesRefs;
  if (refs !== undefined && refs.length < SERIES_REF_WORDS * all) throw new RangeError(`refs has ${refs.length} words for ${all} series`);
  const omit = options.omitLabels;
  if (omit !== undefined && refs === undefined) throw new RangeError('labels can be left out only of a batch with series refs');
  let sampleCount = totalSamples;
  if (pick !== undefined) {
    sampleCount = 0;
    for (let k = 0; k < seriesCount; k++) {
      const i = pick[k]!;
      if (i >= all) throw new RangeError(`series index ${i} out of ${all}`);
      sampleCount += offsets[i + 1]! - offsets[i]!;
    }
  }

  // Variable section: tenant, label blocks, then the rarer sections.
  const w = varWriter;
  w.pos = 0;
  w.str(batch.tenant);
  for (let k = 0; k < seriesCount; k++) {
    const i = pick === undefined ? k : pick[k]!;
    if (omit !== undefined && omit[i] === 1) w.u8(0);
    else {
      const labels = batch.series[i]!;
      // With refs an empty block means "labels left out"; an empty label set would read as that.
      if (labels.length === 0 && refs !== undefined) throw new RangeError(`series ${i} has no labels; a batch with refs cannot carry it`);
      // With `omit`, labels are written only to define a series, once per definition period:
      // caching the block would keep a buffer per series (~0.6 KB with its objects; 0.6 GB at
      // a million series) for a rare write. Without refs every record carries every series'
      // labels, and the cache spares encoding them each time.
      if (omit !== undefined) w.labelBlock(labels);
      else w.bytes(encodedLabelBlock(labels));
    }
  }
  // Series index in the output, for the sections that refer to series.
  let outIndex: Int32Array | undefined;
  if (pick !== undefined && (batch.histograms.length > 0 || batch.exemplars.length > 0)) {
    outIndex = new Int32Array(all).fill(-1);
    for (let k = 0; k < seriesCount; k++) outIndex[pick[k]!] = k;
  }
  const mapped = (i: number): number => (outIndex === undefined ? i : outIndex[i]!);
  let histograms = 0;
  for (const h of batch.histograms) if (mapped(h.seriesIndex) >= 0) histograms++;
  w.uvarint(histograms);
  for (const h of batch.histograms) if (mapped(h.seriesIndex) >= 0) writeHistogram(w, h, mapped(h.seriesIndex));
  let exemplars = 0;
  for (const e of batch.exemplars) if (mapped(e.seriesIndex) >= 0) exemplars++;
  w.uvarint(exemplars);
  for (const e of batch.exemplars) {
    const at = mapped(e.seriesIndex);
    if (at < 0) continue;
    w.uvarint(at);
    w.labelBlock(e.labels);
    w.f64(e.timestamp);
    w.f64(e.value);
  }
  const metadata = options.metadata === false ? [] : batch.metadata;
  w.uvarint(metadata.length);
  for (const m of metadata) {
    w.str(m.metricFamilyName);
    w.u8(Math.max(0, METRIC_TYPES.indexOf(m.type)));
    w.str(m.help);
    w.str(m.unit);
  }

  const hasRefs = refs !== undefined;
  const { valuesAt, offsetsAt, refsAt, varAt } = batchLayout(seriesCount, sampleCount, hasRefs);
  const total = varAt + w.pos;
  // allocUnsafeSlow: its own ArrayBuffer, so offset 0 and 8-byte aligned; every byte is
  // written below (padding explicitly), so not zero-filling is safe.
  const out = Buffer.allocUnsafeSlow(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, BATCH_CODEC_MAGIC, true);
  view.setUint8(4, hasRefs ? BATCH_CODEC_VERSION : BATCH_CODEC_VERSION_NO_REFS);
  view.setUint8(5, hasRefs ? FLAG_REFS : 0);
  view.setUint16(6, 0, true);
  view.setUint32(8, seriesCount, true);
  view.setUint32(12, sampleCount, true);
  view.setUint32(16, w.pos, true);
  view.setUint32(20, 0, true);
  if (LITTLE_ENDIAN_HOST) {
    const ts = new Float64Array(out.buffer, HEADER_BYTES, sampleCount);
    const vs = new Float64Array(out.buffer, valuesAt, sampleCount);
    const os = new Uint32Array(out.buffer, offsetsAt, seriesCount + 1);
    if (pick === undefined) {
      ts.set(batch.timestamps.subarray(0, sampleCount));
      vs.set(batch.values.subarray(0, sampleCount));
      os.set(offsets.subarray(0, seriesCount + 1));
    } else {
      // Gathered series by series: with live remote-write a series has one sample, so an
      // element loop beats a `set` per series.
      const srcT = batch.timestamps;
      const srcV = batch.values;
      let at = 0;
      for (let k = 0; k < seriesCount; k++) {
        const i = pick[k]!;
        os[k] = at;
        for (let s = offsets[i]!, end = offsets[i + 1]!; s < end; s++, at++) {
          ts[at] = srcT[s]!;
          vs[at] = srcV[s]!;
        }
      }
      os[seriesCount] = at;
    }
    if (hasRefs) {
      const rs = new Uint32Array(out.buffer, refsAt, SERIES_REF_WORDS * seriesCount);
      if (pick === undefined) rs.set(refs.subarray(0, SERIES_REF_WORDS * seriesCount));
      else {
        for (let k = 0; k < seriesCount; k++) {
          const from = SERIES_REF_WORDS * pick[k]!;
          const to = SERIES_REF_WORDS * k;
          rs[to] = refs[from]!;
          rs[to + 1] = refs[from + 1]!;
          rs[to + 2] = refs[from + 2]!;
          rs[to + 3] = refs[from + 3]!;
        }
      }
    }
  } else {
    let at = 0;
    for (let k = 0; k < seriesCount; k++) {
      const i = pick === undefined ? k : pick[k]!;
      view.setUint32(offsetsAt + 4 * k, at, true);
      for (let s = offsets[i]!, end = offsets[i + 1]!; s < end; s++, at++) {
        view.setFloat64(HEADER_BYTES + 8 * at, batch.timestamps[s]!, true);
        view.setFloat64(valuesAt + 8 * at, batch.values[s]!, true);
      }
      if (hasRefs) for (let r = 0; r < SERIES_REF_WORDS; r++) view.setUint32(refsAt + 4 * (SERIES_REF_WORDS * k + r), refs[SERIES_REF_WORDS * i + r]!, true);
    }
    view.setUint32(offsetsAt + 4 * seriesCount, at, true);
  }
  out.fill(0, offsetsAt + 4 * (seriesCount + 1), refsAt);
  w.buf.copy(out, varAt, 0, w.pos);
  return out;
}

function writeHistogram(w: ByteWriter, s: HistogramSample, seriesIndex: number): void {
  const h = s.histogram;
  w.uvarint(seriesIndex);
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
