import { ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '#pharos/protowire';

/**
 * An OTLP `ExportMetricsServiceRequest` in its OTLP/JSON shape (lowerCamelCase keys, int64
 * as decimal strings, ids in hex). {@link encodeExportRequest} writes it as protobuf, so one
 * fixture serves both encodings; the load generator and tests build requests this way.
 */
export interface OtlpJsonRequest {
  readonly resourceMetrics: readonly OtlpJsonResourceMetrics[];
}

export interface OtlpJsonResourceMetrics {
  readonly resource?: { readonly attributes?: readonly OtlpJsonKeyValue[] };
  readonly scopeMetrics?: readonly OtlpJsonScopeMetrics[];
  readonly schemaUrl?: string;
}

export interface OtlpJsonScopeMetrics {
  readonly scope?: { readonly name?: string; readonly version?: string; readonly attributes?: readonly OtlpJsonKeyValue[] };
  readonly metrics?: readonly OtlpJsonMetric[];
  readonly schemaUrl?: string;
}

export interface OtlpJsonKeyValue {
  readonly key: string;
  readonly value?: OtlpJsonAnyValue;
}

export interface OtlpJsonAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: string | number;
  readonly doubleValue?: number;
  readonly bytesValue?: string;
  readonly arrayValue?: { readonly values?: readonly OtlpJsonAnyValue[] };
  readonly kvlistValue?: { readonly values?: readonly OtlpJsonKeyValue[] };
}

export interface OtlpJsonMetric {
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
  readonly gauge?: { readonly dataPoints?: readonly OtlpJsonNumberPoint[] };
  readonly sum?: { readonly dataPoints?: readonly OtlpJsonNumberPoint[]; readonly aggregationTemporality?: number; readonly isMonotonic?: boolean };
  readonly histogram?: { readonly dataPoints?: readonly OtlpJsonHistogramPoint[]; readonly aggregationTemporality?: number };
  readonly exponentialHistogram?: { readonly dataPoints?: readonly OtlpJsonExponentialPoint[]; readonly aggregationTemporality?: number };
  readonly summary?: { readonly dataPoints?: readonly OtlpJsonSummaryPoint[] };
}

interface OtlpJsonPointBase {
  readonly attributes?: readonly OtlpJsonKeyValue[];
  readonly startTimeUnixNano?: string;
  readonly timeUnixNano?: string;
  readonly flags?: number;
}

export interface OtlpJsonExemplar {
  readonly filteredAttributes?: readonly OtlpJsonKeyValue[];
  readonly timeUnixNano?: string;
  readonly asDouble?: number;
  readonly asInt?: string | number;
  readonly traceId?: string;
  readonly spanId?: string;
}

export interface OtlpJsonNumberPoint extends OtlpJsonPointBase {
  readonly asDouble?: number;
  readonly asInt?: string | number;
  readonly exemplars?: readonly OtlpJsonExemplar[];
}

export interface OtlpJsonHistogramPoint extends OtlpJsonPointBase {
  readonly count?: string | number;
  readonly sum?: number;
  readonly bucketCounts?: readonly (string | number)[];
  readonly explicitBounds?: readonly number[];
  readonly exemplars?: readonly OtlpJsonExemplar[];
}

export interface OtlpJsonExponentialPoint extends OtlpJsonPointBase {
  readonly count?: string | number;
  readonly sum?: number;
  readonly scale?: number;
  readonly zeroCount?: string | number;
  readonly zeroThreshold?: number;
  readonly positive?: { readonly offset?: number; readonly bucketCounts?: readonly (string | number)[] };
  readonly negative?: { readonly offset?: number; readonly bucketCounts?: readonly (string | number)[] };
  readonly exemplars?: readonly OtlpJsonExemplar[];
}

export interface OtlpJsonSummaryPoint extends OtlpJsonPointBase {
  readonly count?: string | number;
  readonly sum?: number;
  readonly quantileValues?: readonly { readonly quantile?: number; readonly value?: number }[];
}

/** Protobuf bytes of a request given in its OTLP/JSON shape. */
export function encodeExportRequest(request: OtlpJsonRequest): Buffer {
  const w = new ProtoWriter(64 * 1024);
  for (const rm of request.resourceMetrics) {
    const at = w.beginLd(1);
    if (rm.resource) {
      const r = w.beginLd(1);
      keyValues(w, 1, rm.resource.attributes);
      w.endLd(r);
    }
    for (const sm of rm.scopeMetrics ?? []) {
      const s = w.beginLd(2);
      if (sm.scope) {
        const sc = w.beginLd(1);
        w.stringField(1, sm.scope.name ?? '');
        w.stringField(2, sm.scope.version ?? '');
        keyValues(w, 3, sm.scope.attributes);
        w.endLd(sc);
      }
      for (const m of sm.metrics ?? []) metric(w, m);
      w.stringField(3, sm.schemaUrl ?? '');
      w.endLd(s);
    }
    w.stringField(3, rm.schemaUrl ?? '');
    w.endLd(at);
  }
  return w.finish();
}

function metric(w: ProtoWriter, m: OtlpJsonMetric): void {
  const at = w.beginLd(2);
  w.stringField(1, m.name);
  w.stringField(2, m.description ?? '');
  w.stringField(3, m.unit ?? '');
  if (m.gauge) {
    const d = w.beginLd(5);
    for (const p of m.gauge.dataPoints ?? []) numberPoint(w, p);
    w.endLd(d);
  } else if (m.sum) {
    const d = w.beginLd(7);
    for (const p of m.sum.dataPoints ?? []) numberPoint(w, p);
    if (m.sum.aggregationTemporality) w.varintField(2, m.sum.aggregationTemporality);
    if (m.sum.isMonotonic) w.varintField(3, 1);
    w.endLd(d);
  } else if (m.histogram) {
    const d = w.beginLd(9);
    for (const p of m.histogram.dataPoints ?? []) histogramPoint(w, p);
    if (m.histogram.aggregationTemporality) w.varintField(2, m.histogram.aggregationTemporality);
    w.endLd(d);
  } else if (m.exponentialHistogram) {
    const d = w.beginLd(10);
    for (const p of m.exponentialHistogram.dataPoints ?? []) exponentialPoint(w, p);
    if (m.exponentialHistogram.aggregationTemporality) w.varintField(2, m.exponentialHistogram.aggregationTemporality);
    w.endLd(d);
  } else if (m.summary) {
    const d = w.beginLd(11);
    for (const p of m.summary.dataPoints ?? []) summaryPoint(w, p);
    w.endLd(d);
  }
  w.endLd(at);
}

function times(w: ProtoWriter, p: OtlpJsonPointBase): void {
  if (p.startTimeUnixNano !== undefined) fixed64Field(w, 2, BigInt(p.startTimeUnixNano));
  if (p.timeUnixNano !== undefined) fixed64Field(w, 3, BigInt(p.timeUnixNano));
}

function numberPoint(w: ProtoWriter, p: OtlpJsonNumberPoint): void {
  const at = w.beginLd(1);
  times(w, p);
  if (p.asDouble !== undefined) w.doubleField(4, p.asDouble);
  else if (p.asInt !== undefined) fixed64Field(w, 6, BigInt(p.asInt));
  for (const e of p.exemplars ?? []) exemplar(w, 5, e);
  keyValues(w, 7, p.attributes);
  if (p.flags) w.varintField(8, p.flags);
  w.endLd(at);
}

function histogramPoint(w: ProtoWriter, p: OtlpJsonHistogramPoint): void {
  const at = w.beginLd(1);
  times(w, p);
  if (p.count !== undefined) fixed64Field(w, 4, BigInt(p.count));
  if (p.sum !== undefined) w.doubleField(5, p.sum);
  if (p.bucketCounts && p.bucketCounts.length > 0) {
    const b = w.beginLd(6);
    for (const c of p.bucketCounts) w.fixed64(BigInt(c));
    w.endLd(b);
  }
  if (p.explicitBounds && p.explicitBounds.length > 0) {
    const b = w.beginLd(7);
    for (const x of p.explicitBounds) w.double(x);
    w.endLd(b);
  }
  for (const e of p.exemplars ?? []) exemplar(w, 8, e);
  keyValues(w, 9, p.attributes);
  if (p.flags) w.varintField(10, p.flags);
  w.endLd(at);
}

function exponentialPoint(w: ProtoWriter, p: OtlpJsonExponentialPoint): void {
  const at = w.beginLd(1);
  keyValues(w, 1, p.attributes);
  times(w, p);
  if (p.count !== undefined) fixed64Field(w, 4, BigInt(p.count));
  if (p.sum !== undefined) w.doubleField(5, p.sum);
  if (p.scale) {
    w.tag(6, WIRE_VARINT);
    w.sint64(p.scale);
  }
  if (p.zeroCount !== undefined) fixed64Field(w, 7, BigInt(p.zeroCount));
  for (const [field, side] of [[8, p.positive], [9, p.negative]] as const) {
    if (!side) continue;
    const b = w.beginLd(field);
    if (side.offset) {
      w.tag(1, WIRE_VARINT);
      w.sint64(side.offset);
    }
    if (side.bucketCounts && side.bucketCounts.length > 0) {
      const c = w.beginLd(2);
      for (const n of side.bucketCounts) w.uint64(Number(n));
      w.endLd(c);
    }
    w.endLd(b);
  }
  if (p.flags) w.varintField(10, p.flags);
  for (const e of p.exemplars ?? []) exemplar(w, 11, e);
  if (p.zeroThreshold !== undefined) w.doubleField(14, p.zeroThreshold);
  w.endLd(at);
}

function summaryPoint(w: ProtoWriter, p: OtlpJsonSummaryPoint): void {
  const at = w.beginLd(1);
  times(w, p);
  if (p.count !== undefined) fixed64Field(w, 4, BigInt(p.count));
  if (p.sum !== undefined) w.doubleField(5, p.sum);
  for (const q of p.quantileValues ?? []) {
    const v = w.beginLd(6);
    w.doubleField(1, q.quantile ?? 0);
    w.doubleField(2, q.value ?? 0);
    w.endLd(v);
  }
  keyValues(w, 7, p.attributes);
  if (p.flags) w.varintField(8, p.flags);
  w.endLd(at);
}

function exemplar(w: ProtoWriter, field: number, e: OtlpJsonExemplar): void {
  const at = w.beginLd(field);
  if (e.timeUnixNano !== undefined) fixed64Field(w, 2, BigInt(e.timeUnixNano));
  if (e.asDouble !== undefined) w.doubleField(3, e.asDouble);
  else if (e.asInt !== undefined) fixed64Field(w, 6, BigInt(e.asInt));
  if (e.spanId) bytesField(w, 4, Buffer.from(e.spanId, 'hex'));
  if (e.traceId) bytesField(w, 5, Buffer.from(e.traceId, 'hex'));
  keyValues(w, 7, e.filteredAttributes);
  w.endLd(at);
}

function keyValues(w: ProtoWriter, field: number, kvs: readonly OtlpJsonKeyValue[] | undefined): void {
  for (const kv of kvs ?? []) {
    const at = w.beginLd(field);
    w.stringField(1, kv.key);
    if (kv.value) {
      const v = w.beginLd(2);
      anyValue(w, kv.value);
      w.endLd(v);
    }
    w.endLd(at);
  }
}

function anyValue(w: ProtoWriter, v: OtlpJsonAnyValue): void {
  if (v.stringValue !== undefined) {
    w.tag(1, WIRE_LEN);
    w.string(v.stringValue);
  } else if (v.boolValue !== undefined) w.varintField(2, v.boolValue ? 1 : 0);
  else if (v.intValue !== undefined) {
    w.tag(3, WIRE_VARINT);
    varint64(w, BigInt.asUintN(64, BigInt(v.intValue)));
  } else if (v.doubleValue !== undefined) w.doubleField(4, v.doubleValue);
  else if (v.arrayValue) {
    const at = w.beginLd(5);
    for (const x of v.arrayValue.values ?? []) {
      const e = w.beginLd(1);
      anyValue(w, x);
      w.endLd(e);
    }
    w.endLd(at);
  } else if (v.kvlistValue) {
    const at = w.beginLd(6);
    keyValues(w, 1, v.kvlistValue.values);
    w.endLd(at);
  } else if (v.bytesValue !== undefined) bytesField(w, 7, Buffer.from(v.bytesValue, 'base64'));
}

/** A 64-bit varint from a bigint, exact over the whole range. */
function varint64(w: ProtoWriter, v: bigint): void {
  w.ensure(10);
  while (v >= 0x80n) {
    w.buf[w.pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  w.buf[w.pos++] = Number(v);
}

function fixed64Field(w: ProtoWriter, field: number, v: bigint): void {
  w.tag(field, WIRE_FIXED64);
  w.fixed64(v);
}

function bytesField(w: ProtoWriter, field: number, b: Buffer): void {
  w.tag(field, WIRE_LEN);
  w.uint32(b.length);
  w.bytes(b, 0, b.length);
}
