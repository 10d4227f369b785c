import type { Labels, NativeHistogram } from '#pharos/metric-model';
import { histogramBucketTuples } from '#pharos/promql';

/**
 * The JSON encodings of Prometheus' HTTP API (`web/api/v1/json_codec.go`,
 * `util/jsonutil/marshal.go`), written as strings directly: a dashboard query answers 10 k
 * series × 1,000 points, and building an object graph for `JSON.stringify` first would cost an
 * object per point.
 */

const NEEDS_HTML_ESCAPE = /[\u0000-\u001f<>&\u2028\u2029]/;
const NEEDS_ESCAPE = /[\u0000-\u001f]/;

/**
 * A float as Prometheus writes sample values (`MarshalFloat`): Go's shortest round-trip
 * digits, plain notation except below 1e-6 and from 1e21 (exponent of at least two digits),
 * and `NaN`, `+Inf`, `-Inf`.
 */
export function formatPromFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = String(f);
  // JavaScript switches to exponent notation at exactly Go's thresholds; only the exponent
  // width differs (`1e-7` in JavaScript, `1e-07` in Go).
  const e = s.indexOf('e');
  if (e < 0 || s.length - e > 3) return s;
  return `${s.slice(0, e + 2)}0${s.slice(e + 2)}`;
}

/**
 * A float as Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, always in
 * plain notation (`1e22` is `10000000000000000000000`). Prometheus writes scalar results so.
 */
export function formatGoFloatPlain(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = String(f);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.charCodeAt(0) === 0x2d;
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Position of the decimal point after the first digit, moved by the exponent.
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/**
 * A finite float as a JSON number the way Prometheus' JSON library writes `float64` fields
 * (the `stats` timings): plain notation, exponent form below 1e-6 with two exponent digits.
 */
export function formatJsonFloat(f: number): string {
  return Number.isFinite(f) ? formatPromFloat(f) : '0';
}

/** A millisecond timestamp as Prometheus writes it (`MarshalTimestamp`): seconds, three fraction digits when not whole. */
export function formatPromTimestamp(ms: number): string {
  const t = Math.trunc(ms);
  const frac = t % 1000;
  if (frac === 0) return String(t / 1000);
  const abs = t < 0 ? -t : t;
  const f = abs % 1000;
  return `${t < 0 ? '-' : ''}${(abs - f) / 1000}.${f < 10 ? '00' : f < 100 ? '0' : ''}${f}`;
}

/**
 * A JSON string as Prometheus' encoder writes most strings (annotations, string results):
 * control characters other than `\n`, `\r`, `\t` as `\u00XX`, and — as Go's standard
 * library does — `<`, `>`, `&`, U+2028 and U+2029 escaped too.
 */
export function jsonString(s: string): string {
  return NEEDS_HTML_ESCAPE.test(s) ? escapeSlow(s, true) : JSON.stringify(s);
}

/** A JSON string as Prometheus writes label names and values: no HTML escaping there. */
export function jsonLabelString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? escapeSlow(s, false) : JSON.stringify(s);
}

function escapeSlow(s: string, html: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || (html && (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029))) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** A label set as a JSON object, in label order (Prometheus' `marshalLabelsJSON`). */
export function labelsJson(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ',';
    out += `${jsonLabelString(labels[i]!)}:${jsonLabelString(labels[i + 1]!)}`;
  }
  return `${out}}`;
}

/**
 * A native histogram as Prometheus writes it (`MarshalHistogram`): count, sum, and the
 * non-empty buckets from the lowest to the highest as `[boundary_rule, "lower", "upper",
 * "count"]`; bucket bounds come from the PromQL library so they are Prometheus' own to the bit.
 */
export function histogramJson(h: NativeHistogram): string {
  let out = `{"count":"${formatPromFloat(h.count)}","sum":"${formatPromFloat(h.sum)}"`;
  const buckets = histogramBucketTuples(h);
  for (let i = 0; i < buckets.length; i++) {
    const [rule, lower, upper, count] = buckets[i]!;
    out += `${i === 0 ? ',"buckets":[' : ','}[${rule},"${formatPromFloat(lower)}","${formatPromFloat(upper)}","${formatPromFloat(count)}"]`;
  }
  return `${out}${buckets.length > 0 ? ']' : ''}}`;
}

/** `[<t>,"<value>"]`, a float point. */
export function floatPointJson(t: number, f: number): string {
  return `[${formatPromTimestamp(t)},"${formatPromFloat(f)}"]`;
}
