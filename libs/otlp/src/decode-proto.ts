import { ProtowireError, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireReader, isValidUtf8, sliceUtf8, wrongWireType } from '#pharos/protowire';
import { AttributeUtf8Error, readKeyValue } from './attributes.js';
import { allZero, hexOf } from './format.js';
import type { OtlpMetricKind } from './naming.js';
import type { PointScratch } from './point.js';
import type { OtlpTranslator } from './translator.js';
import type { Scratch } from './buckets.js';

/**
 * Walks an `ExportMetricsServiceRequest` (proto/opentelemetry/proto/collector/metrics/v1)
 * over its bytes and feeds the translator: no generated classes, no object per data point
 * (points are read into one reused {@link PointScratch}). Messages whose fields may legally
 * come in any order but are needed first (a resource before its scopes, a metric's name and
 * temporality before its points) are read in two passes over the same bytes.
 */
export function walkExportRequest(r: WireReader, buf: Buffer, t: OtlpTranslator, p: PointScratch): void {
  const end = r.end;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_1_LEN) {
      const e = r.lengthEnd();
      walkResourceMetrics(r, buf, e, t, p);
      r.pos = e;
    } else if (tag >>> 3 === 1) wrongWireType('ExportMetricsServiceRequest', 1, tag & 7, at);
    else r.skip(tag & 7);
  }
}

const TAG_1_LEN = (1 << 3) | WIRE_LEN;
const TAG_2_LEN = (2 << 3) | WIRE_LEN;
const TAG_3_LEN = (3 << 3) | WIRE_LEN;

function walkResourceMetrics(r: WireReader, buf: Buffer, end: number, t: OtlpTranslator, p: PointScratch): void {
  const saved = r.enter(end);
  const start = r.pos;
  const attrs: string[] = [];
  let problem: string | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_1_LEN) {
      const e = r.lengthEnd();
      problem = readResource(r, buf, e, attrs) ?? problem;
      r.pos = e;
    } else if (tag === TAG_2_LEN || tag === TAG_3_LEN) r.pos = r.lengthEnd();
    else if (tag >>> 3 >= 1 && tag >>> 3 <= 3) wrongWireType('ResourceMetrics', tag >>> 3, tag & 7, at);
    else r.skip(tag & 7);
  }
  t.beginResource(attrs, problem);
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === TAG_2_LEN) {
      const e = r.lengthEnd();
      walkScopeMetrics(r, buf, e, t, p);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  t.endResource();
  r.leave(saved);
}

/** `Resource`: its attributes (field 1); returns a problem (invalid UTF-8) or undefined. */
function readResource(r: WireReader, buf: Buffer, end: number, attrs: string[]): string | undefined {
  const saved = r.enter(end);
  let problem: string | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_1_LEN) {
      const e = r.lengthEnd();
      problem = readAttribute(r, buf, e, attrs) ?? problem;
      r.pos = e;
    } else if (tag >>> 3 === 1) wrongWireType('Resource', 1, tag & 7, at);
    else r.skip(tag & 7);
  }
  r.leave(saved);
  return problem === undefined ? undefined : `resource ${problem}`;
}

function readAttribute(r: WireReader, buf: Buffer, end: number, out: string[]): string | undefined {
  const bound = r.end;
  try {
    readKeyValue(r, buf, end, out);
    return undefined;
  } catch (err) {
    if (!(err instanceof AttributeUtf8Error)) throw err;
    // The throw skipped the inner messages' `leave`: without this the rest of the enclosing
    // message would be read against the attribute value's bound and fail as truncated.
    r.end = bound;
    return err.message;
  }
}

function walkScopeMetrics(r: WireReader, buf: Buffer, end: number, t: OtlpTranslator, p: PointScratch): void {
  const saved = r.enter(end);
  const start = r.pos;
  let name = '';
  let version = '';
  let schemaUrl = '';
  const attrs: string[] = [];
  let problem: string | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_1_LEN) {
      const e = r.lengthEnd();
      const scopeSaved = r.enter(e);
      while (r.pos < e) {
        const sat = r.pos;
        const stag = r.tag();
        if (stag === TAG_1_LEN || stag === TAG_2_LEN) {
          const se = r.lengthEnd();
          if (!isValidUtf8(buf, r.pos, se)) problem = 'scope name or version is not valid UTF-8';
          else if (stag === TAG_1_LEN) name = sliceUtf8(buf, r.pos, se);
          else version = sliceUtf8(buf, r.pos, se);
          r.pos = se;
        } else if (stag === TAG_3_LEN) {
          const se = r.lengthEnd();
          problem = readAttribute(r, buf, se, attrs) ?? problem;
          r.pos = se;
        } else if (stag >>> 3 >= 1 && stag >>> 3 <= 3) wrongWireType('InstrumentationScope', stag >>> 3, stag & 7, sat);
        else r.skip(stag & 7);
      }
      r.leave(scopeSaved);
      r.pos = e;
    } else if (tag === TAG_3_LEN) {
      const e = r.lengthEnd();
      if (!isValidUtf8(buf, r.pos, e)) problem = 'scope schema URL is not valid UTF-8';
      else schemaUrl = sliceUtf8(buf, r.pos, e);
      r.pos = e;
    } else if (tag === TAG_2_LEN) r.pos = r.lengthEnd();
    else if (tag >>> 3 >= 1 && tag >>> 3 <= 3) wrongWireType('ScopeMetrics', tag >>> 3, tag & 7, at);
    else r.skip(tag & 7);
  }
  t.beginScope(name, version, schemaUrl, attrs, problem === undefined ? undefined : `scope ${problem}`);
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === TAG_2_LEN) {
      const e = r.lengthEnd();
      walkMetric(r, buf, e, t, p);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  r.leave(saved);
}

// Metric.data oneof fields.
const DATA_GAUGE = 5;
const DATA_SUM = 7;
const DATA_HISTOGRAM = 9;
const DATA_EXPONENTIAL = 10;
const DATA_SUMMARY = 11;

function walkMetric(r: WireReader, buf: Buffer, end: number, t: OtlpTranslator, p: PointScratch): void {
  const saved = r.enter(end);
  let name = '';
  let description = '';
  let unit = '';
  let problem: string | undefined;
  let dataField = 0;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2 || field === 3) {
      if (wt !== WIRE_LEN) wrongWireType('Metric', field, wt, at);
      const e = r.lengthEnd();
      if (!isValidUtf8(buf, r.pos, e)) problem = 'metric name, description or unit is not valid UTF-8';
      else if (field === 1) name = sliceUtf8(buf, r.pos, e);
      else if (field === 2) description = sliceUtf8(buf, r.pos, e);
      else unit = sliceUtf8(buf, r.pos, e);
      r.pos = e;
    } else if (field === DATA_GAUGE || field === DATA_SUM || field === DATA_HISTOGRAM || field === DATA_EXPONENTIAL || field === DATA_SUMMARY) {
      if (wt !== WIRE_LEN) wrongWireType('Metric', field, wt, at);
      dataEnd = r.lengthEnd();
      dataStart = r.pos;
      dataField = field; // A oneof: the last one sent wins.
      r.pos = dataEnd;
    } else r.skip(wt);
  }
  if (dataField === 0) {
    t.emptyMetric(name, false);
    r.leave(saved);
    return;
  }
  // The data message: temporality (2) and monotonicity (3) first, then the points (1).
  r.pos = dataStart;
  const dataSaved = r.enter(dataEnd);
  let temporality = 0;
  let monotonic = false;
  while (r.pos < dataEnd) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) wrongWireType('Metric data', field, wt, at);
      r.pos = r.lengthEnd();
    } else if ((field === 2 && dataField !== DATA_GAUGE && dataField !== DATA_SUMMARY) || (field === 3 && dataField === DATA_SUM)) {
      if (wt !== WIRE_VARINT) wrongWireType('Metric data', field, wt, at);
      if (field === 2) temporality = r.uint32();
      else monotonic = r.varint64(false) !== 0;
    } else r.skip(wt);
  }
  const kind: OtlpMetricKind =
    dataField === DATA_GAUGE
      ? 'gauge'
      : dataField === DATA_SUM
        ? monotonic
          ? 'monotonic_sum'
          : 'sum'
        : dataField === DATA_HISTOGRAM
          ? 'histogram'
          : dataField === DATA_EXPONENTIAL
            ? 'exponential_histogram'
            : 'summary';
  t.beginMetric(name, unit, description, kind, temporality, problem);
  r.pos = dataStart;
  let points = 0;
  while (r.pos < dataEnd) {
    const tag = r.tag();
    if (tag === TAG_1_LEN) {
      const e = r.lengthEnd();
      p.reset();
      points++;
      switch (dataField) {
        case DATA_GAUGE:
        case DATA_SUM:
          readNumberPoint(r, buf, e, p);
          t.numberPoint(p);
          break;
        case DATA_HISTOGRAM:
          readHistogramPoint(r, buf, e, p);
          t.histogramPoint(p);
          break;
        case DATA_EXPONENTIAL:
          readExponentialPoint(r, buf, e, p);
          t.exponentialHistogramPoint(p);
          break;
        default:
          readSummaryPoint(r, buf, e, p);
          t.summaryPoint(p);
      }
      r.pos = e;
    } else r.skip(tag & 7);
  }
  if (points === 0) t.emptyMetric(name, true);
  r.leave(dataSaved);
  r.leave(saved);
}

/** An attribute field of the point (its tag at `at`); decoded only when the translator needs it. */
function pointAttribute(r: WireReader, buf: Buffer, p: PointScratch, at: number): void {
  const e = r.lengthEnd();
  p.attributeField(r, buf, at, e);
  r.pos = e;
}

function readNumberPoint(r: WireReader, buf: Buffer, end: number, p: PointScratch): void {
  const saved = r.enter(end);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 7:
        if (wt !== WIRE_LEN) wrongWireType('NumberDataPoint', field, wt, at);
        pointAttribute(r, buf, p, at);
        break;
      case 2:
      case 3:
      case 4:
      case 6:
        if (wt !== WIRE_FIXED64) wrongWireType('NumberDataPoint', field, wt, at);
        if (field === 2) p.startMs = r.fixed64NanosToMillis();
        else if (field === 3) p.timeMs = r.fixed64NanosToMillis();
        else if (field === 4) p.value = r.double();
        else p.value = r.sfixed64();
        break;
      case 5:
        if (wt !== WIRE_LEN) wrongWireType('NumberDataPoint', field, wt, at);
        readExemplar(r, buf, p);
        break;
      case 8:
        if (wt !== WIRE_VARINT) wrongWireType('NumberDataPoint', field, wt, at);
        p.flags = r.uint32();
        break;
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
}

function readHistogramPoint(r: WireReader, buf: Buffer, end: number, p: PointScratch): void {
  const saved = r.enter(end);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 9:
        if (wt !== WIRE_LEN) wrongWireType('HistogramDataPoint', field, wt, at);
        pointAttribute(r, buf, p, at);
        break;
      case 2:
      case 3:
      case 4:
      case 5:
      case 11:
      case 12:
        if (wt !== WIRE_FIXED64) wrongWireType('HistogramDataPoint', field, wt, at);
        if (field === 2) p.startMs = r.fixed64NanosToMillis();
        else if (field === 3) p.timeMs = r.fixed64NanosToMillis();
        else if (field === 4) p.count = r.fixed64();
        else if (field === 5) {
          p.sum = r.double();
          p.hasSum = true;
        } else r.double(); // min, max: Prometheus has nowhere to put them.
        break;
      case 6:
        readPackedFixed64(r, wt, at, 'HistogramDataPoint', field, p.bucketCounts);
        break;
      case 7:
        readPackedDouble(r, wt, at, 'HistogramDataPoint', field, p.bounds);
        break;
      case 8:
        if (wt !== WIRE_LEN) wrongWireType('HistogramDataPoint', field, wt, at);
        readExemplar(r, buf, p);
        break;
      case 10:
        if (wt !== WIRE_VARINT) wrongWireType('HistogramDataPoint', field, wt, at);
        p.flags = r.uint32();
        break;
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
}

function readExponentialPoint(r: WireReader, buf: Buffer, end: number, p: PointScratch): void {
  const saved = r.enter(end);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        if (wt !== WIRE_LEN) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        pointAttribute(r, buf, p, at);
        break;
      case 2:
      case 3:
      case 4:
      case 5:
      case 7:
      case 12:
      case 13:
      case 14:
        if (wt !== WIRE_FIXED64) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        if (field === 2) p.startMs = r.fixed64NanosToMillis();
        else if (field === 3) p.timeMs = r.fixed64NanosToMillis();
        else if (field === 4) p.count = r.fixed64();
        else if (field === 5) {
          p.sum = r.double();
          p.hasSum = true;
        } else if (field === 7) p.zeroCount = r.fixed64();
        else if (field === 14) p.zeroThreshold = r.double();
        else r.double();
        break;
      case 6:
        if (wt !== WIRE_VARINT) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        p.scale = r.sint64();
        break;
      case 8:
      case 9: {
        if (wt !== WIRE_LEN) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        const e = r.lengthEnd();
        const offset = readBuckets(r, e, field === 8 ? p.positiveCounts : p.negativeCounts);
        if (field === 8) p.positiveOffset = offset;
        else p.negativeOffset = offset;
        r.pos = e;
        break;
      }
      case 10:
        if (wt !== WIRE_VARINT) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        p.flags = r.uint32();
        break;
      case 11:
        if (wt !== WIRE_LEN) wrongWireType('ExponentialHistogramDataPoint', field, wt, at);
        readExemplar(r, buf, p);
        break;
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
}

/** `Buckets`: returns the offset; counts go to `out` (cleared first). */
function readBuckets(r: WireReader, end: number, out: Scratch<Float64Array>): number {
  const saved = r.enter(end);
  out.length = 0;
  let offset = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_VARINT) wrongWireType('Buckets', field, wt, at);
      offset = clampInt32(r.sint64());
    } else if (field === 2) {
      if (wt === WIRE_VARINT) out.push(r.varint64(false));
      else if (wt === WIRE_LEN) {
        const e = r.lengthEnd();
        const s = r.enter(e);
        while (r.pos < e) out.push(r.varint64(false));
        r.leave(s);
      } else wrongWireType('Buckets', field, wt, at);
    } else r.skip(wt);
  }
  r.leave(saved);
  return offset;
}

function readSummaryPoint(r: WireReader, buf: Buffer, end: number, p: PointScratch): void {
  const saved = r.enter(end);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 7:
        if (wt !== WIRE_LEN) wrongWireType('SummaryDataPoint', field, wt, at);
        pointAttribute(r, buf, p, at);
        break;
      case 2:
      case 3:
      case 4:
      case 5:
        if (wt !== WIRE_FIXED64) wrongWireType('SummaryDataPoint', field, wt, at);
        if (field === 2) p.startMs = r.fixed64NanosToMillis();
        else if (field === 3) p.timeMs = r.fixed64NanosToMillis();
        else if (field === 4) p.count = r.fixed64();
        else {
          p.sum = r.double();
          p.hasSum = true;
        }
        break;
      case 6: {
        if (wt !== WIRE_LEN) wrongWireType('SummaryDataPoint', field, wt, at);
        const e = r.lengthEnd();
        const s = r.enter(e);
        let quantile = 0;
        let value = 0;
        while (r.pos < e) {
          const qat = r.pos;
          const qtag = r.tag();
          const qf = qtag >>> 3;
          if (qf === 1 || qf === 2) {
            if ((qtag & 7) !== WIRE_FIXED64) wrongWireType('ValueAtQuantile', qf, qtag & 7, qat);
            if (qf === 1) quantile = r.double();
            else value = r.double();
          } else r.skip(qtag & 7);
        }
        r.leave(s);
        p.quantiles.push(quantile);
        p.quantiles.push(value);
        break;
      }
      case 8:
        if (wt !== WIRE_VARINT) wrongWireType('SummaryDataPoint', field, wt, at);
        p.flags = r.uint32();
        break;
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
}

function readExemplar(r: WireReader, buf: Buffer, p: PointScratch): void {
  const end = r.lengthEnd();
  const e = p.nextExemplar();
  const saved = r.enter(end);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 7: {
        if (wt !== WIRE_LEN) wrongWireType('Exemplar', field, wt, at);
        const ae = r.lengthEnd();
        const problem = readAttribute(r, buf, ae, e.attrs);
        if (problem !== undefined) e.problem ??= problem;
        r.pos = ae;
        break;
      }
      case 2:
      case 3:
      case 6:
        if (wt !== WIRE_FIXED64) wrongWireType('Exemplar', field, wt, at);
        if (field === 2) e.timeMs = r.fixed64NanosToMillis();
        else {
          e.value = field === 3 ? r.double() : r.sfixed64();
          e.hasValue = true;
        }
        break;
      case 4:
      case 5: {
        if (wt !== WIRE_LEN) wrongWireType('Exemplar', field, wt, at);
        const ie = r.lengthEnd();
        const want = field === 5 ? 16 : 8;
        const len = ie - r.pos;
        if (len !== 0 && len !== want) e.problem ??= `${field === 5 ? 'trace' : 'span'} id is ${len} bytes, expected ${want}`;
        else if (len !== 0 && !allZero(buf, r.pos, ie)) {
          if (field === 5) e.traceId = hexOf(buf, r.pos, ie);
          else e.spanId = hexOf(buf, r.pos, ie);
        }
        r.pos = ie;
        break;
      }
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
  r.pos = end;
}

function readPackedFixed64(r: WireReader, wt: number, at: number, message: string, field: number, out: Scratch<Float64Array>): void {
  if (wt === WIRE_FIXED64) {
    out.push(r.fixed64());
    return;
  }
  if (wt !== WIRE_LEN) wrongWireType(message, field, wt, at);
  const e = r.lengthEnd();
  if ((e - r.pos) % 8 !== 0) wrongLength(message, field, at);
  while (r.pos < e) out.push(r.fixed64());
}

function readPackedDouble(r: WireReader, wt: number, at: number, message: string, field: number, out: Scratch<Float64Array>): void {
  if (wt === WIRE_FIXED64) {
    out.push(r.double());
    return;
  }
  if (wt !== WIRE_LEN) wrongWireType(message, field, wt, at);
  const e = r.lengthEnd();
  if ((e - r.pos) % 8 !== 0) wrongLength(message, field, at);
  while (r.pos < e) out.push(r.double());
}

function wrongLength(message: string, field: number, at: number): never {
  throw new ProtowireError(`${message}: packed field ${field} is not a multiple of 8 bytes`, at);
}

function clampInt32(v: number): number {
  return Math.max(-0x80000000, Math.min(0x7fffffff, v));
}
