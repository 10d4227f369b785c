import type { NativeHistogram } from '#pharos/metric-model';
import { sampleWins } from './sample-order.js';

/**
 * Compact binary form of a native histogram, stored as one BLOB per sample.
 *
 * Layout: u8 version, u8 flags (bit 0 integer counts), zigzag varints schema and resetHint,
 * f64 zeroThreshold, then counts: integer histograms store zeroCount, count and bucket counts
 * as zigzag varints of the delta to the previous bucket (as on the remote-write wire, where
 * neighbouring buckets are close), float histograms as f64. Spans are zigzag varints; `sum`
 * and custom bounds are f64. Typically ~2 bytes per populated bucket for integer histograms.
 */
const VERSION = 1;

export function encodeHistogram(h: NativeHistogram): Uint8Array {
  const w = new ByteWriter(64 + 10 * (h.positiveCounts.length + h.negativeCounts.length) + 8 * h.customValues.length);
  w.u8(VERSION);
  w.u8(h.isInteger ? 1 : 0);
  w.varint(h.schema);
  w.varint(h.resetHint);
  w.f64(h.zeroThreshold);
  w.f64(h.sum);
  if (h.isInteger) {
    w.varint(h.zeroCount);
    w.varint(h.count);
  } else {
    w.f64(h.zeroCount);
    w.f64(h.count);
  }
  for (const [spans, counts] of [
    [h.positiveSpans, h.positiveCounts],
    [h.negativeSpans, h.negativeCounts],
  ] as const) {
    w.varint(spans.length);
    for (const s of spans) w.varint(s);
    w.varint(counts.length);
    let prev = 0;
    for (const c of counts) {
      if (h.isInteger) {
        w.varint(c - prev);
        prev = c;
      } else {
        w.f64(c);
      }
    }
  }
  w.varint(h.customValues.length);
  for (const v of h.customValues) w.f64(v);
  return w.done();
}

export function decodeHistogram(bytes: Uint8Array): NativeHistogram {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw new Error(`unknown histogram encoding version ${version}`);
  const isInteger = (r.u8() & 1) === 1;
  const schema = r.varint();
  const resetHint = r.varint();
  const zeroThreshold = r.f64();
  const sum = r.f64();
  const zeroCount = isInteger ? r.varint() : r.f64();
  const count = isInteger ? r.varint() : r.f64();
  const sides: [Int32Array, Float64Array][] = [];
  for (let side = 0; side < 2; side++) {
    const spans = new Int32Array(r.varint());
    for (let i = 0; i < spans.length; i++) spans[i] = r.varint();
    const counts = new Float64Array(r.varint());
    let prev = 0;
    for (let i = 0; i < counts.length; i++) {
      if (isInteger) {
        prev += r.varint();
        counts[i] = prev;
      } else {
        counts[i] = r.f64();
      }
    }
    sides.push([spans, counts]);
  }
  const customValues = new Float64Array(r.varint());
  for (let i = 0; i < customValues.length; i++) customValues[i] = r.f64();
  return {
    isInteger,
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    positiveSpans: sides[0]![0],
    positiveCounts: sides[0]![1],
    negativeSpans: sides[1]![0],
    negativeCounts: sides[1]![1],
    resetHint,
    customValues,
  };
}

/**
 * Duplicate resolution for histograms at one (series, timestamp), independent of arrival
 * order: the larger count wins, then the larger sum, then the larger encoding bytewise.
 */
export function histogramWins(candidate: NativeHistogram, current: NativeHistogram): boolean {
  for (const field of ['count', 'sum'] as const) {
    if (sampleWins(candidate[field], current[field])) return true;
    if (sampleWins(current[field], candidate[field])) return false;
  }
  const a = encodeHistogram(candidate);
  const b = encodeHistogram(current);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return a.length > b.length;
}

class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Zigzag varint of a safe integer (counts may exceed 32 bits, so no bitwise ops). */
  varint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`histogram field is not a safe integer: ${v}`);
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(8);
    while (z >= 0x80) {
      this.buf[this.pos++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.pos++] = z;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u8(): number {
    return this.buf[this.pos++]!;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('truncated histogram encoding');
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}
