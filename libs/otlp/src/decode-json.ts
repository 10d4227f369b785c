import { type RawMap, type RawValue, goJson } from './attributes.js';
import { OtlpDecodeError } from './errors.js';
import { formatAttributeDouble } from './format.js';
import type { OtlpMetricKind } from './naming.js';
import type { ExemplarScratch, PointScratch } from './point.js';
import type { OtlpTranslator } from './translator.js';
import type { Scratch } from './buckets.js';

/**
 * Walks an OTLP/JSON `ExportMetricsServiceRequest` (already `JSON.parse`d) and feeds the
 * translator, as the protobuf walker does. OTLP/JSON is the protobuf JSON mapping with
 * lowerCamelCase keys, int64 as decimal strings or numbers, enums as integers (names are
 * accepted too), and trace/span ids as hex rather than base64. A value of the wrong JSON
 * type is a malformed request ({@link OtlpDecodeError}); `null` means absent.
 */
export function walkJsonRequest(doc: unknown, t: OtlpTranslator, p: PointScratch): void {
  const root = object(doc, '$');
  for (const [i, rm] of array(root['resourceMetrics'], '$.resourceMetrics').entries()) {
    walkResourceMetrics(object(rm, `$.resourceMetrics[${i}]`), `$.resourceMetrics[${i}]`, t, p);
  }
}

type Obj = Readonly<Record<string, unknown>>;

function walkResourceMetrics(rm: Obj, path: string, t: OtlpTranslator, p: PointScratch): void {
  const resource = optionalObject(rm['resource'], `${path}.resource`);
  const attrs: string[] = [];
  if (resource) readAttributes(resource['attributes'], `${path}.resource.attributes`, attrs);
  t.beginResource(attrs, undefined);
  for (const [i, sm] of array(rm['scopeMetrics'], `${path}.scopeMetrics`).entries()) {
    const sPath = `${path}.scopeMetrics[${i}]`;
    const scopeMetrics = object(sm, sPath);
    const scope = optionalObject(scopeMetrics['scope'], `${sPath}.scope`);
    const scopeAttrs: string[] = [];
    if (scope) readAttributes(scope['attributes'], `${sPath}.scope.attributes`, scopeAttrs);
    t.beginScope(
      string(scope?.['name'], `${sPath}.scope.name`),
      string(scope?.['version'], `${sPath}.scope.version`),
      string(scopeMetrics['schemaUrl'], `${sPath}.schemaUrl`),
      scopeAttrs,
      undefined,
    );
    for (const [j, m] of array(scopeMetrics['metrics'], `${sPath}.metrics`).entries()) walkMetric(object(m, `${sPath}.metrics[${j}]`), `${sPath}.metrics[${j}]`, t, p);
  }
  t.endResource();
}

const DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function walkMetric(m: Obj, path: string, t: OtlpTranslator, p: PointScratch): void {
  const name = string(m['name'], `${path}.name`);
  const unit = string(m['unit'], `${path}.unit`);
  const description = string(m['description'], `${path}.description`);
  let dataKey: (typeof DATA_KEYS)[number] | undefined;
  for (const k of DATA_KEYS) if (m[k] !== undefined && m[k] !== null) dataKey = k;
  if (dataKey === undefined) {
    t.emptyMetric(name, false);
    return;
  }
  const dPath = `${path}.${dataKey}`;
  const data = object(m[dataKey], dPath);
  const temporality = dataKey === 'gauge' || dataKey === 'summary' ? 0 : temporalityOf(data['aggregationTemporality'], `${dPath}.aggregationTemporality`);
  const monotonic = dataKey === 'sum' && bool(data['isMonotonic'], `${dPath}.isMonotonic`);
  const kind: OtlpMetricKind =
    dataKey === 'gauge'
      ? 'gauge'
      : dataKey === 'sum'
        ? monotonic
          ? 'monotonic_sum'
          : 'sum'
        : dataKey === 'histogram'
          ? 'histogram'
          : dataKey === 'exponentialHistogram'
            ? 'exponential_histogram'
            : 'summary';
  t.beginMetric(name, unit, description, kind, temporality, undefined);
  const points = array(data['dataPoints'], `${dPath}.dataPoints`);
  for (let i = 0; i < points.length; i++) {
    const ptPath = `${dPath}.dataPoints[${i}]`;
    const dp = object(points[i], ptPath);
    p.reset();
    readCommon(dp, ptPath, p);
    switch (kind) {
      case 'gauge':
      case 'sum':
      case 'monotonic_sum':
        p.value = numberValue(dp, ptPath);
        readExemplars(dp['exemplars'], `${ptPath}.exemplars`, p);
        t.numberPoint(p);
        break;
      case 'histogram':
        p.count = uint(dp['count'], `${ptPath}.count`);
        readSum(dp, ptPath, p);
        numbers(dp['bucketCounts'], `${ptPath}.bucketCounts`, p.bucketCounts, uint);
        numbers(dp['explicitBounds'], `${ptPath}.explicitBounds`, p.bounds, double);
        readExemplars(dp['exemplars'], `${ptPath}.exemplars`, p);
        t.histogramPoint(p);
        break;
      case 'exponential_histogram': {
        p.count = uint(dp['count'], `${ptPath}.count`);
        readSum(dp, ptPath, p);
        p.scale = int(dp['scale'], `${ptPath}.scale`);
        p.zeroCount = uint(dp['zeroCount'], `${ptPath}.zeroCount`);
        p.zeroThreshold = double(dp['zeroThreshold'], `${ptPath}.zeroThreshold`);
        const pos = optionalObject(dp['positive'], `${ptPath}.positive`);
        if (pos) {
          p.positiveOffset = int(pos['offset'], `${ptPath}.positive.offset`);
          numbers(pos['bucketCounts'], `${ptPath}.positive.bucketCounts`, p.positiveCounts, uint);
        }
        const neg = optionalObject(dp['negative'], `${ptPath}.negative`);
        if (neg) {
          p.negativeOffset = int(neg['offset'], `${ptPath}.negative.offset`);
          numbers(neg['bucketCounts'], `${ptPath}.negative.bucketCounts`, p.negativeCounts, uint);
        }
        readExemplars(dp['exemplars'], `${ptPath}.exemplars`, p);
        t.exponentialHistogramPoint(p);
        break;
      }
      case 'summary': {
        p.count = uint(dp['count'], `${ptPath}.count`);
        readSum(dp, ptPath, p);
        for (const [k, q] of array(dp['quantileValues'], `${ptPath}.quantileValues`).entries()) {
          const qv = object(q, `${ptPath}.quantileValues[${k}]`);
          p.quantiles.push(double(qv['quantile'], `${ptPath}.quantileValues[${k}].quantile`));
          p.quantiles.push(double(qv['value'], `${ptPath}.quantileValues[${k}].value`));
        }
        t.summaryPoint(p);
        break;
      }
    }
  }
  if (points.length === 0) t.emptyMetric(name, true);
}

function readCommon(dp: Obj, path: string, p: PointScratch): void {
  readAttributes(dp['attributes'], `${path}.attributes`, p.attrs);
  p.startMs = nanosToMillis(dp['startTimeUnixNano'], `${path}.startTimeUnixNano`);
  p.timeMs = nanosToMillis(dp['timeUnixNano'], `${path}.timeUnixNano`);
  p.flags = int(dp['flags'], `${path}.flags`);
}

function readSum(dp: Obj, path: string, p: PointScratch): void {
  if (dp['sum'] !== undefined && dp['sum'] !== null) {
    p.sum = double(dp['sum'], `${path}.sum`);
    p.hasSum = true;
  }
}

/** `asDouble` or `asInt` (a oneof; absent reads as 0, as pdata does). */
function numberValue(dp: Obj, path: string): number {
  if (dp['asDouble'] !== undefined && dp['asDouble'] !== null) return double(dp['asDouble'], `${path}.asDouble`);
  if (dp['asInt'] !== undefined && dp['asInt'] !== null) return int(dp['asInt'], `${path}.asInt`);
  return 0;
}

function readExemplars(v: unknown, path: string, p: PointScratch): void {
  for (const [i, x] of array(v, path).entries()) {
    const ePath = `${path}[${i}]`;
    const ex = object(x, ePath);
    const e = p.nextExemplar();
    readAttributes(ex['filteredAttributes'], `${ePath}.filteredAttributes`, e.attrs);
    e.timeMs = nanosToMillis(ex['timeUnixNano'], `${ePath}.timeUnixNano`);
    if (ex['asDouble'] !== undefined && ex['asDouble'] !== null) {
      e.value = double(ex['asDouble'], `${ePath}.asDouble`);
      e.hasValue = true;
    } else if (ex['asInt'] !== undefined && ex['asInt'] !== null) {
      e.value = int(ex['asInt'], `${ePath}.asInt`);
      e.hasValue = true;
    }
    readId(ex['traceId'], 32, 'trace', e);
    readId(ex['spanId'], 16, 'span', e);
  }
}

function readId(v: unknown, hexLength: number, what: 'trace' | 'span', e: ExemplarScratch): void {
  if (v === undefined || v === null || v === '') return;
  if (typeof v !== 'string' || v.length !== hexLength || !/^[0-9a-fA-F]*$/.test(v)) {
    e.problem ??= `${what} id ${JSON.stringify(v)} is not ${hexLength} hex digits`;
    return;
  }
  if (/^0*$/.test(v)) return;
  if (what === 'trace') e.traceId = v.toLowerCase();
  else e.spanId = v.toLowerCase();
}

/** `KeyValue` list → flat key/value strings (`AsString` of each value). */
function readAttributes(v: unknown, path: string, out: string[]): void {
  for (const [i, x] of array(v, path).entries()) {
    const kv = object(x, `${path}[${i}]`);
    const key = string(kv['key'], `${path}[${i}].key`);
    const value = kv['value'];
    out.push(key, value === undefined || value === null ? '' : anyValueString(object(value, `${path}[${i}].value`), `${path}[${i}].value`));
  }
}

function anyValueString(v: Obj, path: string): string {
  const raw = anyValueRaw(v, path);
  if (raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return Number.isInteger(raw) && 'intValue' in v ? String(raw) : formatAttributeDouble(raw);
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  return goJson(raw);
}

function anyValueRaw(v: Obj, path: string): RawValue {
  if (v['stringValue'] !== undefined && v['stringValue'] !== null) return string(v['stringValue'], `${path}.stringValue`);
  if (v['boolValue'] !== undefined && v['boolValue'] !== null) return bool(v['boolValue'], `${path}.boolValue`);
  if (v['intValue'] !== undefined && v['intValue'] !== null) return int64Raw(v['intValue'], `${path}.intValue`);
  if (v['doubleValue'] !== undefined && v['doubleValue'] !== null) return double(v['doubleValue'], `${path}.doubleValue`);
  if (v['bytesValue'] !== undefined && v['bytesValue'] !== null) return Buffer.from(string(v['bytesValue'], `${path}.bytesValue`), 'base64');
  if (v['arrayValue'] !== undefined && v['arrayValue'] !== null) {
    const arr = object(v['arrayValue'], `${path}.arrayValue`);
    return array(arr['values'], `${path}.arrayValue.values`).map((x, i) => anyValueRaw(object(x, `${path}.arrayValue.values[${i}]`), `${path}.arrayValue.values[${i}]`));
  }
  if (v['kvlistValue'] !== undefined && v['kvlistValue'] !== null) {
    const list = object(v['kvlistValue'], `${path}.kvlistValue`);
    const out: Record<string, RawValue> = {};
    for (const [i, x] of array(list['values'], `${path}.kvlistValue.values`).entries()) {
      const kv = object(x, `${path}.kvlistValue.values[${i}]`);
      const key = string(kv['key'], `${path}.kvlistValue.values[${i}].key`);
      const value = kv['value'];
      if (!(key in out)) out[key] = value === undefined || value === null ? null : anyValueRaw(object(value, `${path}.kvlistValue.values[${i}].value`), `${path}.kvlistValue.values[${i}].value`);
    }
    return out as RawMap;
  }
  return null;
}

// --- JSON type checks ---------------------------------------------------------------------

function fail(path: string, expected: string, got: unknown): never {
  const shown = JSON.stringify(got);
  throw new OtlpDecodeError(`${path}: expected ${expected}, got ${shown === undefined ? String(got) : shown.length > 60 ? shown.slice(0, 60) + '…' : shown}`);
}

function object(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function optionalObject(v: unknown, path: string): Obj | undefined {
  return v === undefined || v === null ? undefined : object(v, path);
}

function array(v: unknown, path: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

function string(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
}

const INTEGER = /^-?\d+$/;

/** int32/int64/uint as a number (strings or numbers; exact to 2^53, as every value here). */
function int(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && INTEGER.test(v)) return Number(v);
  return fail(path, 'an integer (number or decimal string)', v);
}

function uint(v: unknown, path: string): number {
  const n = int(v, path);
  if (n < 0) fail(path, 'a non-negative integer', v);
  return n;
}

function int64Raw(v: unknown, path: string): number | bigint {
  if (typeof v === 'string' && INTEGER.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt.asIntN(64, BigInt(v));
  }
  return int(v, path);
}

function double(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  return fail(path, 'a number', v);
}

/** Epoch nanoseconds (fixed64, usually a decimal string) → whole milliseconds, exactly. */
function nanosToMillis(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && /^\d+$/.test(v)) return v.length <= 6 ? 0 : Number(v.slice(0, -6));
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return Math.floor(v / 1e6);
  return fail(path, 'nanoseconds since the epoch (a decimal string or number)', v);
}

function temporalityOf(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    const named = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'].indexOf(v);
    if (named >= 0) return named;
  }
  return int(v, path);
}

function numbers(v: unknown, path: string, out: Scratch<Float64Array>, read: (x: unknown, path: string) => number): void {
  const list = array(v, path);
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x === null || x === undefined) fail(`${path}[${i}]`, 'a number', x);
    out.push(read(x, `${path}[${i}]`));
  }
}
