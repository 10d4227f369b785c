import { CUSTOM_BUCKETS_SCHEMA, type NativeHistogram } from '#pharos/metric-model';
import { RemoteWriteDecodeError } from './errors.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireReader, wrongWireType } from '#pharos/protowire';

// Prometheus accepts exponential schemas -4..8 and the custom-bucket schema -53.
const MIN_EXPONENTIAL_SCHEMA = -4;
const MAX_EXPONENTIAL_SCHEMA = 8;

const KIND_UNSET = 0;
const KIND_INT = 1;
const KIND_FLOAT = 2;

/** Growable scratch for one side's spans or buckets; reused across histograms. */
class Scratch<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Reads the `Histogram` message, identical in remote write 1.0 and 2.0, into a
 * {@link NativeHistogram}: integer deltas are summed into absolute counts, and the sample
 * is checked the way Prometheus' `histogram.Validate` does (spans match buckets, no
 * negative counts, bucket sum within the count, custom bounds increasing).
 */
export class HistogramReader {
  timestamp = 0;
  private readonly posSpans = new Scratch(new Int32Array(32));
  private readonly negSpans = new Scratch(new Int32Array(32));
  private readonly posDeltas = new Scratch(new Float64Array(64));
  private readonly negDeltas = new Scratch(new Float64Array(64));
  private readonly posCounts = new Scratch(new Float64Array(64));
  private readonly negCounts = new Scratch(new Float64Array(64));
  private readonly custom = new Scratch(new Float64Array(64));

  /**
   * Reads one histogram whose bytes end at `end`; returns it, or a message saying why it is
   * invalid (the caller drops it and counts `invalid_histogram`). Malformed protobuf throws.
   */
  read(r: WireReader, end: number): NativeHistogram | string {
    const saved = r.enter(end);
    this.posSpans.length = this.negSpans.length = 0;
    this.posDeltas.length = this.negDeltas.length = 0;
    this.posCounts.length = this.negCounts.length = 0;
    this.custom.length = 0;
    let countKind = KIND_UNSET;
    let zeroKind = KIND_UNSET;
    let count = 0;
    let zeroCount = 0;
    let sum = 0;
    let schema = 0;
    let zeroThreshold = 0;
    let resetHint = 0;
    let timestamp = 0;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag();
      const field = tag >>> 3;
      const wt = tag & 7;
      switch (field) {
        case 1:
          if (wt !== WIRE_VARINT) wrongWireType('Histogram', field, wt, at);
          count = r.varint64(false);
          countKind = KIND_INT;
          break;
        case 2:
          if (wt !== WIRE_FIXED64) wrongWireType('Histogram', field, wt, at);
          count = r.double();
          countKind = KIND_FLOAT;
          break;
        case 3:
          if (wt !== WIRE_FIXED64) wrongWireType('Histogram', field, wt, at);
          sum = r.double();
          break;
        case 4:
          if (wt !== WIRE_VARINT) wrongWireType('Histogram', field, wt, at);
          schema = r.sint64();
          break;
        case 5:
          if (wt !== WIRE_FIXED64) wrongWireType('Histogram', field, wt, at);
          zeroThreshold = r.double();
          break;
        case 6:
          if (wt !== WIRE_VARINT) wrongWireType('Histogram', field, wt, at);
          zeroCount = r.varint64(false);
          zeroKind = KIND_INT;
          break;
        case 7:
          if (wt !== WIRE_FIXED64) wrongWireType('Histogram', field, wt, at);
          zeroCount = r.double();
          zeroKind = KIND_FLOAT;
          break;
        case 8:
          readSpan(r, wt, at, this.negSpans);
          break;
        case 9:
          readPackedSint64(r, wt, at, field, this.negDeltas);
          break;
        case 10:
          readPackedDouble(r, wt, at, field, this.negCounts);
          break;
        case 11:
          readSpan(r, wt, at, this.posSpans);
          break;
        case 12:
          readPackedSint64(r, wt, at, field, this.posDeltas);
          break;
        case 13:
          readPackedDouble(r, wt, at, field, this.posCounts);
          break;
        case 14:
          if (wt !== WIRE_VARINT) wrongWireType('Histogram', field, wt, at);
          resetHint = r.varint64(false);
          break;
        case 15:
          if (wt !== WIRE_VARINT) wrongWireType('Histogram', field, wt, at);
          timestamp = r.varint64(true);
          break;
        case 16:
          readPackedDouble(r, wt, at, field, this.custom);
          break;
        default:
          r.skip(wt);
      }
    }
    r.leave(saved);
    this.timestamp = timestamp;

    const isInteger = countKind !== KIND_FLOAT;
    if (zeroKind !== KIND_UNSET && countKind !== KIND_UNSET && zeroKind !== countKind) {
      return 'count and zero count mix integer and float';
    }
    if (schema !== CUSTOM_BUCKETS_SCHEMA && (schema < MIN_EXPONENTIAL_SCHEMA || schema > MAX_EXPONENTIAL_SCHEMA)) {
      return `schema ${schema} is out of range (-4..8, or -53 for custom buckets)`;
    }
    if (resetHint > 3) resetHint = 0; // Unknown enum values read as UNKNOWN, as proto3 does.
    let pos: Float64Array;
    let neg: Float64Array;
    if (isInteger) {
      if (this.posCounts.length > 0 || this.negCounts.length > 0) return 'integer histogram carries float bucket counts';
      const p = absoluteCounts(this.posDeltas);
      const n = absoluteCounts(this.negDeltas);
      if (typeof p === 'string') return `positive ${p}`;
      if (typeof n === 'string') return `negative ${n}`;
      pos = p;
      neg = n;
    } else {
      if (this.posDeltas.length > 0 || this.negDeltas.length > 0) return 'float histogram carries integer bucket deltas';
      pos = this.posCounts.data.slice(0, this.posCounts.length);
      neg = this.negCounts.data.slice(0, this.negCounts.length);
      for (let i = 0; i < pos.length; i++) if (pos[i]! < 0) return `positive bucket ${i} has a negative count`;
      for (let i = 0; i < neg.length; i++) if (neg[i]! < 0) return `negative bucket ${i} has a negative count`;
      if (count < 0 || zeroCount < 0) return 'negative count';
    }
    const posLast = checkSpans(this.posSpans, pos.length, 'positive');
    if (typeof posLast === 'string') return posLast;
    const negLast = checkSpans(this.negSpans, neg.length, 'negative');
    if (typeof negLast === 'string') return negLast;
    if (schema === CUSTOM_BUCKETS_SCHEMA) {
      if (neg.length > 0 || this.negSpans.length > 0) return 'custom-bucket histogram has negative buckets';
      if (zeroCount !== 0) return 'custom-bucket histogram has a zero bucket';
      const c = this.custom;
      for (let i = 0; i < c.length; i++) {
        const v = c.data[i]!;
        if (Number.isNaN(v) || (i > 0 && !(v > c.data[i - 1]!))) return 'custom bucket bounds are not strictly increasing';
      }
      if (posLast >= c.length + 1) return `bucket index ${posLast} exceeds the ${c.length} custom bounds (+Inf)`;
      if (this.posSpans.length > 0 && this.posSpans.data[0]! < 0) return 'custom-bucket span starts below bucket 0';
    } else if (this.custom.length > 0) {
      return 'custom bucket bounds on an exponential histogram';
    }
    if (isInteger) {
      let buckets = zeroCount;
      for (let i = 0; i < pos.length; i++) buckets += pos[i]!;
      for (let i = 0; i < neg.length; i++) buckets += neg[i]!;
      if (buckets > count) return `count ${count} is below the sum of buckets ${buckets}`;
    }
    return {
      isInteger,
      schema,
      zeroThreshold,
      zeroCount,
      count,
      sum,
      positiveSpans: this.posSpans.data.slice(0, this.posSpans.length),
      positiveCounts: pos,
      negativeSpans: this.negSpans.data.slice(0, this.negSpans.length),
      negativeCounts: neg,
      resetHint,
      customValues: this.custom.data.slice(0, this.custom.length),
    };
  }
}

function readSpan(r: WireReader, wt: number, at: number, out: Scratch<Int32Array>): void {
  if (wt !== WIRE_LEN) wrongWireType('Histogram', 8, wt, at);
  const end = r.lengthEnd();
  const saved = r.enter(end);
  let offset = 0;
  let length = 0;
  while (r.pos < end) {
    const fat = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const fwt = tag & 7;
    if (field === 1 || field === 2) {
      if (fwt !== WIRE_VARINT) wrongWireType('BucketSpan', field, fwt, fat);
      if (field === 1) offset = r.sint64();
      else length = r.varint64(false);
    } else {
      r.skip(fwt);
    }
  }
  r.leave(saved);
  // Out-of-int32 values cannot be real spans; they are clamped so validation rejects them.
  out.push(Math.max(-0x80000000, Math.min(0x7fffffff, offset)));
  out.push(Math.min(0x7fffffff, length));
}

function readPackedSint64(r: WireReader, wt: number, at: number, field: number, out: Scratch<Float64Array>): void {
  if (wt === WIRE_VARINT) {
    out.push(r.sint64());
    return;
  }
  if (wt !== WIRE_LEN) wrongWireType('Histogram', field, wt, at);
  const end = r.lengthEnd();
  const saved = r.enter(end);
  while (r.pos < end) out.push(r.sint64());
  r.leave(saved);
}

function readPackedDouble(r: WireReader, wt: number, at: number, field: number, out: Scratch<Float64Array>): void {
  if (wt === WIRE_FIXED64) {
    out.push(r.double());
    return;
  }
  if (wt !== WIRE_LEN) wrongWireType('Histogram', field, wt, at);
  const end = r.lengthEnd();
  if ((end - r.pos) % 8 !== 0) throw new RemoteWriteDecodeError(`packed doubles of field ${field} are not a multiple of 8 bytes`, at);
  const saved = r.enter(end);
  while (r.pos < end) out.push(r.double());
  r.leave(saved);
}

function absoluteCounts(deltas: Scratch<Float64Array>): Float64Array | string {
  const out = new Float64Array(deltas.length);
  let c = 0;
  for (let i = 0; i < deltas.length; i++) {
    c += deltas.data[i]!;
    if (c < 0) return `bucket ${i} has a negative count`;
    out[i] = c;
  }
  return out;
}

/** Checks spans against the bucket count; returns the last bucket index (or -1), or an error. */
function checkSpans(spans: Scratch<Int32Array>, buckets: number, side: string): number | string {
  let total = 0;
  let index = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const offset = spans.data[i]!;
    const length = spans.data[i + 1]!;
    if (i > 0 && offset < 0) return `${side} span ${i / 2} has a negative offset ${offset}`;
    index += offset + length;
    total += length;
  }
  if (total !== buckets) return `${side} spans cover ${total} buckets but ${buckets} counts were sent`;
  return total === 0 ? -1 : index - 1;
}
